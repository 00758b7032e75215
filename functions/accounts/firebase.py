"""The Firebase side of an account: custom tokens, ID-token checks, refresh-token revocation.

The Admin SDK app is created on first use. Locally, with FIREBASE_AUTH_EMULATOR_HOST set,
firebase_admin mints unsigned custom tokens that the Auth emulator accepts; in production it
signs with the function's service account.
"""

from __future__ import annotations

import contextlib

from firebase_admin import auth

import logs
from clients import firebase_app as app

log = logs.get(__name__)


def custom_token(uid: str, claims: dict | None = None) -> str:
    return auth.create_custom_token(uid, claims, app=app()).decode()


def verify_id_token(token: str) -> dict:
    """The claims of a valid Firebase ID token; raises ValueError otherwise.

    Revocation is not asked of the Auth service (``check_revoked`` costs a network call per
    request): ``accounts.sessions.authenticate_firebase_claims`` reads it from PostgreSQL.
    """
    try:
        return auth.verify_id_token(token, app=app())
    except (auth.InvalidIdTokenError, auth.CertificateFetchError) as exc:
        raise ValueError(str(exc)) from None


def delete_user(uid: str) -> None:
    """Remove the Firebase Auth account (gone already is fine)."""
    with contextlib.suppress(auth.UserNotFoundError):
        auth.delete_user(uid, app=app())


def revoke_refresh_tokens(uid: str) -> bool:
    """Sign the user out of Firebase everywhere. False when no Auth backend answered."""
    try:
        auth.revoke_refresh_tokens(uid, app=app())
    except auth.UserNotFoundError:
        return True  # never signed in to Firebase: nothing to revoke
    except Exception:  # the local Auth emulator may not be running
        log.warning("could not revoke Firebase refresh tokens for %s", uid, exc_info=True)
        return False
    return True
