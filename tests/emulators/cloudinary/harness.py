"""Helpers for the Cloudinary emulator tests: the server as a subprocess, a notification
receiver, and test pictures."""

from __future__ import annotations

import io
import json
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

from tests.support.emulators import free_port

REPO_ROOT = Path(__file__).resolve().parents[3]
CLOUD_NAME = "flowchat-test"
API_KEY = "987654321098765"
# A throwaway secret for this test server only.
API_SECRET = "test-secret-not-for-production"
MAX_FILE_SIZE = 300_000


@dataclass
class Server:
    base_url: str
    root: Path
    process: subprocess.Popen
    output: list[str] = field(default_factory=list)

    @property
    def storage(self) -> Path:
        return self.root / ".flowchat" / "cloudinary"

    def stored_files(self) -> list[Path]:
        originals = self.storage / "originals"
        return sorted(p for p in originals.rglob("*") if p.is_file()) if originals.exists() else []


def start_server(root: Path, environ: dict[str, str], extra: dict | None = None) -> Server:
    port = free_port()
    block = {"host": "127.0.0.1", "port": port, "maxFileSize": MAX_FILE_SIZE, **(extra or {})}
    (root / "firebase.json").write_text(json.dumps({"emulators": {"cloudinary": block}}))
    command = [sys.executable, "-m", "emulators", "start", "--only", "cloudinary"]
    process = subprocess.Popen(
        [*command, "--config", str(root / "firebase.json")],
        cwd=REPO_ROOT,
        env={**environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(f"http://127.0.0.1:{port}", root, process)
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.output.append(line)
            if "All emulators ready" in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 30
    while not ready.wait(0.1):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(server)
            raise RuntimeError("cloudinary emulator did not start:\n" + "".join(server.output))
    return server


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(5)


@dataclass
class Received:
    headers: dict[str, str]
    body: str


class NotificationReceiver:
    """A loopback HTTP endpoint recording what it is sent; it can fail the first requests."""

    def __init__(self, failures: int = 0) -> None:
        self.requests: queue.Queue[Received] = queue.Queue()
        self.failures_left = failures
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode("utf-8")
                receiver.requests.put(Received(dict(self.headers.items()), body))
                status = 200
                if receiver.failures_left > 0:
                    receiver.failures_left -= 1
                    status = 500
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/cloudinary/notify"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def next(self, timeout: float = 10) -> Received:
        return self.requests.get(timeout=timeout)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (640, 480), mode: str = "RGB") -> bytes:
    """A picture with structure (two gradients and a bright square), encoded as ``fmt``."""
    vertical = Image.linear_gradient("L").resize(size)
    horizontal = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize(size)
    image = Image.merge("RGB", (horizontal, vertical, Image.new("L", size, 128)))
    square = max(1, min(size) // 4)
    image.paste((255, 255, 255), (0, 0, square, square))
    if mode != "RGB":
        image = image.convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()
