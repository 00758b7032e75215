"""The Cloudinary account the functions sign for, configured on first use.

``CLOUDINARY_URL`` (a secret) names the cloud, key and secret. Under the emulator,
``CLOUDINARY_UPLOAD_PREFIX`` points the SDK's API calls at the local Cloudinary.
"""

from __future__ import annotations

import functools
import os

import cloudinary
import cloudinary.utils

from settings import CLOUDINARY_URL, MissingSecret


@functools.cache
def config() -> cloudinary.Config:
    url = CLOUDINARY_URL.value
    if not url:
        raise MissingSecret("secret CLOUDINARY_URL is not set")
    os.environ["CLOUDINARY_URL"] = url
    cloudinary.reset_config()
    if prefix := os.environ.get("CLOUDINARY_UPLOAD_PREFIX"):
        cloudinary.config(upload_prefix=prefix)
    return cloudinary.config()


def upload_url(resource_type: str) -> str:
    config()
    return cloudinary.utils.cloudinary_api_url("upload", resource_type=resource_type)


def sign(params: dict[str, str]) -> str:
    return cloudinary.utils.api_sign_request(params, config().api_secret)


def api_key() -> str:
    return config().api_key


def api_secret() -> str:
    return config().api_secret


def transformed(secure_url: str, transformation: str) -> str:
    """A delivery URL with ``transformation`` (e.g. ``c_fill,w_480``) after ``/upload/``."""
    head, marker, tail = secure_url.partition("/upload/")
    return f"{head}{marker}{transformation}/{tail}" if marker else secure_url


def fetch_url(remote_url: str, transformation: str) -> str:
    """Cloudinary's fetch delivery of ``remote_url``: Cloudinary fetches and caches it, and
    browsers load it from Cloudinary. Under the emulator the local Cloudinary serves it."""
    config()
    url, _ = cloudinary.utils.cloudinary_url(
        remote_url, type="fetch", secure=True, raw_transformation=transformation
    )
    if prefix := os.environ.get("CLOUDINARY_UPLOAD_PREFIX"):
        _, marker, tail = url.partition(f"/{config().cloud_name}/image/fetch/")
        return f"{prefix.rstrip('/')}{marker}{tail}" if marker else url
    return url
