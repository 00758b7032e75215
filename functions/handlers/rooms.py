"""Callable room functions, and checkPermission over HTTP for other services."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from flask import Request, Response
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from accounts import sessions
from handlers.callables import callable_action
from handlers.http import bearer_token, endpoint, json_response, parse_body
from rooms import actions, pins
from rooms.permissions import ACTIONS


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _UserRef(_Data):
    """Someone named by id or by username."""

    userId: UUID | None = None
    username: StrictStr | None = None

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.userId is None) == (self.username is None):
            raise ValueError("give exactly one of userId or username")
        return self

    @property
    def user_id(self) -> str | None:
        return str(self.userId) if self.userId else None


def _room_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise ValueError("must not be empty")
    if len(name) > 80:
        raise ValueError("must be at most 80 characters")
    return name


def _topic(value: str) -> str:
    topic = value.strip()
    if len(topic) > 300:
        raise ValueError("must be at most 300 characters")
    return topic


class CreateRoom(_Data):
    kind: Literal["group", "direct"] = "group"
    name: StrictStr = Field(default="", validate_default=True)
    topic: StrictStr = ""
    isPrivate: StrictBool = True
    userId: UUID | None = None
    username: StrictStr | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str, info: ValidationInfo) -> str:
        return _room_name(value) if info.data.get("kind") == "group" else value

    @field_validator("topic")
    @classmethod
    def _topic_text(cls, value: str) -> str:
        return _topic(value)

    @model_validator(mode="after")
    def _direct_needs_someone(self):
        if self.kind == "direct" and (self.userId is None) == (self.username is None):
            raise ValueError("give exactly one of userId or username for a direct room")
        return self


class RoomRef(_Data):
    roomId: UUID


class Invite(RoomRef, _UserRef):
    pass


class InviteRef(_Data):
    inviteId: UUID


class MemberRef(RoomRef):
    userId: UUID


class SetRole(MemberRef):
    role: Literal["owner", "admin", "member"]


class UpdateRoom(RoomRef):
    name: StrictStr | None = None
    topic: StrictStr | None = None
    isPrivate: StrictBool | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _room_name(value)

    @field_validator("topic")
    @classmethod
    def _topic_text(cls, value: str | None) -> str | None:
        return None if value is None else _topic(value)


class MessageRef(RoomRef):
    messageId: StrictStr = Field(pattern=r"^[A-Za-z0-9_-]{1,128}$")


class MuteRoom(RoomRef):
    notify: Literal["all", "mentions", "none"]


class ListMembers(RoomRef):
    after: UUID | None = None
    limit: int = Field(default=100, ge=1, le=500)


class BlockUser(_Data):
    userId: UUID


class Nothing(_Data):
    pass


class PermissionQuery(_Data):
    roomId: UUID
    action: Literal[ACTIONS]  # type: ignore[valid-type]


@callable_action(CreateRoom)
def create_room(uid: str, data: CreateRoom) -> dict:
    if data.kind == "direct":
        user_id = str(data.userId) if data.userId else None
        return actions.create_direct(uid, user_id=user_id, username=data.username)
    return actions.create_group(uid, name=data.name, topic=data.topic, is_private=data.isPrivate)


@callable_action(Invite)
def invite_member(uid: str, data: Invite) -> dict:
    return actions.invite(uid, str(data.roomId), user_id=data.user_id, username=data.username)


@callable_action(InviteRef)
def accept_invite(uid: str, data: InviteRef) -> dict:
    return actions.respond_to_invite(uid, str(data.inviteId), accept=True)


@callable_action(InviteRef)
def decline_invite(uid: str, data: InviteRef) -> dict:
    return actions.respond_to_invite(uid, str(data.inviteId), accept=False)


@callable_action(RoomRef)
def join_room(uid: str, data: RoomRef) -> dict:
    return actions.join(uid, str(data.roomId))


@callable_action(RoomRef)
def restore_room(uid: str, data: RoomRef) -> dict:
    return actions.restore(uid, str(data.roomId))


@callable_action(RoomRef)
def leave_room(uid: str, data: RoomRef) -> dict:
    return actions.leave(uid, str(data.roomId))


@callable_action(MemberRef)
def remove_member(uid: str, data: MemberRef) -> dict:
    return actions.remove_member(uid, str(data.roomId), str(data.userId))


@callable_action(SetRole)
def set_role(uid: str, data: SetRole) -> dict:
    return actions.set_role(uid, str(data.roomId), str(data.userId), data.role)


@callable_action(UpdateRoom)
def update_room(uid: str, data: UpdateRoom) -> dict:
    given = data.model_dump(exclude_unset=True, exclude={"roomId"})
    columns = {"name": "name", "topic": "topic", "isPrivate": "is_private"}
    return actions.update(uid, str(data.roomId), {columns[k]: v for k, v in given.items()})


@callable_action(RoomRef)
def archive_room(uid: str, data: RoomRef) -> dict:
    return actions.archive(uid, str(data.roomId))


@callable_action(MuteRoom)
def mute_room(uid: str, data: MuteRoom) -> dict:
    return actions.set_notify(uid, str(data.roomId), data.notify)


@callable_action(Nothing)
def list_my_rooms(uid: str, data: Nothing) -> dict:
    return actions.my_rooms(uid)


@callable_action(ListMembers)
def list_members(uid: str, data: ListMembers) -> dict:
    after = str(data.after) if data.after else None
    return actions.list_members(uid, str(data.roomId), after=after, limit=data.limit)


@callable_action(BlockUser)
def block_user(uid: str, data: BlockUser) -> dict:
    return actions.set_block(uid, user_id=str(data.userId), blocked=True)


@callable_action(BlockUser)
def unblock_user(uid: str, data: BlockUser) -> dict:
    return actions.set_block(uid, user_id=str(data.userId), blocked=False)


@callable_action(MessageRef)
def pin_message(uid: str, data: MessageRef) -> dict:
    return pins.pin(uid, str(data.roomId), data.messageId)


@callable_action(MessageRef)
def unpin_message(uid: str, data: MessageRef) -> dict:
    return pins.unpin(uid, str(data.roomId), data.messageId)


@endpoint("POST")
def check_permission(request: Request) -> Response:
    """For other services: may the bearer (a FlowChat access token or a Firebase ID token)
    do ``action`` in ``roomId``?"""
    uid = sessions.authenticate(bearer_token(request))
    query = parse_body(request, PermissionQuery)
    return json_response(actions.check_permission(uid, str(query.roomId), query.action))
