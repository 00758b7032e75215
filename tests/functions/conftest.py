"""The account and session tests run twice: against our Auth emulator and against Google's
(firebase-tools, offline), so the functions are proven not to lean on quirks of ours.
Where the two emulators differ, the test asks for ``auth_backend`` and says what it expects
from whom (docs/emulators/auth.md lists the differences)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import serving_functions
from tests.support import emulators


@pytest.fixture(scope="session", params=["ours", "google"])
def auth_backend(request: pytest.FixtureRequest) -> str:
    return request.param


# Its own fixture, not the suite-wide one: pytest would hand the instance another directory
# started with our Auth emulator to both parameters.
@pytest.fixture(scope="session")
def functions_host(
    database_url: str, auth_backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[emulators.EmulatorProcess]:
    state = tmp_path_factory.mktemp(f"functions-{auth_backend}")
    with serving_functions(database_url, state, auth_backend) as running:
        yield running
