"""Attachments and avatars: signUpload -> upload to the local Cloudinary -> its signed
notification -> a verified attachment with a preview, seen by another member; and every
bad input refused with nothing recorded."""

from __future__ import annotations

import hashlib
import io
import json
import time

import httpx
import pytest
from google.cloud import firestore
from PIL import Image

from tests.conftest import CLOUDINARY_SECRET
from tests.support.firebase import eventually


def _png(width: int = 1600, height: int = 1200) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def _upload(signed: dict, content: bytes, filename: str, **overrides) -> httpx.Response:
    params = {**signed["params"], **overrides}
    return httpx.post(
        signed["uploadUrl"], data=params, files={"file": (filename, content)}, timeout=30
    )


def _room(person):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"name": "Photos", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    return alice, bob, room_id


def _attachment(signed: dict, uploaded: dict, name: str) -> dict:
    return {
        "publicId": signed["publicId"],
        "kind": signed["kind"],
        "name": name,
        "bytes": uploaded["bytes"],
    }


def _post(person, room_id: str, attachments: list[dict], text: str = "") -> str:
    _, ref = person.db.collection(f"rooms/{room_id}/messages").add(
        {
            "senderId": person.uid,
            "text": text,
            "attachments": attachments,
            "createdAt": firestore.SERVER_TIMESTAMP,
        }
    )
    return ref.id


def _uploads_row(db, public_id: str):
    return db.execute("SELECT * FROM uploads WHERE public_id = %s", (public_id,)).fetchone()


def test_an_image_reaches_another_member_verified_with_a_preview(person, db):
    alice, bob, room_id = _room(person)
    content = _png()
    signed = alice.ok(
        "signUpload",
        {
            "roomId": room_id,
            "filename": "cat.png",
            "contentType": "image/png",
            "size": len(content),
        },
    )
    assert signed["publicId"].startswith(f"rooms/{room_id}/")
    uploaded = _upload(signed, content, "cat.png")
    assert uploaded.status_code == 200, uploaded.text
    uploaded = uploaded.json()
    eventually(lambda: _uploads_row(db, signed["publicId"])["verified_at"])

    message_id = _post(alice, room_id, [_attachment(signed, uploaded, "cat.png")], "look")

    def verified():
        item = bob.db.document(f"rooms/{room_id}/messages/{message_id}").get().get("attachments")[0]
        return item if item.get("verified") else None

    item = eventually(verified)
    assert (item["width"], item["height"], item["format"]) == (1600, 1200, "png")
    preview = httpx.get(item["previewUrl"], headers={"Accept": "image/webp"})
    assert preview.status_code == 200
    shown = Image.open(io.BytesIO(preview.content))
    assert max(shown.size) == 640 and len(preview.content) < len(content)


def test_a_message_posted_before_the_upload_is_verified_when_it_lands(person):
    alice, bob, room_id = _room(person)
    content = b"%PDF-1.4\n" + b"0" * 2000
    signed = alice.ok(
        "signUpload",
        {
            "roomId": room_id,
            "filename": "minutes.pdf",
            "contentType": "application/pdf",
            "size": len(content),
        },
    )
    assert signed["resourceType"] == "raw"
    early = {
        "publicId": signed["publicId"],
        "kind": "file",
        "name": "minutes.pdf",
        "bytes": len(content),
    }
    message_id = _post(alice, room_id, [early], "minutes attached")
    time.sleep(0.5)  # the trigger has seen the message and its pending upload
    assert _upload(signed, content, "minutes.pdf").status_code == 200
    item = eventually(
        lambda: (
            (
                a := bob.db.document(f"rooms/{room_id}/messages/{message_id}")
                .get()
                .get("attachments")[0]
            ).get("verified")
            and a
        )
    )
    assert item["url"].endswith(".pdf") and item["bytes"] == len(content)


def test_an_avatar_becomes_the_profile_picture(person, api):
    alice = person("alice")
    content = _png(500, 400)
    signed = alice.ok(
        "signUpload",
        {
            "purpose": "avatar",
            "filename": "me.png",
            "contentType": "image/png",
            "size": len(content),
        },
    )
    assert signed["publicId"].startswith(f"avatars/{alice.uid}/")
    assert _upload(signed, content, "me.png").status_code == 200

    def avatar():
        user = api.get("/me", headers={"Authorization": f"Bearer {alice.access_token}"}).json()[
            "user"
        ]
        return user["avatarUrl"]

    url = eventually(avatar)
    image = Image.open(io.BytesIO(httpx.get(url).content))
    assert image.size == (256, 256)


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"filename": "x.svg", "contentType": "image/svg+xml", "size": 10}, 400, "contentType:"),
        (
            {"filename": "x.exe", "contentType": "application/x-msdownload", "size": 10},
            400,
            "contentType:",
        ),
        ({"filename": "cat.jpg", "contentType": "image/png", "size": 10}, 400, "filename:"),
        (
            {"filename": "huge.png", "contentType": "image/png", "size": 11 * 1024 * 1024},
            400,
            "size:",
        ),
        ({"filename": "x.png", "contentType": "image/png", "size": 0}, 400, "size:"),
        ({"filename": "x.png", "contentType": "image/png"}, 400, "size:"),
    ],
)
def test_bad_upload_requests_are_refused(person, db, data, status, message):
    alice, _, room_id = _room(person)
    before = db.execute("SELECT count(*) AS n FROM uploads").fetchone()["n"]
    response = alice.call("signUpload", {"roomId": room_id, **data})
    assert response.status_code == status, response.text
    assert response.json()["error"]["message"].startswith(message)
    assert db.execute("SELECT count(*) AS n FROM uploads").fetchone()["n"] == before


