"""Memory of the functions host around 50 concurrent logins (issue 21: it rose from 100 to
482 MiB and never came back down). argon2id holds 19 MiB per hash while it runs.

Printed: the resident memory of each instance of the functions (the functions host's own
process and its further instances, ``emulators/functions/instances.py``; a function's memory
limit is per instance) before the burst, its peak during it, and 10, 30 and 60 s after it;
the logins' answers by status and their latency.
Target: each instance back within 100 MiB of its start within a minute.
Run with ``python -m benchmarks login_memory``.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from benchmarks._support import summary, table
from benchmarks.chat import chat_stack
from emulators.functions import instances
from tests.support.accounts import new_account
from tests.support.emulators import serving_instances

CONCURRENT = 50
AFTER = (10, 30, 60)


def main() -> None:
    with chat_stack() as (host, _):
        base = host.functions_url().rstrip("/")
        with httpx.Client(base_url=base, timeout=60) as api:
            account = new_account(api)
        body = json.dumps({"login": account["user"]["username"], "password": account["password"]})
        pids = serving_instances(host, instances.count(os.environ))
        # Warm: a first login loads what logins use. These may all reach one instance; one
        # left cold starts lower, which only makes the target harder.
        for _ in pids:
            _login(f"{base}/login", body)
        start = [rss_mib(pid) for pid in pids]
        peak = list(start)
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                peak[:] = [max(seen, rss_mib(pid)) for seen, pid in zip(peak, pids, strict=True)]
                time.sleep(0.1)

        sampler = threading.Thread(target=sample)
        sampler.start()
        statuses, millis = _burst(f"{base}/login", body)
        sampling.set()
        sampler.join()
        burst_end = time.monotonic()
        after = []
        for seconds in AFTER:
            time.sleep(max(0.0, burst_end + seconds - time.monotonic()))
            after.append([rss_mib(pid) for pid in pids])
    median, p99 = summary(millis) if millis else (0.0, 0.0)
    table(
        ["measure", "value"],
        [
            ["answers", ", ".join(f"{n} x {status}" for status, n in sorted(statuses.items()))],
            ["login median / p99 ms", f"{median:.0f} / {p99:.0f}"],
            ["instances", len(pids)],
            ["RSS before, MiB (each instance)", _each(start)],
            ["RSS peak, MiB", _each(peak)],
            *[[f"RSS {s} s after, MiB", _each(mib)] for s, mib in zip(AFTER, after, strict=True)],
            [
                "each back within 100 MiB in 60 s",
                all(end - begin <= 100 for begin, end in zip(start, after[-1], strict=True)),
            ],
        ],
    )


def _login(url: str, body: str) -> int:
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=120)
    try:
        connection.request("POST", where.path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _burst(url: str, body: str) -> tuple[Counter, list[float]]:
    statuses: Counter = Counter()
    millis: list[float] = []
    start = threading.Barrier(CONCURRENT)

    def one() -> None:
        start.wait()
        began = time.perf_counter()
        status = _login(url, body)
        statuses[status] += 1
        if status == 200:
            millis.append((time.perf_counter() - began) * 1000)

    threads = [threading.Thread(target=one) for _ in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, millis


def _each(mib: list[float]) -> str:
    return " / ".join(f"{value:.1f}" for value in mib)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    main()
