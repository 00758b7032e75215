"""Billed rule reads per client write, counted by the Firestore emulator.

Only Firestore runs (no functions, so no trigger reads in the count): the state a room's
rules read is written as admin, then a member writes through google-cloud-firestore with
an emulator ID token. Each row is the emulator's ``reads`` per write, for a person who
never logged out and for one with a ``revocations/{uid}`` document (issue 13: logout
reaching Firebase tokens costs one ``exists()``/``get()`` of that document per write).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from google.cloud import firestore

from benchmarks._support import table
from emulators.auth import idtokens
from tests.support import emulators
from tests.support.firebase import UserFirestore, admin_firestore

WRITES = 10


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        host = emulators.start(Path(tmp), ["firestore"], env={})
        try:
            rows = [
                [what, *(_reads_per_write(host, uid, revoked, write) for uid, revoked in PEOPLE)]
                for what, write in WRITES_MEASURED.items()
            ]
        finally:
            host.stop()
    table(["client write", "reads (never logged out)", "reads (logged out once)"], rows)


PEOPLE = (("never-out", False), ("logged-out", True))


def _post(db: firestore.Client, uid: str, i: int) -> None:
    db.collection("rooms/r1/messages").add(
        {"senderId": uid, "text": f"message {i}", "createdAt": firestore.SERVER_TIMESTAMP}
    )


def _react(db: firestore.Client, uid: str, i: int) -> None:
    db.document("rooms/r1/messages/m1").update({f"reactions.`{uid}`": [chr(0x1F600 + i)]})


def _type(db: firestore.Client, uid: str, i: int) -> None:
    db.document(f"rooms/r1/typing/{uid}").set(
        {"typing": i % 2 == 0, "expiresAt": firestore.SERVER_TIMESTAMP}
    )


def _mark_read(db: firestore.Client, uid: str, i: int) -> None:
    db.document(f"rooms/r1/reads/{uid}").set(
        {
            "lastReadAt": firestore.SERVER_TIMESTAMP,
            "lastReadMessageId": f"m{i}",
            "shareReceipts": True,
        }
    )


WRITES_MEASURED: dict[str, Callable[[firestore.Client, str, int], None]] = {
    "post a message": _post,
    "react": _react,
    "typing": _type,
    "read marker": _mark_read,
}


def _reads_per_write(host, uid: str, revoked: bool, write) -> float:
    admin = admin_firestore(host)
    now = int(time.time())
    admin.document("rooms/r1").set({"kind": "group", "archived": False})
    admin.document(f"rooms/r1/members/{uid}").set({"role": "member", "canPost": True})
    admin.document("rooms/r1/messages/m1").set(
        {"senderId": "someone", "text": "hi", "createdAt": firestore.SERVER_TIMESTAMP}
    )
    if revoked:
        admin.document(f"revocations/{uid}").set({"revokedAt": now - 60})
    token = idtokens.encode_unsigned(
        {
            "iss": idtokens.issuer(host.project),
            "aud": host.project,
            "sub": uid,
            "iat": now,
            "auth_time": now,
            "exp": now + 3600,
        }
    )
    db = UserFirestore(host, token)
    usage = f"{host.url('firestore')}/emulator/v1/projects/{host.project}:usage"
    httpx.delete(usage)
    for i in range(WRITES):
        write(db, uid, i)
    return httpx.get(usage).json()["reads"] / WRITES


if __name__ == "__main__":
    main()
