"""Custom tokens in, ID tokens out: the JWT side of the Auth emulator.

ID tokens follow the emulator format that ``firebase_admin.auth.verify_id_token`` accepts
when FIREBASE_AUTH_EMULATOR_HOST is set: unsigned (``alg: none``), ``iss``
``https://securetoken.google.com/PROJECT``, ``aud`` PROJECT, one hour of validity.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from emulators.auth import idtokens
from emulators.auth.accounts import MAX_UID_LENGTH, UserAccount
from emulators.auth.errors import AuthError

CUSTOM_TOKEN_AUDIENCE = (
    "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit"
)
ID_TOKEN_LIFETIME_SECONDS = 3600
MAX_CUSTOM_TOKEN_LIFETIME_SECONDS = 3600
MAX_CLAIMS_LENGTH = 1000
# Claims a developer may not set (firebase.google.com/docs/auth/admin/custom-claims).
FORBIDDEN_CLAIMS = frozenset(
    {
        "acr",
        "amr",
        "at_hash",
        "aud",
        "auth_time",
        "azp",
        "cnf",
        "c_hash",
        "exp",
        "firebase",
        "iat",
        "iss",
        "jti",
        "nbf",
        "nonce",
        "sub",
    }
)


# Claims the emulator itself puts in an ID token (everything else came from the developer).
ID_TOKEN_CLAIMS = frozenset(
    {
        "iss",
        "aud",
        "auth_time",
        "user_id",
        "sub",
        "uid",
        "iat",
        "exp",
        "firebase",
        "name",
        "picture",
        "email",
        "email_verified",
        "phone_number",
    }
)


@dataclass(frozen=True)
class CustomToken:
    uid: str
    claims: dict[str, Any]


def parse_custom_token(token: Any, *, now: float | None = None) -> CustomToken:
    """Reads a custom token without checking its signature, as Google's emulator does:
    firebase_admin in emulator mode signs with ``alg: none``, and a token signed with a real
    service account is accepted too since the emulator has no key to check it with."""
    if not isinstance(token, str) or not token:
        raise AuthError("MISSING_CUSTOM_TOKEN")
    try:
        _header, payload = idtokens.decode_unverified(token)
    except idtokens.InvalidIdToken:
        raise AuthError("INVALID_CUSTOM_TOKEN", "Invalid assertion format") from None
    if payload.get("aud") != CUSTOM_TOKEN_AUDIENCE:
        raise AuthError(
            "INVALID_CUSTOM_TOKEN",
            f"Invalid aud (audience): {payload.get('aud')!r}; an ID token cannot be used "
            "as a custom token",
        )
    exp = payload.get("exp")
    current = time.time() if now is None else now
    if isinstance(exp, (int, float)) and exp < current:
        raise AuthError("INVALID_CUSTOM_TOKEN", "Token expired")
    iat = payload.get("iat")
    if (
        isinstance(exp, (int, float))
        and isinstance(iat, (int, float))
        and exp - iat > MAX_CUSTOM_TOKEN_LIFETIME_SECONDS
    ):
        raise AuthError("INVALID_CUSTOM_TOKEN", "Token lifetime exceeds one hour")
    if "tenant_id" in payload:
        raise AuthError("INVALID_CUSTOM_TOKEN", "Multi-tenancy is not supported")
    uid = payload.get("uid")
    if not isinstance(uid, str) or not uid:
        raise AuthError("MISSING_IDENTIFIER")
    if len(uid) > MAX_UID_LENGTH:
        raise AuthError("INVALID_CUSTOM_TOKEN", "uid must be at most 128 characters")
    claims = payload.get("claims", {})
    validate_claims(claims)
    return CustomToken(uid=uid, claims=claims)


def validate_claims(claims: Any) -> dict[str, Any]:
    if not isinstance(claims, dict):
        raise AuthError("INVALID_CLAIMS")
    if len(json.dumps(claims, separators=(",", ":"))) > MAX_CLAIMS_LENGTH:
        raise AuthError("CLAIMS_TOO_LARGE")
    forbidden = sorted(FORBIDDEN_CLAIMS.intersection(claims))
    if forbidden:
        raise AuthError("FORBIDDEN_CLAIM", forbidden[0])
    return claims


def validate_serialized_claims(text: Any) -> str:
    """``customAttributes`` as sent by firebase_admin: a JSON object as a string."""
    if not isinstance(text, str):
        raise AuthError("INVALID_CLAIMS")
    if len(text) > MAX_CLAIMS_LENGTH:
        raise AuthError("CLAIMS_TOO_LARGE")
    try:
        parsed = json.loads(text)
    except ValueError:
        raise AuthError("INVALID_CLAIMS") from None
    validate_claims(parsed)
    return text


def mint_id_token(
    project_id: str,
    account: UserAccount,
    sign_in_provider: str,
    extra_claims: dict[str, Any],
    *,
    now: float | None = None,
) -> str:
    issued_at = int(time.time() if now is None else now)
    claims: dict[str, Any] = {}
    # Profile claims first, then developer claims, then the reserved claims that must win.
    if account.display_name is not None:
        claims["name"] = account.display_name
    if account.photo_url is not None:
        claims["picture"] = account.photo_url
    if account.custom_attributes:
        claims.update(json.loads(account.custom_attributes))
    claims.update(extra_claims)
    identities: dict[str, list[str]] = {}
    if account.email is not None:
        claims["email"] = account.email
        claims["email_verified"] = account.email_verified
        identities["email"] = [account.email]
    if account.phone_number is not None:
        claims["phone_number"] = account.phone_number
        identities["phone"] = [account.phone_number]
    auth_time_ms = account.last_login_at_ms or account.created_at_ms
    claims.update(
        {
            "iss": idtokens.issuer(project_id),
            "aud": project_id,
            "auth_time": auth_time_ms // 1000,
            "user_id": account.uid,
            "sub": account.uid,
            "iat": issued_at,
            "exp": issued_at + ID_TOKEN_LIFETIME_SECONDS,
            "firebase": {"identities": identities, "sign_in_provider": sign_in_provider},
        }
    )
    return idtokens.encode_unsigned(claims)


def read_id_token(token: Any, project_id: str) -> dict[str, Any]:
    """Claims of an ID token sent by a client, or INVALID_ID_TOKEN."""
    if not isinstance(token, str) or not token:
        raise AuthError("MISSING_ID_TOKEN")
    try:
        return idtokens.verify(token, project_id)
    except idtokens.InvalidIdToken as exc:
        raise AuthError("INVALID_ID_TOKEN", str(exc)) from None


def developer_claims(claims: dict[str, Any], account: UserAccount) -> dict[str, Any]:
    """The custom-token claims inside an ID token: neither the emulator's own claims nor
    the account's custom attributes (those are re-read from the account when minting)."""
    attributes = json.loads(account.custom_attributes or "{}")
    return {
        key: value
        for key, value in claims.items()
        if key not in ID_TOKEN_CLAIMS and key not in attributes
    }
