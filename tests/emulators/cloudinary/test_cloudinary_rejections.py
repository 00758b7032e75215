"""Every bad upload gets Cloudinary's error and status, and leaves nothing stored."""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Iterator

import cloudinary.api
import cloudinary.exceptions
import cloudinary.uploader
import cloudinary.utils
import httpx
import pytest

from tests.emulators.cloudinary.harness import (
    API_KEY,
    API_SECRET,
    CLOUD_NAME,
    MAX_FILE_SIZE,
    NotificationReceiver,
    Server,
    image_bytes,
)

pytestmark = pytest.mark.usefixtures("sdk")
PNG = image_bytes("PNG", (40, 30))


def post_upload(
    server: Server,
    fields: dict[str, str],
    data: bytes = PNG,
    *,
    cloud: str = CLOUD_NAME,
    resource_type: str = "image",
    filename: str = "picture.png",
) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/v1_1/{cloud}/{resource_type}/upload",
        data=fields,
        files={"file": (filename, data, "application/octet-stream")},
    )


def signed(params: dict[str, object], secret: str = API_SECRET) -> dict[str, str]:
    fields = {name: str(value) for name, value in params.items()}
    fields["signature"] = cloudinary.utils.api_sign_request(params, secret)
    fields["api_key"] = API_KEY
    return fields


@pytest.fixture
def nothing_stored(server: Server) -> Iterator[None]:
    before = server.stored_files()
    yield
    assert server.stored_files() == before


def assert_error(response: httpx.Response, status: int, message_start: str) -> None:
    assert response.status_code == status, response.text
    message = response.json()["error"]["message"]
    assert message.startswith(message_start), message


def assert_absent(public_id: str) -> None:
    with pytest.raises(cloudinary.exceptions.NotFound):
        cloudinary.api.resource(public_id)


@pytest.mark.usefixtures("nothing_stored")
class TestAuthentication:
    def test_wrong_signature(self, server: Server) -> None:
        fields = signed({"timestamp": int(time.time()), "public_id": "bad-sig"}, secret="wrong")
        response = post_upload(server, fields)
        assert_error(response, 401, "Invalid Signature")
        assert (
            "String to sign - 'public_id=bad-sig&timestamp=" in response.json()["error"]["message"]
        )
        assert_absent("bad-sig")

    def test_wrong_api_key(self, server: Server) -> None:
        fields = signed({"timestamp": int(time.time()), "public_id": "bad-key"})
        fields["api_key"] = "111111111111111"
        assert_error(post_upload(server, fields), 401, "Unknown API key 111111111111111")
        assert_absent("bad-key")

    def test_expired_timestamp(self, server: Server) -> None:
        fields = signed({"timestamp": int(time.time()) - 3700, "public_id": "stale"})
        response = post_upload(server, fields)
        assert_error(response, 400, "Stale request - reported time is ")
        assert response.json()["error"]["message"].endswith("which is more than 1 hour ago")
        assert_absent("stale")

    def test_public_id_tampered_after_signing(self, server: Server) -> None:
        fields = signed({"timestamp": int(time.time()), "public_id": "mine"})
        fields["public_id"] = "someone-elses"
        assert_error(post_upload(server, fields), 401, "Invalid Signature")
        assert_absent("someone-elses")
        assert_absent("mine")

    def test_folder_tampered_after_signing(self, server: Server) -> None:
        fields = signed({"timestamp": int(time.time()), "public_id": "p", "folder": "users/me"})
        fields["folder"] = "users/victim"
        assert_error(post_upload(server, fields), 401, "Invalid Signature")
        assert_absent("users/victim/p")

    def test_unsigned_parameter_added_after_signing(self, server: Server) -> None:
        fields = signed({"timestamp": int(time.time()), "public_id": "added"})
        fields["overwrite"] = "false"
        assert_error(post_upload(server, fields), 401, "Invalid Signature")

    def test_unknown_cloud(self, server: Server) -> None:
        fields = signed({"timestamp": int(time.time()), "public_id": "elsewhere"})
        response = post_upload(server, fields, cloud="no-such-cloud")
        # Cloudinary answers an unknown cloud on its API with 401 "Invalid cloud_name".
        assert_error(response, 401, "Invalid cloud_name no-such-cloud")
        assert_absent("elsewhere")

    def test_unsigned_upload_without_preset(self, server: Server) -> None:
        response = post_upload(server, {"timestamp": str(int(time.time())), "public_id": "u"})
        assert_error(response, 400, "Upload preset must be specified when using unsigned upload")

    def test_missing_timestamp(self, server: Server) -> None:
        fields = signed({"public_id": "no-time"})
        assert_error(post_upload(server, fields), 400, "Missing required parameter - timestamp")

    def test_sdk_raises_for_wrong_secret(self, server: Server) -> None:
        with pytest.raises(cloudinary.exceptions.AuthorizationRequired, match="Invalid Signature"):
            cloudinary.uploader.upload(PNG, public_id="sdk-wrong", api_secret="not-the-secret")
        assert_absent("sdk-wrong")


