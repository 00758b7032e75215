"""signUpload (callable) and cloudinaryNotification (Cloudinary's webhook)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from flask import Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from handlers.callables import callable_action
from handlers.http import endpoint, json_response
from media import notifications, uploads


class UploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    purpose: Literal["attachment", "avatar"] = "attachment"
    roomId: UUID | None = Field(default=None, strict=False)
    filename: str = Field(min_length=1, max_length=255)
    contentType: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=1)

    @model_validator(mode="after")
    def _room_for_attachments(self):
        if self.purpose == "attachment" and self.roomId is None:
            raise ValueError("roomId is required for an attachment")
        return self


@callable_action(UploadRequest)
def sign_upload(uid: str, data: UploadRequest) -> dict:
    return uploads.sign_upload(
        uid,
        purpose=data.purpose,
        room_id=str(data.roomId) if data.roomId else None,
        filename=data.filename,
        content_type=data.contentType,
        size=data.size,
    )


@endpoint("POST")
def cloudinary_notification(request: Request) -> Response:
    result = notifications.handle(
        request.get_data(cache=False),
        request.headers.get("X-Cld-Timestamp"),
        request.headers.get("X-Cld-Signature"),
    )
    return json_response(result)
