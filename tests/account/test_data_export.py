"""requestDataExport and downloadDataExport through the functions host: the link arrives by
mail, the ZIP holds the person's data, and nobody else's."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from google.cloud import firestore

from tests.account.conftest import bearer
from tests.account.test_delete_account import signed_up
from tests.conftest import JWT_SECRET

DOWNLOAD = re.compile(r"http://\S+/downloadDataExport\?token=\S+")


def export_link(api, mailbox, account: dict) -> str:
    asked = api.post("/requestDataExport", headers=bearer(account["accessToken"]))
    assert asked.status_code == 202, asked.text
    ready = [
        m
        for m in mailbox.wait_for(account["user"]["email"], count=2)
        if m["Subject"] == "Your FlowChat data is ready to download"
    ]
    [link] = DOWNLOAD.findall(ready[0]["Text"])
    return link


def test_an_export_holds_profile_rooms_own_messages_and_nothing_of_others(
    api, functions_host, mailbox
):
    alice, alice_account = signed_up(api, functions_host, "alice")
    bob, _ = signed_up(api, functions_host, "bob")
    room = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    for person, text in ((alice, "mine to take"), (bob, "bob's own words")):
        person.db.collection(f"rooms/{room}/messages").add(
            {"senderId": person.uid, "text": text, "createdAt": firestore.SERVER_TIMESTAMP}
        )

    link = export_link(api, mailbox, alice_account)
    download = httpx.get(link, timeout=30)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        data = json.loads(archive.read("flowchat-export.json"))
    assert data["profile"]["email"] == alice_account["user"]["email"]
    assert [m["roomId"] for m in data["memberships"]] == [room]
    assert [m["text"] for m in data["messages"]] == ["mine to take"]
    assert "bob's own words" not in download.content.decode("latin-1")


def test_links_cannot_be_forged_or_pointed_at_someone_elses_export(api, functions_host, mailbox):
    _, alice_account = signed_up(api, functions_host, "alice")
    _, bob_account = signed_up(api, functions_host, "bob")
    link = export_link(api, mailbox, alice_account)
    token = parse_qs(urlsplit(link).query)["token"][0]
    claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"], audience="flowchat-data-export")
    base = link.split("?")[0]

    as_bob = jwt.encode({**claims, "sub": bob_account["user"]["id"]}, JWT_SECRET, "HS256")
    assert httpx.get(base, params={"token": as_bob}).status_code == 404
    forged = jwt.encode(claims, "not the secret at all, but long enough", "HS256")
    assert httpx.get(base, params={"token": forged}).status_code == 401
    expired = jwt.encode({**claims, "exp": 1}, JWT_SECRET, "HS256")
    assert httpx.get(base, params={"token": expired}).status_code == 401
    # An access token is no download link, nor the other way round.
    assert httpx.get(base, params={"token": alice_account["accessToken"]}).status_code == 401
    assert api.get("/me", headers=bearer(token)).status_code == 401
    assert httpx.get(base).status_code == 400


def test_exports_are_rate_limited(api, functions_host):
    _, account = signed_up(api, functions_host, f"carol{uuid.uuid4().hex[:4]}")
    statuses = [
        api.post("/requestDataExport", headers=bearer(account["accessToken"])).status_code
        for _ in range(3)
    ]
    assert statuses == [202, 202, 429]
