"""The HTTP face of the Auth emulator, with the URL layout of Google's Auth emulator:

- ``/identitytoolkit.googleapis.com/v1/accounts:*`` — what the JS SDK calls (API key);
- ``/identitytoolkit.googleapis.com/v1/projects/{project}/accounts*`` — what firebase_admin
  calls, with ``Authorization: Bearer owner``;
- ``/securetoken.googleapis.com/v1/token`` — ID-token refresh;
- ``/emulator/v1/projects/{project}/...`` — emulator controls (reset, config).

Requests without a project in the path belong to the configured default project, as the
API key of a single-project setup does. JSON in, JSON out; all translation between the
wire's camelCase and the service happens here.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators.auth.accounts import UserAccount
from emulators.auth.errors import AuthError, invalid_argument, not_found, unauthenticated
from emulators.auth.service import AccountChanges, AuthService, SignIn, validate_uid

log = logging.getLogger(__name__)

IDENTITY_TOOLKIT = "/identitytoolkit.googleapis.com/v1"
SECURE_TOKEN = "/securetoken.googleapis.com/v1"
EMULATOR = "/emulator/v1/projects/{project}"
Handler = Callable[["Call"], dict[str, Any]]


class Call:
    """One request, parsed: its project, whether it carries admin credentials, its body."""

    def __init__(self, request: Request, project: str, privileged: bool, body: dict[str, Any]):
        self.request = request
        self.project = project
        self.privileged = privileged
        self.body = body

    def string(self, key: str) -> str | None:
        value = self.body.get(key)
        if value is not None and not isinstance(value, str):
            raise invalid_argument(f"Invalid value at '{key}': expected a string")
        return value

    def boolean(self, key: str) -> bool | None:
        value = self.body.get(key)
        if value is not None and not isinstance(value, bool):
            raise invalid_argument(f"Invalid value at '{key}': expected a boolean")
        return value

    def integer(self, key: str) -> int | None:
        value = self.body.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise invalid_argument(f"Invalid value at '{key}': expected an integer")

    def strings(self, key: str) -> list[str]:
        value = self.body.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid_argument(f"Invalid value at '{key}': expected a list of strings")
        return value

    def require_admin(self) -> None:
        if not self.privileged:
            raise unauthenticated(
                "Request is missing required authentication credential. Expected OAuth 2 "
                "access token (the Admin SDK sends 'Bearer owner' to the emulator)."
            )


def create_app(service: AuthService, default_project: str) -> Starlette:
    routes = AuthRoutes(service, default_project)
    return Starlette(
        routes=routes.table(),
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["*"],
                allow_headers=["*"],
                max_age=3600,
            )
        ],
        exception_handlers={HTTPException: _http_error},
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        error = not_found(f"No such endpoint: {request.method} {request.url.path}")
    else:
        error = AuthError(
            exc.detail or "Bad request", http_status=exc.status_code, reason="invalid"
        )
    return JSONResponse(error.to_json(), status_code=error.http_status)


class AuthRoutes:
    def __init__(self, service: AuthService, default_project: str) -> None:
        self.service = service
        self.default_project = default_project

    def table(self) -> list[Route]:
        client = IDENTITY_TOOLKIT
        admin = f"{IDENTITY_TOOLKIT}/projects/{{project}}"
        return [
            Route("/", self.wrap(self.status, body=False), methods=["GET"]),
            Route(
                f"{client}/accounts:signInWithCustomToken",
                self.wrap(self.custom_token),
                methods=["POST"],
            ),
            Route(
                f"{client}/accounts:signInWithPassword",
                self.wrap(self.password_sign_in),
                methods=["POST"],
            ),
            Route(f"{client}/accounts:lookup", self.wrap(self.lookup), methods=["POST"]),
            Route(f"{admin}/accounts:lookup", self.wrap(self.lookup), methods=["POST"]),
            Route(f"{client}/accounts:update", self.wrap(self.update), methods=["POST"]),
            Route(f"{admin}/accounts:update", self.wrap(self.update), methods=["POST"]),
            Route(f"{client}/accounts:delete", self.wrap(self.delete), methods=["POST"]),
            Route(f"{admin}/accounts:delete", self.wrap(self.delete), methods=["POST"]),
            Route(f"{admin}/accounts", self.wrap(self.create), methods=["POST"]),
            Route(
                f"{admin}/accounts:batchGet",
                self.wrap(self.batch_get, body=False),
                methods=["GET"],
            ),
            Route(f"{admin}/accounts:batchDelete", self.wrap(self.batch_delete), methods=["POST"]),
            Route(f"{SECURE_TOKEN}/token", self.wrap(self.refresh, form=True), methods=["POST"]),
            Route(f"{EMULATOR}/accounts", self.wrap(self.reset, body=False), methods=["DELETE"]),
            Route(f"{EMULATOR}/config", self.wrap(self.config, body=False), methods=["GET"]),
        ]

    def wrap(self, handler: Handler, *, body: bool = True, form: bool = False):
        async def endpoint(request: Request) -> Response:
            try:
                parsed = await _read_body(request, form=form) if body else {}
                project = request.path_params.get("project") or self.default_project
                call = Call(request, project, _is_privileged(request), parsed)
                return JSONResponse(handler(call))
            except AuthError as error:
                return JSONResponse(error.to_json(), status_code=error.http_status)

        return endpoint

    # --- handlers ---------------------------------------------------------------------

    def status(self, call: Call) -> dict[str, Any]:
        return {"authEmulator": {"ready": True, "project": self.default_project}}

    def custom_token(self, call: Call) -> dict[str, Any]:
        sign_in = self.service.sign_in_with_custom_token(call.project, call.body.get("token"))
        return {
            "kind": "identitytoolkit#VerifyCustomTokenResponse",
            "isNewUser": sign_in.is_new_user,
            **_tokens_json(sign_in),
        }

    def password_sign_in(self, call: Call) -> dict[str, Any]:
        sign_in = self.service.sign_in_with_password(
            call.project, call.body.get("email"), call.body.get("password")
        )
        account = sign_in.account
        return _drop_none(
            {
                "kind": "identitytoolkit#VerifyPasswordResponse",
                "localId": account.uid,
                "email": account.email,
                "displayName": account.display_name,
                "registered": True,
                **_tokens_json(sign_in),
            }
        )

    def refresh(self, call: Call) -> dict[str, Any]:
        body = call.body
        sign_in = self.service.refresh(
            call.project,
            body.get("grant_type", body.get("grantType")),
            body.get("refresh_token", body.get("refreshToken")),
        )
        return {
            "access_token": sign_in.id_token,
            "expires_in": str(sign_in.expires_in),
            "token_type": "Bearer",
            "refresh_token": sign_in.refresh_token,
            "id_token": sign_in.id_token,
            "user_id": sign_in.account.uid,
            "project_id": call.project,
        }

    def lookup(self, call: Call) -> dict[str, Any]:
        if call.privileged and "idToken" not in call.body:
            users = self.service.lookup(
                call.project,
                call.strings("localId"),
                call.strings("email"),
                call.strings("phoneNumber"),
            )
        else:
            account, _claims = self.service.account_for_id_token(
                call.project, call.body.get("idToken")
            )
            users = [account]
        response: dict[str, Any] = {"kind": "identitytoolkit#GetAccountInfoResponse"}
        if users:  # firebase_admin treats a missing list as "not found"
            response["users"] = [account_json(user) for user in users]
        return response

    def update(self, call: Call) -> dict[str, Any]:
        changes = _changes_from(call)
        sign_in: SignIn | None = None
        if call.privileged and "idToken" not in call.body:
            account = self.service.get_account(call.project, call.body.get("localId"))
            changes.disabled = call.boolean("disableUser")
            changes.custom_attributes = call.string("customAttributes")
            changes.valid_since = call.integer("validSince")
            changes.email_verified = call.boolean("emailVerified")
            changes.phone_number = call.string("phoneNumber")
            account = self.service.update_account(call.project, account, changes)
        else:
            if "idToken" not in call.body:
                raise AuthError("INVALID_REQ_TYPE", "Unsupported request parameters.")
            if "disableUser" in call.body:
                raise AuthError("OPERATION_NOT_ALLOWED")
            for admin_field in ("customAttributes", "validSince", "emailVerified", "phoneNumber"):
                if admin_field in call.body:
                    raise AuthError("INSUFFICIENT_PERMISSION", admin_field)
            account, sign_in = self.service.update_by_client(
                call.project, call.body.get("idToken"), changes
            )
        response = {
            "kind": "identitytoolkit#SetAccountInfoResponse",
            "localId": account.uid,
            "email": account.email,
            "emailVerified": account.email_verified,
            "displayName": account.display_name,
            "photoUrl": account.photo_url,
            "providerUserInfo": _provider_user_info(account),
        }
        if sign_in is not None:
            response.update(_tokens_json(sign_in))
        return _drop_none(response)

    def delete(self, call: Call) -> dict[str, Any]:
        if call.privileged and "idToken" not in call.body:
            uid = call.string("localId")
            if not uid:
                raise AuthError("MISSING_LOCAL_ID")
        else:
            account, _claims = self.service.account_for_id_token(
                call.project, call.body.get("idToken")
            )
            uid = account.uid
        self.service.delete_account(call.project, uid)
        return {"kind": "identitytoolkit#DeleteAccountResponse"}

    def create(self, call: Call) -> dict[str, Any]:
        call.require_admin()
        changes = _changes_from(call)
        changes.disabled = call.boolean("disabled")
        changes.email_verified = call.boolean("emailVerified")
        changes.phone_number = call.string("phoneNumber")
        uid = call.body.get("localId")
        if uid is not None:
            validate_uid(uid)
        account = self.service.create_account(call.project, uid, changes)
        return _drop_none(
            {
                "kind": "identitytoolkit#SignupNewUserResponse",
                "localId": account.uid,
                "email": account.email,
                "displayName": account.display_name,
            }
        )

    def batch_get(self, call: Call) -> dict[str, Any]:
        call.require_admin()
        query = call.request.query_params
        max_results = query.get("maxResults")
        if max_results is not None and not max_results.isdigit():
            raise invalid_argument("Invalid value at 'maxResults': expected an integer")
        users, next_token = self.service.list_accounts(
            call.project,
            int(max_results) if max_results is not None else None,
            query.get("nextPageToken"),
        )
        return _drop_none(
            {
                "kind": "identitytoolkit#DownloadAccountResponse",
                "users": [account_json(user) for user in users],
                "nextPageToken": next_token,
            }
        )

    def batch_delete(self, call: Call) -> dict[str, Any]:
        call.require_admin()
        uids = call.strings("localIds")
        for uid in uids:
            validate_uid(uid)
        errors = self.service.batch_delete(call.project, uids, bool(call.boolean("force")))
        if not errors:
            return {}
        return {
            "errors": [{"index": e.index, "localId": e.uid, "message": e.message} for e in errors]
        }

    def reset(self, call: Call) -> dict[str, Any]:
        self.service.reset(call.project)
        return {}

    def config(self, call: Call) -> dict[str, Any]:
        return {"signIn": {"allowDuplicateEmails": False}}


def _changes_from(call: Call) -> AccountChanges:
    return AccountChanges(
        display_name=call.string("displayName"),
        photo_url=call.string("photoUrl"),
        email=call.string("email"),
        password=call.string("password"),
        delete_attributes=call.strings("deleteAttribute"),
        delete_providers=call.strings("deleteProvider"),
    )


def account_json(account: UserAccount) -> dict[str, Any]:
    """A user as the Identity Toolkit's ``UserInfo`` resource (no password hash)."""
    last_refresh = None
    if account.last_refresh_at_ms is not None:
        moment = datetime.datetime.fromtimestamp(account.last_refresh_at_ms / 1000, tz=datetime.UTC)
        last_refresh = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return _drop_none(
        {
            "localId": account.uid,
            "displayName": account.display_name,
            "photoUrl": account.photo_url,
            "email": account.email,
            "emailVerified": account.email_verified,
            "phoneNumber": account.phone_number,
            "disabled": account.disabled,
            "customAttributes": account.custom_attributes,
            "validSince": str(account.valid_since) if account.valid_since is not None else None,
            "createdAt": str(account.created_at_ms),
            "lastLoginAt": _optional_str(account.last_login_at_ms),
            "lastRefreshAt": last_refresh,
            "passwordUpdatedAt": account.password_updated_at_ms,
            "customAuth": account.custom_auth or None,
            "providerUserInfo": _provider_user_info(account),
        }
    )


