"""Runs an ASGI app under uvicorn in a background thread, for the HTTP emulators."""

from __future__ import annotations

import asyncio
import threading
import time

import uvicorn

from emulators.config import Address


class BackgroundServer:
    def __init__(self, app, address: Address, *, name: str, **uvicorn_options) -> None:
        config = uvicorn.Config(
            app,
            host=address.host,
            port=address.port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            **uvicorn_options,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"{name}-server", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            asyncio.run(self._server.serve())
        except BaseException as exc:  # surfaced by start()
            self._error = exc

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"server failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                raise TimeoutError("server did not start in time")
            time.sleep(0.01)

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
