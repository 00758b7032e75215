"""The room's activity (``roomActivity/{roomId}``: its newest message and sequence; functions
only) and every member's room-list row, brought up to the room's newest message after
messages arrive. Nobody listens to the activity document: it is what the writes below are
conditioned on, and it is apart from ``rooms/{roomId}`` (the room's summary, which members
listen to while the room is open) so that a busy room does not send them a document every
second.

One document sustains about one write per second, so a room's activity is written at most
once per ``SUMMARY_INTERVAL``: within an instance, the first trigger to offer a room owns
its writes and the others return at once (the owner writes what counts them, as it reads
PostgreSQL just before writing); across instances, each write is conditioned on the update
time of the activity document it read, and waits out the interval since that update. The newest
message always lands: the owner writes again while offers arrived during its write.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore as gcf

import clients
import firestore_paths
import logs
import mirror
from db import message_sequence, pool

log = logs.get(__name__)

SUMMARY_INTERVAL = 1.0
# A write conditioned on the activity document's update time loses when another writer came first;
# after this many losses in a row the trigger fails and is delivered again.
ATTEMPTS = 20


@dataclass
class _Room:
    dirty: bool = False  # offered since the owner last read PostgreSQL
    wanted: int = 0  # the highest message number offered
    owned: bool = False  # a trigger of this instance is writing it


_rooms: dict[str, _Room] = {}
_lock = threading.Lock()


def offer(room_id: str, seq: int) -> bool:
    """Message number ``seq`` of the room was delivered: bring the activity and the rows up
    to it, now or by the trigger that owns the room's writes. Returns whether this call
    wrote."""
    with _lock:
        room = _rooms.setdefault(room_id, _Room())
        room.dirty = True
        room.wanted = max(room.wanted, seq)
        if room.owned:
            return False
        room.owned = True
    wrote = False
    try:
        while True:
            with _lock:
                if not room.dirty:
                    room.owned = False
                    del _rooms[room_id]
                    return wrote
                room.dirty = False
                wanted = room.wanted
            wrote = write(room_id, wanted) or wrote
    except BaseException:
        with _lock:
            room.owned = False
            if not room.dirty:
                _rooms.pop(room_id, None)
        raise


def write(room_id: str, wanted: int) -> bool:
    """One conditioned write of the activity from PostgreSQL's current state, once the
    interval since its last update has passed, then the room-list rows. Returns whether it
    wrote (False when the activity already counts message number ``wanted``)."""
    db = clients.firestore()
    ref = db.document(firestore_paths.room_activity(room_id))
    for _ in range(ATTEMPTS):
        snapshot = ref.get()
        held = _held_seq(snapshot.to_dict())
        if held >= wanted:
            return False  # a redelivery, or another writer counted it
        if snapshot.exists and snapshot.update_time is not None:
            elapsed = time.time() - snapshot.update_time.timestamp()
            if elapsed < SUMMARY_INTERVAL:
                time.sleep(SUMMARY_INTERVAL - elapsed)
                continue  # read again: another writer may have counted it
        with pool.autocommit() as conn:  # one statement: one round trip
            state = message_sequence.room_list_state(conn, room_id, held)
        if state["seq"] <= held or state["newest"] is None:
            return False
        fields = {**mirror.last_message_fields(state["newest"]), "messageSeq": state["seq"]}
        try:
            if snapshot.exists:
                ref.update(fields, option=db.write_option(last_update_time=snapshot.update_time))
            else:
                ref.create(fields)
        except (gexc.FailedPrecondition, gexc.Conflict, gexc.NotFound):
            continue  # someone wrote it since we read it
        _update_room_lists(room_id, fields, state)
        return True
    raise RuntimeError(f"the activity of room {room_id} kept changing under its writes")


def _update_room_lists(room_id: str, fields: dict[str, Any], state: dict[str, Any]) -> None:
    """Copy the activity into every member's room-list row. Whoever sent a message since the
    last copy has read the room up to their own last message: their ``readSeq`` moves there,
    so their own messages never count as unread."""
    row = {
        "lastMessage": fields["lastMessage"],
        "lastMessageAt": fields["lastMessageAt"],
        "seq": fields["messageSeq"],
    }
    senders = state["last_sent"]
    writes: list[mirror.Write] = []
    for uid in state["member_ids"]:
        data = {**row, "readSeq": gcf.Maximum(senders[uid])} if uid in senders else row
        writes.append((firestore_paths.room_list_entry(uid, room_id), data))
    mirror.commit(writes)


def _held_seq(activity: dict[str, Any] | None) -> int:
    value = (activity or {}).get("messageSeq")
    return value if isinstance(value, int) else 0
