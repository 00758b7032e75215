"""me, updateProfile, getProfile."""

from __future__ import annotations

from flask import Request, Response
from pydantic import BaseModel, StrictStr, field_validator, model_validator

from accounts import profiles, sessions, validation
from errors import invalid
from handlers.http import bearer_token, endpoint, json_response, parse_body, parse_query


class ProfileChanges(BaseModel):
    displayName: StrictStr | None = None
    bio: StrictStr | None = None
    avatarUrl: StrictStr | None = None

    @field_validator("displayName")
    @classmethod
    def _display_name(cls, value: str | None) -> str | None:
        return None if value is None else validation.normalize_display_name(value)

    @field_validator("bio")
    @classmethod
    def _bio(cls, value: str | None) -> str | None:
        return None if value is None else validation.normalize_bio(value)

    @field_validator("avatarUrl")
    @classmethod
    def _avatar_url(cls, value: str | None) -> str | None:
        return validation.normalize_avatar_url(value)


class ProfileQuery(BaseModel):
    uid: StrictStr | None = None
    username: StrictStr | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ProfileQuery:
        if (self.uid is None) == (self.username is None):
            raise ValueError("give exactly one of uid or username")
        return self


def _caller_id(request: Request) -> str:
    return sessions.authenticate(bearer_token(request))


@endpoint("GET")
def me(request: Request) -> Response:
    user = profiles.get_caller(bearer_token(request))
    return json_response({"user": profiles.private_json(user)})


@endpoint("POST", "PATCH")
def update_profile(request: Request) -> Response:
    user_id = _caller_id(request)
    body = parse_body(request, ProfileChanges)
    given = body.model_dump(exclude_unset=True)
    if "displayName" in given and given["displayName"] is None:
        raise invalid("displayName", "must not be null")
    if "bio" in given and given["bio"] is None:
        given["bio"] = ""
    columns = {"displayName": "display_name", "bio": "bio", "avatarUrl": "avatar_url"}
    user = profiles.update(user_id, {columns[key]: value for key, value in given.items()})
    return json_response({"user": profiles.private_json(user)})


@endpoint("GET", "POST")
def get_profile(request: Request) -> Response:
    _caller_id(request)  # profiles are for signed-in people, not the open internet
    if request.method == "GET":
        query = parse_query(request, ProfileQuery)
    else:
        query = parse_body(request, ProfileQuery)
    user = profiles.find(uid=query.uid, username=query.username)
    return json_response({"user": profiles.public_json(user)})
