"""Reads Firebase ID tokens as the emulators see them.

Emulator ID tokens are unsigned JWTs (``alg: none``), as Google's Auth emulator issues;
``connectFirestoreEmulator``/``connectDatabaseEmulator`` with ``mockUserToken`` send the
same kind. Like Google's emulators, the Firestore and Database emulators decode the claims
without checking a signature, and refuse a token that is malformed or expired.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any


class InvalidIdToken(ValueError):
    pass


def decode(token: str, *, now: float | None = None) -> dict[str, Any]:
    """Claims of an ID token, with ``uid`` set from ``user_id``/``sub``."""
    parts = token.split(".")
    if len(parts) not in (2, 3):
        raise InvalidIdToken("not a JWT")
    try:
        claims = json.loads(_b64url(parts[1]))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidIdToken("JWT payload is not base64url JSON") from None
    if not isinstance(claims, dict):
        raise InvalidIdToken("JWT payload is not an object")
    uid = claims.get("user_id") or claims.get("sub") or claims.get("uid")
    if not isinstance(uid, str) or not uid:
        raise InvalidIdToken("token has no sub/user_id")
    # mockUserToken (connectFirestoreEmulator/connectDatabaseEmulator) always carries
    # iat 0 and exp 3600, long past; Google's emulators accept it, so expiry counts only
    # for tokens with a real issue time.
    exp = claims.get("exp")
    expired = isinstance(exp, (int, float)) and exp < (now if now is not None else time.time())
    if expired and claims.get("iat") != 0:
        raise InvalidIdToken("token expired")
    claims.setdefault("sub", uid)
    claims.setdefault("user_id", uid)
    claims["uid"] = uid
    return claims


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def encode_unsigned(claims: dict[str, Any]) -> str:
    """An unsigned JWT (``alg: none``, empty signature), the form emulator ID tokens take."""
    header = {"alg": "none", "typ": "JWT"}
    return f"{_b64url_encode(header)}.{_b64url_encode(claims)}."


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of any JWT, with no check of signature or claims."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidIdToken("not a JWT")
    try:
        header, payload = (json.loads(_b64url(part)) for part in parts[:2])
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidIdToken("JWT header or payload is not base64url JSON") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise InvalidIdToken("JWT header or payload is not an object")
    return header, payload


def _b64url_encode(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
