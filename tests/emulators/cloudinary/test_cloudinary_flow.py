"""Sign, upload, deliver, get notified, look up, destroy: through the real SDK over HTTP."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import time
from concurrent.futures import ThreadPoolExecutor

import cloudinary
import cloudinary.api
import cloudinary.exceptions
import cloudinary.uploader
import cloudinary.utils
import httpx
import pytest
from PIL import Image

from tests.emulators.cloudinary.harness import (
    API_KEY,
    API_SECRET,
    CLOUD_NAME,
    NotificationReceiver,
    Server,
    image_bytes,
)

pytestmark = pytest.mark.usefixtures("sdk")


def pixel_size(url: str, **headers: str) -> tuple[tuple[int, int], str, httpx.Response]:
    response = httpx.get(url, headers=headers)
    assert response.status_code == 200, response.headers.get("x-cld-error")
    image = Image.open(io.BytesIO(response.content))
    return image.size, image.format, response


def test_sdk_upload_deliver_notify_lookup_destroy(
    server: Server, receiver: NotificationReceiver
) -> None:
    data = image_bytes("PNG", (640, 480))
    result = cloudinary.uploader.upload(
        data,
        public_id="avatar",
        folder="rooms/r1",
        tags=["chat", "avatar"],
        context={"room": "r1", "caption": "a=b|c"},
        allowed_formats=["png", "jpg"],
        notification_url=receiver.url,
        overwrite=True,
        filename="me.png",
    )

    assert result["public_id"] == "rooms/r1/avatar"
    assert (result["width"], result["height"]) == (640, 480)
    assert result["format"] == "png"
    assert result["resource_type"] == "image"
    assert result["type"] == "upload"
    assert result["bytes"] == len(data)
    assert result["etag"] == hashlib.md5(data).hexdigest()
    assert result["tags"] == ["chat", "avatar"]
    assert result["context"] == {"custom": {"room": "r1", "caption": "a=b|c"}}
    assert result["asset_folder"] == "rooms/r1"
    assert result["original_filename"] == "me"
    assert result["placeholder"] is False
    assert len(result["asset_id"]) == 32 and len(result["version_id"]) == 32
    assert abs(result["version"] - time.time()) < 60
    assert result["created_at"].endswith("Z")
    assert cloudinary.utils.verify_api_response_signature(
        result["public_id"], result["version"], result["signature"]
    )
    expected_url = (
        f"{server.base_url}/{CLOUD_NAME}/image/upload/v{result['version']}/rooms/r1/avatar.png"
    )
    assert result["secure_url"] == result["url"] == expected_url

    # The original, byte for byte, with caching headers.
    original = httpx.get(result["secure_url"])
    assert original.status_code == 200
    assert original.content == data
    assert original.headers["content-type"] == "image/png"
    assert original.headers["etag"] == f'"{result["etag"]}"'
    assert "max-age" in original.headers["cache-control"]
    revalidated = httpx.get(
        result["secure_url"], headers={"If-None-Match": original.headers["etag"]}
    )
    assert revalidated.status_code == 304

    # Delivery URLs as the SDK builds them, with the real pixel sizes checked.
    fill_url = cloudinary.utils.cloudinary_url(
        result["public_id"],
        width=120,
        height=90,
        crop="fill",
        gravity="auto",
        fetch_format="webp",
        quality="auto",
        version=result["version"],
    )[0]
    assert fill_url.startswith(f"{server.base_url}/{CLOUD_NAME}/image/upload/")
    size, fmt, response = pixel_size(fill_url)
    assert (size, fmt) == ((120, 90), "WEBP")
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["etag"]

    # The notification, signed as Cloudinary signs it.
    notification = receiver.next()
    timestamp = notification.headers["X-Cld-Timestamp"]
    signature = notification.headers["X-Cld-Signature"]
    assert cloudinary.utils.verify_notification_signature(notification.body, timestamp, signature)
    assert not cloudinary.utils.verify_notification_signature(
        notification.body + " ", timestamp, signature
    )
    payload = json.loads(notification.body)
    assert payload["notification_type"] == "upload"
    for name in ("public_id", "version", "asset_id", "secure_url", "bytes", "etag", "format"):
        assert payload[name] == result[name]
    assert payload["context"] == {"custom": {"room": "r1", "caption": "a=b|c"}}

    # The Admin API sees the asset and its derived copy.
    details = cloudinary.api.resource(result["public_id"])
    assert details["asset_id"] == result["asset_id"]
    assert (details["width"], details["height"], details["bytes"]) == (640, 480, len(data))
    assert details["tags"] == ["chat", "avatar"]
    assert [(d["format"], d["transformation"]) for d in details["derived"]] == [
        ("webp", "c_fill,g_auto,h_90,w_120/f_webp,q_auto")
    ]

    # Destroy removes the asset, its file and its derived copies.
    assert cloudinary.uploader.destroy(result["public_id"])["result"] == "ok"
    assert httpx.get(result["secure_url"]).status_code == 404
    assert httpx.get(fill_url).status_code == 404
    with pytest.raises(cloudinary.exceptions.NotFound):
        cloudinary.api.resource(result["public_id"])
    assert cloudinary.uploader.destroy(result["public_id"])["result"] == "not found"
    assert not list((server.storage / "derived").rglob("*.webp"))


def test_browser_style_signed_form_post(server: Server) -> None:
    """What the web client does with a signature from signUpload: a plain multipart POST."""
    params = {
        "timestamp": int(time.time()),
        "public_id": "msg-1",
        "folder": "uploads/u1",
        "allowed_formats": "jpg,png",
        "tags": "chat",
    }
    signature = cloudinary.utils.api_sign_request(params, API_SECRET)
    # The file claims to be a PNG; it is a JPEG, and that is what must be recorded.
    data = image_bytes("JPEG", (300, 200))
    response = httpx.post(
        f"{server.base_url}/v1_1/{CLOUD_NAME}/image/upload",
        data={**{k: str(v) for k, v in params.items()}, "api_key": API_KEY, "signature": signature},
        files={"file": ("photo.png", data, "image/png")},
        headers={"Origin": "http://localhost:5173"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["public_id"] == "uploads/u1/msg-1"
    assert body["format"] == "jpg"
    assert (body["width"], body["height"]) == (300, 200)
    assert response.headers["access-control-allow-origin"] == "*"


def test_sha256_signature_and_data_uri_file(server: Server) -> None:
    params = {"timestamp": int(time.time()), "public_id": "from-data-uri"}
    signature = cloudinary.utils.api_sign_request(params, API_SECRET, algorithm="sha256")
    assert len(signature) == 64
    data = image_bytes("PNG", (50, 40))
    data_uri = "data:image/png;base64," + base64.b64encode(data).decode()
    response = httpx.post(
        f"{server.base_url}/v1_1/{CLOUD_NAME}/image/upload",
        data={**{k: str(v) for k, v in params.items()}, "api_key": API_KEY, "signature": signature},
        files={"file": (None, data_uri)},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["width"], response.json()["height"]) == (50, 40)
    assert httpx.get(response.json()["secure_url"]).content == data


def test_json_body_upload(server: Server) -> None:
    params = {"timestamp": int(time.time()), "public_id": "json-upload", "tags": "a,b"}
    signature = cloudinary.utils.api_sign_request(params, API_SECRET)
    data_uri = "data:image/gif;base64," + base64.b64encode(image_bytes("GIF", (20, 10))).decode()
    response = httpx.post(
        f"{server.base_url}/v1_1/{CLOUD_NAME}/auto/upload",
        json={**params, "api_key": API_KEY, "signature": signature, "file": data_uri},
    )
    assert response.status_code == 200, response.text
    assert response.json()["format"] == "gif"
    assert response.json()["tags"] == ["a", "b"]


def test_sdk_upload_of_file_path_with_ampersand_in_a_signed_value(tmp_path) -> None:
    path = tmp_path / "holiday photo.jpg"
    path.write_bytes(image_bytes("JPEG", (64, 48)))
    result = cloudinary.uploader.upload(
        str(path), public_id="trip", context={"caption": "sun & sea"}, use_filename=False
    )
    assert result["context"] == {"custom": {"caption": "sun & sea"}}
    assert result["original_filename"] == "holiday photo"


def test_raw_and_auto_uploads(server: Server) -> None:
    text = b"meeting notes\n"
    result = cloudinary.uploader.upload(text, resource_type="auto", filename="notes.txt")
    assert result["resource_type"] == "raw"
    assert result["public_id"].endswith(".txt")
    assert "width" not in result and "format" not in result
    response = httpx.get(result["secure_url"])
    assert response.content == text
    assert response.headers["content-type"] == "application/octet-stream"

    image = cloudinary.uploader.upload(image_bytes("PNG", (10, 10)), resource_type="auto")
    assert image["resource_type"] == "image"
    assert len(image["public_id"]) == 20


def test_overwrite_true_makes_a_new_version_and_false_keeps_the_old(server: Server) -> None:
    first = cloudinary.uploader.upload(image_bytes("PNG", (30, 30)), public_id="profile")
    second = cloudinary.uploader.upload(image_bytes("PNG", (60, 40)), public_id="profile")
    assert second["asset_id"] == first["asset_id"]
    assert second["version"] > first["version"]
    assert second["version_id"] != first["version_id"]
    size, _, _ = pixel_size(second["secure_url"])
    assert size == (60, 40)

    kept = cloudinary.uploader.upload(
        image_bytes("PNG", (90, 90)), public_id="profile", overwrite=False
    )
    assert kept["existing"] is True
    assert kept["version"] == second["version"]
    assert pixel_size(second["secure_url"])[0] == (60, 40)


def test_notification_is_retried_until_the_receiver_accepts(server: Server) -> None:
    receiver = NotificationReceiver(failures=2)
    try:
        result = cloudinary.uploader.upload(
            image_bytes("PNG", (8, 8)), public_id="retried", notification_url=receiver.url
        )
        attempts = [receiver.next(timeout=15) for _ in range(3)]
        for attempt in attempts:
            assert cloudinary.utils.verify_notification_signature(
                attempt.body, attempt.headers["X-Cld-Timestamp"], attempt.headers["X-Cld-Signature"]
            )
            assert json.loads(attempt.body)["public_id"] == result["public_id"]
        time.sleep(1.5)
        assert receiver.requests.empty()  # accepted on the third try: no fourth
    finally:
        receiver.close()


def test_video_container_is_recognised_and_served(server: Server) -> None:
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
    result = cloudinary.uploader.upload(mp4, resource_type="video", public_id="clip")
    assert (result["resource_type"], result["format"]) == ("video", "mp4")
    response = httpx.get(result["secure_url"])
    assert response.content == mp4
    assert response.headers["content-type"] == "video/mp4"
    with pytest.raises(cloudinary.exceptions.BadRequest, match="Invalid video file"):
        cloudinary.uploader.upload(b"not a video", resource_type="video", public_id="fake-clip")


def test_browser_preflight_is_allowed(server: Server) -> None:
    response = httpx.options(
        f"{server.base_url}/v1_1/{CLOUD_NAME}/auto/upload",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-requested-with",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]


def test_concurrent_overwrites_keep_one_consistent_asset(server: Server) -> None:
    sizes = [(10 + i, 10) for i in range(8)]

    def upload(size: tuple[int, int]) -> dict:
        return cloudinary.uploader.upload(image_bytes("PNG", size), public_id="contended")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(upload, sizes))
    versions = sorted(result["version"] for result in results)
    assert len(set(versions)) == len(versions)  # every write got its own version
    assert len({result["asset_id"] for result in results}) == 1
    latest = max(results, key=lambda result: result["version"])
    details = cloudinary.api.resource("contended")
    assert (details["version"], details["width"]) == (latest["version"], latest["width"])
    assert pixel_size(latest["secure_url"])[0] == (latest["width"], 10)
    originals = list((server.storage / "originals" / latest["asset_id"]).iterdir())
    assert [path.name for path in originals] == [latest["version_id"]]
