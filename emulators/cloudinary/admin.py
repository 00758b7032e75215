"""The Admin API's resource details, authenticated with the API key and secret (basic auth)."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import quote

from emulators.cloudinary.credentials import Credentials
from emulators.cloudinary.errors import not_found, unauthorized
from emulators.cloudinary.responses import asset_fields
from emulators.cloudinary.settings import Settings
from emulators.cloudinary.storage import Asset, AssetStore


class AdminService:
    def __init__(self, credentials: Credentials, store: AssetStore, settings: Settings) -> None:
        self.credentials = credentials
        self.store = store
        self.settings = settings

    def authenticate(self, cloud_name: str, api_key: str | None, api_secret: str | None) -> None:
        if cloud_name != self.credentials.cloud_name:
            raise unauthorized(f"Invalid cloud_name {cloud_name}")
        if not api_key:
            raise unauthorized("Must supply api_key")
        if api_key != self.credentials.api_key:
            raise unauthorized(f"Unknown API key {api_key}")
        if not hmac.compare_digest(
            (api_secret or "").encode(), self.credentials.api_secret.encode()
        ):
            raise unauthorized("api_secret mismatch")

    def resource(self, resource_type: str, delivery_type: str, public_id: str) -> dict[str, Any]:
        asset = self.store.get(resource_type, public_id) if delivery_type == "upload" else None
        if asset is None:
            raise not_found(f"Resource not found - {public_id}")
        fields = asset_fields(asset, self.credentials, self.settings.base_url)
        del fields["signature"]  # only upload responses are signed
        fields["derived"] = []
        for derived in self.store.list_derived(asset):
            url = self._derived_url(asset, derived.transformation, derived.format)
            fields["derived"].append(
                {
                    "transformation": derived.transformation,
                    "format": derived.format,
                    "bytes": derived.bytes,
                    "url": url,
                    "secure_url": url,
                }
            )
        return fields

    def _derived_url(self, asset: Asset, transformation: str, output_format: str) -> str:
        base = (
            f"{self.settings.base_url}/{self.credentials.cloud_name}/{asset.resource_type}/upload"
        )
        middle = f"{transformation}/" if transformation else ""
        return f"{base}/{middle}v{asset.version}/{quote(asset.public_id, safe='/')}.{output_format}"
