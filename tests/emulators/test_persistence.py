"""``python -m emulators start --data-dir``: what the emulators acknowledged survives Ctrl-C
and SIGKILL, a torn last WAL record is dropped, listeners resume with their old tokens,
and ``--import``/``--export-on-exit`` round-trip. Real processes, real SDK clients."""

from __future__ import annotations

import time
from pathlib import Path

import cloudinary.utils
import httpx
import pytest
from google.cloud import firestore
from google.cloud.firestore_v1.types import firestore as firestore_types

from tests.emulators.firestore.support import RawListen
from tests.support import emulators

ONLY = ["auth", "firestore", "database", "cloudinary"]
NAMESPACE = f"{emulators.PROJECT}-default-rtdb"
CLOUD_NAME, API_KEY, API_SECRET = "flowchat-test", "123456789012345", "persist-test-secret"
ADMIN = {"Authorization": "Bearer owner"}
TIMEOUT = 15


class Stack:
    """The emulators of one test on fixed ports, restartable on the same data dir."""

    def __init__(self, folder: Path, only: list[str] = ONLY, args: tuple[str, ...] = ()) -> None:
        self.folder = folder
        self.only = only
        self.data = folder / "data"
        env = {"CLOUDINARY_URL": f"cloudinary://{API_KEY}:{API_SECRET}@{CLOUD_NAME}"}
        args = ["--data-dir", str(self.data), *args]
        self.running = emulators.start(folder, only, env=env, args=args)

    def restart(self) -> None:
        self.running = emulators.restart(self.running, self.folder, self.only)

    def firestore(self, monkeypatch) -> firestore.Client:
        monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", self.running.host("firestore"))
        return firestore.Client(project=emulators.PROJECT)

    def rtdb(self, path: str) -> str:
        return f"{self.running.url('database')}/{path}.json?ns={NAMESPACE}"

    def auth(self, path: str) -> str:
        return f"{self.running.url('auth')}/{path}?key=fake-api-key"


@pytest.fixture
def stack(tmp_path: Path):
    holder = Stack(tmp_path)
    yield holder
    holder.running.stop()


def write_state(stack: Stack, monkeypatch, tag: str) -> dict:
    """Writes a bit of everything, tagged; returns what the checks need."""
    db = stack.firestore(monkeypatch)
    room = db.collection("rooms").document(f"room-{tag}")
    room.set({"name": tag, "createdAt": firestore.SERVER_TIMESTAMP})
    room.collection("messages").document("m1").set({"text": f"hello {tag}"})
    db.collection("rooms").document(f"gone-{tag}").set({"x": 1})
    db.collection("rooms").document(f"gone-{tag}").delete()
    stored = room.get()

    status = httpx.put(stack.rtdb(f"status/{tag}"), json={"state": "online"}, headers=ADMIN)
    assert status.status_code == 200, status.text

    created = httpx.post(
        stack.auth(f"identitytoolkit.googleapis.com/v1/projects/{emulators.PROJECT}/accounts"),
        json={"email": f"{tag}@example.com", "password": "secret-password"},
        headers=ADMIN,
    )
    assert created.status_code == 200, created.text
    signed_up = httpx.post(
        stack.auth("identitytoolkit.googleapis.com/v1/accounts:signInWithPassword"),
        json={"email": f"{tag}@example.com", "password": "secret-password"},
    )
    assert signed_up.status_code == 200, signed_up.text

    params = {"timestamp": int(time.time()), "public_id": f"pic-{tag}"}
    upload = httpx.post(
        f"{stack.running.url('cloudinary')}/v1_1/{CLOUD_NAME}/image/upload",
        data={
            **{key: str(value) for key, value in params.items()},
            "api_key": API_KEY,
            "signature": cloudinary.utils.api_sign_request(params, API_SECRET),
        },
        files={"file": ("pic.gif", GIF, "image/gif")},
    )
    assert upload.status_code == 200, upload.text
    return {
        "tag": tag,
        "create_time": stored.create_time,
        "update_time": stored.update_time,
        "created_at": stored.get("createdAt"),
        "refresh_token": signed_up.json()["refreshToken"],
        "local_id": signed_up.json()["localId"],
        "url": upload.json()["secure_url"],
    }


