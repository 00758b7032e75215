"""Push keys as the SDKs generate them: 8 characters of millisecond time, 12 random,
in an alphabet that sorts in time order; keys made in the same millisecond still sort
in creation order."""

from __future__ import annotations

import secrets
import threading
import time

ALPHABET = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

_lock = threading.Lock()
_last_time = -1
_last_random: list[int] = []


def new_push_id(now_ms: int | None = None) -> str:
    global _last_time, _last_random
    now = int(time.time() * 1000) if now_ms is None else now_ms
    with _lock:
        if now == _last_time:
            for index in range(11, -1, -1):
                if _last_random[index] < 63:
                    _last_random[index] += 1
                    break
                _last_random[index] = 0
        else:
            _last_time = now
            _last_random = [secrets.randbelow(64) for _ in range(12)]
        random_part = "".join(ALPHABET[value] for value in _last_random)
    time_part = []
    for _ in range(8):
        time_part.append(ALPHABET[now % 64])
        now //= 64
    return "".join(reversed(time_part)) + random_part
