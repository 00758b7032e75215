"""Ordered, limited queries on our Firestore emulator: 100 documents and 100,000 side by
side (issue 21). Production Firestore answers in time that follows the result size; the
emulator's sorted indexes (emulators/firestore/ordered.py) should do the same.

Run with ``python -m benchmarks query_scaling``. The official Python client queries a real
emulator process over 127.0.0.1; each query runs ``RUNS`` times after one warm-up run
(the first query on a large collection builds its index, timed on its own).
Target: 100,000 documents within 2x of 100, median and p99.
"""

from __future__ import annotations

import datetime
import os
import tempfile
import time
from pathlib import Path

from benchmarks._support import summary, table, timed
from tests.support import emulators

SIZES = (100, 100_000)
RUNS = 200
BATCH = 500


def _fill(db, collection: str, count: int) -> None:
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for first in range(0, count, BATCH):
        batch = db.batch()
        for number in range(first, min(count, first + BATCH)):
            batch.set(
                db.document(f"{collection}/m{number:06d}"),
                {
                    "text": f"message {number}",
                    "senderId": f"user{number % 8}",
                    "createdAt": start + datetime.timedelta(milliseconds=number),
                },
            )
        batch.commit()


def main() -> None:
    from google.cloud import firestore

    with tempfile.TemporaryDirectory() as tmp:
        host = emulators.start(Path(tmp) / "emulators", ["firestore"])
        try:
            os.environ["FIRESTORE_EMULATOR_HOST"] = host.host("firestore")
            db = firestore.Client(project=emulators.PROJECT)
            rows = []
            for size in SIZES:
                collection = f"rooms/size{size}/messages"
                started = time.perf_counter()
                _fill(db, collection, size)
                print(f"{size} documents written in {time.perf_counter() - started:.1f} s")
                messages = db.collection(collection)
                queries = {
                    "newest 1 (superseded)": messages.order_by(
                        "createdAt", direction=firestore.Query.DESCENDING
                    ).limit(1),
                    "page of 50, newest first": messages.order_by(
                        "createdAt", direction=firestore.Query.DESCENDING
                    ).limit(50),
                    "page of 50 after a cursor": messages.order_by("createdAt")
                    .start_after({"createdAt": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)})
                    .limit(50),
                }
                for label, query in queries.items():
                    first_ms = timed(query.get, 1)[0]
                    median, p99 = summary(timed(query.get, RUNS))
                    rows.append([label, size, first_ms, median, p99])
        finally:
            host.stop()
    table(["query", "documents", "first ms", "median ms", "p99 ms"], rows)
    small = {row[0]: row for row in rows if row[1] == SIZES[0]}
    for label, _, _, median, p99 in (row for row in rows if row[1] == SIZES[-1]):
        _, _, _, small_median, small_p99 = small[label]
        print(
            f"{label}: {SIZES[-1]:,} / {SIZES[0]} documents: median x{median / small_median:.2f},"
            f" p99 x{p99 / small_p99:.2f} (target < 2)"
        )


if __name__ == "__main__":
    main()
