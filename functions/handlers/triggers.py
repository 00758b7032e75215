"""Event triggers: unpack the CloudEvent, call the domain code."""

from __future__ import annotations

import logging

from firebase_functions import db_fn, firestore_fn, scheduler_fn

import mirror
from chat import messages, presence

log = logging.getLogger(__name__)


def message_created(event: firestore_fn.Event[firestore_fn.DocumentSnapshot | None]) -> None:
    if event.data is None:
        return
    outcome = messages.on_message_created(
        event.params["roomId"], event.params["messageId"], event.data.to_dict() or {}
    )
    log.info("message %s: %s", event.document, outcome)


def presence_written(event: db_fn.Event[db_fn.Change]) -> None:
    presence.on_status_written(event.params["uid"], event.data.after, event.time)


def apply_outbox(event: scheduler_fn.ScheduledEvent) -> None:
    applied, failed = mirror.apply_pending()
    if applied or failed:
        log.info("outbox: %d subjects applied, %d still failing", applied, failed)
