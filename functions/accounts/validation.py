"""Normalising and validating what people type into the account forms."""

from __future__ import annotations

import re
import unicodedata

_EMAIL = re.compile(
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_USERNAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.]{1,28}[A-Za-z0-9_])$")


def identifier_key(value: str) -> str:
    """The form in which logins, emails and usernames are compared, stored and counted:
    NFKC, case-folded (NFKC again, as folding can undo it), trimmed. Compare only keys made
    here, never lower() in SQL, which lowercases differently from Python."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())
    return folded.strip()


def normalize_email(value: str) -> str:
    """Trimmed and lower-cased; raises ValueError if it is not an address we can deliver to."""
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise ValueError("is not a valid email address")
    return email


def normalize_username(value: str) -> str:
    """3-30 characters of letters, digits, '_' and '.'; the case typed is kept for display."""
    username = value.strip()
    if not _USERNAME.match(username) or ".." in username:
        raise ValueError(
            "must be 3-30 letters, digits, '_' or '.', starting with a letter or digit"
        )
    return username


def normalize_display_name(value: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", value).split())
    if not name:
        raise ValueError("must not be empty")
    if len(name) > 64:
        raise ValueError("must be at most 64 characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise ValueError("must not contain control characters")
    return name


def normalize_bio(value: str) -> str:
    bio = unicodedata.normalize("NFC", value).strip()
    if len(bio) > 500:
        raise ValueError("must be at most 500 characters")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in bio):
        raise ValueError("must not contain control characters")
    return bio


def normalize_avatar_url(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    url = value.strip()
    if len(url) > 2048 or not re.match(r"^https?://[^\s/$.?#][^\s]*$", url):
        raise ValueError("must be an http(s) URL")
    return url
