"""FlowChat access tokens (short-lived JWTs) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field

import jwt

import settings

ALGORITHM = "HS256"
# A client presents one access token for its whole lifetime, so each instance remembers the
# tokens it verified (about 0.2 ms of PyJWT each time) until they expire.
VERIFIED_TOKENS_KEPT = 10_000


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
    """The claims of a valid access token; raises InvalidToken otherwise. Only the token
    is checked here: whether its session is still live is the caller's to ask, every time.
    """
    checks = (settings.jwt_secret(), settings.TOKEN_AUDIENCE.value, settings.TOKEN_ISSUER.value)
    remembered = _verified.get(token)
    if remembered is not None and remembered.checks == checks and time.time() < remembered.exp:
        return remembered.claims
    secret, audience, issuer = checks
    try:
        decoded = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],  # pinned: never trust the token's own "alg"
            audience=audience,
            issuer=issuer,
            options={"require": ["iss", "aud", "sub", "sid", "iat", "exp"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from None
    claims = AccessClaims(user_id=decoded["sub"], session_id=decoded["sid"])
    # PyJWT accepts a token while the clock is before its "exp", as the check above does;
    # "iat" and "nbf", once passed, stay passed.
    _remember(token, _Verified(claims, decoded["exp"], checks))
    return claims


@dataclass(frozen=True)
class _Verified:
    claims: AccessClaims
    exp: float
    checks: tuple[str, str, str] = field(repr=False)  # the secret, audience, issuer used


_verified: dict[str, _Verified] = {}
_verified_lock = threading.Lock()


def _remember(token: str, verified: _Verified) -> None:
    with _verified_lock:
        if len(_verified) >= VERIFIED_TOKENS_KEPT:
            now = time.time()
            for old in [key for key, value in _verified.items() if value.exp <= now]:
                del _verified[old]
            while len(_verified) >= VERIFIED_TOKENS_KEPT:  # the oldest go first
                del _verified[next(iter(_verified))]
        _verified[token] = verified


def is_flowchat_token(token: str) -> bool:
    """Whether a bearer token claims to be ours (as opposed to a Firebase ID token)."""
    if token in _verified:
        return True
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
