"""A developer's local FlowChat keeps its state: the whole stack (functions, Auth,
Firestore, Realtime Database, Cloudinary) with a data directory, people who sign up, a
direct room, messages, a read marker and an upload; stopped with Ctrl-C and again with
SIGKILL, restarted, everything is there and the two people go on talking in their room."""

from __future__ import annotations

import io
import uuid

import httpx
from google.cloud import firestore
from PIL import Image

from tests.chat.conftest import Person, sign_up
from tests.conftest import CLOUDINARY_SECRET, JWT_SECRET
from tests.support import emulators
from tests.support.firebase import eventually

ALL = ["auth", "firestore", "database", "cloudinary", "functions"]


def _start(tmp_path, database_url: str) -> emulators.EmulatorProcess:
    env = {
        "DATABASE_URL": database_url,
        "JWT_SECRET": JWT_SECRET,
        "PUSH_LOG_PATH": str(tmp_path / "pushes.jsonl"),
        "CLOUDINARY_URL": f"cloudinary://424242424242424:{CLOUDINARY_SECRET}@demo-flowchat",
    }
    return emulators.start(tmp_path, ALL, env=env, args=["--data-dir", str(tmp_path / "data")])


def _person(running: emulators.EmulatorProcess, name: str) -> Person:
    address = f"127.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    with httpx.Client(
        base_url=running.functions_url(), headers={"X-Forwarded-For": address}, timeout=30
    ) as api:
        return sign_up(api, running, name)


def _post(person: Person, room_id: str, text: str, attachments: list | None = None) -> str:
    _, ref = person.db.collection(f"rooms/{room_id}/messages").add(
        {
            "senderId": person.uid,
            "text": text,
            "createdAt": firestore.SERVER_TIMESTAMP,
            **({"attachments": attachments} if attachments else {}),
        }
    )
    return ref.id


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _check(alice: Person, bob: Person, room_id: str, texts: list[str], picture: str) -> None:
    """Everything written so far is there, and the two can go on talking."""
    again = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})
    assert again == {"roomId": room_id, "created": False}
    for person in (alice, bob):
        assert person.db.document(f"rooms/{room_id}/members/{person.uid}").get().exists
    messages = bob.db.collection(f"rooms/{room_id}/messages").order_by("createdAt").get()
    assert [message.get("text") for message in messages] == texts
    marker = bob.db.document(f"rooms/{room_id}/reads/{bob.uid}").get()
    assert marker.get("lastReadMessageId") == messages[0].id
    assert httpx.get(picture).status_code == 200
    texts.append(f"still here {len(texts)}")
    _post(bob, room_id, texts[-1])
    seen = alice.db.collection(f"rooms/{room_id}/messages").order_by("createdAt").get()
    assert [message.get("text") for message in seen] == texts


def test_rooms_messages_markers_and_uploads_survive_ctrl_c_and_sigkill(tmp_path, database_url, db):
    running = _start(tmp_path, database_url)
    try:
        alice, bob = _person(running, "alice"), _person(running, "bob")
        room_id = alice.ok("createRoom", {"kind": "direct", "username": bob.username})["roomId"]
        first = _post(alice, room_id, "before the stop")
        message = bob.db.document(f"rooms/{room_id}/messages/{first}").get()
        bob.db.document(f"rooms/{room_id}/reads/{bob.uid}").set(
            {
                "lastReadAt": message.get("createdAt"),
                "lastReadMessageId": first,
                "shareReceipts": True,
            }
        )
        content = _png()
        signed = alice.ok(
            "signUpload",
            {
                "roomId": room_id,
                "filename": "pic.png",
                "contentType": "image/png",
                "size": len(content),
            },
        )
        uploaded = httpx.post(
            signed["uploadUrl"], data=signed["params"], files={"file": ("pic.png", content)}
        )
        assert uploaded.status_code == 200, uploaded.text
        public_id = signed["publicId"]
        eventually(
            lambda: db.execute(
                "SELECT verified_at FROM uploads WHERE public_id = %s", (public_id,)
            ).fetchone()["verified_at"]
        )
        picture = uploaded.json()["secure_url"]
        texts = ["before the stop"]

        assert running.interrupt() == 0
        assert "Traceback" not in running.log(), running.log()
        running = emulators.restart(running, tmp_path, ALL)
        _check(alice, bob, room_id, texts, picture)

        running.kill()
        running = emulators.restart(running, tmp_path, ALL)
        _check(alice, bob, room_id, texts, picture)
    finally:
        running.stop()
