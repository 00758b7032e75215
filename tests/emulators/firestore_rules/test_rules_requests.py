"""Deciding requests: matching paths, methods, request/resource, functions, traces."""

from __future__ import annotations

import datetime as dt

import pytest

from emulators.firestore.rules import Document, LatLng, Reference, Ruleset, RulesSyntaxError

DB = "/databases/(default)/documents"
NOW = dt.datetime(2025, 3, 1, 12, 0, 0, tzinfo=dt.UTC)


def rules(body: str, version: str = "2") -> Ruleset:
    return Ruleset.parse(
        f"rules_version = '{version}';\n"
        "service cloud.firestore {\n"
        "  match /databases/{database}/documents {\n"
        f"{body}\n"
        "  }\n"
        "}\n"
    )


def allowed(ruleset: Ruleset, method: str, path: str, **kwargs) -> bool:
    kwargs.setdefault("time", NOW)
    return ruleset.evaluate(method=method, path=DB + path, **kwargs).allowed


# Methods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "granted"),
    [
        ("allow read;", {"get", "list"}),
        ("allow write;", {"create", "update", "delete"}),
        ("allow get;", {"get"}),
        ("allow list;", {"list"}),
        ("allow create;", {"create"}),
        ("allow update;", {"update"}),
        ("allow delete;", {"delete"}),
        ("allow get, create;", {"get", "create"}),
    ],
)
def test_read_and_write_expand_to_their_methods(statement, granted):
    ruleset = rules(f"match /things/{{id}} {{ {statement} }}")
    for method in ("get", "create", "update", "delete"):
        assert allowed(ruleset, method, "/things/t1") == (method in granted), method
    assert allowed(ruleset, "list", "/things") == ("list" in granted)


def test_no_matching_statement_denies_with_a_reason():
    decision = rules("match /things/{id} { allow read; }").evaluate(
        method="get", path=DB + "/other/x", time=NOW
    )
    assert not decision.allowed
    assert "no allow statement matches" in decision.reason
    assert "get on /databases/(default)/documents/other/x" in decision.reason


def test_several_statements_are_ored():
    ruleset = rules(
        """
        match /things/{id} {
          allow get: if false;
          allow get: if request.auth.uid == 'alice';
        }
        match /things/{other} {
          allow get: if request.auth.uid == 'bob';
        }
        """
    )
    assert allowed(ruleset, "get", "/things/t", auth={"uid": "alice"})
    assert allowed(ruleset, "get", "/things/t", auth={"uid": "bob"})
    assert not allowed(ruleset, "get", "/things/t", auth={"uid": "carol"})


def test_a_match_does_not_cover_its_subcollections():
    ruleset = rules("match /rooms/{roomId} { allow read; }")
    assert allowed(ruleset, "get", "/rooms/r1")
    assert not allowed(ruleset, "get", "/rooms/r1/messages/m1")


def test_nested_matches_bind_outer_variables():
    ruleset = rules(
        """
        match /rooms/{roomId} {
          match /messages/{messageId} {
            allow get: if roomId == 'r1' && messageId == 'm1' && database == '(default)';
          }
        }
        """
    )
    assert allowed(ruleset, "get", "/rooms/r1/messages/m1")
    assert not allowed(ruleset, "get", "/rooms/r2/messages/m1")


# Wildcards -------------------------------------------------------------------------------


def test_recursive_wildcard_matches_zero_or_more_segments_in_version_2():
    # firebase.google.com/docs/firestore/security/rules-structure#recursive_wildcards:
    # in version 2 a recursive wildcard matches zero or more path items.
    ruleset = rules("match /cities/{document=**} { allow get: if document[0] != 'x'; }")
    assert allowed(ruleset, "get", "/cities/sf")
    assert allowed(ruleset, "get", "/cities/sf/landmarks/l1")
    decision = ruleset.evaluate(method="get", path=DB + "/cities/x", time=NOW)
    assert not decision.allowed


def test_recursive_wildcard_binds_a_path():
    ruleset = rules(
        "match /cities/{rest=**} {"
        " allow get: if rest == /sf/landmarks/l1 && rest[1] == 'landmarks'; }"
    )
    assert allowed(ruleset, "get", "/cities/sf/landmarks/l1")
    assert not allowed(ruleset, "get", "/cities/la/landmarks/l1")


def test_recursive_wildcard_zero_segments_reaches_the_collection_root():
    # `match /{document=**}` also covers every document, even at the top level.
    ruleset = rules("match /{document=**} { allow read; }")
    assert allowed(ruleset, "get", "/a/b")
    assert allowed(ruleset, "get", "/a/b/c/d/e/f")
    assert allowed(ruleset, "list", "/a")


