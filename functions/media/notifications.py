"""cloudinaryNotification: Cloudinary's signed word that an upload we signed has landed.

The signature is SHA-1 of body + timestamp + API secret, compared in constant time; a
notification older than two hours, for a public id we never signed, or for one already
confirmed (a replay) is refused and changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import mirror
from db import outbox, pool, uploads, users
from errors import ApiError
from media import attachments, cloudinary_account

MAX_AGE_SECONDS = 2 * 3600


def verify_signature(body: bytes, timestamp: str | None, signature: str | None) -> None:
    if not timestamp or not signature:
        raise ApiError("UNAUTHENTICATED", "missing X-Cld-Timestamp or X-Cld-Signature")
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        raise ApiError("UNAUTHENTICATED", "X-Cld-Timestamp is not a number") from None
    expected = hashlib.sha1(
        body + timestamp.encode() + cloudinary_account.api_secret().encode()
    ).hexdigest()
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise ApiError("UNAUTHENTICATED", "notification signature does not match")
    if age > MAX_AGE_SECONDS:
        raise ApiError("UNAUTHENTICATED", "notification is too old")


def handle(body: bytes, timestamp: str | None, signature: str | None) -> dict[str, Any]:
    verify_signature(body, timestamp, signature)
    try:
        notification = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError("INVALID_ARGUMENT", "body: is not valid JSON") from None
    if not isinstance(notification, dict) or notification.get("notification_type") != "upload":
        return {"ignored": True}
    public_id = notification.get("public_id")
    asset = {
        "secure_url": notification.get("secure_url"),
        "format": notification.get("format"),
        "bytes": notification.get("bytes"),
        "width": notification.get("width"),
        "height": notification.get("height"),
        "version": notification.get("version"),
    }
    with pool.transaction() as conn:
        upload = uploads.lock(conn, public_id) if isinstance(public_id, str) else None
        if upload is None:
            raise ApiError("NOT_FOUND", "no upload was signed for this public_id")
        if upload["verified_at"] is not None:
            raise ApiError("ALREADY_EXISTS", "this upload was already confirmed")
        if notification.get("resource_type") != upload["resource_type"]:
            raise ApiError("INVALID_ARGUMENT", "resource_type does not match what was signed")
        uploads.mark_verified(conn, public_id, asset)
        if upload["purpose"] == "avatar":
            url = cloudinary_account.transformed(asset["secure_url"], attachments.AVATAR)
            users.update_profile(conn, upload["uploader_id"], {"avatar_url": url})
            outbox.add(conn, "user", upload["uploader_id"])
    if upload["purpose"] == "avatar":
        mirror.apply_quietly("user", upload["uploader_id"])
    elif upload["message_path"]:
        attachments.mark_verified(upload["message_path"], public_id, asset)
    return {"publicId": public_id, "verified": True}
