"""Starts ``python -m emulators start --only cloudinary`` on a free port, in a temporary
project folder, and points the real ``cloudinary`` SDK at it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import cloudinary
import pytest

from tests.emulators.cloudinary.harness import (
    API_KEY,
    API_SECRET,
    CLOUD_NAME,
    NotificationReceiver,
    Server,
    start_server,
    stop_server,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("cloudinary-project")
    environ = {**os.environ, "CLOUDINARY_URL": f"cloudinary://{API_KEY}:{API_SECRET}@{CLOUD_NAME}"}
    server = start_server(root, environ)
    yield server
    stop_server(server)


@pytest.fixture
def sdk(server: Server) -> Iterator[None]:
    """The SDK configured as the functions will configure it, plus delivery on our host."""
    cloudinary.reset_config()
    cloudinary.config(
        cloud_name=CLOUD_NAME,
        api_key=API_KEY,
        api_secret=API_SECRET,
        upload_prefix=server.base_url,
        secure=False,
        cname=server.base_url.removeprefix("http://"),
    )
    yield
    cloudinary.reset_config()


@pytest.fixture
def receiver() -> Iterator[NotificationReceiver]:
    receiver = NotificationReceiver()
    yield receiver
    receiver.close()
