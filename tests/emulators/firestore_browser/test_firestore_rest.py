"""Firestore's REST API on the emulator's public port, spoken as the browser SDK speaks it:
proto3 JSON, ``Content-Type: text/plain``, a Bearer ID token, CORS with credentials."""

from __future__ import annotations

import httpx
import pytest

DB = "projects/demo-flowchat/databases/(default)"
DOCS = f"{DB}/documents"
ORIGIN = "http://localhost:5173"


def url(base: str, suffix: str) -> str:
    return f"{base}/v1/{DOCS}{suffix}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "text/plain", "Origin": ORIGIN}


def note(name: str, owner: str, n: int) -> dict:
    return {
        "update": {
            "name": f"{DOCS}/notes/{name}",
            "fields": {"owner": {"stringValue": owner}, "n": {"integerValue": str(n)}},
        },
        "updateTransforms": [{"fieldPath": "createdAt", "setToServerValue": "REQUEST_TIME"}],
    }


def assert_error(response: httpx.Response, http_status: int, status: str) -> str:
    assert response.status_code == http_status, response.text
    error = response.json()["error"]
    assert error["code"] == http_status
    assert error["status"] == status
    return error["message"]


def test_commit_get_query_and_aggregate(firestore_url: str, id_tokens: dict) -> None:
    alice = bearer(id_tokens["alice"])
    commit = httpx.post(
        url(firestore_url, ":commit"),
        json={"writes": [note("a", "alice", 1), note("b", "alice", 7), note("c", "alice", 4)]},
        headers=alice,
    )
    assert commit.status_code == 200, commit.text
    assert len(commit.json()["writeResults"]) == 3
    assert commit.json()["commitTime"].endswith("Z")
    assert commit.headers["access-control-allow-origin"] == ORIGIN
    assert commit.headers["access-control-allow-credentials"] == "true"

    got = httpx.get(url(firestore_url, "/notes/b"), headers=alice)
    assert got.status_code == 200
    assert got.json()["fields"]["n"] == {"integerValue": "7"}
    assert "timestampValue" in got.json()["fields"]["createdAt"]

    masked = httpx.get(url(firestore_url, "/notes/b?mask.fieldPaths=n"), headers=alice)
    assert set(masked.json()["fields"]) == {"n"}

    query = {
        "structuredQuery": {
            "from": [{"collectionId": "notes"}],
            "where": {
                "fieldFilter": {
                    "field": {"fieldPath": "n"},
                    "op": "GREATER_THAN",
                    "value": {"integerValue": "2"},
                }
            },
            "orderBy": [{"field": {"fieldPath": "n"}, "direction": "DESCENDING"}],
            "limit": 5,
        }
    }
    ran = httpx.post(url(firestore_url, ":runQuery"), json=query, headers=alice)
    assert ran.status_code == 200, ran.text
    names = [item["document"]["name"].rsplit("/", 1)[1] for item in ran.json()]
    assert names == ["b", "c"]

    count = httpx.post(
        url(firestore_url, ":runAggregationQuery"),
        json={
            "structuredAggregationQuery": {
                "structuredQuery": {"from": [{"collectionId": "notes"}]},
                "aggregations": [{"alias": "total", "count": {}}],
            }
        },
        headers=alice,
    )
    assert count.json()[0]["result"]["aggregateFields"]["total"] == {"integerValue": "3"}

    batch = httpx.post(
        url(firestore_url, ":batchGet"),
        json={"documents": [f"{DOCS}/notes/a", f"{DOCS}/notes/missing"]},
        headers=alice,
    )
    results = batch.json()
    assert results[0]["found"]["name"] == f"{DOCS}/notes/a"
    assert results[1]["missing"] == f"{DOCS}/notes/missing"


def test_queries_under_a_parent_document(firestore_url: str) -> None:
    owner = bearer("owner")
    write = {
        "writes": [
            {"update": {"name": f"{DOCS}/rooms/r1/messages/m1", "fields": {}}},
            {"update": {"name": f"{DOCS}/rooms/r1/members/u1", "fields": {}}},
        ]
    }
    assert httpx.post(url(firestore_url, ":commit"), json=write, headers=owner).status_code == 200
    ran = httpx.post(
        url(firestore_url, "/rooms/r1:runQuery"),
        json={"structuredQuery": {"from": [{"collectionId": "messages"}]}},
        headers=owner,
    )
    assert [item["document"]["name"] for item in ran.json()] == [f"{DOCS}/rooms/r1/messages/m1"]
    ids = httpx.post(url(firestore_url, "/rooms/r1:listCollectionIds"), json={}, headers=owner)
    assert ids.json()["collectionIds"] == ["members", "messages"]
    listed = httpx.get(url(firestore_url, "/rooms/r1/messages"), headers=owner)
    assert [d["name"] for d in listed.json()["documents"]] == [f"{DOCS}/rooms/r1/messages/m1"]


