"""sendMissedMessages (scheduled) and unsubscribe (HTTP): missed-message emails and their
one-click unsubscribe link.

``unsubscribe?token=`` is the link of the ``List-Unsubscribe`` header and of the email's
footer. A POST with the form body ``List-Unsubscribe=One-Click`` (RFC 8058: what mail
clients send, and what the page's button sends) turns the emails off; a GET only shows that
button, since mail scanners open links by GET.
"""

from __future__ import annotations

from firebase_functions import scheduler_fn
from flask import Request, Response
from markupsafe import escape

import logs
from errors import ApiError, invalid
from handlers.http import endpoint
from mail import missed_messages

MAX_TOKEN_CHARS = 2048
ONE_CLICK = "One-Click"


def send_missed_messages(event: scheduler_fn.ScheduledEvent) -> None:
    with logs.request("sendMissedMessages") as outcome:
        mailed, dropped = missed_messages.send_due()
        outcome.fields.update(mailed=mailed, dropped=dropped)


@endpoint("GET", "POST")
def unsubscribe(request: Request) -> Response:
    try:
        token = request.args.get("token", "")
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise invalid("token", f"must be 1 to {MAX_TOKEN_CHARS} characters")
        if request.method == "GET":
            return _page(
                200,
                "Stop missed-message emails?",
                "FlowChat emails you mentions and direct messages you have not read.",
                button=True,
            )
        if request.form.get("List-Unsubscribe") != ONE_CLICK:
            raise invalid("body", "must be the form List-Unsubscribe=One-Click")
        missed_messages.unsubscribe(token)
    except ApiError as error:
        return _page(error.http_status, "This link does not work", error.message)
    return _page(
        200,
        "You are unsubscribed",
        "FlowChat will not email you missed messages any more. You can turn them back on"
        " in your account settings.",
    )


def _page(status: int, title: str, text: str, *, button: bool = False) -> Response:
    form = ""
    if button:
        form = (
            '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
            '<button type="submit">Unsubscribe</button></form>'
        )
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head>"
        '<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto">'
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p>{form}</body></html>"
    )
    return Response(
        html,
        status=status,
        mimetype="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
