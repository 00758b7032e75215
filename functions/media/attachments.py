"""Attachments on messages: checked against the uploads we signed, marked verified once
Cloudinary confirms them, with a preview URL so clients never fetch originals for previews.

The message trigger and the notification can arrive in either order; both take the
upload's row lock, so whichever comes second marks the attachment.
"""

from __future__ import annotations

from typing import Any

from google.cloud import firestore as gcf

import clients
import firestore_paths
from db import pool, uploads
from media.cloudinary_account import transformed

PREVIEW = "c_limit,w_640,h_640,f_auto,q_auto"
AVATAR = "c_thumb,g_face,w_256,h_256,f_auto,q_auto"


def check_message(
    room_id: str, message_id: str, sender: str, message: dict[str, Any]
) -> str | None:
    """Why the message's attachments are not acceptable, or None. Records the message on
    each pending upload, and marks already-confirmed ones verified."""
    public_ids = [
        a.get("publicId") for a in message.get("attachments") or [] if isinstance(a, dict)
    ]
    if not public_ids:
        return None
    path = firestore_paths.message(room_id, message_id)
    confirmed = []
    with pool.transaction() as conn:
        for public_id in public_ids:
            upload = uploads.lock(conn, public_id) if isinstance(public_id, str) else None
            if upload is None or upload["purpose"] != "attachment":
                return f"attachment {public_id} was not signed by FlowChat"
            if upload["uploader_id"] != sender or upload["room_id"] != room_id:
                return f"attachment {public_id} belongs to another person or room"
            uploads.set_message(conn, public_id, path)
            if upload["verified_at"] is not None:
                confirmed.append(upload)
    for upload in confirmed:
        mark_verified(path, upload["public_id"], upload)
    return None


def mark_verified(message_path: str, public_id: str, asset: dict[str, Any]) -> None:
    db = clients.firestore()
    ref = db.document(message_path)

    @gcf.transactional
    def update(transaction) -> None:
        snapshot = ref.get(transaction=transaction)
        if not snapshot.exists:
            return
        items = list(snapshot.get("attachments") or [])
        for i, item in enumerate(items):
            if isinstance(item, dict) and item.get("publicId") == public_id:
                items[i] = {**item, **_confirmed_fields(asset)}
        transaction.update(ref, {"attachments": items})

    update(db.transaction())


def _confirmed_fields(asset: dict[str, Any]) -> dict[str, Any]:
    fields = {
        "verified": True,
        "url": asset["secure_url"],
        "bytes": asset["bytes"],
        "format": asset["format"],
    }
    if asset.get("width"):
        fields |= {
            "width": asset["width"],
            "height": asset["height"],
            "previewUrl": transformed(asset["secure_url"], PREVIEW),
        }
    return fields