def _provider_user_info(account: UserAccount) -> list[dict[str, Any]]:
    providers = []
    if account.email is not None and account.password_hash is not None:
        providers.append(
            _drop_none(
                {
                    "providerId": "password",
                    "email": account.email,
                    "federatedId": account.email,
                    "rawId": account.email,
                    "displayName": account.display_name,
                    "photoUrl": account.photo_url,
                }
            )
        )
    if account.phone_number is not None:
        providers.append(
            {
                "providerId": "phone",
                "phoneNumber": account.phone_number,
                "rawId": account.phone_number,
            }
        )
    return providers


def _tokens_json(sign_in: SignIn) -> dict[str, Any]:
    return {
        "idToken": sign_in.id_token,
        "refreshToken": sign_in.refresh_token,
        "expiresIn": str(sign_in.expires_in),
        "localId": sign_in.account.uid,
    }


def _is_privileged(request: Request) -> bool:
    """Admin credentials: firebase_admin sends ``Bearer owner`` to an emulator; a real
    OAuth access token (``ya29.``) is taken as the project owner too, as Google's emulator
    does. Any other Authorization header is refused rather than silently ignored."""
    header = request.headers.get("authorization")
    if not header:
        return False
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and (token.lower() == "owner" or token.startswith("ya29.")):
        return True
    raise unauthenticated(
        "Request had invalid authentication credentials. Expected OAuth 2 access token "
        "('Bearer owner' in the emulator)."
    )


async def _read_body(request: Request, *, form: bool) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "")
    if form and "application/x-www-form-urlencoded" in content_type:
        try:
            pairs = parse_qs(raw.decode(), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            raise invalid_argument("Invalid form body received.") from None
        return {key: values[-1] for key, values in pairs.items()}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid_argument(f"Invalid JSON payload received. {exc}") from None
    if not isinstance(body, dict):
        raise invalid_argument("Invalid JSON payload received. Expected an object.")
    return body


def _optional_str(value: int | None) -> str | None:
    return None if value is None else str(value)


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