@pytest.mark.usefixtures("nothing_stored")
class TestParameters:
    def test_format_not_in_allowed_formats(self, server: Server) -> None:
        fields = signed(
            {"timestamp": int(time.time()), "public_id": "gif", "allowed_formats": "jpg,png"}
        )
        response = post_upload(server, fields, image_bytes("GIF", (10, 10)), filename="x.png")
        assert_error(response, 400, "Image file format gif not allowed")
        assert_absent("gif")

    def test_raw_format_not_allowed(self, server: Server) -> None:
        with pytest.raises(
            cloudinary.exceptions.BadRequest, match="Raw file format txt not allowed"
        ):
            cloudinary.uploader.upload(
                b"text", resource_type="raw", filename="a.txt", allowed_formats=["pdf"]
            )

    def test_oversize_file(self, server: Server) -> None:
        big = b"\0" * (MAX_FILE_SIZE + 1)
        fields = signed({"timestamp": int(time.time()), "public_id": "big"})
        response = post_upload(server, fields, big, resource_type="raw", filename="big.bin")
        assert_error(
            response,
            400,
            f"File size too large. Got {MAX_FILE_SIZE + 1}. Maximum is {MAX_FILE_SIZE}.",
        )
        assert_absent("big")

    def test_request_far_beyond_the_limit_is_refused_before_parsing(self, server: Server) -> None:
        fields = signed({"timestamp": int(time.time()), "public_id": "huge"})
        huge = b"\0" * (2 * MAX_FILE_SIZE + 2 * 1024 * 1024)
        response = post_upload(server, fields, huge, resource_type="raw", filename="huge.bin")
        assert_error(response, 413, "Request too large.")
        assert_absent("huge")

    def test_not_an_image(self, server: Server) -> None:
        fields = signed({"timestamp": int(time.time()), "public_id": "fake"})
        response = post_upload(server, fields, b"<html>not a png</html>", filename="fake.png")
        assert_error(response, 400, "Invalid image file")

    def test_truncated_image(self, server: Server) -> None:
        jpeg = image_bytes("JPEG", (200, 200))
        fields = signed({"timestamp": int(time.time()), "public_id": "truncated"})
        response = post_upload(server, fields, jpeg[: len(jpeg) // 2], filename="t.jpg")
        assert_error(response, 400, "Invalid image file")

    @pytest.mark.parametrize(
        ("side", "message"),
        [
            (6_000, "Image resolution too large. Got 6000x6000 (36.0 megapixels)"),
            # Past Pillow's own bomb threshold: refused before the header is even measured.
            (20_000, "Image resolution too large. Maximum is 25 megapixels."),
        ],
    )
    def test_decompression_bomb(self, server: Server, side: int, message: str) -> None:
        fields = signed({"timestamp": int(time.time()), "public_id": "bomb"})
        response = post_upload(server, fields, png_header_only(side, side))
        assert_error(response, 400, message)
        assert_absent("bomb")

    def test_missing_file(self, server: Server) -> None:
        fields = signed({"timestamp": int(time.time()), "public_id": "nofile"})
        response = httpx.post(f"{server.base_url}/v1_1/{CLOUD_NAME}/image/upload", data=fields)
        assert_error(response, 400, "Missing required parameter - file")

    def test_remote_notification_url_refused(self, server: Server) -> None:
        with pytest.raises(cloudinary.exceptions.BadRequest, match="not a loopback address"):
            cloudinary.uploader.upload(
                PNG, public_id="remote-hook", notification_url="http://192.0.2.10/hook"
            )
        assert_absent("remote-hook")

    def test_path_like_public_id_refused(self, server: Server) -> None:
        with pytest.raises(cloudinary.exceptions.BadRequest, match="Invalid public_id"):
            cloudinary.uploader.upload(PNG, public_id="../../etc/passwd")

    def test_unsupported_parameter_refused(self, server: Server) -> None:
        with pytest.raises(cloudinary.exceptions.BadRequest, match="eager is not supported"):
            cloudinary.uploader.upload(PNG, public_id="eager", eager=[{"width": 10}])
        assert_absent("eager")

    def test_bad_data_uri(self, server: Server) -> None:
        fields = signed({"timestamp": int(time.time()), "public_id": "baduri"})
        response = httpx.post(
            f"{server.base_url}/v1_1/{CLOUD_NAME}/image/upload",
            data=fields,
            files={"file": (None, "data:image/png;base64,@@@not-base64@@@")},
        )
        assert_error(response, 400, "Invalid base64 data")


def test_rejected_notification_receiver_gets_nothing(
    server: Server, receiver: NotificationReceiver
) -> None:
    fields = signed(
        {
            "timestamp": int(time.time()),
            "public_id": "quiet",
            "notification_url": receiver.url,
            "allowed_formats": "jpg",
        }
    )
    assert_error(post_upload(server, fields), 400, "Image file format png not allowed")
    time.sleep(1)
    assert receiver.requests.empty()


class TestDestroyAndAdminAuth:
    def test_destroy_needs_a_valid_signature(self, server: Server) -> None:
        result = cloudinary.uploader.upload(PNG, public_id="keep-me")
        fields = signed({"timestamp": int(time.time()), "public_id": "keep-me"}, secret="wrong")
        response = httpx.post(f"{server.base_url}/v1_1/{CLOUD_NAME}/image/destroy", data=fields)
        assert_error(response, 401, "Invalid Signature")
        assert httpx.get(result["secure_url"]).status_code == 200

    def test_destroy_without_signature(self, server: Server) -> None:
        response = httpx.post(
            f"{server.base_url}/v1_1/{CLOUD_NAME}/image/destroy",
            data={"public_id": "keep-me", "timestamp": str(int(time.time()))},
        )
        assert_error(response, 400, "Missing required parameter - signature")

    def test_admin_api_needs_the_secret(self, server: Server) -> None:
        cloudinary.uploader.upload(PNG, public_id="private-details")
        url = f"{server.base_url}/v1_1/{CLOUD_NAME}/resources/image/upload/private-details"
        assert_error(httpx.get(url), 401, "Must supply api_key")
        assert_error(httpx.get(url, auth=(API_KEY, "wrong")), 401, "api_secret mismatch")
        assert_error(httpx.get(url, auth=("1", API_SECRET)), 401, "Unknown API key 1")
        assert httpx.get(url, auth=(API_KEY, API_SECRET)).status_code == 200


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge canvas in a few bytes: what a decompression bomb looks like."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * (width + 1) * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
