"""How an asset is described to clients: upload and Admin API responses, notifications."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from emulators.cloudinary import signatures
from emulators.cloudinary.credentials import Credentials
from emulators.cloudinary.storage import Asset


def delivery_url(base_url: str, cloud_name: str, asset: Asset) -> str:
    # Raw public IDs carry their extension; images and videos are delivered as id.format.
    suffix = f".{asset.format}" if asset.resource_type != "raw" and asset.format else ""
    path = quote(asset.public_id, safe="/")
    return f"{base_url}/{cloud_name}/{asset.resource_type}/upload/v{asset.version}/{path}{suffix}"


def asset_fields(asset: Asset, credentials: Credentials, base_url: str) -> dict[str, Any]:
    url = delivery_url(base_url, credentials.cloud_name, asset)
    fields: dict[str, Any] = {
        "asset_id": asset.asset_id,
        "public_id": asset.public_id,
        "version": asset.version,
        "version_id": asset.version_id,
        "signature": signatures.response_signature(
            asset.public_id, asset.version, credentials.api_secret
        ),
    }
    if asset.width is not None and asset.height is not None:
        fields["width"] = asset.width
        fields["height"] = asset.height
    if asset.resource_type != "raw" and asset.format:
        fields["format"] = asset.format
    fields.update(
        {
            "resource_type": asset.resource_type,
            "created_at": asset.created_at,
            "tags": list(asset.tags),
            "bytes": asset.bytes,
            "type": "upload",
            "etag": asset.etag,
            "placeholder": False,
            # There is no TLS locally: both URLs are plain http.
            "url": url,
            "secure_url": url,
            "asset_folder": asset.asset_folder,
            "display_name": asset.display_name,
        }
    )
    if asset.context:
        fields["context"] = {"custom": dict(asset.context)}
    fields["original_filename"] = asset.original_filename
    return fields
