"""A local web site for link previews: pages with OpenGraph and oEmbed, and the hostile
answers the fetcher must refuse (too big, too slow, not HTML, redirects to private
addresses). Used by the pytest suites and by web/e2e/backend.py.

The functions reach it only through ``LINK_PREVIEW_TEST_ALLOW=127.0.0.1:<port>``.
"""

from __future__ import annotations

import io
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

SLOW_SECONDS = 10


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


class LinkOrigin:
    """``with LinkOrigin() as origin: origin.url("/article")``; ``redirect_to`` sets where
    ``/redirect`` sends the fetcher."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.redirect_to = "/article"
        origin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                origin.hits[path] += 1
                origin.answer(self, path)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # the fetcher hangs up on what it refuses (too big, too slow)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LinkOrigin:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.address}{path}"

    def answer(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        def send(status: int, body: bytes, content_type: str, **headers: str) -> None:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)

        html = "text/html; charset=utf-8"
        if path == "/article":
            send(200, ARTICLE.encode(), html)
        elif path == "/title-only":
            send(200, b"<html><head><title> Just a  title </title></head></html>", html)
        elif path == "/video":
            send(200, VIDEO.encode(), html)
        elif path == "/oembed.json":
            send(200, OEMBED.encode(), "application/json")
        elif path == "/image.png":
            send(200, PNG, "image/png")
        elif path == "/big":
            send(200, b"<html><head><title>big</title>" + b" " * 1_100_000, html)
        elif path == "/big-chunked":
            # No Content-Length: the fetcher must count what arrives.
            handler.send_response(200)
            handler.send_header("Content-Type", html)
            handler.end_headers()
            handler.wfile.write(b"<html><head><title>big</title>")
            for _ in range(120):
                handler.wfile.write(b" " * 10_000)
            handler.close_connection = True
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            send(200, ARTICLE.encode(), html)
        elif path == "/redirect":
            send(302, b"", html, Location=self.redirect_to)
        elif path.startswith("/hop/"):
            left = int(path.removeprefix("/hop/"))
            send(302, b"", html, Location="/article" if left == 0 else f"/hop/{left - 1}")
        else:
            send(404, b"not found", "text/plain")


ARTICLE = """<!doctype html>
<html><head>
<meta charset="utf-8">
<title>Fallback title</title>
<meta property="og:title" content="Boots for the weekend &amp; beyond">
<meta property="og:description" content="Which boots to bring on a wet trail.">
<meta property="og:site_name" content="Trail News">
<meta property="og:image" content="/image.png">
</head><body><p>Hello</p></body></html>"""

VIDEO = """<!doctype html>
<html><head><title>A video</title>
<link rel="alternate" type="application/json+oembed" href="/oembed.json">
</head><body></body></html>"""

OEMBED = """{"version": "1.0", "type": "video", "title": "Rain on the ridge",
"author_name": "Ridge Films", "provider_name": "LocalTube",
"thumbnail_url": "/image.png"}"""