def test_version_1_recursive_wildcard_needs_at_least_one_segment():
    ruleset = rules("match /cities/{document=**} { allow read; }", version="1")
    assert allowed(ruleset, "get", "/cities/sf/landmarks/l1")
    v2 = rules("match /a/b/{rest=**} { allow get; }")
    v1 = rules("match /a/b/{rest=**} { allow get; }", version="1")
    # /a/b itself is a document: rest=** covers zero segments only in version 2.
    assert allowed(v2, "get", "/a/b")
    assert not allowed(v1, "get", "/a/b")


def test_recursive_wildcard_in_the_middle():
    ruleset = rules("match /{path=**}/messages/{id} { allow get: if id == 'm1'; }")
    assert allowed(ruleset, "get", "/messages/m1")
    assert allowed(ruleset, "get", "/rooms/r1/messages/m1")
    assert allowed(ruleset, "get", "/a/b/c/d/messages/m1")
    assert not allowed(ruleset, "get", "/rooms/r1/messages/m2")
    assert not allowed(ruleset, "get", "/rooms/r1/other/m1")


def test_single_wildcard_matches_exactly_one_segment():
    ruleset = rules("match /rooms/{roomId} { allow get; }")
    assert not allowed(ruleset, "get", "/rooms")
    assert not allowed(ruleset, "get", "/rooms/r1/x/y")


# request and resource ---------------------------------------------------------------------


def test_request_auth_null_when_signed_out():
    ruleset = rules("match /things/{id} { allow get: if request.auth != null; }")
    assert allowed(ruleset, "get", "/things/t", auth={"uid": "u"})
    assert not allowed(ruleset, "get", "/things/t", auth=None)


def test_request_auth_uid_errors_when_signed_out():
    ruleset = rules("match /things/{id} { allow get: if request.auth.uid == 'u'; }")
    decision = ruleset.evaluate(method="get", path=DB + "/things/t", auth=None, time=NOW)
    assert not decision.allowed
    assert "error" in decision.trace[0]


def test_token_claims_are_visible():
    ruleset = rules(
        "match /admin/{id} { allow get: if request.auth.token.admin == true"
        " && request.auth.token.email.matches('.*@example[.]com'); }"
    )
    token = {"admin": True, "email": "a@example.com"}
    assert allowed(ruleset, "get", "/admin/x", auth={"uid": "u", "token": token})
    token = {"admin": True, "email": "a@evil.com"}
    assert not allowed(ruleset, "get", "/admin/x", auth={"uid": "u", "token": token})
    assert not allowed(ruleset, "get", "/admin/x", auth={"uid": "u"})


def test_resource_fields():
    ruleset = rules(
        """
        match /posts/{postId} {
          allow get: if resource.data.owner == request.auth.uid
                     && resource.id == postId
                     && resource.__name__ == /databases/$(database)/documents/posts/$(postId);
        }
        """
    )
    doc = Document(DB + "/posts/p1", {"owner": "alice"})
    assert allowed(ruleset, "get", "/posts/p1", auth={"uid": "alice"}, resource=doc)
    assert not allowed(ruleset, "get", "/posts/p1", auth={"uid": "bob"}, resource=doc)


def test_resource_is_null_for_a_missing_document():
    ruleset = rules("match /posts/{id} { allow get: if resource == null; }")
    assert allowed(ruleset, "get", "/posts/p1", resource=None)
    doc = Document(DB + "/posts/p1", {})
    assert not allowed(ruleset, "get", "/posts/p1", resource=doc)


def test_resource_data_of_a_missing_document_denies():
    ruleset = rules("match /posts/{id} { allow get: if resource.data.public == true; }")
    assert not allowed(ruleset, "get", "/posts/p1", resource=None)


def test_request_method_and_path():
    ruleset = rules(
        """
        match /things/{id} {
          allow write: if request.method == 'update'
                       && request.path == /databases/$(database)/documents/things/$(id);
        }
        """
    )
    doc = Document(DB + "/things/t", {})
    assert allowed(ruleset, "update", "/things/t", resource=doc, request_resource=doc)
    assert not allowed(ruleset, "create", "/things/t", request_resource=doc)
    assert not allowed(ruleset, "delete", "/things/t", resource=doc)


