"""Structured logs, as Cloud Logging reads them from a function's stdout: one JSON object
per line with ``severity``, ``message``, the function's name and the request's trace
(cloud.google.com/logging/docs/structured-logging), and one line per request with its
outcome and duration. Under the emulator the lines are the same.

The functions log through ``logs.get(__name__)`` (children of the ``flowchat`` logger),
so this handler sees only FlowChat's own lines and leaves the host's logging alone.
Values of the secrets, URL passwords and bearer tokens never reach a line.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

ROOT = "flowchat"
SECRET_NAMES = ("DATABASE_URL", "JWT_SECRET", "CLOUDINARY_URL")
SEVERITY = {
    logging.DEBUG: "DEBUG",
    logging.INFO: "INFO",
    logging.WARNING: "WARNING",
    logging.ERROR: "ERROR",
    logging.CRITICAL: "CRITICAL",
}
TRACE_KEY = "logging.googleapis.com/trace"
SPAN_KEY = "logging.googleapis.com/spanId"
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@\s]+@", re.IGNORECASE)
_BEARER = re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_CLOUD_TRACE = re.compile(r"^([0-9a-fA-F]{32})(?:/(\d+))?")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")

# The fields every line of the current request carries (function, trace).
_request_fields: ContextVar[dict[str, str] | None] = ContextVar("flowchat_request", default=None)


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"{ROOT}.{name}")


def scrub(text: str) -> str:
    for name in SECRET_NAMES:
        value = os.environ.get(name, "")
        if len(value) >= 8:
            text = text.replace(value, f"[{name}]")
    text = _URL_PASSWORD.sub(r"\1[redacted]@", text)
    return _BEARER.sub(r"\1[redacted]", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            # Error Reporting picks up a stack trace that follows the message.
            message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        entry: dict[str, Any] = {
            "severity": SEVERITY.get(record.levelno, "DEFAULT"),
            "message": scrub(message),
            "logger": record.name,
            **(_request_fields.get() or {}),
            **getattr(record, "fields", {}),
        }
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at the time (the host may replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


def setup() -> None:
    """Send FlowChat's logs to stdout as JSON lines; safe to call more than once."""
    logger = logging.getLogger(ROOT)
    if not any(isinstance(h, _StdoutHandler) for h in logger.handlers):
        logger.addHandler(_StdoutHandler())
    logger.setLevel(logging.INFO)
    logger.propagate = False


def trace_fields(headers: Mapping[str, str] | None) -> dict[str, str]:
    """The trace of the request (``X-Cloud-Trace-Context`` or W3C ``traceparent``), in the
    form Cloud Logging links to its trace; a fresh id when the request carries none."""
    if headers is None:  # not "or": the truth of a WSGI request's headers walks its environ
        headers = {}
    trace, span = None, None
    if match := _CLOUD_TRACE.match(headers.get("X-Cloud-Trace-Context", "")):
        trace, span = match.group(1).lower(), match.group(2)
    elif match := _TRACEPARENT.match(headers.get("traceparent", "")):
        trace, span = match.group(1), match.group(2)
    project = os.environ.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("GCLOUD_PROJECT", "")
    fields = {TRACE_KEY: f"projects/{project}/traces/{trace or os.urandom(16).hex()}"}
    if span:
        fields[SPAN_KEY] = span
    return fields


@dataclass
class Outcome:
    """What one request ended with: ``ok``, an error status (``UNAUTHENTICATED``, ...), or
    ``INTERNAL`` for a failure of ours (logged with its stack trace)."""

    status: str = "ok"
    http_status: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    exc_info: Any = None

    def failed(self, status: str, http_status: int | None = None) -> None:
        self.status, self.http_status = status, http_status

    def crashed(self, http_status: int | None = 500) -> None:
        self.status, self.http_status = "INTERNAL", http_status
        self.exc_info = sys.exc_info()


@contextmanager
def request(function: str, headers: Mapping[str, str] | None = None) -> Iterator[Outcome]:
    """Around one request or event of ``function``: every line logged inside carries the
    function and trace, and one line at the end says how it went and how long it took."""
    token = _request_fields.set({"function": function, **trace_fields(headers)})
    outcome = Outcome()
    started = time.perf_counter()
    try:
        yield outcome
    except BaseException:
        # A refusal the handler already named (failed(), then its HttpsError raised to answer
        # the client) is not a crash of ours.
        if outcome.status == "ok":
            outcome.crashed(None)
        raise
    finally:
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        level = logging.ERROR if outcome.status == "INTERNAL" else logging.INFO
        fields = {"outcome": outcome.status, "durationMs": duration_ms, **outcome.fields}
        if outcome.http_status is not None:
            fields["status"] = outcome.http_status
        get("requests").log(
            level,
            "%s %s in %.1f ms",
            function,
            outcome.status,
            duration_ms,
            exc_info=outcome.exc_info,
            extra={"fields": fields},
        )
        _request_fields.reset(token)


def function_name(handler_name: str) -> str:
    """The deployed name of a handler: ``update_profile`` is ``updateProfile``."""
    first, *rest = handler_name.split("_")
    return first + "".join(word.capitalize() for word in rest)
