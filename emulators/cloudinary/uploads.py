"""The Upload API's ``upload`` and ``destroy`` methods: authentication, parameters, storage.

Everything is checked before anything is written: the cloud name, the API key, the
signature, the timestamp's age, each parameter, the file's size and its real format.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote_to_bytes

from emulators.cloudinary import media, signatures
from emulators.cloudinary.credentials import Credentials
from emulators.cloudinary.errors import bad_request, unauthorized
from emulators.cloudinary.notifications import Notifier, check_notification_url
from emulators.cloudinary.responses import asset_fields
from emulators.cloudinary.settings import Settings
from emulators.cloudinary.signatures import ParamValue
from emulators.cloudinary.storage import Asset, AssetStore

SIGNATURE_LIFETIME_SECONDS = 3600
UPLOAD_RESOURCE_TYPES = ("image", "video", "raw", "auto")
# Parameters that would change the stored result in production. Ignoring them would hand
# back something production would not, so they are refused instead.
UNSUPPORTED_PARAMETERS = frozenset(
    {
        "eager",
        "transformation",
        "format",
        "upload_preset",
        "moderation",
        "raw_convert",
        "auto_tagging",
        "background_removal",
        "eval",
        "on_success",
        "responsive_breakpoints",
        "access_control",
        "public_id_prefix",
        "use_asset_folder_as_public_id_prefix",
    }
)
_FORBIDDEN_PUBLIC_ID_CHARACTERS = re.compile(r"[?&#\\%<>\x00-\x1f\x7f]")
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_RANDOM_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    data: bytes


def parse_context(text: str) -> dict[str, str]:
    """``key=value|key2=value2``, where ``\\=`` and ``\\|`` are literal."""
    context: dict[str, str] = {}
    for entry in re.split(r"(?<!\\)\|", text):
        if not entry:
            continue
        match = re.match(r"((?:[^=\\]|\\.)*)=(.*)", entry, re.DOTALL)
        if match is None or not match.group(1):
            raise bad_request(f"Invalid context - {text}")
        context[_unescape(match.group(1))] = _unescape(match.group(2))
    return context


def _unescape(text: str) -> str:
    return text.replace("\\=", "=").replace("\\|", "|")


def decode_file_field(value: str) -> IncomingFile:
    """A ``file`` sent as text: a data URI, as the Upload API accepts (remote URLs are not)."""
    value = value.strip()
    if value.startswith("data:"):
        header, comma, payload = value[5:].partition(",")
        if not comma:
            raise bad_request("Invalid data URI for file")
        try:
            if header.endswith(";base64"):
                data = base64.b64decode(payload, validate=True)
            else:
                data = unquote_to_bytes(payload)
        except (binascii.Error, ValueError):
            raise bad_request("Invalid base64 data in file data URI") from None
        return IncomingFile("file", data)
    if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE):
        raise bad_request("Uploading from a remote URL is not supported by the local Cloudinary")
    raise bad_request("Invalid file parameter: expected a file or a data URI")


class UploadService:
    def __init__(
        self,
        credentials: Credentials,
        store: AssetStore,
        notifier: Notifier,
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.store = store
        self.notifier = notifier
        self.settings = settings
        self.clock = clock

    # --- authentication (shared by upload and destroy) -------------------------------------

    def check_cloud(self, cloud_name: str) -> None:
        if cloud_name != self.credentials.cloud_name:
            raise unauthorized(f"Invalid cloud_name {cloud_name}")

    def authenticate(
        self, cloud_name: str, params: Mapping[str, ParamValue], *, is_upload: bool = True
    ) -> None:
        self.check_cloud(cloud_name)
        if not params.get("signature"):
            if not is_upload:
                raise bad_request("Missing required parameter - signature")
            preset = _text(params, "upload_preset")
            if preset:
                raise bad_request(f"Upload preset {preset} not found")
            raise bad_request("Upload preset must be specified when using unsigned upload")
        api_key = _text(params, "api_key")
        if not api_key:
            raise unauthorized("Must supply api_key")
        if api_key != self.credentials.api_key:
            raise unauthorized(f"Unknown API key {api_key}")
        raw_timestamp = _text(params, "timestamp")
        if not raw_timestamp:
            raise bad_request("Missing required parameter - timestamp")
        if not signatures.request_signature_matches(params, self.credentials.api_secret):
            raise unauthorized(
                f"Invalid Signature {_text(params, 'signature')}. "
                f"String to sign - '{signatures.string_to_sign(params)}'."
            )
        try:
            timestamp = int(raw_timestamp)
        except ValueError:
            raise bad_request(f"Invalid timestamp {raw_timestamp}") from None
        age = self.clock() - timestamp
        if abs(age) > SIGNATURE_LIFETIME_SECONDS:
            reported = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S +0000")
            when = "ago" if age > 0 else "in the future"
            raise bad_request(
                f"Stale request - reported time is {reported} which is more than 1 hour {when}"
            )

    # --- upload ----------------------------------------------------------------------------

    def upload(
        self,
        cloud_name: str,
        resource_type: str,
        params: Mapping[str, ParamValue],
        file: IncomingFile | None,
    ) -> dict[str, Any]:
        self.authenticate(cloud_name, params)
        if resource_type not in UPLOAD_RESOURCE_TYPES:
            raise bad_request(f"Invalid resource type {resource_type}")
        unsupported = sorted(UNSUPPORTED_PARAMETERS.intersection(params))
        if unsupported:
            raise bad_request(
                f"Parameter {unsupported[0]} is not supported by the local Cloudinary"
            )
        if file is None:
            raise bad_request("Missing required parameter - file")
        self.check_file_size(len(file.data))

        delivery_type = _text(params, "type") or "upload"
        if delivery_type != "upload":
            raise bad_request(f"Invalid type {delivery_type}: the local Cloudinary has only upload")
        overwrite = _flag(params, "overwrite", default=True)
        use_filename = _flag(params, "use_filename", default=False)
        unique_filename = _flag(params, "unique_filename", default=True)
        folder = _clean_folder(_text(params, "folder"))
        asset_folder = (
            _clean_folder(_text(params, "asset_folder")) if "asset_folder" in params else folder
        )
        tags = _list(params, "tags")
        context = parse_context(_text(params, "context"))
        allowed_formats = [media.normalize_format(f) for f in _list(params, "allowed_formats")]
        notification_url = _text(params, "notification_url")
        if notification_url:
            check_notification_url(notification_url)
        original_filename = _text(params, "filename_override") or file.filename

        info = media.inspect(
            file.data, resource_type, original_filename, self.settings.max_image_megapixels
        )
        if allowed_formats and info.format not in allowed_formats:
            kind = info.resource_type.capitalize()
            raise bad_request(f"{kind} file format {info.format or 'unknown'} not allowed")

        public_id = self._public_id(
            _text(params, "public_id"),
            folder,
            info,
            original_filename,
            use_filename,
            unique_filename,
        )
        now = self.clock()
        stem = PurePosixPath(original_filename.replace("\\", "/")).name
        if info.resource_type != "raw":
            stem = PurePosixPath(stem).stem or stem

        def make_asset(previous: Asset | None) -> Asset:
            version = int(now)
            if previous is not None and version <= previous.version:
                version = previous.version + 1
            return Asset(
                resource_type=info.resource_type,
                public_id=public_id,
                asset_id=previous.asset_id if previous else uuid.uuid4().hex,
                version=version,
                version_id=uuid.uuid4().hex,
                format=info.format,
                width=info.width,
                height=info.height,
                bytes=len(file.data),
                etag=hashlib.md5(file.data).hexdigest(),
                created_at=datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                original_filename=stem,
                display_name=_text(params, "display_name") or public_id.rsplit("/", 1)[-1],
                asset_folder=asset_folder,
                tags=tags,
                context=context,
            )

        asset, existing = self.store.put(
            info.resource_type, public_id, file.data, make_asset, overwrite=overwrite
        )
        response = asset_fields(asset, self.credentials, self.settings.base_url)
        response["api_key"] = self.credentials.api_key
        if existing:
            response["existing"] = True
        elif notification_url:
            self.notifier.send(notification_url, self._notification(response))
        return response

    def check_file_size(self, size: int) -> None:
        if size > self.settings.max_file_size:
            raise bad_request(
                f"File size too large. Got {size}. Maximum is {self.settings.max_file_size}."
            )

    def _public_id(
        self,
        requested: str,
        folder: str,
        info: media.MediaInfo,
        original_filename: str,
        use_filename: bool,
        unique_filename: bool,
    ) -> str:
        if requested:
            public_id = requested.strip("/")
        elif use_filename:
            name = PurePosixPath(original_filename.replace("\\", "/")).stem
            public_id = _FILENAME_UNSAFE.sub("_", name).strip("_") or "file"
            if unique_filename:
                public_id += "_" + _random_id(6)
        else:
            public_id = _random_id(20)
        if not requested and info.resource_type == "raw" and info.format:
            public_id += f".{info.format}"
        if folder:
            public_id = f"{folder}/{public_id}"
        _check_public_id(public_id)
        return public_id

    def _notification(self, response: dict[str, Any]) -> dict[str, Any]:
        now = datetime.fromtimestamp(self.clock(), UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        return {
            "notification_type": "upload",
            "timestamp": now,
            "request_id": uuid.uuid4().hex,
            **response,
            "notification_context": {
                "triggered_at": now,
                "triggered_by": {"source": "api", "id": self.credentials.api_key},
            },
            "signature_key": self.credentials.api_key,
        }

    # --- destroy ---------------------------------------------------------------------------

    def destroy(
        self, cloud_name: str, resource_type: str, params: Mapping[str, ParamValue]
    ) -> dict[str, Any]:
        self.authenticate(cloud_name, params, is_upload=False)
        if resource_type not in media.RESOURCE_TYPES:
            raise bad_request(f"Invalid resource type {resource_type}")
        public_id = _text(params, "public_id")
        if not public_id:
            raise bad_request("Missing required parameter - public_id")
        delivery_type = _text(params, "type") or "upload"
        if delivery_type != "upload":
            return {"result": "not found"}
        deleted = self.store.delete(resource_type, public_id)
        return {"result": "ok" if deleted else "not found"}


def _text(params: Mapping[str, ParamValue], name: str) -> str:
    value = params.get(name, "")
    return ",".join(value) if isinstance(value, list) else value.strip()


def _list(params: Mapping[str, ParamValue], name: str) -> list[str]:
    value = params.get(name, "")
    items = value if isinstance(value, list) else value.split(",")
    return [item.strip() for item in items if item.strip()]


def _flag(params: Mapping[str, ParamValue], name: str, *, default: bool) -> bool:
    text = _text(params, name).lower()
    if text == "":
        return default
    if text in ("1", "true"):
        return True
    if text in ("0", "false"):
        return False
    raise bad_request(f"Invalid value {text} for parameter {name}")


def _clean_folder(folder: str) -> str:
    folder = folder.strip().strip("/")
    if folder:
        _check_public_id(folder, what="folder")
    return folder


def _check_public_id(value: str, what: str = "public_id") -> None:
    if len(value) > 255:
        raise bad_request(f"Invalid {what}: longer than 255 characters")
    if _FORBIDDEN_PUBLIC_ID_CHARACTERS.search(value):
        raise bad_request(f"Invalid {what} {value}: it may not contain ? & # \\ % < >")
    if any(segment in ("", ".", "..") for segment in value.split("/")):
        raise bad_request(f"Invalid {what} {value}: empty, '.' or '..' path segment")


def _random_id(length: int) -> str:
    return "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(length))
