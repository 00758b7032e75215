"""The product environment the emulator serves: cloud name, API key and API secret.

They come from ``CLOUDINARY_URL`` (``cloudinary://KEY:SECRET@CLOUD``) when it is set, as
with the real service. Otherwise the local default is cloud ``demo-flowchat`` with the fixed
key ``DEFAULT_API_KEY`` and a secret generated once into the state folder, so no secret is
ever written into the repository.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_CLOUD_NAME = "demo-flowchat"
DEFAULT_API_KEY = "424242424242424"
SECRET_FILE_NAME = "api_secret"


@dataclass(frozen=True)
class Credentials:
    cloud_name: str
    api_key: str
    api_secret: str

    @property
    def url(self) -> str:
        return f"cloudinary://{self.api_key}:{self.api_secret}@{self.cloud_name}"


def parse_cloudinary_url(url: str) -> Credentials:
    parts = urlsplit(url)
    if parts.scheme != "cloudinary":
        raise ValueError("CLOUDINARY_URL must start with cloudinary://")
    if not (parts.username and parts.password and parts.hostname):
        raise ValueError("CLOUDINARY_URL must look like cloudinary://API_KEY:API_SECRET@CLOUD_NAME")
    # The SDK reads the cloud name through urlparse, which lower-cases it; so do we.
    return Credentials(
        cloud_name=parts.hostname,
        api_key=unquote(parts.username),
        api_secret=unquote(parts.password),
    )


def load(state_dir: Path, environ: dict[str, str] | None = None) -> Credentials:
    environ = os.environ if environ is None else environ
    url = environ.get("CLOUDINARY_URL", "").strip()
    if url:
        return parse_cloudinary_url(url)
    return Credentials(DEFAULT_CLOUD_NAME, DEFAULT_API_KEY, _local_secret(state_dir))


def _local_secret(state_dir: Path) -> str:
    path = state_dir / SECRET_FILE_NAME
    if path.exists():
        return path.read_text().strip()
    state_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(20)
    temporary = path.with_name(f"{SECRET_FILE_NAME}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    try:
        # link() refuses to replace: if another process won the race, use its secret.
        os.link(temporary, path)
    except FileExistsError:
        secret = path.read_text().strip()
    finally:
        temporary.unlink()
    return secret
