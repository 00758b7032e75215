"""Signed-up people for the input tests (the fixtures of tests/chat)."""

from tests.chat.conftest import admin_db, person  # noqa: F401
