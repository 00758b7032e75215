"""The image transformations clients use for previews, applied with Pillow.

A transformation is a chain of components separated by ``/``, each a comma-separated list
of ``key_value`` parameters (cloudinary.com/documentation/transformation_reference):

- ``w_``/``h_``: pixels, or a fraction of the current size when written with a decimal point
  (``w_0.5``);
- ``c_``: ``scale`` (default), ``fit``, ``limit``, ``fill``, ``thumb``, ``crop``;
- ``g_``: ``center``, the compass points, and ``auto`` (also ``face``/``faces``), which here
  picks the window with the most edge detail: an approximation of Cloudinary's AI cropping;
- ``f_``: ``jpg``, ``png``, ``webp``, ``gif``, or ``auto`` (WebP when the browser accepts it);
- ``q_``: ``1``-``100``, ``auto`` and ``auto:best|good|eco|low``.

Other Cloudinary parameters are recognised, so they are not mistaken for folders, and refused
with a clear error rather than silently ignored. Every requested size is checked against the
megapixel limit before any pixel is allocated.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageStat

from emulators.cloudinary.errors import bad_request
from emulators.cloudinary.media import check_megapixels, normalize_format

SUPPORTED_KEYS = frozenset({"w", "h", "c", "g", "f", "q"})
# Cloudinary's other transformation keys: recognised so that a URL using them gets a clear
# "not supported" instead of being read as a folder of the public ID.
OTHER_KNOWN_KEYS = frozenset(
    [
        "a",
        "ac",
        "af",
        "ar",
        "b",
        "bo",
        "br",
        "co",
        "cs",
        "d",
        "dl",
        "dn",
        "dpr",
        "du",
        "e",
        "eo",
        "fl",
        "fn",
        "fps",
        "if",
        "ki",
        "l",
        "o",
        "p",
        "pg",
        "r",
        "so",
        "sp",
        "t",
        "u",
        "vc",
        "vs",
        "x",
        "y",
        "z",
    ]
)
CROP_MODES = frozenset({"scale", "fit", "limit", "fill", "thumb", "crop"})
COMPASS = {
    "center": (0.5, 0.5),
    "north": (0.5, 0.0),
    "south": (0.5, 1.0),
    "east": (1.0, 0.5),
    "west": (0.0, 0.5),
    "north_east": (1.0, 0.0),
    "north_west": (0.0, 0.0),
    "south_east": (1.0, 1.0),
    "south_west": (0.0, 1.0),
}
AUTO_GRAVITIES = frozenset({"auto", "face", "faces"})
# Output format -> Pillow encoder.
OUTPUT_FORMATS = {
    "jpg": "JPEG",
    "png": "PNG",
    "webp": "WEBP",
    "gif": "GIF",
    "bmp": "BMP",
    "tiff": "TIFF",
}
QUALITY_LEVELS = {"auto": 80, "auto:good": 80, "auto:best": 90, "auto:eco": 65, "auto:low": 50}
DEFAULT_QUALITY = 80
MAX_SIDE = 25_000
_PARAMETER = re.compile(r"^([a-z]{1,3})_(.+)$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


@dataclass(frozen=True)
class Step:
    """One component of the chain: a resize/crop (any field may be unset)."""

    width: float | None = None
    height: float | None = None
    crop: str | None = None
    gravity: str | None = None


@dataclass(frozen=True)
class Chain:
    steps: tuple[Step, ...] = ()
    format: str | None = None
    quality: str | None = None

    @property
    def canonical(self) -> str:
        """A stable text for the cache key and the Admin API's list of derived copies."""
        parts = []
        for step in self.steps:
            fields = [
                ("c", step.crop),
                ("g", step.gravity),
                ("h", _number_text(step.height)),
                ("w", _number_text(step.width)),
            ]
            parts.append(",".join(f"{k}_{v}" for k, v in fields if v is not None))
        tail = [f"{k}_{v}" for k, v in (("f", self.format), ("q", self.quality)) if v]
        if tail:
            parts.append(",".join(tail))
        return "/".join(part for part in parts if part)


