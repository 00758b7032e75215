"""A minimal WebChannel client for the wire tests: the requests the browser SDK's closure
WebChannel client makes, written out by hand."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx

DB = "projects/demo-flowchat/databases/(default)"
DOCS = f"{DB}/documents"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def parse_chunks(text: str) -> list:
    """``<length>\\n<json>`` chunks -> decoded JSON values."""
    values, position = [], 0
    while position < len(text):
        newline = text.index("\n", position)
        size = int(text[position:newline])
        start = newline + 1
        values.append(json.loads(text[start : start + size]))
        position = start + size
    return values


def form_body(messages: list[dict], offset: int = 0, headers: dict | None = None) -> str:
    parts = []
    if headers:
        block = "".join(f"{name}:{value}\r\n" for name, value in headers.items())
        parts.append("headers=" + quote(block, safe=""))
    parts += [f"count={len(messages)}", f"ofs={offset}"]
    for index, message in enumerate(messages):
        parts.append(f"req{index}___data__=" + quote(json.dumps(message), safe=""))
    return "&".join(parts)


class Channel:
    """A minimal WebChannel client: handshake, forward POSTs, back-channel GETs."""

    def __init__(self, base: str, rpc: str) -> None:
        self.url = f"{base}/google.firestore.v1.Firestore/{rpc}/channel"
        self.common = {"database": DB, "VER": "8"}
        self.sid = ""
        self.gsessionid = ""
        self.last_array_id = 0
        self.next_map = 0
        self.rid = 1000

    def open(self, messages: list[dict], token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(
            self.url,
            params={
                **self.common,
                "RID": self.rid,
                "CVER": "22",
                "X-HTTP-Session-Id": "gsessionid",
            },
            content=form_body(messages, headers=headers),
            headers=FORM,
        )
        self.rid += 1
        self.next_map = len(messages)
        if response.status_code == 200:
            [[[array_id, create]]] = parse_chunks(response.text)
            assert array_id == 0 and create[0] == "c"
            self.sid = create[1]
            self.gsessionid = response.headers["x-http-session-id"]
        return response

    def session_params(self) -> dict:
        return {**self.common, "SID": self.sid, "gsessionid": self.gsessionid}

    def send(self, messages: list[dict], offset: int | None = None) -> httpx.Response:
        offset = self.next_map if offset is None else offset
        response = httpx.post(
            self.url,
            params={**self.session_params(), "RID": self.rid, "AID": self.last_array_id},
            content=form_body(messages, offset),
            headers=FORM,
        )
        self.rid += 1
        self.next_map = max(self.next_map, offset + len(messages))
        return response

    def poll(self, timeout_ms: int | None = None) -> list:
        """One long-polling back-channel request (CI=1); returns its arrays."""
        params = {
            **self.session_params(),
            "RID": "rpc",
            "AID": self.last_array_id,
            "CI": "1",
            "TYPE": "xmlhttp",
        }
        if timeout_ms is not None:
            params["TO"] = timeout_ms
        response = httpx.get(self.url, params=params, timeout=30)
        assert response.status_code == 200, response.text
        arrays = [array for chunk in parse_chunks(response.text) for array in chunk]
        if arrays:
            self.last_array_id = arrays[-1][0]
        return arrays

    def messages_until(self, predicate, attempts: int = 10) -> list:
        """Polls until a Firestore message matches; returns every message seen."""
        seen = []
        for _ in range(attempts):
            for _array_id, payload in self.poll(timeout_ms=2000):
                if payload != ["noop"]:
                    seen.append(payload[0])
            if any(predicate(message) for message in seen):
                return seen
        raise AssertionError(f"no matching message in {seen}")

    def terminate(self) -> httpx.Response:
        return httpx.get(
            self.url, params={**self.session_params(), "RID": self.rid, "TYPE": "terminate"}
        )


def commit_as_owner(base: str, writes: list[dict]) -> None:
    response = httpx.post(
        f"{base}/v1/{DOCS}:commit",
        json={"writes": writes},
        headers={"Authorization": "Bearer owner"},
    )
    assert response.status_code == 200, response.text


def note_write(name: str, owner: str) -> dict:
    return {
        "update": {"name": f"{DOCS}/notes/{name}", "fields": {"owner": {"stringValue": owner}}},
        "updateTransforms": [{"fieldPath": "createdAt", "setToServerValue": "REQUEST_TIME"}],
    }


def listen_to(name: str, target_id: int = 2) -> dict:
    target = {"documents": {"documents": [name]}, "targetId": target_id}
    return {"database": DB, "addTarget": target}
