"""The host times scheduled functions on their ``every N minutes`` schedule, except where
``FLOWCHAT_SCHEDULES=manual`` says only a POST runs them (the tests' functions host)."""

from __future__ import annotations

import flask
import pytest
from firebase_functions import scheduler_fn

from emulators.functions import host, schedules


@scheduler_fn.on_schedule(schedule="every 5 minutes")
def tidy(event: scheduler_fn.ScheduledEvent) -> None:
    pass


def test_each_every_n_schedule_is_timed(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(schedules.MODE_VARIABLE, raising=False)
    timers = host.start_schedules({"tidy": tidy}, flask.Flask(__name__))
    try:
        assert len(timers) == 1
        assert schedules.interval_seconds("every 5 minutes") == 300
    finally:
        for timer in timers:
            timer.stop()


def test_manual_mode_times_nothing(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(schedules.MODE_VARIABLE, schedules.MANUAL)
    assert host.start_schedules({"tidy": tidy}, flask.Flask(__name__)) == []