def check_state(stack: Stack, monkeypatch, written: dict) -> None:
    tag = written["tag"]
    db = stack.firestore(monkeypatch)
    room = db.collection("rooms").document(f"room-{tag}").get()
    assert room.exists and room.get("name") == tag
    assert room.get("createdAt") == written["created_at"]
    assert (room.create_time, room.update_time) == (
        written["create_time"],
        written["update_time"],
    )
    message = db.document(f"rooms/room-{tag}/messages/m1").get()
    assert message.get("text") == f"hello {tag}"
    assert not db.collection("rooms").document(f"gone-{tag}").get().exists

    status = httpx.get(stack.rtdb(f"status/{tag}"), headers=ADMIN)
    assert status.json() == {"state": "online"}

    signed_in = httpx.post(
        stack.auth("identitytoolkit.googleapis.com/v1/accounts:signInWithPassword"),
        json={"email": f"{tag}@example.com", "password": "secret-password"},
    )
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["localId"] == written["local_id"]
    # The session from before the restart goes on: its refresh token still works.
    refreshed = httpx.post(
        stack.auth("securetoken.googleapis.com/v1/token"),
        data={"grant_type": "refresh_token", "refresh_token": written["refresh_token"]},
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["user_id"] == written["local_id"]

    picture = httpx.get(written["url"])
    assert picture.status_code == 200 and picture.content == GIF


# The smallest valid GIF: 1x1, one colour.
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def test_state_survives_ctrl_c_and_sigkill(stack: Stack, monkeypatch) -> None:
    first = write_state(stack, monkeypatch, "first")
    assert stack.running.interrupt() == 0
    stack.restart()
    check_state(stack, monkeypatch, first)

    second = write_state(stack, monkeypatch, "second")
    stack.running.kill()  # no chance to save anything: only what was acknowledged counts
    stack.restart()
    check_state(stack, monkeypatch, first)
    check_state(stack, monkeypatch, second)
    # Commit times go on from where they were: never backwards after a restart.
    db = stack.firestore(monkeypatch)
    db.collection("rooms").document("room-second").update({"name": "second"})
    later = db.collection("rooms").document("room-second").get().update_time
    assert later >= second["update_time"]


def test_ctrl_c_exits_0_without_traceback_and_frees_the_ports(stack: Stack) -> None:
    assert stack.running.interrupt() == 0
    log = stack.running.log()
    assert "Shutting down emulators" in log
    assert "Traceback" not in log, log
    for name in ONLY:
        emulators.assert_not_listening(stack.running.ports[name])


def test_a_torn_last_record_is_dropped(tmp_path: Path, monkeypatch) -> None:
    stack = Stack(tmp_path, ["firestore"])
    try:
        db = stack.firestore(monkeypatch)
        db.document("notes/kept").set({"v": 1})
        db.document("notes/torn").set({"v": 2})
        stack.running.kill()
        wal = stack.data / "firestore.sqlite3-wal"
        size = wal.stat().st_size
        with wal.open("r+b") as handle:  # the last commit's last frame, cut short
            handle.truncate(size - 100)
        stack.restart()
        db = stack.firestore(monkeypatch)
        assert db.document("notes/kept").get().get("v") == 1
        assert not db.document("notes/torn").get().exists
        db.document("notes/after").set({"v": 3})
        assert db.document("notes/after").get().exists
    finally:
        stack.running.stop()


def _watch_rooms(db: firestore.Client, resume_token: bytes = b"") -> tuple[list, bytes]:
    """A Listen stream with one target on ``rooms``: its responses up to CURRENT, and the
    resume token that carries."""
    listen = RawListen(db)
    target = {
        "target_id": 1,
        "query": {
            "parent": f"{db._database_string}/documents",
            "structured_query": {"from_": [{"collection_id": "rooms"}]},
        },
    }
    if resume_token:
        target["resume_token"] = resume_token
    seen = []
    try:
        listen.send(add_target=target)
        while True:
            response = listen.next()
            seen.append(response)
            change = response.target_change
            if response.WhichOneof("response_type") == "target_change" and (
                change.target_change_type == firestore_types.TargetChange.TargetChangeType.CURRENT
            ):
                return seen, change.resume_token
    finally:
        listen.close()


def _changed(responses: list) -> tuple[list[str], list[str], bool]:
    """(changed document ids, deleted or removed ids, whether a RESET was sent)."""
    changed, gone, reset = [], [], False
    for response in responses:
        which = response.WhichOneof("response_type")
        if which == "document_change":
            changed.append(response.document_change.document.name.rsplit("/", 1)[-1])
        elif which in ("document_delete", "document_remove"):
            gone.append(getattr(response, which).document.rsplit("/", 1)[-1])
        elif which == "target_change":
            reset |= response.target_change.target_change_type == (
                firestore_types.TargetChange.TargetChangeType.RESET
            )
    return changed, gone, reset


@pytest.mark.parametrize("stop", ["interrupt", "kill"])
def test_resume_token_from_before_a_restart_gets_only_what_changed(
    tmp_path: Path, monkeypatch, stop: str
) -> None:
    stack = Stack(tmp_path, ["firestore"])
    try:
        db = stack.firestore(monkeypatch)
        for name in ("a", "b", "c"):
            db.document(f"rooms/{name}").set({"n": 1})
        first, token = _watch_rooms(db)
        assert sorted(_changed(first)[0]) == ["a", "b", "c"]

        getattr(stack.running, stop)()
        stack.restart()
        db = stack.firestore(monkeypatch)
        db.document("rooms/a").update({"n": 2})
        db.document("rooms/b").delete()
        db.document("rooms/d").set({"n": 1})

        responses, _ = _watch_rooms(db, resume_token=token)
        changed, gone, reset = _changed(responses)
        assert not reset
        assert sorted(changed) == ["a", "d"]  # c did not change: it is not sent again
        assert gone == ["b"]

        # A token that no history of this data dir minted starts over with a RESET.
        responses, _ = _watch_rooms(db, resume_token=token[:8] + b"\x00" * 8)
        changed, _, reset = _changed(responses)
        assert reset and sorted(changed) == ["a", "c", "d"]
    finally:
        stack.running.stop()


def test_import_and_export_on_exit(tmp_path: Path, monkeypatch) -> None:
    exported = tmp_path / "export"
    source = Stack(tmp_path / "source", args=("--export-on-exit", str(exported)))
    try:
        written = write_state(source, monkeypatch, "exported")
        assert source.running.interrupt() == 0
        assert f"Exported emulator state to {exported}" in source.running.log()
    finally:
        source.running.stop()

    # Another data dir, filled from the export at start.
    target = Stack(tmp_path / "target", args=("--import", str(exported)))
    try:
        moved = written["url"].replace(
            source.running.url("cloudinary"), target.running.url("cloudinary")
        )
        check_state(target, monkeypatch, {**written, "url": moved})
    finally:
        target.running.stop()
