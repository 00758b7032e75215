"""FlowChat access tokens (short-lived JWTs) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import jwt

import settings

ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    session_id: str


class InvalidToken(Exception):
    pass


def issue_access_token(user_id: str, session_id: str) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds."""
    ttl = settings.ACCESS_TOKEN_TTL_SECONDS.value
    now = int(time.time())
    claims = {
        "iss": settings.TOKEN_ISSUER.value,
        "aud": settings.TOKEN_AUDIENCE.value,
        "sub": user_id,
        "sid": session_id,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, settings.jwt_secret(), algorithm=ALGORITHM), ttl


def verify_access_token(token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret(),
            algorithms=[ALGORITHM],  # pinned: never trust the token's own "alg"
            audience=settings.TOKEN_AUDIENCE.value,
            issuer=settings.TOKEN_ISSUER.value,
            options={"require": ["iss", "aud", "sub", "sid", "iat", "exp"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from None
    return AccessClaims(user_id=claims["sub"], session_id=claims["sid"])


def is_flowchat_token(token: str) -> bool:
    """Whether a bearer token claims to be ours (as opposed to a Firebase ID token)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return claims.get("iss") == settings.TOKEN_ISSUER.value


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> bytes:
    """Refresh tokens carry 256 random bits, so a plain SHA-256 is a safe lookup key."""
    return hashlib.sha256(token.encode()).digest()