def test_create_sees_request_resource_and_no_resource():
    ruleset = rules(
        """
        match /messages/{id} {
          allow create: if resource == null
                        && request.resource.id == id
                        && request.resource.data.keys().hasOnly(['text', 'sender'])
                        && request.resource.data.text is string
                        && request.resource.data.text.size() <= 5
                        && request.resource.data.sender == request.auth.uid;
        }
        """
    )
    alice = {"uid": "alice"}

    def create(data):
        return allowed(
            ruleset,
            "create",
            "/messages/m1",
            auth=alice,
            request_resource=Document(DB + "/messages/m1", data),
        )

    assert create({"text": "hi", "sender": "alice"})
    assert create({"text": "😀😀", "sender": "alice"})  # 4 UTF-16 units
    assert not create({"text": "😀😀😀", "sender": "alice"})  # 6 UTF-16 units
    assert not create({"text": "hi", "sender": "bob"})
    assert not create({"text": "hi", "sender": "alice", "admin": True})
    assert not create({"text": 5, "sender": "alice"})


def test_update_validation_with_map_diff():
    # The idiom of FACTS.md: diff(...).affectedKeys().hasOnly([...]) on update
    # (firebase.google.com/docs/reference/rules/rules.MapDiff).
    ruleset = rules(
        """
        match /messages/{id} {
          allow update: if request.resource.data.diff(resource.data).affectedKeys()
                               .hasOnly(['text', 'editedAt'])
                        && request.resource.data.editedAt == request.time;
        }
        """
    )
    before = Document(DB + "/messages/m", {"text": "a", "sender": "alice", "editedAt": None})

    def update(data):
        return allowed(
            ruleset,
            "update",
            "/messages/m",
            resource=before,
            request_resource=Document(DB + "/messages/m", data),
        )

    assert update({"text": "b", "sender": "alice", "editedAt": NOW})
    assert not update({"text": "b", "sender": "mallory", "editedAt": NOW})
    assert not update({"text": "b", "editedAt": NOW})  # removing sender is affected
    assert not update({"text": "b", "sender": "alice", "editedAt": NOW, "x": 1})
    assert not update({"text": "b", "sender": "alice", "editedAt": NOW - dt.timedelta(seconds=1)})


def test_map_diff_added_removed_changed_in_rules():
    ruleset = rules(
        """
        match /d/{id} {
          function changes() { return request.resource.data.diff(resource.data); }
          allow update: if changes().addedKeys() == ['b'].toSet()
                        && changes().removedKeys().size() == 0
                        && changes().changedKeys() == ['a'].toSet()
                        && changes().unchangedKeys() == ['c'].toSet();
        }
        """
    )
    before = Document(DB + "/d/x", {"a": 1, "c": [1, 2]})
    after = Document(DB + "/d/x", {"a": 2, "b": 0, "c": [1.0, 2.0]})
    assert allowed(ruleset, "update", "/d/x", resource=before, request_resource=after)


def test_request_time_comparisons():
    ruleset = rules(
        """
        match /events/{id} {
          allow create: if request.resource.data.createdAt == request.time
                        && request.time < timestamp.date(2026, 1, 1)
                        && request.time.year() == 2025;
          allow update: if request.time - resource.data.createdAt < duration.value(5, 'm');
        }
        """
    )
    created = Document(DB + "/events/e", {"createdAt": NOW})
    assert allowed(ruleset, "create", "/events/e", request_resource=created)
    late = Document(DB + "/events/e", {"createdAt": NOW + dt.timedelta(microseconds=1)})
    assert not allowed(ruleset, "create", "/events/e", request_resource=late)
    later = NOW + dt.timedelta(minutes=4)
    assert allowed(
        ruleset, "update", "/events/e", resource=created, request_resource=created, time=later
    )
    too_late = NOW + dt.timedelta(minutes=6)
    assert not allowed(
        ruleset, "update", "/events/e", resource=created, request_resource=created, time=too_late
    )


def test_document_values_latlng_reference_bytes():
    ruleset = rules(
        """
        match /places/{id} {
          allow get: if resource.data.where is latlng
                     && resource.data.where.latitude() == 48.85
                     && resource.data.owner == /databases/$(database)/documents/users/alice
                     && resource.data.blob == b'\\x00\\x01'
                     && resource.data.count is int && resource.data.ratio is float;
        }
        """
    )
    doc = Document(
        DB + "/places/p",
        {
            "where": LatLng(48.85, 2.35),
            "owner": Reference(DB + "/users/alice"),
            "blob": b"\x00\x01",
            "count": 3,
            "ratio": 0.5,
        },
    )
    assert allowed(ruleset, "get", "/places/p", resource=doc)


# Functions --------------------------------------------------------------------------------


