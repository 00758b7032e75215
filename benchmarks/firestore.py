"""Firestore emulators side by side: ours against npm ``@firestore-emulator/server``.

Run with ``python -m benchmarks firestore`` (or ``python benchmarks/firestore.py``). The
community emulator is installed for the benchmark only, into benchmarks/node, with
``npm ci``. Both are driven by the same official Python client over 127.0.0.1:

- sequential writes/s (``set`` one document at a time),
- query latency over 10,000 documents (equality filter returning 100; order+limit 10),
- writes/s with 0, 10 and 100 open query listeners on the written collection (held by
  another client process),
- listener delivery latency (write call to on_snapshot callback), median and p99.

Targets (issue 3): at least 10x the community emulator's writes/s with 10 listeners;
delivery median under 5 ms.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import emulators

REPO = Path(__file__).resolve().parents[1]
NODE_DIR = REPO / "benchmarks" / "node"
PROJECT = "demo-benchmark"
WRITES = 300
LISTENER_WRITE_SECONDS = 8.0
QUERY_DOCS = 10_000
QUERY_RUNS = 20
DELIVERY_SAMPLES = 200


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port}")


def start_community() -> tuple[subprocess.Popen, int]:
    if not (NODE_DIR / "node_modules" / "@firestore-emulator" / "server").exists():
        npm = shutil.which("npm") or "npm"
        subprocess.run(
            [npm, "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund", "--loglevel=error"],
            check=True,
        )
    port = emulators.free_port()
    process = subprocess.Popen(
        ["node", str(NODE_DIR / "community-firestore.js"), str(port)],
        cwd=NODE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_port(port, process)
    return process, port


def _client(port: int):
    from google.cloud import firestore

    os.environ["FIRESTORE_EMULATOR_HOST"] = f"127.0.0.1:{port}"
    return firestore.Client(project=PROJECT)


def sequential_writes(db) -> float:
    col = db.collection(f"w{uuid.uuid4().hex[:8]}")
    started = time.perf_counter()
    for i in range(WRITES):
        col.document(f"d{i}").set({"i": i, "text": "hello"})
    return WRITES / (time.perf_counter() - started)


def query_latency(db) -> dict[str, float]:
    from google.cloud.firestore_v1.base_query import FieldFilter

    col = db.collection(f"q{uuid.uuid4().hex[:8]}")
    for start in range(0, QUERY_DOCS, 500):
        batch = db.batch()
        for i in range(start, start + 500):
            batch.set(col.document(f"d{i:05}"), {"n": i, "g": i % 100, "text": "x" * 20})
        batch.commit()
    equality = col.where(filter=FieldFilter("g", "==", 7))
    ordered = col.where(filter=FieldFilter("n", ">=", 5000)).order_by("n").limit(10)
    results = {}
    for label, query, expected in (("eq100", equality, 100), ("range10", ordered, 10)):
        samples = []
        for _ in range(QUERY_RUNS):
            started = time.perf_counter()
            found = len(list(query.stream()))
            samples.append((time.perf_counter() - started) * 1000)
            if found != expected:
                results[f"{label}_wrong"] = found
        results[label] = statistics.median(samples)
    return results


LISTENER_PROCESS = """
import sys, threading
from google.cloud import firestore
db = firestore.Client(project=sys.argv[1])
col = db.collection(sys.argv[2])
ready = threading.Semaphore(0)
watches = []
for _ in range(int(sys.argv[3])):
    first = threading.Event()
    def callback(docs, changes, read_time, first=first):
        if not first.is_set():
            first.set()
            ready.release()
    watches.append(col.on_snapshot(callback))
for _ in watches:
    ready.acquire(timeout=60)
