"""Makes the functions' ``firebase_admin.auth.verify_id_token`` as strict as production.

With FIREBASE_AUTH_EMULATOR_HOST set, firebase_admin skips the signature check, and with
it the expiry and issue-time checks that google-auth makes along with the signature: an
expired ID token passes, in callables (the Functions SDK verifies through this function)
and in our HTTP functions alike. The host therefore wraps the function, once, so that every
token is first checked by the emulators' shared verifier; signatures stay unchecked, as
in Google's emulators. firebase-tools' functions emulator patches firebase-admin in its
Node runtime in the same way.
"""

from __future__ import annotations

import functools

from firebase_admin import auth

from emulators.auth import idtokens


def install(project: str) -> None:
    original = auth.verify_id_token
    if getattr(original, "flowchat_strict", False):
        return

    @functools.wraps(original)
    def verify_id_token(id_token, app=None, check_revoked=False, clock_skew_seconds=0):
        try:
            idtokens.verify(id_token, project)
        except idtokens.ExpiredIdToken as exc:
            raise auth.ExpiredIdTokenError(str(exc), cause=exc) from None
        except idtokens.InvalidIdToken as exc:
            raise auth.InvalidIdTokenError(str(exc), cause=exc) from None
        return original(
            id_token, app=app, check_revoked=check_revoked, clock_skew_seconds=clock_skew_seconds
        )

    verify_id_token.flowchat_strict = True
    auth.verify_id_token = verify_id_token