def test_functions_at_every_level_with_lets():
    ruleset = Ruleset.parse(
        """
        rules_version = '2';
        function isOwner(data) { return data.owner == request.auth.uid; }
        service cloud.firestore {
          function signedIn() { return request.auth != null; }
          match /databases/{database}/documents {
            match /notes/{noteId} {
              function canRead() {
                let doc = resource.data;
                let owner = isOwner(doc);
                return signedIn() && (owner || noteId == 'public');
              }
              allow get: if canRead();
            }
          }
        }
        """
    )
    mine = Document(DB + "/notes/n", {"owner": "alice"})
    public = Document(DB + "/notes/public", {"owner": "bob"})
    assert allowed(ruleset, "get", "/notes/n", auth={"uid": "alice"}, resource=mine)
    assert allowed(ruleset, "get", "/notes/public", auth={"uid": "alice"}, resource=public)
    assert not allowed(ruleset, "get", "/notes/n", auth={"uid": "bob"}, resource=mine)
    assert not allowed(ruleset, "get", "/notes/n", auth=None, resource=mine)


def test_function_parameters_shadow_outer_names():
    ruleset = rules(
        """
        function same(roomId) { return roomId == 'param'; }
        match /rooms/{roomId} { allow get: if same('param') && roomId == 'r1'; }
        """
    )
    assert allowed(ruleset, "get", "/rooms/r1")


def test_call_depth_is_limited_to_20():
    # firebase.google.com/docs/rules/rules-language#function: call depth limited to 20.
    chain = (
        "\n".join(f"function f{i}() {{ return f{i + 1}(); }}" for i in range(25))
        + "\nfunction f25() { return true; }"
    )
    ruleset = rules(
        chain
        + """
        match /deep/{id} { allow get: if f6(); }
        match /toodeep/{id} { allow get: if f5(); }
        """
    )
    assert allowed(ruleset, "get", "/deep/x")  # f6 .. f25: 20 nested calls
    decision = ruleset.evaluate(method="get", path=DB + "/toodeep/x", time=NOW)
    assert not decision.allowed
    assert "deeper than 20" in decision.trace[0]


def test_recursion_is_a_compile_error():
    # rules-language#function: functions may call functions but may not recurse.
    with pytest.raises(RulesSyntaxError) as caught:
        rules(
            """
            function loop(n) { return loop(n + 1); }
            match /x/{id} { allow get: if loop(0); }
            """
        )
    assert caught.value.message == "function 'loop' calls itself (recursion is not allowed)"
    assert caught.value.line == 5


def test_mutual_recursion_is_a_compile_error():
    with pytest.raises(RulesSyntaxError) as caught:
        rules(
            """
            function ping(n) { return n > 3 || pong(n + 1); }
            function pong(n) { let next = ping(n); return next; }
            match /x/{id} { allow get: if pong(0); }
            """
        )
    assert caught.value.message.endswith("calls itself (recursion is not allowed)")


def test_inner_functions_are_invisible_outside_their_block():
    with pytest.raises(RulesSyntaxError) as caught:
        rules(
            """
            function outer() { return inner(); }
            match /x/{id} {
              function inner() { return true; }
              allow get: if outer();
            }
            """
        )
    assert caught.value.message == "unknown function 'inner'"


def test_same_name_in_sibling_blocks_is_not_recursion():
    ruleset = rules(
        """
        function check() { return true; }
        match /a/{id} {
          function check() { return false; }
          allow get: if check();
        }
        match /b/{id} { allow get: if check(); }
        """
    )
    assert not allowed(ruleset, "get", "/a/x")
    assert allowed(ruleset, "get", "/b/x")


def test_wrong_argument_count_is_a_compile_error():
    with pytest.raises(RulesSyntaxError) as caught:
        rules(
            """
            function two(a, b) { return true; }
            match /x/{id} { allow get: if two(1); }
            """
        )
    assert caught.value.message == "two() takes 2 arguments, 1 given"
    assert (caught.value.line, caught.value.column) == (6, 43)


# Traces -----------------------------------------------------------------------------------


def test_trace_names_each_statement_and_outcome():
    ruleset = rules(
        """
        match /t/{id} {
          allow get: if false;
          allow get: if resource.data.missing == 1;
          allow get: if debug(request.auth.uid) == 'alice';
        }
        """
    )
    decision = ruleset.evaluate(
        method="get",
        path=DB + "/t/a",
        auth={"uid": "alice"},
        resource=Document(DB + "/t/a", {}),
        time=NOW,
    )
    assert decision.allowed
    assert "line 8" in decision.reason and "allow get" in decision.reason
    assert decision.trace[0].endswith("if false -> false")
    assert "-> error: property 'missing' is undefined" in decision.trace[1]
    assert decision.trace[2].endswith("-> true")
    assert any("debug('alice')" in line for line in decision.trace)


