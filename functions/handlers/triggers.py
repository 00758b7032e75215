"""Event triggers: unpack the CloudEvent, call the domain code."""

from __future__ import annotations

from firebase_functions import db_fn, firestore_fn, scheduler_fn

import logs
import mirror
import reconcile
import settings
from chat import link_previews, messages, presence
from db import notifications, pool
from mail import outbox as mail_outbox
from rooms import pins
from search import index as search_index


def message_created(event: firestore_fn.Event[firestore_fn.DocumentSnapshot | None]) -> None:
    with logs.request("onMessageCreated") as outcome:
        outcome.fields["eventId"] = event.id
        if event.data is None:
            return
        outcome.fields["result"] = messages.on_message_created(
            event.params["roomId"], event.params["messageId"], event.data.to_dict() or {}
        )


def message_link_preview(
    event: firestore_fn.Event[firestore_fn.DocumentSnapshot | None],
) -> None:
    with logs.request("onMessageLinkPreview") as outcome:
        outcome.fields["eventId"] = event.id
        if event.data is None:
            return
        outcome.fields["result"] = link_previews.on_message_created(
            event.params["roomId"], event.params["messageId"], event.data.to_dict() or {}
        )


def message_updated(
    event: firestore_fn.Event[firestore_fn.Change[firestore_fn.DocumentSnapshot | None]],
) -> None:
    before, after = event.data.before, event.data.after
    if before is None or after is None:
        return
    room_id, message_id = event.params["roomId"], event.params["messageId"]
    old, new = before.to_dict() or {}, after.to_dict() or {}
    search_index.changed(room_id, message_id, old, new)
    pins.on_message_changed(room_id, message_id, old, new)
    link_previews.on_message_edited(room_id, message_id, old, new)


def presence_written(event: db_fn.Event[db_fn.Change]) -> None:
    with logs.request("onPresenceWritten") as outcome:
        outcome.fields["eventId"] = event.id
        presence.on_status_written(event.params["uid"], event.data.after, event.time)


def apply_outbox(event: scheduler_fn.ScheduledEvent) -> None:
    with logs.request("applyOutbox") as outcome:
        applied, failed = mirror.apply_pending()
        outcome.fields.update(applied=applied, failing=failed)
        with pool.transaction() as conn:
            outcome.fields["processedEventsPurged"] = notifications.purge_processed_events(conn)
        # Then a bounded slice of the reconcile pass, for what the outbox cannot know was lost.
        sliced = reconcile.scheduled_slice(settings.RECONCILE_SLICE_SECONDS.value)
        if sliced is not None:
            outcome.fields.update(
                reconcileChecked=sliced.subjects,
                reconcileWritten=sliced.writes,
                reconcileFinished=sliced.finished,
            )


def deliver_mail(event: scheduler_fn.ScheduledEvent) -> None:
    with logs.request("deliverMail") as outcome:
        sent, failed = mail_outbox.deliver_due(limit=200)
        outcome.fields.update(sent=sent, failed=failed)


def prepare_data_exports(event: scheduler_fn.ScheduledEvent) -> None:
    from accounts import data_export

    with logs.request("prepareDataExports") as outcome:
        outcome.fields["prepared"] = data_export.prepare_pending()
