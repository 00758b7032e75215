"""Export my data: a ZIP holding one JSON file with the person's profile, memberships,
own messages and uploads, prepared in the background and offered by a signed link that
expires (mailed when ready).

Messages are read from the rooms the person belongs to now (``senderId`` equal to them):
messages in rooms they left are not included.
"""

from __future__ import annotations

import io
import json
import os
import threading
import zipfile
from datetime import UTC, datetime

import jwt

import clients
import firestore_paths
import logs
import settings
from accounts import mail_links, profiles
from db import data_exports, pool, rooms, users
from errors import ApiError
from mail import outbox

log = logs.get(__name__)

LINK_TTL_SECONDS = 24 * 60 * 60
EXPORTS_PER_DAY = 2
AUDIENCE = "flowchat-data-export"
FILE_NAME = "flowchat-export.json"


def request(user_id: str) -> str:
    with pool.transaction() as conn:
        mail_links.throttle(conn, {f"export:user:{user_id}": EXPORTS_PER_DAY}, 24 * 60 * 60)
        export_id = data_exports.add(conn, user_id)
    threading.Thread(target=_prepare_quietly, args=(export_id,), daemon=True).start()
    return export_id


def prepare_pending(limit: int = 20) -> int:
    """What the schedule runs: exports not prepared yet (a kick that was lost, a failure)."""
    with pool.transaction() as conn:
        data_exports.forget_expired(conn)
    done = 0
    for _ in range(limit):
        if not prepare():
            return done
        done += 1
    return done


def prepare(export_id: str | None = None) -> bool:
    """Prepare one pending export and mail its link; False when there was none."""
    failure: Exception | None = None
    with pool.transaction() as conn:
        row = data_exports.lock_pending(conn, export_id)
        if row is None:
            return False
        try:
            archive = _archive(conn, row["user_id"])
        except Exception as exc:  # Firestore away, say: counted below, retried on schedule
            failure = exc
    if failure is not None:
        with pool.transaction() as conn:
            data_exports.record_failure(conn, row["id"], f"{type(failure).__name__}: {failure}")
        raise failure
    with pool.transaction() as conn:
        if data_exports.lock_pending(conn, row["id"]) is None:
            return True  # another deliverer prepared it meanwhile
        expires_at = data_exports.mark_ready(conn, row["id"], archive, LINK_TTL_SECONDS)
        user = users.by_id(conn, row["user_id"])
        mail_id = outbox.queue(
            conn,
            user["email"],
            "data_export_ready",
            name=user["display_name"],
            link=download_link(row["id"], row["user_id"], expires_at),
        )
    outbox.kick([mail_id])
    return True


def _prepare_quietly(export_id: str) -> None:
    try:
        prepare(export_id)
    except Exception:
        log.warning("export %s left to the schedule", export_id, exc_info=True)


def _archive(conn, user_id: str) -> bytes:
    user = users.by_id(conn, user_id)
    memberships = rooms.rooms_of(conn, user_id)
    uploads = conn.execute(
        """SELECT public_id, purpose, filename, content_type, bytes, secure_url, signed_at,
                  room_id::text AS room_id
           FROM uploads WHERE uploader_id = %s ORDER BY signed_at""",
        (user_id,),
    ).fetchall()
    firestore = clients.firestore()
    messages = []
    for room in memberships:
        query = firestore.collection(firestore_paths.room_messages(room["id"])).where(
            "senderId", "==", user_id
        )
        for snapshot in query.stream():
            messages.append({"roomId": room["id"], "id": snapshot.id, **snapshot.to_dict()})
    data = {
        "exportedAt": datetime.now(UTC).isoformat(),
        "profile": profiles.private_json(user),
        "memberships": [
            {
                "roomId": room["id"],
                "kind": room["kind"],
                "name": room["name"],
                "role": room["role"],
                "joinedAt": room["joined_at"].isoformat(),
            }
            for room in memberships
        ],
        "messages": messages,
        "uploads": [
            {
                "publicId": upload["public_id"],
                "purpose": upload["purpose"],
                "filename": upload["filename"],
                "contentType": upload["content_type"],
                "bytes": upload["bytes"],
                "url": upload["secure_url"],
                "roomId": upload["room_id"],
                "signedAt": upload["signed_at"].isoformat(),
            }
            for upload in uploads
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(FILE_NAME, json.dumps(data, indent=2, default=str, ensure_ascii=False))
    return buffer.getvalue()


def download_link(export_id: str, user_id: str, expires_at: datetime) -> str:
    token = jwt.encode(
        {"aud": AUDIENCE, "sub": user_id, "eid": export_id, "exp": expires_at},
        settings.jwt_secret(),
        algorithm="HS256",
    )
    return f"{_functions_url()}/downloadDataExport?token={token}"


def archive_for(token: str) -> bytes:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret(),
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"require": ["exp", "sub", "eid"]},
        )
    except jwt.PyJWTError:
        raise ApiError("UNAUTHENTICATED", "this download link is invalid or expired") from None
    if not users.is_user_id(claims["sub"]) or not users.is_user_id(claims["eid"]):
        raise ApiError("UNAUTHENTICATED", "this download link is invalid or expired")
    with pool.transaction() as conn:
        archive = data_exports.ready_archive(conn, claims["eid"], claims["sub"])
    if archive is None:
        raise ApiError("NOT_FOUND", "this export is gone; ask for a new one")
    return archive


def _functions_url() -> str:
    project = clients.project_id()
    emulator = os.environ.get("FUNCTIONS_EMULATOR_HOST")
    if emulator:
        return f"http://{emulator}/{project}/us-central1"
    return f"https://us-central1-{project}.cloudfunctions.net"