def test_a_non_member_cannot_sign_for_a_room(person):
    _, _, room_id = _room(person)
    outsider = person("outsider")
    response = outsider.call(
        "signUpload",
        {"roomId": room_id, "filename": "x.png", "contentType": "image/png", "size": 10},
    )
    assert response.status_code == 403


def test_signatures_are_rate_limited_per_person(person):
    alice, _, room_id = _room(person)
    body = {"roomId": room_id, "filename": "x.png", "contentType": "image/png", "size": 10}
    for _ in range(30):
        alice.ok("signUpload", body)
    assert alice.call("signUpload", body).status_code == 429


def test_an_upload_can_only_be_what_was_signed(person, db):
    alice, _, room_id = _room(person)
    content = _png(64, 64)
    signed = alice.ok(
        "signUpload",
        {
            "roomId": room_id,
            "filename": "cat.png",
            "contentType": "image/png",
            "size": len(content),
        },
    )
    elsewhere = _upload(signed, content, "cat.png", public_id=f"rooms/{room_id}/mine")
    assert elsewhere.status_code == 401
    as_gif = _upload(signed, _gif(), "cat.gif")
    assert as_gif.status_code == 400  # not among the signed allowed_formats
    time.sleep(0.3)
    assert _uploads_row(db, signed["publicId"])["verified_at"] is None


def _gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "GIF")
    return buffer.getvalue()


def _notification(public_id: str, timestamp: int | None = None, secret: str = CLOUDINARY_SECRET):
    body = json.dumps(
        {
            "notification_type": "upload",
            "public_id": public_id,
            "version": 1,
            "resource_type": "image",
            "secure_url": "http://x/upload/a.png",
            "format": "png",
            "bytes": 1,
            "width": 1,
            "height": 1,
        }
    ).encode()
    stamp = str(timestamp or int(time.time()))
    signature = hashlib.sha1(body + stamp.encode() + secret.encode()).hexdigest()
    return body, {
        "X-Cld-Timestamp": stamp,
        "X-Cld-Signature": signature,
        "Content-Type": "application/json",
    }


def test_forged_stale_and_replayed_notifications_are_refused(person, api, db):
    alice, _, room_id = _room(person)
    signed = alice.ok(
        "signUpload",
        {"roomId": room_id, "filename": "cat.png", "contentType": "image/png", "size": 10},
    )
    public_id = signed["publicId"]

    body, headers = _notification(public_id, secret="not-the-secret")
    assert api.post("/cloudinaryNotification", content=body, headers=headers).status_code == 401
    body, headers = _notification(public_id, timestamp=int(time.time()) - 3 * 3600)
    assert api.post("/cloudinaryNotification", content=body, headers=headers).status_code == 401
    body, headers = _notification(public_id)
    assert (
        api.post(
            "/cloudinaryNotification", content=body, headers={"Content-Type": "application/json"}
        ).status_code
        == 401
    )
    unknown_body, unknown_headers = _notification(f"rooms/{room_id}/never-signed")
    assert (
        api.post(
            "/cloudinaryNotification", content=unknown_body, headers=unknown_headers
        ).status_code
        == 404
    )
    assert _uploads_row(db, public_id)["verified_at"] is None

    assert api.post("/cloudinaryNotification", content=body, headers=headers).status_code == 200
    assert _uploads_row(db, public_id)["verified_at"] is not None
    replay = api.post("/cloudinaryNotification", content=body, headers=headers)
    assert replay.status_code == 409


def test_attaching_someone_elses_upload_is_quarantined(person, admin_db):
    alice, bob, room_id = _room(person)
    signed = alice.ok(
        "signUpload",
        {"roomId": room_id, "filename": "cat.png", "contentType": "image/png", "size": 10},
    )
    stolen = {
        "publicId": signed["publicId"],
        "kind": "image",
        "name": "cat.png",
        "bytes": 10,
    }
    message_id = _post(bob, room_id, [stolen], "mine now")
    eventually(lambda: admin_db.document(f"quarantine/{room_id}_{message_id}").get().exists)
    assert not admin_db.document(f"rooms/{room_id}/messages/{message_id}").get().exists
