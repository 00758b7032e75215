"""The reconcile pass: brings every Firestore document the functions own back in line with
PostgreSQL, whatever happened to Firestore (a wiped emulator, a restored backup, a bug).

The outbox (``mirror.py``) keeps the mirror current change by change; this pass repairs what
the outbox cannot know was lost. It compares, one subject at a time, the documents that
PostgreSQL implies with those Firestore holds, and writes only the differences:

- ``rooms/{roomId}``: the summary fields the mirror owns are merged in; other fields are
  kept (rooms written before the room's newest message moved to ``roomActivity`` still
  carry ``lastMessage``; nothing reads it).
- ``rooms/{roomId}/members/{uid}``: replaced when it differs, deleted for anyone who is not
  a member.
- ``users/{uid}/rooms/{roomId}``: the fields PostgreSQL implies (the row's kind and name,
  the room's message sequence and newest message from ``message_sequence``, where the
  sequence stood at joining) are merged in; the person's own ``readSeq`` is kept. Deleted for
  anyone who is not a member.
- ``users/{uid}``: the public profile merged in; ``presence`` restored from PostgreSQL's
  last recorded state only where Firestore has none or an older one.
- ``revocations/{uid}``: the person's last logout, in Firestore and the Realtime Database.
- Documents of rooms and users that PostgreSQL does not have are deleted.

Messages, typing, read markers and read positions, notifications and quarantined messages
are not a mirror of PostgreSQL and are left alone.

Each subject is repaired under the outbox's advisory lock for it, so a repair never
interleaves with the outbox writing a newer state. A pass walks five phases in key order
(PostgreSQL's rooms, its users, then Firestore's member documents, room documents and user
documents for subjects PostgreSQL lacks); a ``Cursor`` records where it stands, so a pass can
run in bounded slices and resume. Running it again changes nothing.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from google.cloud.firestore_v1.field_path import FieldPath

import clients
import firestore_paths
import logs
import mirror
from chat import presence
from db import message_sequence, notifications, outbox, pool, revocations, rooms, users
from db import reconcile as queries
from rooms.permissions import is_direct_blocked

log = logs.get(__name__)

PHASES = ("rooms", "users", "members", "lists", "profiles")
PAGE_SIZE = 100
# A scheduled pass starts again this long after the last one finished, sooner on drift.
FULL_PASS_INTERVAL = timedelta(hours=24)


@dataclass
class Cursor:
    """Where a pass stands: the phase, and the last key that phase finished ('' for none)."""

    phase: str = PHASES[0]
    after: str = ""

    @property
    def finished(self) -> bool:
        return self.phase not in PHASES


@dataclass
class Outcome:
    subjects: int = 0
    writes: int = 0
    finished: bool = False
    # Paths written, for logs and tests ("users/{uid}#presence" for a restored presence).
    written: list[str] = field(default_factory=list)


def repair_room(room_id: str, also_users: Iterable[str] = ()) -> list[str]:
    """Make the room's summary, member documents and its members' room-list entries match
    PostgreSQL (all deleted if the room is not there); ``also_users`` are people whose
    room-list entry for it should be checked too. Returns the paths written."""
    db = clients.firestore()
    with pool.transaction() as conn:
        outbox.lock_subject(conn, "room", room_id)
        room = rooms.by_id(conn, room_id) if queries.is_uuid(room_id) else None
        members = {m["user_id"]: m for m in rooms.memberships(conn, room_id)} if room else {}
        direct_blocked = is_direct_blocked(conn, room)
        last = message_sequence.newest(conn, room_id) if room else None

        held_members = {
            snap.id: snap for snap in db.collection(firestore_paths.room_members(room_id)).get()
        }
        people = sorted(set(members) | set(held_members) | set(also_users))
        summary_path = firestore_paths.room(room_id)
        entry_paths = [firestore_paths.room_list_entry(uid, room_id) for uid in people]
        held = _get_all(db, [summary_path, *entry_paths])

        writes: list[mirror.Write] = []
        summary = mirror.room_summary(room, len(members)) if room else None
        if not _owned_fields_match(held.get(summary_path), summary):
            writes.append((summary_path, summary))
        for uid in people:
            member = members.get(uid)
            expected_member = mirror.member_doc(room, member, direct_blocked) if member else None
            member_snap = held_members.get(uid)
            if (member_snap.to_dict() if member_snap else None) != expected_member:
                writes.append((firestore_paths.member(room_id, uid), expected_member))
            entry_path = firestore_paths.room_list_entry(uid, room_id)
            expected_entry = (
                mirror.room_list_entry(room, member, last, mirror.direct_peer(conn, room, uid))
                if member
                else None
            )
            if not _owned_fields_match(held.get(entry_path), expected_entry):
                writes.append((entry_path, expected_entry))
        mirror.commit(writes)
    return [path for path, _ in writes]


def ensure_room_for(room_id: str, user_id: str) -> list[str]:
    """Before a member opens a room: check the three documents they need (the summary, their
    membership and their room-list entry) and repair the whole room only if one is missing
    or differs; in a direct room, the two profiles too. Nothing to do for someone who is not
    a member. Returns the paths written."""
    with pool.transaction() as conn:
        room = rooms.by_id(conn, room_id)
        member = rooms.membership(conn, room_id, user_id) if room else None
        if member is None:
            return []
        summary_path = firestore_paths.room(room_id)
        summary = mirror.room_summary(room, rooms.count_members(conn, room_id))
        member_path = firestore_paths.member(room_id, user_id)
        member_doc = mirror.member_doc(room, member, is_direct_blocked(conn, room))
        entry_path = firestore_paths.room_list_entry(user_id, room_id)
        entry = mirror.room_list_entry(
            room,
            member,
            message_sequence.newest(conn, room_id),
            mirror.direct_peer(conn, room, user_id),
        )
    held = _get_all(clients.firestore(), [summary_path, member_path, entry_path])
    written = []
    if (
        not _owned_fields_match(held.get(summary_path), summary)
        or not _owned_fields_match(held.get(entry_path), entry)
        or held.get(member_path) != member_doc
    ):
        written += repair_room(room_id)
    # A direct room is named after the other person: their profile must be there too.
    for uid in summary.get("directMembers", []):
        written += repair_profile(uid)
    return written


def repair_user(user_id: str) -> list[str]:
    """Repair the person's profile (``repair_profile``), their revocation time
    (``repair_revocation``) and every room whose entry in their room list is missing or
    should not be there. Returns the paths written."""
    written = repair_profile(user_id) + repair_revocation(user_id)
    with pool.transaction() as conn:
        known = queries.is_uuid(user_id) and users.by_id(conn, user_id) is not None
        room_ids = rooms.room_ids_of(conn, user_id) if known else set()
    db = clients.firestore()
    listed = {
        snap.id for snap in _ids_only(db.collection(firestore_paths.room_list(user_id))).get()
    }
    for room_id in sorted(listed ^ room_ids):  # missing entries, and entries to remove
        written += repair_room(room_id, also_users=[user_id])
    return written


def repair_profile(user_id: str) -> list[str]:
    """Make the public profile match PostgreSQL (deleted if the user is not there) and
    restore a lost presence state. Returns the paths written."""
    db = clients.firestore()
    profile_path = firestore_paths.user(user_id)
    with pool.transaction() as conn:
        outbox.lock_subject(conn, "user", user_id)
        user = users.by_id(conn, user_id) if queries.is_uuid(user_id) else None
        recorded = notifications.presence_of(conn, user_id) if user else None
        held_profile = _get_all(db, [profile_path]).get(profile_path)
        profile = mirror.public_profile(user) if user else None
        writes: list[mirror.Write] = []
        if not _owned_fields_match(held_profile, profile):
            writes.append((profile_path, profile))
        mirror.commit(writes)
    written = [path for path, _ in writes]

    held_presence = (held_profile or {}).get("presence") or {}
    lost = recorded and _older(held_presence.get("lastChanged"), recorded["changed_at"])
    if lost and presence.record_in_firestore(user_id, recorded["state"], recorded["changed_at"]):
        written.append(f"{profile_path}#presence")
    return written


def repair_revocation(user_id: str) -> list[str]:
    """Rewrite the person's revocation time (both copies) when Firestore's copy is missing
    or differs. Returns the paths written."""
    path = firestore_paths.revocation(user_id)
    with pool.transaction() as conn:
        outbox.lock_subject(conn, "revocation", user_id)
        revoked_at = revocations.revoked_at(conn, user_id) if queries.is_uuid(user_id) else None
        if revoked_at is None:
            return []
        held = _get_all(clients.firestore(), [path]).get(path)
        if held == {"revokedAt": revoked_at}:
            return []
        mirror.commit_revocation(user_id, revoked_at)
    return [path]


def run(cursor: Cursor, *, deadline: float | None = None, page_size: int = PAGE_SIZE) -> Outcome:
    """Advance ``cursor`` until the pass is finished or ``deadline`` (time.monotonic())
    has passed; at least one page is done per call, so every call makes progress."""
    outcome = Outcome()
    while not cursor.finished:
        page = _next_page(cursor, page_size)
        if not page:
            index = PHASES.index(cursor.phase) + 1
            cursor.phase = PHASES[index] if index < len(PHASES) else "done"
            cursor.after = ""
            continue
        for key, repair in page:
            if repair is not None:
                written = repair()
                outcome.writes += len(written)
                outcome.written += written
            outcome.subjects += 1
            cursor.after = key
        if deadline is not None and time.monotonic() >= deadline:
            break
    outcome.finished = cursor.finished
    return outcome


def full_pass() -> Outcome:
    """A whole pass at once (the command line and ``make dev``)."""
    return run(Cursor())


def drift() -> dict[str, tuple[int, int]]:
    """A cheap look for lost or extra documents: counts of what PostgreSQL implies against
    what Firestore holds (four count aggregations, billed one read per 1,000 entries).
    Returns the counts that differ, {name: (expected, found)}; empty when they agree.
    Agreeing counts do not prove every field matches; the periodic full pass covers that."""
    with pool.transaction() as conn:
        pg = queries.counts(conn)
    db = clients.firestore()
    expected = {
        "rooms": pg["rooms"],
        "members": pg["memberships"],
        "users": pg["users"],
        # The "rooms" collection group holds the room documents and every room-list entry.
        "room lists": pg["rooms"] + pg["memberships"],
    }
    found = {
        "rooms": _count(db.collection("rooms")),
        "members": _count(db.collection_group("members")),
        "users": _count(db.collection("users")),
        "room lists": _count(db.collection_group("rooms")),
    }
    return {
        name: (expected[name], found[name]) for name in expected if found[name] != expected[name]
    }


def scheduled_slice(budget_seconds: float) -> Outcome | None:
    """One bounded slice of the pass, resuming where the last slice stopped. A new pass
    starts when the counts show drift or the last pass is older than FULL_PASS_INTERVAL.
    None when there was nothing to do or another slice is running."""
    deadline = time.monotonic() + budget_seconds
    with pool.transaction() as conn:
        progress = queries.progress(conn)
        if progress is None:
            return None  # another instance holds the row
        starting = progress["phase"] is None
        if starting:
            finished_at: datetime | None = progress["finished_at"]
            due = finished_at is None or _now(conn) - finished_at >= FULL_PASS_INTERVAL
            differing = drift()
            if not due and not differing:
                return None
            if differing:
                log.warning("reconcile: Firestore drifted from PostgreSQL: %s", differing)
            cursor = Cursor()
        else:
            cursor = Cursor(progress["phase"], progress["after_key"])
        outcome = run(cursor, deadline=deadline)
        queries.save_progress(
            conn,
            phase=None if cursor.finished else cursor.phase,
            after_key=cursor.after,
            writes=(0 if starting else progress["writes"]) + outcome.writes,
            started=starting,
        )
    return outcome


# Pages of subjects: (key, repair or None) in key order.


def _next_page(cursor: Cursor, size: int) -> list[tuple[str, Any]]:
    db = clients.firestore()
    if cursor.phase in ("rooms", "users"):
        with pool.transaction() as conn:
            ids = queries.ids_after(conn, cursor.phase, cursor.after, size)
        repair = repair_room if cursor.phase == "rooms" else repair_user
        return [(subject, functools.partial(repair, subject)) for subject in ids]

    # Firestore's documents of subjects PostgreSQL lacks, by path.
    source = {
        "members": db.collection_group("members"),
        "lists": db.collection_group("rooms"),
        "profiles": db.collection("users"),
    }[cursor.phase]
    query = _ids_only(source).order_by(FieldPath.document_id()).limit(size)
    if cursor.after:
        query = query.start_after({FieldPath.document_id(): db.document(cursor.after)})
    paths = [_relative(snap.reference.path) for snap in query.get()]
    orphans = _orphans(paths)
    page: list[tuple[str, Any]] = []
    for path in paths:
        subject = orphans.pop(path, None)
        page.append((path, subject))
    return page


def _orphans(paths: list[str]) -> dict[str, Any]:
    """For each path whose room or user PostgreSQL lacks, the repair that removes it (one
    per subject: later paths of the same subject are gone by the time they come up)."""
    parts = {path: path.split("/") for path in paths}
    room_ids = {p[1] for p in parts.values() if p[0] == "rooms"}
    user_ids = {p[1] for p in parts.values() if p[0] == "users"}
    with pool.transaction() as conn:
        known_rooms = queries.existing(conn, "rooms", sorted(room_ids))
        known_users = queries.existing(conn, "users", sorted(user_ids))
    repairs: dict[str, Any] = {}
    seen: set[tuple[str, str]] = set()
    for path, p in parts.items():
        if p[0] == "rooms" and p[1] not in known_rooms:
            subject = ("room", p[1])
        elif p[0] == "users" and p[1] not in known_users:
            subject = ("user", p[1])
        else:
            continue  # a known subject, covered by the first two phases
        if subject not in seen:
            seen.add(subject)
            repair = repair_room if subject[0] == "room" else repair_user
            repairs[path] = functools.partial(repair, subject[1])
    return repairs


# Comparing what Firestore holds with what PostgreSQL implies.


def _owned_fields_match(held: dict[str, Any] | None, expected: dict[str, Any] | None) -> bool:
    """For merged documents: only the fields the mirror owns count."""
    if expected is None:
        return held is None
    return held is not None and all(
        key in held and held[key] == value for key, value in expected.items()
    )


def _older(held: datetime | None, recorded: datetime) -> bool:
    return held is None or held < recorded


def _get_all(db, paths: list[str]) -> dict[str, dict[str, Any]]:
    """The documents that exist among ``paths``, by path."""
    snapshots = db.get_all([db.document(path) for path in paths])
    return {_relative(s.reference.path): s.to_dict() for s in snapshots if s.exists}


def _ids_only(query):
    return query.select([FieldPath.document_id()])


def _count(query) -> int:
    result = query.count().get()
    return int(result[0][0].value)


def _relative(path: str) -> str:
    return path.split("/documents/", 1)[-1]


def _now(conn) -> datetime:
    return conn.execute("SELECT now() AS now").fetchone()["now"]
