"""requestPasswordReset, resetPassword, changePassword, requestEmailVerification,
requestEmailChange, verifyEmail, listSessions, revokeSession, revokeOtherSessions,
deleteAccount, requestDataExport, downloadDataExport."""

from __future__ import annotations

from typing import Annotated

from flask import Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, StrictStr, field_validator

from accounts import (
    data_export,
    deletion,
    profiles,
    recovery,
    session_list,
    sessions,
    validation,
    verification,
)
from db import users
from errors import invalid
from handlers.accounts import client_of
from handlers.http import bearer_token, endpoint, json_response, parse_body, parse_query

MAX_TOKEN_CHARS = 128
# The answer to every reset request, for addresses with and without an account alike.
RESET_REQUESTED = {
    "ok": True,
    "message": "If an account uses this address, a reset link is on its way.",
}


# An email address as registration takes it (normalised, or a 400 naming the field).
Email = Annotated[StrictStr, AfterValidator(validation.normalize_email)]


class PasswordResetRequestBody(BaseModel):
    email: Email


class MailTokenBody(BaseModel):
    token: StrictStr

    @field_validator("token")
    @classmethod
    def _token(cls, value: str) -> str:
        if not value or len(value) > MAX_TOKEN_CHARS:
            raise ValueError(f"must be 1 to {MAX_TOKEN_CHARS} characters")
        return value


class ResetPasswordBody(MailTokenBody):
    password: StrictStr


class ChangePasswordBody(BaseModel):
    currentPassword: StrictStr
    newPassword: StrictStr


class EmailChangeBody(BaseModel):
    newEmail: Email
    password: StrictStr


class DeleteAccountBody(BaseModel):
    # Only the caller's own account can be deleted: a body naming anyone is refused.
    model_config = ConfigDict(extra="forbid")

    password: StrictStr


class DownloadQuery(BaseModel):
    token: StrictStr


class SessionBody(BaseModel):
    sessionId: StrictStr

    @field_validator("sessionId")
    @classmethod
    def _session_id(cls, value: str) -> str:
        if not users.is_user_id(value):  # session ids are UUIDs too
            raise ValueError("must be a session id")
        return value


@endpoint("POST")
def request_password_reset(request: Request) -> Response:
    body = parse_body(request, PasswordResetRequestBody)
    recovery.request_reset(body.email, client_of(request))
    return json_response(RESET_REQUESTED, 202)


@endpoint("POST")
def reset_password(request: Request) -> Response:
    body = parse_body(request, ResetPasswordBody)
    recovery.reset(body.token, body.password)
    return json_response({"ok": True})


@endpoint("POST")
def change_password(request: Request) -> Response:
    claims = sessions.authenticate_access_token(bearer_token(request))
    body = parse_body(request, ChangePasswordBody)
    if body.currentPassword == body.newPassword:
        raise invalid("newPassword", "must differ from the current password")
    firebase_token = recovery.change(
        claims.user_id, claims.session_id, body.currentPassword, body.newPassword
    )
    return json_response({"ok": True, "firebaseToken": firebase_token})


@endpoint("POST")
def request_email_verification(request: Request) -> Response:
    claims = sessions.authenticate_access_token(bearer_token(request))
    verification.request(claims.user_id)
    return json_response({"ok": True}, 202)


@endpoint("POST")
def request_email_change(request: Request) -> Response:
    claims = sessions.authenticate_access_token(bearer_token(request))
    body = parse_body(request, EmailChangeBody)
    verification.request_change(claims.user_id, body.newEmail, body.password)
    return json_response({"ok": True}, 202)


@endpoint("POST")
def verify_email(request: Request) -> Response:
    body = parse_body(request, MailTokenBody)
    user = verification.verify(body.token)
    return json_response({"user": profiles.private_json(user)})


@endpoint("GET")
def list_sessions(request: Request) -> Response:
    claims = sessions.authenticate_access_token(bearer_token(request))
    return json_response({"sessions": session_list.list_for(claims)})


@endpoint("POST")
def revoke_session(request: Request) -> Response:
    claims = sessions.authenticate_access_token(bearer_token(request))
    body = parse_body(request, SessionBody)
    session_list.revoke_one(claims, body.sessionId)
    return json_response({"ok": True})


@endpoint("POST")
def revoke_other_sessions(request: Request) -> Response:
    claims = sessions.authenticate_access_token(bearer_token(request))
    ended, firebase_token = session_list.revoke_others(claims)
    return json_response({"ended": ended, "firebaseToken": firebase_token})


@endpoint("POST")
def delete_account(request: Request) -> Response:
    claims = sessions.authenticate_access_token(bearer_token(request))
    body = parse_body(request, DeleteAccountBody)
    deletion.delete(claims.user_id, body.password)
    return json_response({"ok": True})


@endpoint("POST")
def request_data_export(request: Request) -> Response:
    claims = sessions.authenticate_access_token(bearer_token(request))
    export_id = data_export.request(claims.user_id)
    return json_response({"exportId": export_id}, 202)


@endpoint("GET")
def download_data_export(request: Request) -> Response:
    query = parse_query(request, DownloadQuery)
    archive = data_export.archive_for(query.token)
    return Response(
        archive,
        mimetype="application/zip",
        headers={
            "Content-Disposition": 'attachment; filename="flowchat-export.zip"',
            "Cache-Control": "no-store",
        },
    )
