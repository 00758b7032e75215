"""The warning for a document written faster than Firestore sustains (about once a second):
decided on commit times, then seen in the log of a running emulator."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from emulators.firestore.hotspots import HotDocumentMonitor
from tests.support import emulators

DATABASE = "projects/demo-p/databases/(default)"
WRITTEN = object()  # stands for the document after a write; the monitor looks at no more


def write(monitor: HotDocumentMonitor, path: str, at: float) -> None:
    monitor.observe(DATABASE, [(path, None, WRITTEN)], int(at * 1_000_000))


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "emulators.firestore.hotspots"]


@pytest.fixture(autouse=True)
def capture(caplog):
    caplog.set_level(logging.WARNING, logger="emulators.firestore.hotspots")


def test_twice_a_second_for_five_seconds_is_named_once(caplog):
    monitor = HotDocumentMonitor()
    for step in range(13):
        write(monitor, "rooms/r1", 1000 + step * 0.5)
    assert warnings(caplog) == [
        "Document rooms/r1 was written 11 times in 5.0 s; Firestore sustains about one write "
        "per second per document (cloud.google.com/firestore/docs/best-practices)"
    ]
    for step in range(13, 40):  # still hot: no second warning within the minute
        write(monitor, "rooms/r1", 1000 + step * 0.5)
    assert len(warnings(caplog)) == 1
    for step in range(12):  # a minute later, still hot: named again
        write(monitor, "rooms/r1", 1080 + step * 0.5)
    assert len(warnings(caplog)) == 2


def test_a_burst_or_once_a_second_is_not_hot(caplog):
    monitor = HotDocumentMonitor()
    for step in range(50):  # a batch: 50 writes in half a second
        write(monitor, "rooms/burst", 1000 + step * 0.01)
    for step in range(30):  # one write a second, for half a minute
        write(monitor, "rooms/steady", 2000 + step)
    assert warnings(caplog) == []


def test_deletes_and_other_documents_do_not_count(caplog):
    monitor = HotDocumentMonitor()
    for step in range(20):
        monitor.observe(DATABASE, [("rooms/gone", None, None)], int((1000 + step * 0.5) * 1e6))
        write(monitor, f"rooms/r{step}", 1000 + step * 0.5)
    assert warnings(caplog) == []


def test_a_running_emulator_logs_the_hot_document(tmp_path):
    running = emulators.start(tmp_path, ["firestore"])
    try:
        base = f"{running.url('firestore')}/v1/projects/{running.project}/databases/(default)"
        owner = {"Authorization": "Bearer owner"}
        started = time.monotonic()
        n = 0
        with httpx.Client(headers=owner) as client:
            while time.monotonic() - started < 5.6:
                body = {"fields": {"n": {"integerValue": str(n)}}}
                response = client.patch(f"{base}/documents/rooms/hot", json=body)
                assert response.status_code == 200, response.text
                n += 1
                time.sleep(0.1)
        deadline = time.monotonic() + 5
        while "Document rooms/hot was written" not in running.log():
            assert time.monotonic() < deadline, running.log()
            time.sleep(0.05)
        assert running.log().count("Document rooms/hot was written") == 1
    finally:
        running.stop()
