"""Delivery URLs with transformations: real pixel sizes, formats, headers, cache and guards."""

from __future__ import annotations

import io
from typing import Any

import cloudinary.uploader
import cloudinary.utils
import httpx
import pytest
from PIL import Image

from tests.emulators.cloudinary.harness import CLOUD_NAME, Server, image_bytes

pytestmark = pytest.mark.usefixtures("sdk")


@pytest.fixture
def landscape(server: Server) -> dict[str, Any]:
    """A 400x200 PNG whose top-left 50x50 corner is white."""
    return cloudinary.uploader.upload(image_bytes("PNG", (400, 200)), public_id="delivery/land")


def fetch(server: Server, transformation: str, name: str = "delivery/land.png", **headers: str):
    path = f"{transformation}/{name}" if transformation else name
    return httpx.get(f"{server.base_url}/{CLOUD_NAME}/image/upload/{path}", headers=headers)


def decoded(response: httpx.Response) -> Image.Image:
    assert response.status_code == 200, response.headers.get("x-cld-error")
    return Image.open(io.BytesIO(response.content))


@pytest.mark.parametrize(
    ("transformation", "size"),
    [
        ("w_100", (100, 50)),  # scale keeps the aspect ratio with one side given
        ("h_50", (100, 50)),
        ("w_100,h_100", (100, 100)),  # scale with both sides distorts
        ("c_scale,w_0.5", (200, 100)),  # a decimal is a fraction of the size
        ("c_fit,w_100,h_100", (100, 50)),
        ("c_limit,w_1000,h_1000", (400, 200)),  # limit never enlarges
        ("c_limit,w_200,h_200", (200, 100)),
        ("c_fit,w_800,h_800", (800, 400)),  # fit does
        ("c_fill,w_100,h_100", (100, 100)),
        ("c_fill,g_auto,w_150,h_120", (150, 120)),
        ("c_thumb,g_center,w_64,h_64", (64, 64)),
        ("c_crop,w_50,h_50", (50, 50)),
        ("c_crop,w_1000,h_1000", (400, 200)),  # crop cannot exceed the image
        ("c_fill,w_200,h_200/w_50", (50, 50)),  # a chain applies in order
    ],
)
def test_transformation_pixel_sizes(
    server: Server, landscape: dict, transformation: str, size: tuple[int, int]
) -> None:
    image = decoded(fetch(server, transformation))
    assert image.size == size
    assert image.format == "PNG"


def test_crop_gravity_picks_the_corner(server: Server, landscape: dict) -> None:
    corner = decoded(fetch(server, "c_crop,g_north_west,w_40,h_40")).convert("RGB")
    assert corner.getpixel((20, 20)) == (255, 255, 255)
    opposite = decoded(fetch(server, "c_crop,g_south_east,w_40,h_40")).convert("RGB")
    assert opposite.getpixel((20, 20)) != (255, 255, 255)


def test_formats_from_extension_parameter_and_auto(server: Server, landscape: dict) -> None:
    as_jpg = fetch(server, "w_100", "delivery/land.jpg")
    assert decoded(as_jpg).format == "JPEG"
    assert as_jpg.headers["content-type"] == "image/jpeg"

    as_webp = fetch(server, "f_webp,q_60,w_100")
    assert decoded(as_webp).format == "WEBP"
    assert as_webp.headers["content-type"] == "image/webp"

    for_chrome = fetch(server, "f_auto,w_80", Accept="image/avif,image/webp,*/*")
    assert decoded(for_chrome).format == "WEBP"
    assert "Accept" in for_chrome.headers["vary"]
    for_old_browser = fetch(server, "f_auto,w_80", Accept="image/png,*/*")
    assert decoded(for_old_browser).format == "PNG"


def test_quality_changes_the_jpeg(server: Server, landscape: dict) -> None:
    low = fetch(server, "q_10", "delivery/land.jpg")
    high = fetch(server, "q_95", "delivery/land.jpg")
    assert decoded(low).size == decoded(high).size == (400, 200)
    assert len(low.content) < len(high.content)


def test_transparent_png_to_jpeg_is_flattened(server: Server) -> None:
    transparent = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    buffer = io.BytesIO()
    transparent.save(buffer, "PNG")
    result = cloudinary.uploader.upload(buffer.getvalue(), public_id="delivery/clear")
    image = decoded(fetch(server, "", "delivery/clear.jpg"))
    assert result["format"] == "png"
    assert image.mode == "RGB" and image.getpixel((10, 10)) == (255, 255, 255)


