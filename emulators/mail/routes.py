"""The HTTP side, as Mailpit serves it (the parts tests and developers use):

GET    /api/v1/messages?start=&limit=   newest first, with totals
GET    /api/v1/message/{id|latest}      one message: headers, Text and HTML (marks it read)
GET    /api/v1/message/{id}/raw         the message as it arrived
DELETE /api/v1/messages                 {"IDs": [...]} deletes those, no body deletes all
GET    /                                the inbox page; GET /view/{id} one message
"""

from __future__ import annotations

import html
import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from emulators.mail.store import MailStore, Message

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000


def create_app(store: MailStore) -> Starlette:
    async def list_messages(request: Request) -> Response:
        try:
            start = _bounded_int(request.query_params.get("start"), 0, 0, 10**9)
            limit = _bounded_int(request.query_params.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT)
        except ValueError as exc:
            return PlainTextResponse(str(exc), status_code=400)
        messages = store.newest_first()
        page = messages[start : start + limit]
        return JSONResponse(
            {
                "total": len(messages),
                "unread": sum(1 for m in messages if not m.read),
                "count": len(page),
                "messages_count": len(messages),
                "start": start,
                "tags": [],
                "messages": [m.summary() for m in page],
            }
        )

    async def get_message(request: Request) -> Response:
        message = store.get(request.path_params["id"])
        if message is None:
            return PlainTextResponse("message not found", status_code=404)
        store.mark_read(message)
        return JSONResponse(message.detail())

    async def raw_message(request: Request) -> Response:
        message = store.get(request.path_params["id"])
        if message is None:
            return PlainTextResponse("message not found", status_code=404)
        return Response(message.raw, media_type="text/plain; charset=utf-8")

    async def delete_messages(request: Request) -> Response:
        body = await request.body()
        ids: list[str] | None = None
        if body.strip():
            try:
                parsed = json.loads(body)
            except ValueError:
                return PlainTextResponse("body is not JSON", status_code=400)
            raw_ids = parsed.get("IDs") if isinstance(parsed, dict) else None
            if raw_ids is not None and (
                not isinstance(raw_ids, list) or not all(isinstance(i, str) for i in raw_ids)
            ):
                return PlainTextResponse("IDs must be a list of strings", status_code=400)
            ids = raw_ids
        store.delete(ids)
        return PlainTextResponse("ok")

    async def inbox(request: Request) -> Response:
        return HTMLResponse(_inbox_page(store.newest_first()))

    async def view(request: Request) -> Response:
        message = store.get(request.path_params["id"])
        if message is None:
            return HTMLResponse(_page("Not found", "<p>No such message.</p>"), status_code=404)
        store.mark_read(message)
        return HTMLResponse(_message_page(message))

    return Starlette(
        routes=[
            Route("/api/v1/messages", list_messages, methods=["GET"]),
            Route("/api/v1/messages", delete_messages, methods=["DELETE"]),
            Route("/api/v1/message/{id}", get_message, methods=["GET"]),
            Route("/api/v1/message/{id}/raw", raw_message, methods=["GET"]),
            Route("/", inbox, methods=["GET"]),
            Route("/view/{id}", view, methods=["GET"]),
        ]
    )


def _bounded_int(value: str | None, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit():
        raise ValueError(f"expected a whole number, got {value!r}")
    return max(low, min(high, int(value)))


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}"
        "table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem;"
        "border-bottom:1px solid #ddd}tr.unread td{font-weight:600}"
        "iframe{width:100%;height:30rem;border:1px solid #ddd}pre{white-space:pre-wrap}</style>"
        f"</head><body>{body}</body></html>"
    )


def _inbox_page(messages: list[Message]) -> str:
    rows = "".join(
        f"<tr class='{'read' if m.read else 'unread'}'>"
        f"<td>{html.escape(m.created.strftime('%Y-%m-%d %H:%M:%S'))}</td>"
        f"<td>{html.escape(', '.join(a.address for a in m.to))}</td>"
        f"<td><a href='/view/{m.id}'>{html.escape(m.subject or '(no subject)')}</a></td></tr>"
        for m in messages
    )
    table = (
        "<table><tr><th>Received (UTC)</th><th>To</th><th>Subject</th></tr>" + rows + "</table>"
        if messages
        else "<p>No messages yet.</p>"
    )
    return _page("FlowChat mail", f"<h1>Inbox ({len(messages)})</h1>{table}")


def _message_page(message: Message) -> str:
    sender = message.sender.address if message.sender else ""
    # The HTML part runs in a sandboxed frame: no scripts, no access to this page.
    html_part = (
        f"<h2>HTML</h2><iframe sandbox srcdoc='{html.escape(message.html, quote=True)}'></iframe>"
        if message.html
        else ""
    )
    body = (
        "<p><a href='/'>← Inbox</a></p>"
        f"<h1>{html.escape(message.subject or '(no subject)')}</h1>"
        f"<p>From: {html.escape(sender)}<br>"
        f"To: {html.escape(', '.join(a.address for a in message.to))}<br>"
        f"Date: {html.escape(message.date)}</p>"
        f"{html_part}<h2>Text</h2><pre>{html.escape(message.text)}</pre>"
    )
    return _page(message.subject or "Message", body)