def test_transaction_begin_commit_and_rollback(firestore_url: str) -> None:
    owner = bearer("owner")
    begun = httpx.post(url(firestore_url, ":beginTransaction"), json={}, headers=owner)
    assert begun.status_code == 200
    transaction = begun.json()["transaction"]
    read = httpx.post(
        url(firestore_url, ":batchGet"),
        json={"documents": [f"{DOCS}/counters/c"], "transaction": transaction},
        headers=owner,
    )
    assert "missing" in read.json()[0]
    commit = httpx.post(
        url(firestore_url, ":commit"),
        json={
            "transaction": transaction,
            "writes": [
                {
                    "update": {
                        "name": f"{DOCS}/counters/c",
                        "fields": {"value": {"integerValue": "1"}},
                    }
                }
            ],
        },
        headers=owner,
    )
    assert commit.status_code == 200, commit.text

    second = httpx.post(url(firestore_url, ":beginTransaction"), json={}, headers=owner)
    rolled = httpx.post(
        url(firestore_url, ":rollback"),
        json={"transaction": second.json()["transaction"]},
        headers=owner,
    )
    assert rolled.status_code == 200
    assert rolled.json() == {}


def test_rules_apply_as_on_grpc(firestore_url: str, id_tokens: dict) -> None:
    denied = httpx.post(
        url(firestore_url, ":commit"),
        json={"writes": [{"update": {"name": f"{DOCS}/locked/x", "fields": {}}}]},
        headers=bearer(id_tokens["alice"]),
    )
    message = assert_error(denied, 403, "PERMISSION_DENIED")
    assert "locked/x" in message

    # Alice may not create a note owned by bob, and nobody may read without signing in.
    forged = httpx.post(
        url(firestore_url, ":commit"),
        json={"writes": [note("forged", "bob", 1)]},
        headers=bearer(id_tokens["alice"]),
    )
    assert_error(forged, 403, "PERMISSION_DENIED")
    anonymous = httpx.get(url(firestore_url, "/notes/a"), headers={"Origin": ORIGIN})
    assert_error(anonymous, 403, "PERMISSION_DENIED")
    assert anonymous.headers["access-control-allow-origin"] == ORIGIN

    garbage = httpx.get(url(firestore_url, "/notes/a"), headers=bearer("not-a-jwt"))
    assert_error(garbage, 401, "UNAUTHENTICATED")
    # Admin credentials bypass the rules, as with Google's emulator.
    assert httpx.get(url(firestore_url, "/locked/x"), headers=bearer("owner")).status_code == 404


def test_verify_writes_check_preconditions_under_read_rules(
    firestore_url: str, id_tokens: dict
) -> None:
    """The JS SDK's transactions (lite SDK over REST too) commit a ``verify`` for every
    document they read but did not write: it checks its precondition, writes nothing, and
    needs read access (write.proto, Write.verify)."""
    alice = bearer(id_tokens["alice"])
    created = httpx.post(
        url(firestore_url, ":commit"), json={"writes": [note("seen", "alice", 1)]}, headers=alice
    )
    assert created.status_code == 200, created.text
    seen = httpx.get(url(firestore_url, "/notes/seen"), headers=alice).json()

    def commit(verify: str, precondition: dict, token: dict) -> httpx.Response:
        counter = {"update": {"name": f"{DOCS}/counters/v", "fields": {}}}
        writes = [counter, {"verify": f"{DOCS}/{verify}", "currentDocument": precondition}]
        return httpx.post(url(firestore_url, ":commit"), json={"writes": writes}, headers=token)

    passed = commit("notes/seen", {"updateTime": seen["updateTime"]}, alice)
    assert passed.status_code == 200, passed.text
    assert len(passed.json()["writeResults"]) == 2
    assert commit("notes/absent", {"exists": False}, alice).status_code == 200
    stale = commit("notes/seen", {"updateTime": "2020-01-01T00:00:00Z"}, alice)
    assert_error(stale, 400, "FAILED_PRECONDITION")
    assert_error(commit("notes/seen", {"exists": False}, alice), 409, "ALREADY_EXISTS")
    assert_error(commit("locked/x", {"exists": False}, alice), 403, "PERMISSION_DENIED")
    after = httpx.get(url(firestore_url, "/notes/seen"), headers=alice).json()
    assert after["updateTime"] == seen["updateTime"]


