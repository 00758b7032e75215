"""Chat costs and latencies against the emulators, side by side in one run.

- Firestore operations per ordinary message in rooms of 2, 100 and 10,000 members with two
  listeners open, counted by the Firestore emulator, against the naive design that writes
  one inbox document per member for every message.
- Trigger latency from message commit to the room summary and to the recipient's
  notification, as seen by listeners.
- checkPermission latency against PostgreSQL over HTTP.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from google.cloud import firestore

from benchmarks._support import summary, table, timed
from tests.support import emulators
from tests.support.accounts import new_account
from tests.support.database import fresh_database
from tests.support.firebase import UserFirestore, admin_firestore, call, eventually, sign_in

ROOM_SIZES = (2, 100, 10_000)
MESSAGES = 10
SPACING = 1.05  # seconds between messages: every message may move the summary
LATENCY_MESSAGES = 20


def main() -> None:
    with chat_stack() as (host, database_url):
        Bench(host, database_url).run()


@contextmanager
def chat_stack(
    more_env: dict[str, str] | None = None,
) -> Iterator[tuple[emulators.EmulatorProcess, str]]:
    """The emulators and the functions on a fresh database: (host, database URL)."""
    with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as database_url:
        env = {
            "DATABASE_URL": database_url,
            "JWT_SECRET": secrets.token_urlsafe(48),
            "PUSH_LOG_PATH": str(Path(tmp) / "pushes.jsonl"),
            **(more_env or {}),
        }
        host = emulators.start(
            Path(tmp) / "emulators", ["auth", "firestore", "database", "functions"], env=env
        )
        try:
            yield host, database_url
        finally:
            host.stop()


class Bench:
    def __init__(self, host: emulators.EmulatorProcess, database_url: str) -> None:
        self.host = host
        self.database_url = database_url
        self.http = httpx.Client(base_url=host.functions_url(), timeout=120)
        self.admin = admin_firestore(host)

    def person(self) -> dict:
        account = new_account(self.http)
        id_token = sign_in(self.host, account["firebaseToken"])
        return {
            **account,
            "uid": account["user"]["id"],
            "id_token": id_token,
            "db": UserFirestore(self.host, id_token),
        }

    def usage(self) -> dict:
        response = httpx.get(
            f"{self.host.url('firestore')}/emulator/v1/projects/{self.host.project}:usage"
        )
        return response.json()

    def reset_usage(self) -> None:
        httpx.delete(f"{self.host.url('firestore')}/emulator/v1/projects/{self.host.project}:usage")

    def run(self) -> None:
        sender = self.person()
        rows = [self.cost_row(sender, size) for size in ROOM_SIZES]
        table(
            [
                "members",
                "writes/msg",
                "reads/msg",
                "listener reads/msg",
                "naive writes/msg",
                "mirror s",
            ],
            rows,
        )
        print("\n(reads include the rules' get()/exists() of the membership and the room, which")
        print(" Firestore bills; listener reads are per open listener)")
        print()
        self.latency(sender)
        print()
        self.check_permission(sender)

    def add_members(self, room_id: str, count: int) -> float:
        """Add ``count`` people to the room straight in PostgreSQL, then time the mirror."""
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            ids = [str(uuid.uuid4()) for _ in range(count)]
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO users (id, email, username, display_name, password_hash)"
                    " VALUES (%s, %s, %s, 'Member', 'not-a-hash')",
                    [(i, f"{i}@example.com", f"m{i.replace('-', '')[:20]}") for i in ids],
                )
                cur.executemany(
                    "INSERT INTO memberships (room_id, user_id, role, notify)"
                    " VALUES (%s, %s, 'member', 'mentions')",
                    [(room_id, i) for i in ids],
                )
            conn.execute(
                "INSERT INTO outbox (topic, subject_id, user_ids) VALUES ('room', %s, %s::uuid[])",
                (room_id, ids),
            )
        start = time.perf_counter()
        self.http.post("/applyOutbox").raise_for_status()
        return time.perf_counter() - start

    def cost_row(self, sender: dict, size: int) -> list:
        result = call(
            self.host, "createRoom", {"name": f"Room of {size}"}, sender["id_token"]
        ).json()["result"]
        room_id = result["roomId"]
        mirror_seconds = self.add_members(room_id, size - 1)
        messages = self.admin.collection(f"rooms/{room_id}/messages")
        watches = [
            messages.order_by("createdAt", direction=firestore.Query.DESCENDING)
            .limit(50)
            .on_snapshot(lambda *_: None)
            for _ in range(2)
        ]
        time.sleep(0.5)
        self.reset_usage()
        last = None
        for i in range(MESSAGES):
            _, ref = (
                sender["db"]
                .collection(f"rooms/{room_id}/messages")
                .add(
                    {
                        "senderId": sender["uid"],
                        "text": f"message {i}",
                        "createdAt": firestore.SERVER_TIMESTAMP,
                    }
                )
            )
            last = ref.id
            time.sleep(SPACING)
        eventually(
            lambda: (
                (self.admin.document(f"rooms/{room_id}").get().to_dict() or {})
                .get("lastMessage", {})
                .get("id")
                == last
            ),
            timeout=30,
        )
        time.sleep(0.5)
        used = self.usage()
        self.reset_usage()
        for watch in watches:
            watch.unsubscribe()

        naive_messages = 2 if size > 1000 else MESSAGES
        member_ids = [
            doc.id for doc in self.admin.collection(f"rooms/{room_id}/members").list_documents()
        ]
        self.reset_usage()
        for i in range(naive_messages):
            message_id = f"naive{i}"
            # Elsewhere than rooms/, so that our own message trigger stays out of the count.
            writes = [(f"naive/{room_id}/messages/{message_id}", {"text": "x"})]
            writes += [
                (f"users/{uid}/inbox/{message_id}", {"roomId": room_id}) for uid in member_ids
            ]
            for start in range(0, len(writes), 500):
                batch = self.admin.batch()
                for path, data in writes[start : start + 500]:
                    batch.set(self.admin.document(path), data)
                batch.commit()
        naive = self.usage()
        return [
            size,
            used.get("writes", 0) / MESSAGES,
            used.get("reads", 0) / MESSAGES,
            used.get("listener_reads", 0) / MESSAGES,
            naive.get("writes", 0) / naive_messages,
            mirror_seconds,
        ]

    def latency(self, sender: dict) -> None:
        bob = self.person()
        room_id = call(
            self.host, "createRoom", {"kind": "direct", "userId": bob["uid"]}, sender["id_token"]
        ).json()["result"]["roomId"]
        seen_summary: dict[str, float] = {}
        seen_note: dict[str, float] = {}
        lock = threading.Lock()

        def on_summary(snapshots, *_):
            now = time.perf_counter()
            for snap in snapshots:
                last = (snap.to_dict() or {}).get("lastMessage", {}).get("id")
                with lock:
                    seen_summary.setdefault(last, now)

        def on_notes(snapshots, changes, *_):
            now = time.perf_counter()
            for change in changes:
                with lock:
                    seen_note.setdefault(change.document.get("messageId"), now)

        w1 = self.admin.document(f"rooms/{room_id}").on_snapshot(on_summary)
        w2 = self.admin.collection(f"users/{bob['uid']}/notifications").on_snapshot(on_notes)
        time.sleep(0.5)
        sent: dict[str, float] = {}
        for i in range(LATENCY_MESSAGES):
            _, ref = (
                sender["db"]
                .collection(f"rooms/{room_id}/messages")
                .add(
                    {
                        "senderId": sender["uid"],
                        "text": f"ping {i}",
                        "createdAt": firestore.SERVER_TIMESTAMP,
                    }
                )
            )
            sent[ref.id] = time.perf_counter()
            time.sleep(SPACING)
        eventually(
            lambda: len(seen_note) >= LATENCY_MESSAGES and all(m in seen_summary for m in sent),
            timeout=30,
        )
        w1.unsubscribe()
        w2.unsubscribe()
        to_summary = [(seen_summary[m] - t) * 1000 for m, t in sent.items()]
        to_note = [(seen_note[m] - t) * 1000 for m, t in sent.items()]
        table(
            ["trigger latency (commit -> listener)", "messages", "median ms", "p99 ms"],
            [
                ["room summary updated", LATENCY_MESSAGES, *summary(to_summary)],
                ["recipient notification written", LATENCY_MESSAGES, *summary(to_note)],
            ],
        )

    def check_permission(self, sender: dict) -> None:
        room_id = call(self.host, "createRoom", {"name": "Perm"}, sender["id_token"]).json()[
            "result"
        ]["roomId"]
        headers = {"Authorization": f"Bearer {sender['accessToken']}"}

        def check() -> None:
            self.http.post(
                "/checkPermission", json={"roomId": room_id, "action": "post"}, headers=headers
            ).raise_for_status()

        check()
        table(
            ["request", "runs", "median ms", "p99 ms"],
            [["checkPermission", 300, *summary(timed(check, 300))]],
        )
