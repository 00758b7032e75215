"""What an uploaded file really is, from its bytes: never from its name or Content-Type.

Images are recognised and measured by Pillow, videos by their container's magic bytes,
and everything else is raw. Decoding refuses images above the megapixel limit before any
pixel is decompressed, so a small file cannot expand into gigabytes (a decompression bomb).
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from PIL import Image, ImageOps, UnidentifiedImageError

from emulators.cloudinary.errors import CloudinaryError, bad_request

# Pillow's format name -> the format Cloudinary reports.
IMAGE_FORMATS = {
    "JPEG": "jpg",
    "PNG": "png",
    "GIF": "gif",
    "WEBP": "webp",
    "BMP": "bmp",
    "TIFF": "tiff",
    "ICO": "ico",
}
FORMAT_ALIASES = {"jpeg": "jpg", "jpe": "jpg", "tif": "tiff"}
RESOURCE_TYPES = ("image", "video", "raw")
_RAW_EXTENSION = re.compile(r"^[a-z0-9]{1,10}$")


@dataclass(frozen=True)
class MediaInfo:
    resource_type: str
    format: str | None
    width: int | None = None
    height: int | None = None


def normalize_format(name: str) -> str:
    name = name.strip().lower().lstrip(".")
    return FORMAT_ALIASES.get(name, name)


def inspect(data: bytes, requested_type: str, filename: str, max_megapixels: float) -> MediaInfo:
    """Classify ``data`` for an upload to ``/{requested_type}/upload``."""
    if requested_type == "raw":
        return MediaInfo("raw", raw_format(filename))
    if requested_type in ("image", "auto"):
        image = _inspect_image(data, max_megapixels)
        if image is not None:
            return image
        if requested_type == "image":
            raise bad_request("Invalid image file")
    if requested_type in ("video", "auto"):
        video_format = _sniff_video(data)
        if video_format is not None:
            return MediaInfo("video", video_format)
        if requested_type == "video":
            raise bad_request("Invalid video file")
    return MediaInfo("raw", raw_format(filename))


def raw_format(filename: str) -> str | None:
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    return suffix if _RAW_EXTENSION.match(suffix) else None


def open_image(data: bytes, max_megapixels: float) -> Image.Image:
    """Decode an image fully, upright (EXIF orientation applied), within the pixel limit."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            check_megapixels(image.width, image.height, max_megapixels)
            image.load()
            return ImageOps.exif_transpose(image)
    except CloudinaryError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(max_megapixels) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise bad_request("Invalid image file") from None


def check_megapixels(width: int, height: int, max_megapixels: float) -> None:
    megapixels = width * height / 1_000_000
    if megapixels > max_megapixels:
        raise bad_request(
            f"Image resolution too large. Got {width}x{height} ({megapixels:.1f} megapixels). "
            f"Maximum is {max_megapixels:g} megapixels."
        )


def _too_large(max_megapixels: float) -> CloudinaryError:
    return bad_request(f"Image resolution too large. Maximum is {max_megapixels:g} megapixels.")


def _inspect_image(data: bytes, max_megapixels: float) -> MediaInfo | None:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            pillow_format = probe.format
    except Image.DecompressionBombError:
        raise _too_large(max_megapixels) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    if pillow_format not in IMAGE_FORMATS:
        return None
    # Full decode: a truncated or corrupt image is refused now, not at delivery time.
    image = open_image(data, max_megapixels)
    return MediaInfo("image", IMAGE_FORMATS[pillow_format], image.width, image.height)


def _sniff_video(data: bytes) -> str | None:
    head = data[:64]
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "mov" if brand == b"qt  " else "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(b"OggS"):
        return "ogv"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    return None
