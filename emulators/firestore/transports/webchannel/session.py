"""WebChannel sessions: the numbered arrays waiting for the back channel, acknowledgements,
and which back-channel request currently owns the session.

Arrays are appended from any thread (the engine notifies listeners from the committing
thread); back-channel requests wait for them on the server's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

# A session with no back channel and no forward traffic for this long is dropped.
SESSION_IDLE_SECONDS = 120.0
# How long a back channel may be absent before forward POSTs report it missing.
BACKCHANNEL_GRACE_SECONDS = 5.0
# How often idle sessions are looked for, so a closed tab's listeners do not linger.
SWEEP_INTERVAL_SECONDS = 30.0
# A session whose back channel the client dropped (a tab closed, a page navigated away) and
# that hears nothing more from the client for this long is closed: production's Listen
# streams end with their connection, and so do the document reads they bill. A client that
# lost its back channel to the network opens another within this time, or is told the SID
# is unknown and starts a new session, as after any lost connection.
DROPPED_GRACE_SECONDS = 2.0


class StreamBridge(Protocol):
    """The Firestore stream behind a session (Listen or Write)."""

    def handle(self, message: Any) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class OutgoingArray:
    array_id: int
    text: str  # the JSON of ``[array_id, payload]``

    @property
    def size(self) -> int:
        return len(self.text)


class ChannelSession:
    def __init__(self, loop: asyncio.AbstractEventLoop, rpc: str, database: str) -> None:
        self.sid = secrets.token_urlsafe(12)
        self.http_session_id = secrets.token_urlsafe(12)
        self.rpc = rpc
        self.database = database
        self.bridge: StreamBridge | None = None
        self.forward_lock = asyncio.Lock()
        self.last_map_id = -1
        self.closed = False
        self._loop = loop
        self._lock = threading.Lock()
        self._arrays: list[OutgoingArray] = []
        self._next_array_id = 1  # 0 is the handshake's "c" array
        self._changed = asyncio.Event()
        self._back_channel_owner = 0
        self._back_channel_active = False
        self._last_seen = time.monotonic()
        self._back_channel_seen = time.monotonic()
        self._dropped_at: float | None = None  # when the client last dropped its back channel

    # --- outgoing arrays (any thread) ------------------------------------------------------

    def push(self, payload: Any) -> None:
        with self._lock:
            if self.closed:
                return
            array_id = self._next_array_id
            self._next_array_id += 1
            text = json.dumps([array_id, payload], separators=(",", ":"), ensure_ascii=True)
            self._arrays.append(OutgoingArray(array_id, text))
        self._wake()

    def push_message(self, message: dict[str, Any]) -> None:
        self.push([message])

    def push_error(self, http_status: int, status: str, message: str) -> None:
        self.push([{"error": {"code": http_status, "message": message, "status": status}}])

    def acknowledge(self, last_array_id: int) -> None:
        with self._lock:
            self._arrays = [a for a in self._arrays if a.array_id > last_array_id]

    def arrays_after(self, array_id: int) -> list[OutgoingArray]:
        with self._lock:
            return [a for a in self._arrays if a.array_id > array_id]

    @property
    def last_array_id(self) -> int:
        with self._lock:
            return self._next_array_id - 1

    def outstanding_bytes(self) -> int:
        with self._lock:
            return sum(a.size for a in self._arrays)

    # --- back channel (event loop) -------------------------------------------------------

    def claim_back_channel(self) -> int:
        """A new back-channel request takes over; an older one still open ends."""
        self._back_channel_owner += 1
        self._back_channel_active = True
        self._back_channel_seen = time.monotonic()
        self._dropped_at = None
        self._changed.set()
        return self._back_channel_owner

    def owns_back_channel(self, owner: int) -> bool:
        return owner == self._back_channel_owner and not self.closed

    def release_back_channel(self, owner: int, dropped: bool = False) -> None:
        """The back-channel request ``owner`` ended: answered, or (``dropped``) abandoned
        by the client before it was."""
        if owner == self._back_channel_owner:
            self._back_channel_active = False
            self._back_channel_seen = time.monotonic()
            if dropped:
                self._dropped_at = self._back_channel_seen

    def back_channel_present(self) -> bool:
        recent = time.monotonic() - self._back_channel_seen < BACKCHANNEL_GRACE_SECONDS
        return self._back_channel_active or recent

    async def wait_for_arrays(self, after: int, timeout: float, owner: int) -> bool:
        """Waits until an array newer than ``after`` exists, the session closes or another
        back channel takes over; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            self._changed.clear()
            if self.arrays_after(after) or not self.owns_back_channel(owner):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return False

    def _wake(self) -> None:
        # RuntimeError: the loop is gone because the server is shutting down.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._changed.set)

    # --- lifecycle -----------------------------------------------------------------------

    def touch(self) -> None:
        self._last_seen = time.monotonic()

    def idle_for(self) -> float:
        if self._back_channel_active:
            return 0.0
        return time.monotonic() - max(self._last_seen, self._back_channel_seen)

    def expired(self) -> bool:
        """Idle too long, or dropped by its client and not heard from since."""
        if self._dropped_at is not None and self._last_seen <= self._dropped_at:
            return self.idle_for() > DROPPED_GRACE_SECONDS
        return self.idle_for() > SESSION_IDLE_SECONDS

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
        if self.bridge is not None:
            self.bridge.close()
        self._wake()


class SessionRegistry:
    def __init__(self) -> None:
        self._sessions: dict[str, ChannelSession] = {}
        self._lock = threading.Lock()
        self._sweeping = False

    def create(
        self,
        rpc: str,
        database: str,
        bridge_factory: Callable[[ChannelSession], StreamBridge],
    ) -> ChannelSession:
        loop = asyncio.get_running_loop()
        session = ChannelSession(loop, rpc, database)
        session.bridge = bridge_factory(session)
        with self._lock:
            self._sessions[session.sid] = session
        if not self._sweeping:
            self._sweeping = True
            loop.call_later(SWEEP_INTERVAL_SECONDS, self._sweep, loop)
        return session

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        self.expire_idle()
        with self._lock:
            self._sweeping = bool(self._sessions)
        if self._sweeping:
            loop.call_later(SWEEP_INTERVAL_SECONDS, self._sweep, loop)

    def get(self, sid: str | None) -> ChannelSession | None:
        self.expire_idle()
        with self._lock:
            session = self._sessions.get(sid or "")
        if session is not None:
            session.touch()
        return session

    def close(self, sid: str) -> bool:
        with self._lock:
            session = self._sessions.pop(sid, None)
        if session is None:
            return False
        session.close()
        return True

    def expire_idle(self) -> None:
        with self._lock:
            idle = [s for s in self._sessions.values() if s.expired()]
            for session in idle:
                del self._sessions[session.sid]
        for session in idle:
            session.close()

    def close_all(self) -> None:
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for session in sessions:
            session.close()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)
