"""The chat suite's people (signed up through the functions, acting through the SDKs)."""

from tests.chat.conftest import admin_db, person  # noqa: F401  (fixtures)