def is_component(segment: str) -> bool:
    """Whether a URL path segment is a transformation component rather than part of an ID."""
    parameters = segment.split(",")
    for parameter in parameters:
        match = _PARAMETER.match(parameter)
        if match is None or match.group(1) not in SUPPORTED_KEYS | OTHER_KNOWN_KEYS:
            return False
    return True


def parse(components: list[str]) -> Chain:
    steps: list[Step] = []
    output_format: str | None = None
    quality: str | None = None
    for component in components:
        values: dict[str, str] = {}
        for parameter in component.split(","):
            match = _PARAMETER.match(parameter)
            if match is None:
                raise bad_request(f"Invalid transformation {component}")
            key, value = match.groups()
            if key not in SUPPORTED_KEYS:
                raise bad_request(
                    f"Transformation parameter {key}_ is not supported by the local Cloudinary"
                )
            values[key] = value
        if "f" in values:
            output_format = _parse_format(values["f"])
        if "q" in values:
            quality = _parse_quality(values["q"])
        if values.keys() & {"w", "h", "c", "g"}:
            steps.append(_parse_step(values))
    return Chain(tuple(steps), output_format, quality)


def _parse_step(values: dict[str, str]) -> Step:
    crop = values.get("c")
    if crop is not None and crop not in CROP_MODES:
        raise bad_request(f"Crop mode c_{crop} is not supported by the local Cloudinary")
    gravity = values.get("g")
    if gravity is not None:
        gravity = "auto" if gravity.split(":")[0] in AUTO_GRAVITIES else gravity
        if gravity != "auto" and gravity not in COMPASS:
            raise bad_request(f"Gravity g_{values['g']} is not supported by the local Cloudinary")
    return Step(_dimension(values, "w"), _dimension(values, "h"), crop, gravity)


def _dimension(values: dict[str, str], key: str) -> float | None:
    text = values.get(key)
    if text is None:
        return None
    name = "width" if key == "w" else "height"
    if not _NUMBER.match(text):
        raise bad_request(f"Invalid {name} {text}")
    number = float(text)
    is_fraction = "." in text
    if number <= 0 or (not is_fraction and number > MAX_SIDE):
        raise bad_request(f"Invalid {name} {text}")
    if is_fraction and number > 100:
        raise bad_request(f"Invalid {name} {text}")
    return number if is_fraction else int(number)


def _parse_format(text: str) -> str:
    name = normalize_format(text)
    if name != "auto" and name not in OUTPUT_FORMATS:
        raise bad_request(f"Format f_{text} is not supported by the local Cloudinary")
    return name


def _parse_quality(text: str) -> str:
    if text in QUALITY_LEVELS:
        return text
    if text.isdigit() and 1 <= int(text) <= 100:
        return text
    raise bad_request(f"Invalid quality q_{text}")


def _number_text(value: float | None) -> str | None:
    if value is None:
        return None
    return repr(value) if isinstance(value, float) else str(value)


# --- applying a chain -----------------------------------------------------------------------


def apply(image: Image.Image, chain: Chain, max_megapixels: float) -> Image.Image:
    for step in chain.steps:
        image = _apply_step(image, step, max_megapixels)
    return image


