"""Which trigger locations a write reaches, and what each event carries (the parts of the
functions host that need no server; delivery itself is tested end to end in tests/chat)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emulators.events import DatabaseWrite
from emulators.functions.paths import PathPattern
from emulators.functions.triggers import _database_changes, _delta

TREE_BEFORE = {"status": {"u1": {"c1": {"state": "online"}}, "u2": {"c1": {"state": "away"}}}}
TREE_AFTER = {
    "status": {
        "u1": {"c1": {"state": "offline"}},
        "u2": {"c1": {"state": "away"}},
        "u3": {"c9": {"state": "online"}},
    }
}


def _read(tree):
    def read(path: str):
        node = tree
        for part in [p for p in path.split("/") if p]:
            if not isinstance(node, dict):
                return None
            node = node.get(part)
        return node

    return read


def _write(path: str) -> DatabaseWrite:
    return DatabaseWrite(
        project="p",
        instance="p-default-rtdb",
        path=path,
        before=_read(TREE_BEFORE)(path),
        after=_read(TREE_AFTER)(path),
        time=datetime.now(UTC),
        operation_id=1,
        read_before=_read(TREE_BEFORE),
        read_after=_read(TREE_AFTER),
    )


@pytest.mark.parametrize(
    ("pattern", "path", "params"),
    [
        (
            "rooms/{roomId}/messages/{messageId}",
            "rooms/r1/messages/m1",
            {"roomId": "r1", "messageId": "m1"},
        ),
        ("rooms/{roomId}/messages/{messageId}", "rooms/r1/messages", None),
        ("rooms/{roomId}/messages/{messageId}", "rooms/r1/messages/m1/x/y", None),
        ("rooms/*/messages/{id}", "rooms/r1/messages/m1", {"id": "m1"}),
        ("users/{rest=**}", "users/a/b/c", {"rest": "a/b/c"}),
        ("users/{uid}", "people/u1", None),
    ],
)
def test_path_patterns(pattern, path, params):
    assert PathPattern.parse(pattern).match(path) == params


def test_a_write_below_a_trigger_location_fires_that_location_with_whole_values():
    changes = _database_changes(PathPattern.parse("status/{uid}"), _write("status/u1/c1/state"))
    assert changes == [("status/u1", {"c1": {"state": "online"}}, {"c1": {"state": "offline"}})]


def test_a_write_above_trigger_locations_fires_each_changed_one():
    changes = _database_changes(PathPattern.parse("status/{uid}"), _write("status"))
    assert [ref for ref, _, _ in changes] == ["status/u1", "status/u3"]  # u2 did not change
    assert changes[1][1] is None


def test_the_delta_names_removed_children_as_nulls():
    assert _delta({"a": 1, "b": {"x": 1, "y": 2}}, {"b": {"x": 1}, "c": 3}) == {
        "a": None,
        "b": {"x": 1, "y": None},
        "c": 3,
    }
    assert _delta({"a": 1}, None) is None
