"""Mails built from templates: ``templates/NAME.txt`` and ``templates/NAME.html``.

Every template gets ``product`` and ``app_url`` besides its own values; HTML is escaped
automatically, text is not. A subject may use the values too.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import jinja2

import settings

PRODUCT = "FlowChat"
TEMPLATES = Path(__file__).resolve().parent / "templates"
SUBJECTS = {
    "verify_email": "Confirm your email address for FlowChat",
    "password_reset": "Reset your FlowChat password",
    "password_changed": "Your FlowChat password was changed",
    "confirm_new_email": "Confirm your new email address for FlowChat",
    "email_changed": "Your FlowChat email address was changed",
    "account_deleted": "Your FlowChat account was deleted",
    "data_export_ready": "Your FlowChat data is ready to download",
    "missed_messages": "{{ count }} unread message{{ '' if count == 1 else 's' }} on FlowChat",
}


@dataclass(frozen=True)
class Mail:
    template: str
    subject: str
    text: str
    html: str


@functools.cache
def _environment(autoescape: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,  # a missing value is a bug, not an empty string
        keep_trailing_newline=True,
    )


def render(template: str, **values: object) -> Mail:
    values = {"product": PRODUCT, "app_url": app_url(), **values}
    return Mail(
        template=template,
        subject=_environment(False).from_string(SUBJECTS[template]).render(values),
        text=_environment(False).get_template(f"{template}.txt").render(values),
        html=_environment(True).get_template(f"{template}.html").render(values),
    )


def app_url() -> str:
    return settings.APP_URL.value.rstrip("/")