@pytest.mark.parametrize(
    ("method", "suffix", "body", "http_status", "status"),
    [
        ("POST", ":commit", b"{not json", 400, "INVALID_ARGUMENT"),
        ("POST", ":commit", b"[1, 2]", 400, "INVALID_ARGUMENT"),
        ("POST", ":commit", b'{"writes": [{"bogusField": 1}]}', 400, "INVALID_ARGUMENT"),
        ("POST", ":frobnicate", b"{}", 404, "NOT_FOUND"),
        ("POST", "/notes/a:commit", b"{}", 404, "NOT_FOUND"),
        ("GET", ":runQuery", b"", 400, "INVALID_ARGUMENT"),
        ("POST", ":runQuery", b"{}", 400, "INVALID_ARGUMENT"),
    ],
)
def test_bad_requests(
    firestore_url: str, method: str, suffix: str, body: bytes, http_status: int, status: str
) -> None:
    response = httpx.request(
        method, url(firestore_url, suffix), content=body or None, headers=bearer("owner")
    )
    assert_error(response, http_status, status)


def test_cors_preflight(firestore_url: str) -> None:
    response = httpx.options(
        url(firestore_url, ":commit"),
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-goog-api-client",
        },
    )
    assert response.is_success  # a browser accepts any 2xx preflight answer
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"]


def test_document_create_patch_delete(firestore_url: str, id_tokens: dict) -> None:
    alice = bearer(id_tokens["alice"])
    document = {"fields": {"owner": {"stringValue": "alice"}, "n": {"integerValue": "1"}}}
    # The rules want createdAt == request.time, which a plain createDocument cannot give.
    refused = httpx.post(url(firestore_url, "/notes?documentId=d1"), json=document, headers=alice)
    assert_error(refused, 403, "PERMISSION_DENIED")

    owner = bearer("owner")
    created = httpx.post(url(firestore_url, "/notes?documentId=d1"), json=document, headers=owner)
    assert created.status_code == 200, created.text
    assert created.json()["name"] == f"{DOCS}/notes/d1"
    again = httpx.post(url(firestore_url, "/notes?documentId=d1"), json=document, headers=owner)
    assert_error(again, 409, "ALREADY_EXISTS")
    generated = httpx.post(url(firestore_url, "/notes"), json=document, headers=owner)
    assert len(generated.json()["name"].rsplit("/", 1)[1]) == 20

    patched = httpx.patch(
        url(firestore_url, "/notes/d1?updateMask.fieldPaths=n&currentDocument.exists=true"),
        json={"fields": {"n": {"integerValue": "2"}, "ignored": {"booleanValue": True}}},
        headers=alice,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["fields"] == {
        "owner": {"stringValue": "alice"},
        "n": {"integerValue": "2"},
    }
    missing = httpx.patch(
        url(firestore_url, "/notes/nope?currentDocument.exists=true"), json={}, headers=owner
    )
    assert_error(missing, 404, "NOT_FOUND")
    bad_flag = httpx.patch(
        url(firestore_url, "/notes/d1?currentDocument.exists=maybe"), json={}, headers=owner
    )
    assert_error(bad_flag, 400, "INVALID_ARGUMENT")

    assert httpx.delete(url(firestore_url, "/notes/d1"), headers=alice).json() == {}
    gone = httpx.get(url(firestore_url, "/notes/d1"), headers=alice)
    assert_error(gone, 404, "NOT_FOUND")
    wrong = httpx.delete(url(firestore_url, "/notes"), headers=owner)
    assert_error(wrong, 400, "INVALID_ARGUMENT")


def test_batch_write_reports_each_write(firestore_url: str, id_tokens: dict) -> None:
    response = httpx.post(
        url(firestore_url, ":batchWrite"),
        json={
            "writes": [
                note("bw1", "alice", 1),
                {"update": {"name": f"{DOCS}/locked/bw", "fields": {}}},
            ]
        },
        headers=bearer(id_tokens["alice"]),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["writeResults"]) == 2
    assert body["writeResults"][0]["updateTime"]
    assert body["status"][0] == {}  # OK: the default status is empty in proto3 JSON
    assert body["status"][1]["code"] == 7  # PERMISSION_DENIED, for that write alone