def _apply_step(image: Image.Image, step: Step, max_megapixels: float) -> Image.Image:
    source_w, source_h = image.size
    width = _resolve(step.width, source_w)
    height = _resolve(step.height, source_h)
    if width is None and height is None:
        return image
    crop = step.crop or "scale"
    gravity = step.gravity or "center"

    if crop == "crop":
        target = (min(width or source_w, source_w), min(height or source_h, source_h))
        return _cut(image, target, gravity)

    if crop == "scale" or (crop in ("fill", "thumb") and (width is None or height is None)):
        if width is not None and height is not None:
            return _resize(image, (width, height), max_megapixels)
        ratio = width / source_w if width is not None else height / source_h
        return _resize(image, _scaled(image.size, ratio), max_megapixels)

    if crop in ("fit", "limit"):
        ratios = [r for r in (_ratio(width, source_w), _ratio(height, source_h)) if r is not None]
        ratio = min(ratios)
        if crop == "limit" and ratio >= 1:
            return image
        return _resize(image, _scaled(image.size, ratio), max_megapixels)

    # fill / thumb with both dimensions: cover the box, then cut it out around the gravity.
    ratio = max(width / source_w, height / source_h)
    covering = (
        max(width, math.ceil(source_w * ratio)),
        max(height, math.ceil(source_h * ratio)),
    )
    check_megapixels(width, height, max_megapixels)
    return _cut(_resize(image, covering, max_megapixels), (width, height), gravity)


def _resolve(value: float | None, current: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, float):
        return max(1, round(current * value))
    return value


def _ratio(target: int | None, current: int) -> float | None:
    return None if target is None else target / current


def _scaled(size: tuple[int, int], ratio: float) -> tuple[int, int]:
    return max(1, round(size[0] * ratio)), max(1, round(size[1] * ratio))


def _resize(image: Image.Image, size: tuple[int, int], max_megapixels: float) -> Image.Image:
    if size[0] > MAX_SIDE or size[1] > MAX_SIDE:
        raise bad_request(f"Requested size {size[0]}x{size[1]} is too large")
    check_megapixels(size[0], size[1], max_megapixels)
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS)


def _cut(image: Image.Image, size: tuple[int, int], gravity: str) -> Image.Image:
    if size == image.size:
        return image
    spare_w, spare_h = image.width - size[0], image.height - size[1]
    if gravity == "auto":
        left, top = _most_detailed_window(image, size)
    else:
        fx, fy = COMPASS[gravity]
        left, top = round(spare_w * fx), round(spare_h * fy)
    return image.crop((left, top, left + size[0], top + size[1]))


def _most_detailed_window(image: Image.Image, size: tuple[int, int]) -> tuple[int, int]:
    """Slide the window along the axis with room to spare; keep the one with most edges."""
    spare_w, spare_h = image.width - size[0], image.height - size[1]
    scale = min(1.0, 256 / max(image.size))
    edges = (
        image.convert("L")
        .resize(_scaled(image.size, scale), Image.Resampling.BILINEAR)
        .filter(ImageFilter.FIND_EDGES)
    )
    best, best_score = (spare_w // 2, spare_h // 2), -1.0
    for step in range(9):
        fraction = step / 8
        left, top = round(spare_w * fraction), round(spare_h * fraction)
        box = tuple(round(v * scale) for v in (left, top, left + size[0], top + size[1]))
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        score = ImageStat.Stat(edges.crop(box)).mean[0]
        if score > best_score:
            best, best_score = (left, top), score
    return best


# --- encoding -------------------------------------------------------------------------------


def encode(image: Image.Image, output_format: str, quality: str | None) -> bytes:
    encoder = OUTPUT_FORMATS[output_format]
    options: dict[str, object] = {}
    if output_format in ("jpg", "webp"):
        level = QUALITY_LEVELS.get(quality or "")
        options["quality"] = level or (int(quality) if quality else DEFAULT_QUALITY)
    image = _convert_for(image, output_format)
    buffer = io.BytesIO()
    image.save(buffer, encoder, **options)
    return buffer.getvalue()


def _convert_for(image: Image.Image, output_format: str) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if output_format in ("jpg", "bmp"):
        if has_alpha:
            rgba = image.convert("RGBA")
            flattened = Image.new("RGB", rgba.size, (255, 255, 255))
            flattened.paste(rgba, mask=rgba.getchannel("A"))
            return flattened
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if output_format == "gif":
        return image if image.mode in ("P", "L") else image.convert("RGB").convert("P")
    if image.mode in ("RGB", "RGBA", "L"):
        return image
    return image.convert("RGBA" if has_alpha else "RGB")
