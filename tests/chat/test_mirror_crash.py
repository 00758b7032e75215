"""A crash between the two stores converges: the mirror process is killed after Firestore
took the documents and before PostgreSQL recorded it, and the next run finishes the job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx

from tests.chat.conftest import create_room_while_firestore_is_down, pending_outbox_rows
from tests.support import emulators

# Run the functions' own mirror, and SIGKILL the process at the moment it would mark the
# outbox rows applied: Firestore has the documents, PostgreSQL's transaction dies with it.
CRASHING_MIRROR = """
import os, signal, sys
sys.path.insert(0, "functions")
import mirror
from db import outbox
outbox.mark_applied = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
mirror.apply("room", sys.argv[1])
"""


def test_killing_the_mirror_midway_converges(person, admin_db, db, functions_host, tmp_path):
    alice = person("alice")
    room_id = create_room_while_firestore_is_down(alice, tmp_path, "Crashy")

    crash = subprocess.run(
        [sys.executable, "-c", CRASHING_MIRROR, room_id],
        cwd=emulators.ROOT,
        env={
            **os.environ,
            **functions_host.env,
            "FIRESTORE_EMULATOR_HOST": functions_host.host("firestore"),
            "GCLOUD_PROJECT": functions_host.project,
        },
        capture_output=True,
        timeout=60,
    )
    assert crash.returncode == -signal.SIGKILL, crash.stderr.decode()
    assert admin_db.document(f"rooms/{room_id}/members/{alice.uid}").get().exists
    # The kill rolled back the mark, and released the advisory lock.
    assert pending_outbox_rows(db, room_id) == 1

    assert httpx.post(functions_host.functions_url("applyOutbox"), timeout=60).status_code == 200
    assert pending_outbox_rows(db, room_id) == 0
    member = admin_db.document(f"rooms/{room_id}/members/{alice.uid}").get().to_dict()
    assert member["role"] == "owner"
