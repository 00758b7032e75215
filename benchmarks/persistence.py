"""What keeping state in a data directory costs: Firestore writes/s with ``--data-dir``
against in memory, side by side in one run, and start-up time with 100,000 documents.

Run with ``python -m benchmarks persistence``. Each mode runs in its own emulator process,
both at once, driven by the official Python client over 127.0.0.1; batches alternate
between them for ``ROUNDS`` rounds and the median batch counts, so that a noisy neighbour
hurts both alike.

- sequential writes/s: one ``set`` at a time (each waits for its commit);
- concurrent writes/s: ``THREADS`` clients writing at once (the engine's lock and the
  journal's SQLite transaction are the shared path);
- start-up: from launching ``python -m emulators start --only firestore`` to a first query
  answered, with an empty data dir and with ``STARTUP_DOCS`` chat-message documents in it.

Targets (issue 12): persistent writes at least 70% of in-memory throughput; start-up with
100,000 documents under 3 s.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks._support import table
from emulators.firestore import protos
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.persistence import FirestoreJournal
from emulators.firestore.security import ADMIN
from tests.support import emulators

PROJECT = "demo-benchmark"
DATABASE = f"projects/{PROJECT}/databases/(default)"
ROUNDS = 10
SEQUENTIAL_WRITES = 150
THREADS = 8
CONCURRENT_WRITES_PER_THREAD = 40
STARTUP_DOCS = 100_000
STARTUP_BATCH = 500


def _client(port: int):
    from google.cloud import firestore

    os.environ["FIRESTORE_EMULATOR_HOST"] = f"127.0.0.1:{port}"
    return firestore.Client(project=PROJECT)


def _message(i: int) -> dict:
    return {"text": f"message number {i} " * 3, "senderId": f"user-{i % 50}", "n": i}


def sequential(db, tag: str) -> float:
    collection = db.collection(f"sequential-{tag}")
    started = time.perf_counter()
    for i in range(SEQUENTIAL_WRITES):
        collection.document(f"m{i}").set(_message(i))
    return SEQUENTIAL_WRITES / (time.perf_counter() - started)


def concurrent(db, tag: str) -> float:
    def writer(thread: int) -> None:
        collection = db.collection(f"concurrent-{tag}-{thread}")
        for i in range(CONCURRENT_WRITES_PER_THREAD):
            collection.document(f"m{i}").set(_message(i))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return THREADS * CONCURRENT_WRITES_PER_THREAD / (time.perf_counter() - started)


def write_rates(folder: Path) -> dict[str, dict[str, list[float]]]:
    """Both emulators run at once; each round measures one batch on each, in alternating
    order, so that load from elsewhere on the machine falls on both alike."""
    modes = {"in memory": [], "data dir": ["--data-dir", str(folder / "data")]}
    running = {
        mode: emulators.start(folder / mode.replace(" ", "-"), ["firestore"], args=args)
        for mode, args in modes.items()
    }
    rates: dict[str, dict[str, list[float]]] = {
        mode: {"sequential": [], "concurrent": []} for mode in modes
    }
    try:
        clients = {mode: _client(each.ports["firestore"]) for mode, each in running.items()}
        for db in clients.values():
            sequential(db, "warm-up")
        for round_number in range(ROUNDS):
            order = list(modes) if round_number % 2 == 0 else list(reversed(modes))
            for mode in order:
                rates[mode]["sequential"].append(sequential(clients[mode], str(round_number)))
                rates[mode]["concurrent"].append(concurrent(clients[mode], str(round_number)))
    finally:
        for each in running.values():
            each.stop()
    return rates


def fill(folder: Path, count: int) -> None:
    """``count`` message documents written through the engine and its journal, as the
    emulator would have written them (in commits of ``STARTUP_BATCH``)."""
    engine = FirestoreEngine()
    journal = FirestoreJournal(folder)
    journal.attach(engine)
    for start in range(0, count, STARTUP_BATCH):
        request = protos.CommitRequest(database=DATABASE)
        for i in range(start, min(count, start + STARTUP_BATCH)):
            write = request.writes.add()
            write.update.name = f"{DATABASE}/documents/rooms/r{i % 100}/messages/m{i}"
            write.update.fields["text"].string_value = _message(i)["text"]
            write.update.fields["senderId"].string_value = _message(i)["senderId"]
            write.update.fields["n"].integer_value = i
            transform = write.update_transforms.add(field_path="createdAt")
            transform.set_to_server_value = protos.DocumentTransform.FieldTransform.REQUEST_TIME
        engine.commit(request, ADMIN)
    journal.close()


def startup_seconds(folder: Path, data: Path) -> float:
    """Launch to a first query answered (the documents are all loaded by then)."""
    config, ports = emulators.write_config(folder, ["firestore"])
    started = time.perf_counter()
    command = [sys.executable, "-m", "emulators", "start", "--only", "firestore"]
    process = subprocess.Popen(
        [*command, "--config", str(config), "--project", PROJECT, "--data-dir", str(data)],
        cwd=emulators.ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in process.stdout:
            if "All emulators ready" in line:
                break
        db = _client(ports["firestore"])
        db.collection("rooms").document("r1").collection("messages").limit(1).get()
        return time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        print(f"writes: {ROUNDS} rounds, in memory and with --data-dir in turn", flush=True)
        rates = write_rates(folder)
        rows = []
        for kind in ("sequential", "concurrent"):
            memory = statistics.median(rates["in memory"][kind])
            disk = statistics.median(rates["data dir"][kind])
            rows.append([f"{kind} writes/s", memory, disk, f"{100 * disk / memory:.0f}%"])
        table(["Firestore", "in memory", "data dir", "data dir / memory"], rows)

        print(f"\nfilling a data dir with {STARTUP_DOCS:,} documents ...", flush=True)
        empty, full = folder / "empty", folder / "full"
        empty.mkdir()
        fill(full, STARTUP_DOCS)
        size = sum(path.stat().st_size for path in full.iterdir()) / 1e6
        rows = [
            ["empty data dir", startup_seconds(folder / "start-empty", empty)],
            [
                f"{STARTUP_DOCS:,} documents ({size:.0f} MB)",
                startup_seconds(folder / "start-full", full),
            ],
        ]
        print()
        table(["start-up to first query", "seconds"], rows)


if __name__ == "__main__":
    main()
