"""Callable search functions: messages in the caller's rooms, and people by name."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictStr

from db.message_search import Filters
from handlers.callables import callable_action
from search import messages, people


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SearchMessages(_Data):
    query: StrictStr = Field(max_length=1000)
    roomId: UUID | None = None
    senderId: UUID | None = None
    has: Literal["file", "image", "link"] | None = None
    before: AwareDatetime | None = None
    after: AwareDatetime | None = None
    limit: int = Field(default=20, ge=1, le=50)
    cursor: StrictStr | None = Field(default=None, max_length=1000)


class SearchPeople(_Data):
    query: StrictStr = Field(max_length=200)
    limit: int = Field(default=10, ge=1, le=25)


def _text(value: UUID | None) -> str | None:
    return str(value) if value else None


@callable_action(SearchMessages)
def search_messages(uid: str, data: SearchMessages) -> dict:
    filters = Filters(
        room_id=_text(data.roomId),
        sender_id=_text(data.senderId),
        has=data.has,
        before=data.before,
        after=data.after,
    )
    return messages.search(uid, data.query, filters, limit=data.limit, cursor=data.cursor)


@callable_action(SearchPeople)
def search_people(uid: str, data: SearchPeople) -> dict:
    return people.search(uid, data.query, limit=data.limit)
