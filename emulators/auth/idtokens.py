"""Firebase ID tokens as the local stack checks them: one verifier for every emulator.

Emulator ID tokens are unsigned JWTs (``alg: none``), as Google's Auth emulator issues;
``connectFirestoreEmulator``/``connectDatabaseEmulator`` with ``mockUserToken`` send the
same kind. Like Google's emulators we do not check signatures. Every other check
production makes is made here (firebase_admin's ``verify_id_token`` and Google's token
verification): three segments, ``alg`` RS256 or none, ``aud`` is the project, ``iss`` is
``https://securetoken.google.com/<project>``, ``sub`` a non-empty string of at most 128
characters, ``iat`` and ``auth_time`` not in the future, ``exp`` not past. So a FlowChat
access token, a token for another project or an expired token is refused locally as it is
in production.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any

ISSUER_PREFIX = "https://securetoken.google.com/"
ACCEPTED_ALGORITHMS = ("none", "RS256")  # RS256 is what production signs with
MAX_UID_LENGTH = 128


class InvalidIdToken(ValueError):
    pass


class ExpiredIdToken(InvalidIdToken):
    pass


def issuer(project: str) -> str:
    return ISSUER_PREFIX + project


def verify(
    token: Any, project: str, *, accept_mock_user_tokens: bool = False, now: float | None = None
) -> dict[str, Any]:
    """Claims of a Firebase ID token for ``project``, with ``uid`` set from ``sub``;
    raises InvalidIdToken naming the first check that failed.

    A ``mockUserToken`` (what ``connectFirestoreEmulator``/``connectDatabaseEmulator``
    build for tests) carries ``iat`` 0 and ``exp`` 3600, long past. Google's Firestore and
    Database emulators accept it, so they pass ``accept_mock_user_tokens``: expiry then
    counts only for tokens with a real issue time. Production never sees such tokens.
    """
    if not isinstance(token, str) or not token:
        raise InvalidIdToken("ID token must be a non-empty string")
    header, claims = decode_unverified(token)
    if header.get("alg") not in ACCEPTED_ALGORITHMS:
        raise InvalidIdToken(f"ID token has algorithm {header.get('alg')!r}, expected RS256")
    if claims.get("aud") != project:
        raise InvalidIdToken(f"ID token has audience {claims.get('aud')!r}, not {project!r}")
    if claims.get("iss") != issuer(project):
        raise InvalidIdToken(f"ID token has issuer {claims.get('iss')!r}, not {issuer(project)!r}")
    uid = claims.get("sub")
    if not isinstance(uid, str) or not uid or len(uid) > MAX_UID_LENGTH:
        raise InvalidIdToken("ID token has no sub of 1 to 128 characters")
    current = time.time() if now is None else now
    issued_at, expires_at = claims.get("iat"), claims.get("exp")
    if not _is_number(issued_at) or not _is_number(expires_at):
        raise InvalidIdToken("ID token has no numeric iat and exp")
    if issued_at > current:
        raise InvalidIdToken("ID token was issued in the future")
    auth_time = claims.get("auth_time", issued_at)
    if not _is_number(auth_time) or auth_time > current:
        raise InvalidIdToken("ID token has an auth_time in the future")
    is_mock_user_token = accept_mock_user_tokens and issued_at == 0
    if expires_at <= current and not is_mock_user_token:
        raise ExpiredIdToken("ID token expired")
    claims.setdefault("user_id", uid)
    claims["uid"] = uid
    return claims


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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
