"""register, login, refresh, logout."""

from __future__ import annotations

from flask import Request, Response
from pydantic import BaseModel, StrictStr, field_validator

from accounts import passwords, profiles, sessions, validation
from errors import invalid
from handlers.http import (
    bearer_token,
    client_address,
    endpoint,
    header_text,
    json_response,
    no_content,
    parse_body,
)


class RegisterBody(BaseModel):
    email: StrictStr
    username: StrictStr
    password: StrictStr
    displayName: StrictStr

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return validation.normalize_email(value)

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        return validation.normalize_username(value)

    @field_validator("displayName")
    @classmethod
    def _display_name(cls, value: str) -> str:
        return validation.normalize_display_name(value)


class LoginBody(BaseModel):
    login: StrictStr
    password: StrictStr


class RefreshBody(BaseModel):
    refreshToken: StrictStr


def client_of(request: Request) -> sessions.Client:
    return sessions.Client(
        address=client_address(request), user_agent=header_text(request, "User-Agent", limit=512)
    )


@endpoint("POST")
def register(request: Request) -> Response:
    body = parse_body(request, RegisterBody)
    problem = passwords.policy_problem(body.password, email=body.email, username=body.username)
    if problem:
        raise invalid("password", problem)
    user, issued = sessions.register(
        email=body.email,
        username=body.username,
        password=body.password,
        display_name=body.displayName,
        client=client_of(request),
    )
    return json_response({"user": profiles.private_json(user), **issued.as_json()}, 201)


@endpoint("POST")
def login(request: Request) -> Response:
    body = parse_body(request, LoginBody)
    user, issued = sessions.login(
        login=body.login, password=body.password, client=client_of(request)
    )
    return json_response({"user": profiles.private_json(user), **issued.as_json()})


@endpoint("POST")
def refresh(request: Request) -> Response:
    body = parse_body(request, RefreshBody)
    return json_response(sessions.refresh(body.refreshToken).as_json())


@endpoint("POST")
def logout(request: Request) -> Response:
    sessions.logout(sessions.authenticate_access_token(bearer_token(request)))
    return no_content()
