"""get(), exists(), getAfter(), existsAfter() and their access limits.

firebase.google.com/docs/firestore/security/rules-conditions#access_other_documents:
at most 10 document accesses for a single-document request and 20 for a batch or
transaction; exceeding the limit is a permission-denied error.
"""

from __future__ import annotations

import datetime as dt

from emulators.firestore.rules import Document, DocumentAccess, Ruleset

DB = "/databases/(default)/documents"
NOW = dt.datetime(2025, 3, 1, 12, 0, 0, tzinfo=dt.UTC)

STORE_BEFORE = {
    DB + "/rooms/r1/members/alice": {"role": "admin"},
    DB + "/rooms/r1/members/bob": {"role": "member"},
    DB + "/rooms/r1": {"name": "general"},
}


def reader(store: dict[str, dict]):
    def read(path: str) -> Document | None:
        return Document(path, store[path]) if path in store else None

    return read


def ruleset(body: str) -> Ruleset:
    return Ruleset.parse(
        "rules_version = '2';\nservice cloud.firestore {\n"
        "  match /databases/{database}/documents {\n" + body + "\n  }\n}\n"
    )


MEMBERSHIP = ruleset(
    """
    function member(roomId) {
      return exists(/databases/$(database)/documents/rooms/$(roomId)/members/$(request.auth.uid));
    }
    function memberPath(roomId) {
      return /databases/$(database)/documents/rooms/$(roomId)/members/$(request.auth.uid);
    }
    function role(roomId) {
      return get(memberPath(roomId)).data.role;
    }
    match /rooms/{roomId} {
      allow get: if member(roomId);
      allow delete: if role(roomId) == 'admin';
      match /messages/{messageId} {
        allow list: if member(roomId);
        allow create: if existsAfter(memberPath(roomId))
                      && getAfter(/databases/$(database)/documents/rooms/$(roomId)).data.name
                         == 'renamed';
      }
    }
    match /missing/{id} {
      allow get: if get(/databases/$(database)/documents/nothing/here) == null;
    }
    match /badpath/{id} {
      allow get: if exists(/databases/$(database)/documents/rooms);
    }
    """
)


def decide(rules: Ruleset, method: str, path: str, uid: str | None = "alice", **kwargs):
    kwargs.setdefault("access", DocumentAccess(before=reader(STORE_BEFORE)))
    auth = None if uid is None else {"uid": uid}
    return rules.evaluate(method=method, path=DB + path, auth=auth, time=NOW, **kwargs)


def test_exists_checks_membership():
    assert decide(MEMBERSHIP, "get", "/rooms/r1").allowed
    assert not decide(MEMBERSHIP, "get", "/rooms/r1", uid="carol").allowed
    assert not decide(MEMBERSHIP, "get", "/rooms/r2").allowed


def test_get_reads_fields_of_another_document():
    room = Document(DB + "/rooms/r1", {})
    assert decide(MEMBERSHIP, "delete", "/rooms/r1", resource=room).allowed
    assert not decide(MEMBERSHIP, "delete", "/rooms/r1", uid="bob", resource=room).allowed
    # get() of a missing document is null, and null.data is an error.
    assert not decide(MEMBERSHIP, "delete", "/rooms/r1", uid="carol", resource=room).allowed


def test_get_of_a_missing_document_is_null():
    # rules.firestore#get: "the document, or null if it does not exist".
    assert decide(MEMBERSHIP, "get", "/missing/x").allowed


def test_exists_needs_a_document_path():
    decision = decide(MEMBERSHIP, "get", "/badpath/x")
    assert not decision.allowed
    assert "document path" in decision.trace[0]


def test_list_can_use_exists():
    assert decide(MEMBERSHIP, "list", "/rooms/r1/messages").allowed
    assert not decide(MEMBERSHIP, "list", "/rooms/r1/messages", uid="carol").allowed


def test_get_after_and_exists_after_read_the_state_after_the_write():
    after = dict(STORE_BEFORE)
    after[DB + "/rooms/r1"] = {"name": "renamed"}
    after[DB + "/rooms/r1/members/carol"] = {"role": "member"}
    message = Document(DB + "/rooms/r1/messages/m", {"text": "hi"})
    access = DocumentAccess(before=reader(STORE_BEFORE), after=reader(after), budget=20)
    decision = decide(
        MEMBERSHIP,
        "create",
        "/rooms/r1/messages/m",
        uid="carol",
        request_resource=message,
        access=access,
    )
    assert decision.allowed
    unchanged = DocumentAccess(before=reader(STORE_BEFORE), after=reader(STORE_BEFORE))
    decision = decide(
        MEMBERSHIP,
        "create",
        "/rooms/r1/messages/m",
        uid="alice",
        request_resource=message,
        access=unchanged,
    )
    assert not decision.allowed


def chain_rules(count: int) -> Ruleset:
    checks = " && ".join(
        f"!exists(/databases/$(database)/documents/d/doc{i})" for i in range(count)
    )
    return ruleset(f"match /t/{{id}} {{ allow get: if {checks}; }}")


def test_ten_distinct_accesses_are_allowed():
    access = DocumentAccess(before=reader({}))
    assert decide(chain_rules(10), "get", "/t/x", access=access).allowed
    assert access.count == 10


def test_the_eleventh_distinct_access_denies():
    access = DocumentAccess(before=reader({}))
    decision = decide(chain_rules(11), "get", "/t/x", access=access)
    assert not decision.allowed
    assert "more than 10 document accesses" in decision.reason


def test_repeated_paths_count_once():
    checks = " && ".join("!exists(/databases/$(database)/documents/d/same)" for _ in range(15))
    access = DocumentAccess(before=reader({}))
    assert decide(
        ruleset(f"match /t/{{id}} {{ allow get: if {checks}; }}"), "get", "/t/x", access=access
    ).allowed
    assert access.count == 1


def test_exceeding_the_limit_is_not_absorbed_by_or():
    checks = " && ".join(f"!exists(/databases/$(database)/documents/d/doc{i})" for i in range(11))
    rules = ruleset(f"match /t/{{id}} {{ allow get: if ({checks}) || true; }}")
    assert not decide(rules, "get", "/t/x", access=DocumentAccess(before=reader({}))).allowed


def test_batch_shares_one_budget_of_twenty():
    rules = ruleset(
        """
        match /t/{id} {
          allow create: if !exists(/databases/$(database)/documents/d/$(id + '-a'))
                        && !exists(/databases/$(database)/documents/d/$(id + '-b'))
                        && !exists(/databases/$(database)/documents/d/$(id + '-c'))
                        && !exists(/databases/$(database)/documents/d/$(id + '-d'));
        }
        """
    )
    access = DocumentAccess(before=reader({}), budget=20)
    outcomes = []
    for i in range(6):
        doc = Document(DB + f"/t/w{i}", {})
        outcomes.append(
            decide(rules, "create", f"/t/w{i}", request_resource=doc, access=access).allowed
        )
    # Five writes use 20 accesses; the sixth write's first access is the 21st.
    assert outcomes == [True, True, True, True, True, False]
    assert access.count == 20


def test_accesses_are_recorded_by_full_path():
    access = DocumentAccess(before=reader(STORE_BEFORE))
    decide(MEMBERSHIP, "get", "/rooms/r1", access=access)
    assert access.accessed == [DB + "/rooms/r1/members/alice"]
