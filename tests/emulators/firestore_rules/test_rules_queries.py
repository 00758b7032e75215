"""List requests: rules are not filters.

A query is allowed only if every document it could return is allowed; the evaluator
knows those documents only through the query's constraints
(cloud.google.com/firestore/docs/security/rules-query, "Rules are not filters").
"""

from __future__ import annotations

import datetime as dt

from emulators.firestore.rules import ListQuery, Ruleset

DB = "/databases/(default)/documents"
NOW = dt.datetime(2025, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
ALICE = {"uid": "alice"}

OWNER_RULES = Ruleset.parse(
    """
    rules_version = '2';
    service cloud.firestore {
      match /databases/{database}/documents {
        match /stories/{storyId} {
          allow list: if resource.data.owner == request.auth.uid;
        }
        match /limited/{id} {
          allow list: if request.query.limit <= 50;
        }
        match /sorted/{id} {
          allow list: if request.query.orderBy.createdAt == 'DESC';
        }
        match /published/{id} {
          allow list: if resource.data.published == true
                      || resource.data.author == request.auth.uid;
        }
        match /nested/{id} {
          allow list: if resource.data.meta.owner == request.auth.uid;
        }
        match /byid/{id} {
          allow list: if id == 'x';
        }
        match /open/{id} {
          allow list: if request.auth != null;
        }
        match /idcheck/{id} {
          allow list: if resource.id == 'x';
        }
      }
    }
    """
)


def list_allowed(path: str, query: ListQuery | None = None, auth=ALICE, ruleset=OWNER_RULES):
    return ruleset.evaluate(method="list", path=DB + path, auth=auth, query=query, time=NOW).allowed


def where(*filters, **kwargs) -> ListQuery:
    return ListQuery(filters=list(filters), **kwargs)


def test_query_constrained_to_the_user_is_allowed():
    assert list_allowed("/stories", where(("owner", "==", "alice")))


def test_query_without_the_constraint_is_refused():
    assert not list_allowed("/stories", where())
    assert not list_allowed("/stories", None)


def test_query_for_another_user_is_refused():
    assert not list_allowed("/stories", where(("owner", "==", "bob")))


def test_other_constraints_do_not_help():
    assert not list_allowed("/stories", where(("title", "==", "x")))
    assert list_allowed("/stories", where(("title", "==", "x"), ("owner", "==", "alice")))


def test_range_and_array_constraints_leave_the_field_unknown():
    assert not list_allowed("/stories", where(("owner", ">=", "alice")))
    assert not list_allowed("/stories", where(("owner", "array-contains", "alice")))
    assert not list_allowed("/stories", where(("owner", "!=", "bob")))


def test_in_constraint_must_hold_for_every_value():
    assert list_allowed("/stories", where(("owner", "in", ["alice"])))
    assert not list_allowed("/stories", where(("owner", "in", ["alice", "bob"])))


def test_in_constraint_combines_with_or_in_the_rule():
    query = where(("published", "in", [True, False]), ("author", "==", "alice"))
    assert list_allowed("/published", query)
    query = where(("published", "in", [True, False]), ("author", "==", "bob"))
    assert not list_allowed("/published", query)


def test_error_or_true_lets_a_query_through():
    # resource.data.published is unknown (error) but the author side is true.
    assert list_allowed("/published", where(("author", "==", "alice")))
    assert list_allowed("/published", where(("published", "==", True)))
    assert not list_allowed("/published", where(("author", "==", "bob")))


def test_nested_field_constraints():
    assert list_allowed("/nested", where(("meta.owner", "==", "alice")))
    assert not list_allowed("/nested", where(("meta.other", "==", "alice")))


def test_query_limit():
    # firebase.google.com/docs/reference/rules/rules.firestore.Request: query.limit.
    assert list_allowed("/limited", where(limit=20))
    assert list_allowed("/limited", where(limit=50))
    assert not list_allowed("/limited", where(limit=51))
    assert not list_allowed("/limited", where())  # no limit: the key is absent


def test_query_order_by_is_a_map_of_directions():
    assert list_allowed("/sorted", where(order_by=[("createdAt", "DESCENDING")]))
    assert not list_allowed("/sorted", where(order_by=[("createdAt", "ASCENDING")]))
    assert not list_allowed("/sorted", where())


def test_query_offset_is_visible():
    ruleset = Ruleset.parse(
        """
        rules_version = '2';
        service cloud.firestore {
          match /databases/{database}/documents {
            match /c/{id} {
              allow list: if request.query.offset == 0 || !('offset' in request.query);
            }
          }
        }
        """
    )
    assert list_allowed("/c", where(offset=0), ruleset=ruleset)
    assert list_allowed("/c", where(), ruleset=ruleset)
    assert not list_allowed("/c", where(offset=5), ruleset=ruleset)


def test_document_id_of_a_query_is_unknown():
    assert not list_allowed("/byid", where())
    assert not list_allowed("/idcheck", where())


def test_rules_that_ignore_the_documents_allow_any_query():
    assert list_allowed("/open", where())
    assert not list_allowed("/open", where(), auth=None)


def test_get_rules_do_not_grant_list():
    ruleset = Ruleset.parse(
        """
        rules_version = '2';
        service cloud.firestore {
          match /databases/{database}/documents {
            match /c/{id} { allow get; }
          }
        }
        """
    )
    assert not list_allowed("/c", where(), ruleset=ruleset)


def test_trace_labels_each_in_value():
    decision = OWNER_RULES.evaluate(
        method="list",
        path=DB + "/stories",
        auth=ALICE,
        query=where(("owner", "in", ["alice", "bob"])),
        time=NOW,
    )
    assert not decision.allowed
    assert "query where owner == 'alice':" in decision.trace
    assert "query where owner == 'bob':" in decision.trace
    assert "owner == 'bob'" in decision.reason


# Collection groups -------------------------------------------------------------------------

GROUP_RULES = Ruleset.parse(
    """
    rules_version = '2';
    service cloud.firestore {
      match /databases/{database}/documents {
        match /rooms/{roomId}/messages/{messageId} {
          allow read: if true;
        }
        match /{path=**}/posts/{postId} {
          allow list: if resource.data.public == true;
        }
        match /{path=**}/secrets/{id} {
          allow list: if path[0] == 'rooms';
        }
        match /forums/{forumId}/{rest=**}/threads/{threadId} {
          allow list: if forumId == 'f1';
        }
      }
    }
    """
)


def group_allowed(parent: str, group: str, query: ListQuery | None = None) -> bool:
    return GROUP_RULES.evaluate(
        method="list",
        path=DB + parent,
        collection_group=group,
        auth=ALICE,
        query=query or where(),
        time=NOW,
    ).allowed


def test_collection_group_query_needs_a_recursive_wildcard_rule():
    # cloud.google.com/firestore/docs/security/rules-query, section
    # "Collection group queries and security rules".
    assert not group_allowed("", "messages")
    assert group_allowed("", "posts", where(("public", "==", True)))
    assert not group_allowed("", "posts", where())


def test_plain_list_still_matches_the_specific_rule():
    assert GROUP_RULES.evaluate(
        method="list", path=DB + "/rooms/r1/messages", auth=ALICE, time=NOW
    ).allowed


def test_collection_group_parents_are_unknown():
    assert not group_allowed("", "secrets")


def test_collection_group_under_a_parent_document():
    assert group_allowed("/forums/f1", "threads")
    assert not group_allowed("/forums/f2", "threads")
    assert not group_allowed("", "threads")


def test_empty_in_constraint_leaves_the_field_unknown():
    assert not list_allowed("/stories", where(("owner", "in", [])))


# Range constraints ---------------------------------------------------------------------------

RANGE_RULES = Ruleset.parse(
    """
    rules_version = '2';
    service cloud.firestore {
      match /databases/{database}/documents {
        match /adults/{id} {
          allow list: if resource.data.age >= 18;
        }
        match /recent/{id} {
          allow list: if resource.data.sentAt > timestamp.date(2025, 1, 1);
        }
        match /visible/{id} {
          allow list: if resource.data.status != 'deleted';
        }
        match /young/{id} {
          allow list: if 30 > resource.data.age;
        }
        match /exact/{id} {
          allow list: if resource.data.age == 20;
        }
        match /math/{id} {
          allow list: if resource.data.age + 1 > 18;
        }
      }
    }
    """
)


def range_allowed(path: str, *filters) -> bool:
    return list_allowed(path, where(*filters), ruleset=RANGE_RULES)


def test_range_constraint_that_implies_the_rule_is_allowed():
    assert range_allowed("/adults", ("age", ">=", 18))
    assert range_allowed("/adults", ("age", ">", 20))
    # age > 17 also admits 17.5 (Firestore numbers mix ints and floats): not implied.
    assert not range_allowed("/adults", ("age", ">", 17))


def test_range_constraint_that_leaves_room_is_refused():
    assert not range_allowed("/adults", ("age", ">", 10))
    assert not range_allowed("/adults", ("age", "<", 30))
    assert not range_allowed("/adults", ("age", ">=", 17))
    assert not range_allowed("/adults")


def test_equality_still_decides_exactly():
    assert range_allowed("/adults", ("age", "==", 18))
    assert not range_allowed("/adults", ("age", "==", 17))


def test_range_on_timestamps():
    after = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    before = dt.datetime(2024, 12, 1, tzinfo=dt.UTC)
    assert range_allowed("/recent", ("sentAt", ">", after))
    assert not range_allowed("/recent", ("sentAt", ">", before))
    # A range of another type (strings) proves nothing about timestamps.
    assert not range_allowed("/recent", ("sentAt", ">", "2026"))


def test_inequality_constraints():
    assert range_allowed("/visible", ("status", "!=", "deleted"))
    assert range_allowed("/visible", ("status", "not-in", ["deleted", "spam"]))
    assert not range_allowed("/visible", ("status", "!=", "spam"))
    assert not range_allowed("/visible", ("status", "not-in", ["spam"]))


def test_constant_on_the_left_is_flipped():
    assert range_allowed("/young", ("age", "<", 30))
    assert range_allowed("/young", ("age", "<=", 29))
    assert not range_allowed("/young", ("age", "<=", 30))


def test_constrained_fields_support_only_comparisons():
    assert not range_allowed("/exact", ("age", ">", 19), ("age", "<", 21))
    assert not range_allowed("/math", ("age", ">", 30))


def test_quoted_field_paths():
    ruleset = Ruleset.parse(
        """
        rules_version = '2';
        service cloud.firestore {
          match /databases/{database}/documents {
            match /q/{id} { allow list: if resource.data['odd-name']['a.b'] == 1; }
          }
        }
        """
    )
    assert list_allowed("/q", where(("`odd-name`.`a.b`", "==", 1)), ruleset=ruleset)
    assert not list_allowed("/q", where(("`odd-name`.a", "==", 1)), ruleset=ruleset)


def test_document_name_equality_makes_the_id_known():
    from emulators.firestore.rules import Reference

    ruleset = Ruleset.parse(
        """
        rules_version = '2';
        service cloud.firestore {
          match /databases/{database}/documents {
            match /n/{id} { allow list: if resource.id == 'mine'; }
          }
        }
        """
    )
    mine = Reference(DB + "/n/mine")
    other = Reference(DB + "/n/other")
    assert list_allowed("/n", where(("__name__", "==", mine)), ruleset=ruleset)
    assert not list_allowed("/n", where(("__name__", "==", other)), ruleset=ruleset)
    assert not list_allowed("/n", where(("__name__", ">", mine)), ruleset=ruleset)


def test_or_query_must_be_allowed_in_every_branch():
    both_mine = ListQuery(
        filters=[("title", "==", "x")],
        any_of=[[("owner", "==", "alice")], [("owner", "in", ["alice"])]],
    )
    assert list_allowed("/stories", both_mine)
    one_foreign = ListQuery(any_of=[[("owner", "==", "alice")], [("title", "==", "x")]])
    assert not list_allowed("/stories", one_foreign)
    # An OR of "published" and "mine" fits the rule published == true || author == uid.
    either = ListQuery(any_of=[[("published", "==", True)], [("author", "==", "alice")]])
    assert list_allowed("/published", either)
