"""Limits of the local plan, read from the ``emulators.cloudinary`` block of firebase.json.

    "cloudinary": {"host": "127.0.0.1", "port": 9400,
                   "maxFileSize": 10485760, "maxImageMegapixels": 25}

The defaults are those of Cloudinary's free plan (10 MB per image or raw file, 25 megapixels
per image), so an upload refused in production is refused locally too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from emulators.config import Config

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
DEFAULT_MAX_IMAGE_MEGAPIXELS = 25.0
# How long after an upload its notification is tried again when the receiver fails.
DEFAULT_NOTIFICATION_RETRY_DELAYS = (0.5, 1.0, 2.0)


@dataclass(frozen=True)
class Settings:
    base_url: str
    storage_root: Path
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    max_image_megapixels: float = DEFAULT_MAX_IMAGE_MEGAPIXELS
    notification_retry_delays: tuple[float, ...] = DEFAULT_NOTIFICATION_RETRY_DELAYS


def from_config(config: Config, name: str = "cloudinary") -> Settings:
    block = config.raw.get("emulators", {}).get(name, {})
    address = config.address(name)
    # A wildcard bind address is not somewhere a client can be sent.
    host = "127.0.0.1" if address.host in ("0.0.0.0", "::", "") else address.host
    max_file_size = int(block.get("maxFileSize", DEFAULT_MAX_FILE_SIZE))
    max_megapixels = float(block.get("maxImageMegapixels", DEFAULT_MAX_IMAGE_MEGAPIXELS))
    if max_file_size <= 0 or max_megapixels <= 0:
        raise ValueError("emulators.cloudinary maxFileSize and maxImageMegapixels must be > 0")
    return Settings(
        base_url=f"http://{host}:{address.port}",
        storage_root=(config.data_dir or config.state_dir) / "cloudinary",
        max_file_size=max_file_size,
        max_image_megapixels=max_megapixels,
    )
