"""signUpload: what a person may upload, and the signed parameters to upload exactly that.

The public id is chosen here (``rooms/{roomId}/{random}`` or ``avatars/{uid}/{random}``),
so a signature cannot be reused for another place, and every signature is recorded so a
notification can be matched to the person and room it was for.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from db import pool, uploads
from errors import ApiError
from media import cloudinary_account
from rooms.permissions import allowed, standing

MB = 1024 * 1024
RATE_WINDOW_SECONDS = 600
RATE_LIMIT = 30  # signatures per person per window


@dataclass(frozen=True)
class Kind:
    resource_type: str
    content_types: dict[str, tuple[str, ...]]  # content type -> file extensions
    max_bytes: int


IMAGE_TYPES = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
}
FILE_TYPES = {
    "application/pdf": ("pdf",),
    "text/plain": ("txt", "log", "md"),
    "text/csv": ("csv",),
    "application/json": ("json",),
    "application/zip": ("zip",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
}
KINDS = {
    "image": Kind("image", IMAGE_TYPES, 10 * MB),
    "file": Kind("raw", FILE_TYPES, 10 * MB),
    "avatar": Kind("image", IMAGE_TYPES, 5 * MB),
}


def sign_upload(
    uid: str, *, purpose: str, room_id: str | None, filename: str, content_type: str, size: int
) -> dict[str, Any]:
    kind_name = (
        "avatar" if purpose == "avatar" else ("image" if content_type in IMAGE_TYPES else "file")
    )
    kind = KINDS[kind_name]
    extension = _extension(filename, kind, content_type)
    if size > kind.max_bytes:
        raise ApiError("INVALID_ARGUMENT", f"size: must be at most {kind.max_bytes // MB} MB")

    with pool.transaction() as conn:
        if purpose == "attachment":
            here = standing(conn, room_id, uid)
            if here.membership is None:
                raise ApiError("PERMISSION_DENIED", "you are not a member of this room")
            if not allowed("upload", here):
                raise ApiError("PERMISSION_DENIED", "you cannot upload to this room")
            folder = f"rooms/{room_id}"
        else:
            folder = f"avatars/{uid}"
        if uploads.signed_recently(conn, uid, RATE_WINDOW_SECONDS) >= RATE_LIMIT:
            raise ApiError(
                "RESOURCE_EXHAUSTED",
                "too many uploads; try again in a few minutes",
                headers={"Retry-After": str(RATE_WINDOW_SECONDS)},
            )
        # Raw files keep their extension in the id, so downloads have a usable name.
        suffix = f".{extension}" if kind.resource_type == "raw" else ""
        public_id = f"{folder}/{secrets.token_urlsafe(12)}{suffix}"
        uploads.record_signature(
            conn,
            public_id=public_id,
            uploader_id=uid,
            room_id=room_id if purpose == "attachment" else None,
            purpose=purpose,
            resource_type=kind.resource_type,
            filename=filename[:255],
            content_type=content_type,
            declared_size=size,
        )

    params = {
        "public_id": public_id,
        "timestamp": str(int(time.time())),
        "allowed_formats": ",".join(sorted(set(kind.content_types[content_type]) | {extension})),
        "overwrite": "false",
        "notification_url": _notification_url(),
    }
    params["signature"] = cloudinary_account.sign(params)
    params["api_key"] = cloudinary_account.api_key()
    return {
        "uploadUrl": cloudinary_account.upload_url(kind.resource_type),
        "params": params,
        "publicId": public_id,
        "resourceType": kind.resource_type,
        "kind": "image" if kind.resource_type == "image" else "file",
        "maxBytes": kind.max_bytes,
    }


def _extension(filename: str, kind: Kind, content_type: str) -> str:
    if content_type not in kind.content_types:
        raise ApiError("INVALID_ARGUMENT", f"contentType: {content_type} is not allowed here")
    extension = PurePosixPath(filename).suffix.lower().lstrip(".")
    if extension not in kind.content_types[content_type]:
        expected = ", ".join(kind.content_types[content_type])
        raise ApiError("INVALID_ARGUMENT", f"filename: a {content_type} file ends in {expected}")
    return extension


def _notification_url() -> str:
    import os

    import clients

    project = clients.project_id()
    if emulator := os.environ.get("FUNCTIONS_EMULATOR_HOST"):
        return f"http://{emulator}/{project}/us-central1/cloudinaryNotification"
    return f"https://us-central1-{project}.cloudfunctions.net/cloudinaryNotification"