def test_denied_reason_names_path_and_method():
    ruleset = rules("match /t/{id} { allow delete: if false; }")
    decision = ruleset.evaluate(
        method="delete", path=DB + "/t/a", resource=Document(DB + "/t/a", {}), time=NOW
    )
    assert not decision.allowed
    assert decision.reason.startswith("denied delete on /databases/(default)/documents/t/a")


def test_unknown_method_is_a_caller_error():
    with pytest.raises(ValueError):
        rules("match /t/{id} { allow read; }").evaluate(method="read", path=DB + "/t/a")


def test_only_the_firestore_service_applies():
    ruleset = Ruleset.parse(
        "service firebase.storage { match /databases/{d}/documents/{x=**} { allow read; } }"
    )
    assert not allowed(ruleset, "get", "/a/b")


def test_path_may_carry_the_project_prefix():
    ruleset = rules("match /t/{id} { allow get; }")
    decision = ruleset.evaluate(
        method="get", path="projects/demo/databases/(default)/documents/t/a", time=NOW
    )
    assert decision.allowed


def test_rules_language_function_example_with_lets():
    # The let example of firebase.google.com/docs/rules/rules-language#function.
    ruleset = rules(
        """
        function isAuthorOrAdmin(userId, article) {
          let isAuthor = article.author == userId;
          let isAdmin = exists(/databases/$(database)/documents/admins/$(userId));
          return isAuthor || isAdmin;
        }
        match /articles/{articleId} {
          allow update: if isAuthorOrAdmin(request.auth.uid, resource.data);
        }
        """
    )
    from emulators.firestore.rules import DocumentAccess

    admins = {DB + "/admins/root"}
    access = DocumentAccess(before=lambda p: Document(p, {}) if p in admins else None)
    article = Document(DB + "/articles/a", {"author": "alice"})

    def update(uid):
        return allowed(
            ruleset,
            "update",
            "/articles/a",
            auth={"uid": uid},
            resource=article,
            request_resource=article,
            access=access,
        )

    assert update("alice")
    assert update("root")
    assert not update("mallory")


def test_let_bindings_are_evaluated_only_when_used():
    # An unused binding that would fail (resource is null on create) does not deny.
    ruleset = rules(
        """
        function valid() {
          let incoming = request.resource.data;
          let existing = resource.data;
          return request.method == 'create' ? incoming.size() == 1 : existing == incoming;
        }
        match /d/{id} { allow create, update: if valid(); }
        """
    )
    doc = Document(DB + "/d/x", {"a": 1})
    assert allowed(ruleset, "create", "/d/x", request_resource=doc)
    assert allowed(ruleset, "update", "/d/x", resource=doc, request_resource=doc)
    changed = Document(DB + "/d/x", {"a": 2})
    assert not allowed(ruleset, "update", "/d/x", resource=doc, request_resource=changed)


def test_let_sees_only_earlier_bindings():
    with pytest.raises(RulesSyntaxError) as caught:
        rules(
            """
            function f() {
              let a = b;
              let b = 1;
              return a == 1;
            }
            match /d/{id} { allow get: if f(); }
            """
        )
    assert caught.value.message == "unknown variable 'b'"
    assert (caught.value.line, caught.value.column) == (6, 23)


def test_client_library_values_are_accepted():
    from google.api_core.datetime_helpers import DatetimeWithNanoseconds
    from google.cloud.firestore import GeoPoint

    ruleset = rules(
        """
        match /d/{id} {
          allow get: if resource.data.at.nanos() == 123456789
                     && resource.data.where == latlng.value(1.5, 2.5)
                     && resource.data.ref == /databases/(default)/documents/users/u1;
        }
        """
    )
    doc = Document(
        DB + "/d/x",
        {
            "at": DatetimeWithNanoseconds(2024, 1, 2, 3, 4, 5, nanosecond=123456789, tzinfo=dt.UTC),
            "where": GeoPoint(1.5, 2.5),
            "ref": Reference("projects/demo/databases/(default)/documents/users/u1"),
        },
    )
    assert allowed(ruleset, "get", "/d/x", resource=doc)


def test_trace_names_matched_blocks_without_a_statement_for_the_method():
    ruleset = rules("match /t/{id} { allow create: if true; }")
    decision = ruleset.evaluate(method="get", path=DB + "/t/a", time=NOW)
    assert not decision.allowed
    assert decision.trace == [
        "  match /databases/{database}/documents/t/{id} (line 4): no allow statement for get"
    ]
