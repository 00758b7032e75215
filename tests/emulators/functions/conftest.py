"""Fixtures for the functions host's tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def firebase_env(monkeypatch):
    monkeypatch.setenv("GCLOUD_PROJECT", "demo-dispatch")
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")  # never dialled
    import firebase_admin

    app = firebase_admin.initialize_app(options={"projectId": "demo-dispatch"})
    yield
    firebase_admin.delete_app(app)
