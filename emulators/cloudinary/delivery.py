"""Delivery URLs: ``/{cloud}/{resource_type}/upload/[transformations/][v{version}/]{id}[.{fmt}]``.

The original is served when nothing is asked of it; otherwise the derived copy is made
once with Pillow and cached on disk (keyed by asset version, transformation and format).
The ``v{version}`` segment only busts caches, as in production: the current version is
served whatever number it carries.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import httpx

from emulators.cloudinary import transformations
from emulators.cloudinary.credentials import Credentials
from emulators.cloudinary.errors import bad_request, not_found
from emulators.cloudinary.media import normalize_format, open_image
from emulators.cloudinary.settings import Settings
from emulators.cloudinary.storage import Asset, AssetStore

CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
    "ico": "image/x-icon",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "ogv": "video/ogg",
    "avi": "video/x-msvideo",
}
# Raw files are served as opaque bytes: an uploaded .html must never run on this origin.
RAW_CONTENT_TYPE = "application/octet-stream"
_VERSION = re.compile(r"^v\d+$")


@dataclass(frozen=True)
class Delivered:
    path: Path
    content_type: str
    etag: str
    varies_on_accept: bool = False


class DeliveryService:
    def __init__(self, credentials: Credentials, store: AssetStore, settings: Settings) -> None:
        self.credentials = credentials
        self.store = store
        self.settings = settings

    def deliver(self, cloud_name: str, resource_type: str, path: str, accept: str) -> Delivered:
        if cloud_name != self.credentials.cloud_name:
            raise not_found(f"Unknown cloud {cloud_name}")
        if resource_type not in ("image", "video", "raw"):
            raise not_found(f"Unknown resource type {resource_type}")
        segments = path.split("/")
        components: list[str] = []
        while segments and transformations.is_component(segments[0]):
            components.append(segments.pop(0))
        if segments and _VERSION.match(segments[0]):
            segments.pop(0)
        public_path = "/".join(segments)
        if not public_path:
            raise not_found("Resource not found")
        chain = transformations.parse(components)

        if resource_type != "image":
            if components:
                raise bad_request(
                    f"Transformations of {resource_type} files are not supported "
                    "by the local Cloudinary"
                )
            asset = self._find_original(resource_type, public_path)
            content_type = (
                RAW_CONTENT_TYPE
                if resource_type == "raw"
                else CONTENT_TYPES.get(asset.format or "", RAW_CONTENT_TYPE)
            )
            return Delivered(self.store.original_path(asset), content_type, asset.etag)

        asset, requested_format = self._find_image(public_path)
        output_format = chain.format or requested_format or asset.format or "jpg"
        varies = output_format == "auto"
        if varies:
            output_format = "webp" if "image/webp" in accept else _browser_safe(asset.format)
        if not chain.steps and not chain.quality and output_format == asset.format:
            return Delivered(
                self.store.original_path(asset), CONTENT_TYPES[output_format], asset.etag, varies
            )
        if output_format not in transformations.OUTPUT_FORMATS:
            raise bad_request(f"Format {output_format} is not supported by the local Cloudinary")
        return self._derived(asset, chain, output_format, varies)

    def _find_original(self, resource_type: str, public_path: str) -> Asset:
        asset = self.store.get(resource_type, public_path)
        if asset is None and resource_type == "video" and "." in public_path:
            asset = self.store.get(resource_type, public_path.rsplit(".", 1)[0])
        if asset is None:
            raise not_found("Resource not found")
        return asset

    def _find_image(self, public_path: str) -> tuple[Asset, str | None]:
        if "." in public_path.rsplit("/", 1)[-1]:
            stem, extension = public_path.rsplit(".", 1)
            asset = self.store.get("image", stem)
            if asset is not None:
                requested = normalize_format(extension)
                if requested not in transformations.OUTPUT_FORMATS and requested != asset.format:
                    raise bad_request(f"Unsupported image format {extension}")
                return asset, requested
        asset = self.store.get("image", public_path)
        if asset is None:
            raise not_found("Resource not found")
        return asset, None

    def _derived(
        self, asset: Asset, chain: transformations.Chain, output_format: str, varies: bool
    ) -> Delivered:
        description = chain.canonical
        key = hashlib.sha256(f"{description}|{output_format}".encode()).hexdigest()[:32]
        path = self.store.derived_path(asset, key, output_format)
        if not path.exists():
            image = open_image(self.store.read(asset), self.settings.max_image_megapixels)
            image = transformations.apply(image, chain, self.settings.max_image_megapixels)
            data = transformations.encode(image, output_format, chain.quality)
            path = self.store.save_derived(asset, key, description, output_format, data)
        etag = hashlib.md5(path.read_bytes()).hexdigest()
        return Delivered(path, CONTENT_TYPES[output_format], etag, varies)


@dataclass(frozen=True)
class Fetched:
    body: bytes
    content_type: str
    varies_on_accept: bool


def fetch(
    credentials: Credentials, settings: Settings, cloud_name: str, path: str, accept: str
) -> Fetched:
    """Fetch delivery, ``/{cloud}/image/fetch/[transformations/]{remote URL}``: the remote
    image, fetched now (Cloudinary caches it; the emulator does not), transformed."""
    if cloud_name != credentials.cloud_name:
        raise not_found(f"Unknown cloud {cloud_name}")
    segments = path.split("/")
    components: list[str] = []
    while segments and transformations.is_component(segments[0]):
        components.append(segments.pop(0))
    remote = "/".join(segments)
    if not remote.startswith(("http://", "https://")):
        raise bad_request("Invalid fetch URL")
    chain = transformations.parse(components)
    try:
        response = httpx.get(remote, timeout=10, follow_redirects=True)
    except httpx.HTTPError:
        raise not_found(f"Error in loading {remote}") from None
    if response.status_code != 200 or len(response.content) > settings.max_file_size:
        raise not_found(f"Error in loading {remote} - {response.status_code}")
    image = open_image(response.content, settings.max_image_megapixels)
    image = transformations.apply(image, chain, settings.max_image_megapixels)
    output_format = chain.format or normalize_format(image.format or "") or "jpg"
    varies = output_format == "auto"
    if varies:
        output_format = "webp" if "image/webp" in accept else "png"
    if output_format not in transformations.OUTPUT_FORMATS:
        output_format = "png"
    data = transformations.encode(image, output_format, chain.quality)
    return Fetched(data, CONTENT_TYPES[output_format], varies)


def _browser_safe(source_format: str | None) -> str:
    return source_format if source_format in ("jpg", "png", "gif") else "jpg"
