"""Credentials, the functions' environment, and the signature rules against the SDK's own."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import cloudinary
import cloudinary.uploader
import cloudinary.utils
import pytest

from emulators import config as config_module
from emulators.base import Hub
from emulators.cloudinary import credentials, signatures
from emulators.cloudinary.emulator import CloudinaryEmulator
from tests.emulators.cloudinary.harness import image_bytes, start_server, stop_server


def test_cloudinary_url_is_parsed_like_the_sdk() -> None:
    parsed = credentials.parse_cloudinary_url("cloudinary://123:s%40cret@My-Cloud")
    assert parsed == credentials.Credentials("my-cloud", "123", "s@cret")
    with pytest.raises(ValueError):
        credentials.parse_cloudinary_url("https://123:secret@cloud")
    with pytest.raises(ValueError):
        credentials.parse_cloudinary_url("cloudinary://cloud-only")


def test_default_secret_is_generated_once_and_private(tmp_path: Path) -> None:
    first = credentials.load(tmp_path / "state", environ={})
    second = credentials.load(tmp_path / "state", environ={})
    assert first == second
    assert (first.cloud_name, first.api_key) == ("demo-flowchat", credentials.DEFAULT_API_KEY)
    assert len(first.api_secret) >= 20
    secret_file = tmp_path / "state" / credentials.SECRET_FILE_NAME
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert not list((tmp_path / "state").glob("*.tmp"))


def test_environment_for_the_functions(tmp_path: Path) -> None:
    (tmp_path / "firebase.json").write_text(
        json.dumps({"emulators": {"cloudinary": {"host": "127.0.0.1", "port": 9555}}})
    )
    config = config_module.load(tmp_path / "firebase.json")
    saved = os.environ.pop("CLOUDINARY_URL", None)
    try:
        environment = CloudinaryEmulator(config, Hub(config)).environment()
    finally:
        if saved is not None:
            os.environ["CLOUDINARY_URL"] = saved
    secret = (tmp_path / ".flowchat" / "cloudinary" / "api_secret").read_text().strip()
    assert environment == {
        "CLOUDINARY_URL": f"cloudinary://{credentials.DEFAULT_API_KEY}:{secret}@demo-flowchat",
        "CLOUDINARY_UPLOAD_PREFIX": "http://127.0.0.1:9555",
    }


@pytest.mark.parametrize(
    "params",
    [
        {"timestamp": 1700000000, "public_id": "a/b", "folder": "rooms"},
        {"timestamp": 1700000000, "tags": ["x", "y"], "context": "k=v|a=b&c"},
        {"timestamp": 1700000000, "overwrite": True, "notification_url": "http://h/?a=1&b=2"},
        {"timestamp": 1700000000, "public_id": "", "eager": None, "file": "x", "api_key": "1"},
    ],
)
@pytest.mark.parametrize("version", [1, 2])
def test_string_to_sign_matches_the_sdk(params: dict, version: int) -> None:
    signed_params = {k: v for k, v in params.items() if k not in ("file", "api_key")}
    expected = cloudinary.utils.api_string_to_sign(signed_params, signature_version=version)
    as_sent = {
        k: [str(i) for i in v]
        if isinstance(v, list)
        else str(v).lower()
        if isinstance(v, bool)
        else str(v)
        for k, v in params.items()
        if v is not None
    }
    assert signatures.string_to_sign(as_sent, escape_ampersands=version >= 2) == expected
    secret = "abc"
    for algorithm in ("sha1", "sha256"):
        as_sent["signature"] = cloudinary.utils.api_sign_request(
            signed_params, secret, algorithm, signature_version=version
        )
        assert signatures.request_signature_matches(as_sent, secret)
        assert not signatures.request_signature_matches(as_sent, "other")


def test_server_with_local_default_credentials(tmp_path: Path) -> None:
    """No CLOUDINARY_URL: the server makes its secret, and the SDK can use it."""
    environ = {k: v for k, v in os.environ.items() if k != "CLOUDINARY_URL"}
    server = start_server(tmp_path, environ)
    try:
        secret = (server.storage / "api_secret").read_text().strip()
        cloudinary.reset_config()
        cloudinary.config(
            cloud_name="demo-flowchat",
            api_key=credentials.DEFAULT_API_KEY,
            api_secret=secret,
            upload_prefix=server.base_url,
        )
        result = cloudinary.uploader.upload(image_bytes("PNG", (12, 7)), public_id="default")
        assert (result["width"], result["height"]) == (12, 7)
        assert result["url"].startswith(f"{server.base_url}/demo-flowchat/image/upload/v")
        assert abs(result["version"] - time.time()) < 60
    finally:
        cloudinary.reset_config()
        stop_server(server)
    assert server.process.returncode == 0
    assert "Shutting down emulators" in "".join(server.output)