print("listening", flush=True)
sys.stdin.read()
"""


def writes_with_listeners(db, port: int, listeners: int) -> float:
    """Listeners are other clients: they run in their own process, as other users would,
    so their client-side work does not share the writer's interpreter lock."""
    col = db.collection(f"l{uuid.uuid4().hex[:8]}")
    col.document("seed").set({"i": -1})
    process = subprocess.Popen(
        [sys.executable, "-c", LISTENER_PROCESS, PROJECT, col.id, str(listeners)],
        env=dict(os.environ, FIRESTORE_EMULATOR_HOST=f"127.0.0.1:{port}"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        if process.stdout.readline().strip() != "listening":
            raise RuntimeError("listener process failed")
        count = 0
        started = time.perf_counter()
        while count < WRITES and time.perf_counter() - started < LISTENER_WRITE_SECONDS:
            col.document(f"d{count}").set({"i": count})
            count += 1
        return count / (time.perf_counter() - started)
    finally:
        process.kill()
        process.wait()


def delivery_latency(db) -> tuple[float, float, int]:
    col = db.collection(f"lat{uuid.uuid4().hex[:8]}")
    delivered = threading.Event()
    arrived: list[float] = []
    expected = {"i": None}

    def callback(docs, changes, read_time):
        for change in changes:
            if change.document.get("i") == expected["i"]:
                arrived.append(time.perf_counter())
                delivered.set()

    col.document("warm").set({"i": -1})
    watch = col.on_snapshot(callback)
    time.sleep(0.5)
    samples = []
    lost = 0
    try:
        for i in range(DELIVERY_SAMPLES):
            delivered.clear()
            expected["i"] = i
            started = time.perf_counter()
            col.document("probe").set({"i": i})
            if delivered.wait(2.0):
                samples.append((arrived[-1] - started) * 1000)
            else:
                lost += 1
    finally:
        watch.unsubscribe()
    if not samples:
        return float("nan"), float("nan"), lost
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return statistics.median(samples), p99, lost


@dataclass
class Results:
    name: str
    values: dict[str, float | str] = field(default_factory=dict)


def measure(name: str, port: int) -> Results:
    results = Results(name)
    db = _client(port)
    steps = [
        ("sequential writes/s", lambda: sequential_writes(db)),
        ("query", lambda: query_latency(db)),
        ("writes/s, 0 listeners", lambda: writes_with_listeners(db, port, 0)),
        ("writes/s, 10 listeners", lambda: writes_with_listeners(db, port, 10)),
        ("writes/s, 100 listeners", lambda: writes_with_listeners(db, port, 100)),
        ("delivery", lambda: delivery_latency(db)),
    ]
    for label, step in steps:
        try:
            value = step()
        except Exception as exc:  # a failing emulator is reported, not fatal
            results.values[label] = f"error: {type(exc).__name__}"
            continue
        if label == "query":
            results.values["query ms, == over 10k (100 hits)"] = value["eq100"]
            results.values["query ms, range+order+limit 10"] = value["range10"]
            for key, found in value.items():
                if key.endswith("_wrong"):
                    results.values[f"WRONG result count ({key})"] = found
        elif label == "delivery":
            median, p99, lost = value
            results.values["delivery median ms"] = median
            results.values["delivery p99 ms"] = p99
            if lost:
                results.values["deliveries lost"] = lost
        else:
            results.values[label] = value
        print(f"  {name}: {label} done", flush=True)
    db.close()
    return results


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"
    return str(value)


def print_table(ours: Results, theirs: Results) -> None:
    rows = list(dict.fromkeys([*ours.values, *theirs.values]))
    width = max(len(row) for row in rows) + 2
    print(f"\n{'metric':<{width}}{'FlowChat':>14}{'@firestore-emulator':>22}{'ratio':>9}")
    for row in rows:
        a, b = ours.values.get(row, "-"), theirs.values.get(row, "-")
        ratio = ""
        if isinstance(a, float) and isinstance(b, float) and a > 0 and b > 0:
            ratio = f"{(a / b if '/s' in row else b / a):.1f}x"
        print(f"{row:<{width}}{_format(a):>14}{_format(b):>22}{ratio:>9}")
    print("(ratio: how many times better ours is; higher writes/s, lower ms)")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        running = emulators.start(Path(folder), ["firestore"])
        try:
            community_process, community_port = start_community()
        except Exception:
            running.stop()
            raise
        try:
            print("measuring FlowChat's emulator ...", flush=True)
            ours = measure("FlowChat", running.ports["firestore"])
            print("measuring @firestore-emulator/server ...", flush=True)
            theirs = measure("community", community_port)
        finally:
            running.stop()
            community_process.terminate()
            try:
                community_process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                community_process.kill()
    print_table(ours, theirs)


if __name__ == "__main__":
    main()
