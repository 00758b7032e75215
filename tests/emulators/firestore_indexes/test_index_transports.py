"""Index enforcement through each transport of the Firestore emulator: gRPC (the Python
client), REST and WebChannel (the wire requests of the browser SDK), with a query that has
its composite index and the same query ordered the other way, which has none."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from google.api_core.exceptions import FailedPrecondition
from google.cloud import firestore

from tests.emulators.firestore_browser.webchannel_client import DB, DOCS, Channel
from tests.emulators.firestore_indexes.test_index_rules import INDEXES
from tests.support import emulators

PREFIX = (
    "The query requires an index. You can create it here: "
    "https://console.firebase.google.com/v1/r/project/demo-flowchat/firestore/indexes"
    "?create_composite="
)


def structured(direction: str) -> dict:
    return {
        "from": [{"collectionId": "posts"}],
        "where": {
            "fieldFilter": {
                "field": {"fieldPath": "author"},
                "op": "EQUAL",
                "value": {"stringValue": "ada"},
            }
        },
        "orderBy": [{"field": {"fieldPath": "createdAt"}, "direction": direction}],
    }


def start(folder: Path, env: dict[str, str] | None = None) -> emulators.EmulatorProcess:
    indexes = folder / "firestore.indexes.json"
    indexes.write_text(json.dumps(INDEXES))
    return emulators.start(folder, ["firestore"], firestore_indexes=indexes, env=env)


@pytest.fixture(scope="module")
def firestore_emulator(tmp_path_factory) -> Iterator[emulators.EmulatorProcess]:
    running = start(tmp_path_factory.mktemp("indexes"))
    base = running.url("firestore")
    for n, author in enumerate(["ada", "ada", "bob"]):
        response = httpx.patch(
            f"{base}/v1/{DOCS}/posts/p{n}",
            json={"fields": {"author": {"stringValue": author}, "createdAt": {"integerValue": n}}},
            headers={"Authorization": "Bearer owner"},
        )
        assert response.status_code == 200, response.text
    yield running
    running.stop()


@pytest.fixture
def grpc_client(firestore_emulator, monkeypatch) -> firestore.Client:
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", firestore_emulator.host("firestore"))
    return firestore.Client(project=firestore_emulator.project)


def test_grpc(grpc_client):
    posts = grpc_client.collection("posts").where(
        filter=firestore.FieldFilter("author", "==", "ada")
    )
    newest = posts.order_by("createdAt", direction=firestore.Query.DESCENDING)
    assert [doc.id for doc in newest.stream()] == ["p1", "p0"]
    with pytest.raises(FailedPrecondition) as refused:
        list(posts.order_by("createdAt").stream())
    assert refused.value.message.startswith(PREFIX)
    with pytest.raises(FailedPrecondition):
        posts.where(filter=firestore.FieldFilter("createdAt", ">", 0)).count().get()


def test_rest(firestore_emulator):
    url = f"{firestore_emulator.url('firestore')}/v1/{DOCS}:runQuery"
    owner = {"Authorization": "Bearer owner"}
    served = httpx.post(url, json={"structuredQuery": structured("DESCENDING")}, headers=owner)
    assert served.status_code == 200, served.text
    assert [r["document"]["name"].rsplit("/", 1)[1] for r in served.json()] == ["p1", "p0"]

    refused = httpx.post(url, json={"structuredQuery": structured("ASCENDING")}, headers=owner)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["status"] == "FAILED_PRECONDITION"
    assert error["message"].startswith(PREFIX)


def listen(base: str, direction: str) -> list[dict]:
    channel = Channel(base, "Listen")
    target = {"query": {"parent": DOCS, "structuredQuery": structured(direction)}, "targetId": 2}
    opened = channel.open([{"database": DB, "addTarget": target}], "owner")
    assert opened.status_code == 200, opened.text

    def settled(message: dict) -> bool:
        change = message.get("targetChange", {})
        return change.get("targetChangeType") in ("CURRENT", "REMOVE")

    try:
        return channel.messages_until(settled)
    finally:
        channel.terminate()


def test_webchannel(firestore_emulator):
    base = firestore_emulator.url("firestore")
    served = listen(base, "DESCENDING")
    names = [m["documentChange"]["document"]["name"] for m in served if "documentChange" in m]
    assert [name.rsplit("/", 1)[1] for name in names] == ["p1", "p0"]

    refused = listen(base, "ASCENDING")
    [removal] = [m["targetChange"] for m in refused if "cause" in m.get("targetChange", {})]
    assert removal["targetChangeType"] == "REMOVE"
    assert removal["cause"]["code"] == 9  # FAILED_PRECONDITION
    assert removal["cause"]["message"].startswith(PREFIX)
    assert not any("documentChange" in m for m in refused)


def test_enforcement_can_be_turned_off(tmp_path):
    running = start(tmp_path, env={"FIRESTORE_EMULATOR_ENFORCE_INDEXES": "false"})
    try:
        url = f"{running.url('firestore')}/v1/{DOCS}:runQuery"
        owner = {"Authorization": "Bearer owner"}
        ran = httpx.post(url, json={"structuredQuery": structured("ASCENDING")}, headers=owner)
        assert ran.status_code == 200, ran.text
    finally:
        running.stop()
