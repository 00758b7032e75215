"""getNotificationSettings / updateNotificationSettings: missed-message emails on or off,
and quiet hours (do not disturb) in the person's time zone."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool, StrictStr, field_validator, model_validator

from db import notification_settings, pool
from errors import invalid
from handlers.callables import callable_action

CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]{1,64}")


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuietHours(_Data):
    start: StrictStr  # "22:00", local time of timeZone
    end: StrictStr  # "07:00"; before start means the quiet hours run over midnight
    timeZone: StrictStr  # IANA, "Europe/Paris"

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not CLOCK.fullmatch(value):
            raise ValueError("must be a time HH:MM, 00:00 to 23:59")
        return value

    @field_validator("timeZone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if not ZONE_NAME.fullmatch(value):
            raise ValueError("must be an IANA time zone name such as Europe/Paris")
        return value

    @model_validator(mode="after")
    def _not_empty(self):
        if self.start == self.end:
            raise ValueError("start and end must differ")
        return self


class Empty(_Data):
    pass


class Settings(_Data):
    emailMissedMessages: StrictBool
    quietHours: QuietHours | None


@callable_action(Empty)
def get_notification_settings(uid: str, data: Empty) -> dict:
    with pool.transaction() as conn:
        return _answer(notification_settings.get(conn, uid))


@callable_action(Settings)
def update_notification_settings(uid: str, data: Settings) -> dict:
    quiet = data.quietHours
    with pool.transaction() as conn:
        if quiet is not None and not notification_settings.is_time_zone(conn, quiet.timeZone):
            raise invalid("quietHours.timeZone", "unknown time zone")
        stored = notification_settings.update(
            conn,
            uid,
            email_missed=data.emailMissedMessages,
            quiet_start=time.fromisoformat(quiet.start) if quiet else None,
            quiet_end=time.fromisoformat(quiet.end) if quiet else None,
            time_zone=quiet.timeZone if quiet else None,
        )
    return _answer(stored)


def _answer(row: dict[str, Any]) -> dict:
    quiet = None
    if row["quiet_start"] is not None:
        quiet = {
            "start": row["quiet_start"].strftime("%H:%M"),
            "end": row["quiet_end"].strftime("%H:%M"),
            "timeZone": row["time_zone"],
        }
    return {"emailMissedMessages": row["email_missed"], "quietHours": quiet}
