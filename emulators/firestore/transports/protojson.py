"""google.firestore.v1 messages to and from the proto3 JSON mapping, for the transports
that speak JSON (REST and WebChannel)."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message

from emulators.firestore.errors import invalid


def to_json(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(message)


def parse(fields: Any, message_class: type[Message]) -> Message:
    """``fields`` (decoded JSON) as a ``message_class``; INVALID_ARGUMENT if it is not one."""
    if not isinstance(fields, dict):
        raise invalid(f"{message_class.DESCRIPTOR.name} must be a JSON object")
    message = message_class()
    try:
        json_format.ParseDict(fields, message)
    except json_format.ParseError as exc:
        raise invalid(f"Invalid {message_class.DESCRIPTOR.name}: {exc}") from None
    return message