def test_derived_copies_are_cached_and_revalidated(server: Server, landscape: dict) -> None:
    derived_dir = server.storage / "derived" / landscape["asset_id"]
    first = fetch(server, "c_fill,w_33,h_33")
    cached = sorted(derived_dir.rglob("*.png"))
    assert len(cached) == 1
    mtime = cached[0].stat().st_mtime_ns
    second = fetch(server, "c_fill,w_33,h_33")
    assert second.content == first.content
    assert cached[0].stat().st_mtime_ns == mtime  # served from disk, not made again
    assert second.headers["etag"] == first.headers["etag"]
    not_modified = fetch(server, "c_fill,w_33,h_33", **{"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304
    assert not_modified.content == b""


def test_version_segment_and_sdk_built_urls(server: Server, landscape: dict) -> None:
    url = cloudinary.utils.cloudinary_url(
        landscape["public_id"], width=60, crop="scale", format="jpg", version=landscape["version"]
    )[0]
    assert f"/v{landscape['version']}/" in url
    assert decoded(httpx.get(url)).size == (60, 30)


def test_unknown_assets_are_404(server: Server, landscape: dict) -> None:
    assert fetch(server, "", "delivery/missing.png").status_code == 404
    assert fetch(server, "w_10", "delivery/missing.png").status_code == 404
    other_cloud = httpx.get(f"{server.base_url}/another-cloud/image/upload/delivery/land.png")
    assert other_cloud.status_code == 404


@pytest.mark.parametrize(
    ("transformation", "message"),
    [
        ("e_blur:300", "Transformation parameter e_ is not supported"),
        ("c_pad,w_10", "Crop mode c_pad is not supported"),
        ("w_abc", "Invalid width abc"),
        ("w_30000", "Invalid width 30000"),
        ("c_scale,w_20000,h_20000", "Image resolution too large"),
        ("c_fit,w_10000,h_10000", "Image resolution too large"),
        ("q_0", "Invalid quality q_0"),
        ("f_heic", "Format f_heic is not supported"),
    ],
)
def test_bad_or_absurd_transformations(
    server: Server, landscape: dict, transformation: str, message: str
) -> None:
    response = fetch(server, transformation)
    assert response.status_code == 400
    assert response.headers["x-cld-error"].startswith(message)


def test_raw_files_are_served_as_opaque_bytes(server: Server) -> None:
    html = b"<script>alert(1)</script>"
    result = cloudinary.uploader.upload(html, resource_type="raw", public_id="files/page.html")
    response = httpx.get(result["secure_url"])
    assert response.content == html
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["x-content-type-options"] == "nosniff"
    transformed = httpx.get(f"{server.base_url}/{CLOUD_NAME}/raw/upload/w_10/files/page.html")
    assert transformed.status_code == 400


def test_head_gives_headers_without_a_body(server: Server, landscape: dict) -> None:
    response = httpx.head(landscape["secure_url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["etag"] == f'"{landscape["etag"]}"'
    assert response.content == b""


def test_non_ascii_in_a_bad_transformation_still_gets_a_clean_error(
    server: Server, landscape: dict
) -> None:
    response = fetch(server, "w_%E4%B8%AD")
    assert response.status_code == 400
    assert response.headers["x-cld-error"] == "Invalid width \\u4e2d"


def test_non_ascii_public_id_round_trips(server: Server) -> None:
    result = cloudinary.uploader.upload(image_bytes("PNG", (30, 20)), public_id="café/über menu")
    assert result["public_id"] == "café/über menu"
    assert decoded(httpx.get(result["secure_url"])).size == (30, 20)
    url = cloudinary.utils.cloudinary_url(result["public_id"], width=15, format="png")[0]
    assert decoded(httpx.get(url)).size == (15, 10)


def test_fetch_delivery_serves_a_remote_image_transformed(server: Server):
    from tests.support.link_origin import LinkOrigin

    with LinkOrigin() as origin:
        base = f"{server.base_url}/{CLOUD_NAME}/image/fetch"
        resized = httpx.get(f"{base}/c_limit,w_32,f_png/{origin.url('/image.png')}")
        assert resized.headers["content-type"] == "image/png"
        assert decoded(resized).size == (32, 24)  # the 64x48 original, limited to 32 wide
        auto = httpx.get(
            f"{base}/f_auto/{origin.url('/image.png')}", headers={"Accept": "image/webp"}
        )
        assert auto.headers["content-type"] == "image/webp"
        assert "Accept" in auto.headers["vary"]
        page = httpx.get(f"{base}/{origin.url('/article')}")
        assert page.status_code == 400 and page.headers["x-cld-error"] == "Invalid image file"
        missing = httpx.get(f"{base}/{origin.url('/nothing.png')}")
        assert missing.status_code == 404
    assert httpx.get(f"{base}/ftp://example.com/a.png").status_code == 400
    assert (
        httpx.get(f"{server.base_url}/other-cloud/image/fetch/https://x.example/a.png").status_code
        == 404
    )
