"""Link previews: the fetcher against a local web site, each refusal proven (the refused
server never sees a request), and the trigger writing the card onto a message through the
real functions host, where only the sender may take it away.

The local site is reachable only through the test allowance ``LINK_PREVIEW_TEST_ALLOW``
(read under the emulator only); a second local server, never allowed, stands for every
private address the fetcher must not reach.
"""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from google.api_core import exceptions
from google.cloud import firestore

from media import cloudinary_account, link_preview
from tests.chat.conftest import Person, sign_up
from tests.conftest import serving_functions
from tests.support.emulators import EmulatorProcess
from tests.support.firebase import eventually
from tests.support.link_origin import LinkOrigin


@pytest.fixture(scope="module")
def origin() -> Iterator[LinkOrigin]:
    with LinkOrigin() as site:
        yield site


@pytest.fixture(scope="module")
def forbidden() -> Iterator[LinkOrigin]:
    """A server on loopback the allowance does not name: nothing may reach it."""
    with LinkOrigin() as site:
        yield site


@pytest.fixture
def allowed(origin: LinkOrigin, monkeypatch: pytest.MonkeyPatch) -> LinkOrigin:
    """The fetcher run in this process as under the emulator, allowed to reach ``origin``."""
    monkeypatch.setenv("FUNCTIONS_EMULATOR", "true")
    monkeypatch.setenv("LINK_PREVIEW_TEST_ALLOW", origin.address)
    monkeypatch.setenv("CLOUDINARY_URL", "cloudinary://1234:secret@demo-flowchat")
    monkeypatch.delenv("CLOUDINARY_UPLOAD_PREFIX", raising=False)
    cloudinary_account.config.cache_clear()
    yield origin
    cloudinary_account.config.cache_clear()


def test_reads_opengraph_and_sends_the_image_through_cloudinary_fetch(allowed):
    preview = link_preview.fetch(allowed.url("/article"))
    assert preview is not None
    image = allowed.url("/image.png")
    assert preview.as_fields() == {
        "url": allowed.url("/article"),
        "title": "Boots for the weekend & beyond",
        "description": "Which boots to bring on a wet trail.",
        "siteName": "Trail News",
        "imageUrl": (
            "https://res.cloudinary.com/demo-flowchat/image/fetch/"
            f"c_limit,w_600,h_600,f_auto,q_auto/{image}"
        ),
    }
    # The fetcher read the page only: the image is Cloudinary's to fetch.
    assert allowed.hits["/image.png"] == 0


def test_reads_the_oembed_json_a_page_points_to(allowed):
    preview = link_preview.fetch(allowed.url("/video"))
    assert preview is not None
    assert (preview.title, preview.description, preview.siteName) == (
        "Rain on the ridge",
        "Ridge Films",
        "LocalTube",
    )
    assert preview.imageUrl.endswith("/" + allowed.url("/image.png"))


def test_a_page_with_only_a_title(allowed):
    preview = link_preview.fetch(allowed.url("/title-only"))
    assert preview is not None
    assert (preview.title, preview.description, preview.imageUrl) == ("Just a title", "", "")
    assert preview.siteName == "127.0.0.1"


def test_follows_up_to_three_redirects_and_no_more(allowed):
    assert link_preview.fetch(allowed.url("/hop/2")).title.startswith("Boots")
    with pytest.raises(link_preview.Refused, match="too many redirects"):
        link_preview.fetch(allowed.url("/hop/3"))


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://10.1.2.3/", id="10/8"),
        pytest.param("http://192.168.1.10/", id="192.168/16"),
        pytest.param("http://172.16.0.1/", id="172.16/12"),
        pytest.param("http://169.254.169.254/latest/meta-data/", id="metadata"),
        pytest.param("http://100.64.0.1/", id="CGNAT"),
        pytest.param("http://0.0.0.0/", id="unspecified"),
        pytest.param("http://224.0.0.1/", id="multicast"),
        pytest.param("http://240.0.0.1/", id="reserved"),
        pytest.param("http://[fd00::1]/", id="IPv6 ULA"),
        pytest.param("http://[fe80::1]/", id="IPv6 link-local"),
        pytest.param("http://[fd00:ec2::254]/", id="IPv6 metadata"),
        pytest.param("http://[64:ff9b::a9fe:a9fe]/", id="NAT64 of the metadata address"),
    ],
)
def test_refuses_private_addresses_before_connecting(allowed, url):
    with pytest.raises(link_preview.Refused, match="non-public"):
        link_preview.fetch(url)


@pytest.mark.parametrize(
    "host",
    [
        pytest.param("127.0.0.1", id="loopback"),
        pytest.param("localhost", id="a name that resolves to loopback"),
        pytest.param("[::1]", id="IPv6 loopback"),
        pytest.param("[::ffff:127.0.0.1]", id="IPv4-mapped loopback"),
        pytest.param("2130706433", id="loopback as one number"),
    ],
)
def test_refuses_loopback_in_every_spelling(allowed, forbidden, host):
    with pytest.raises(link_preview.Refused):
        link_preview.fetch(f"http://{host}:{forbidden.port}/article")
    assert forbidden.hits.total() == 0


def test_refuses_a_redirect_to_a_private_address(allowed, forbidden):
    for target in (
        forbidden.url("/article"),
        "http://169.254.169.254/latest/meta-data/",
        f"http://[::1]:{forbidden.port}/article",
    ):
        allowed.redirect_to = target
        with pytest.raises(link_preview.Refused, match="non-public"):
            link_preview.fetch(allowed.url("/redirect"))
    allowed.redirect_to = "/article"
    assert forbidden.hits.total() == 0


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_refuses_more_than_a_megabyte(allowed, path):
    with pytest.raises(link_preview.Refused, match="too big"):
        link_preview.fetch(allowed.url(path))


def test_gives_up_on_a_slow_server(allowed):
    started = time.monotonic()
    with pytest.raises(link_preview.Refused, match="too slow"):
        link_preview.fetch(allowed.url("/slow"))
    assert time.monotonic() - started < link_preview.TOTAL_SECONDS + 1


def test_reads_nothing_but_html(allowed):
    with pytest.raises(link_preview.Refused, match="image/png"):
        link_preview.fetch(allowed.url("/image.png"))


def test_refuses_other_schemes_and_credentials(allowed):
    for url in ("ftp://example.com/", "file:///etc/passwd"):
        with pytest.raises(link_preview.Refused):
            link_preview.fetch(url)
    with pytest.raises(link_preview.Refused, match="credentials"):
        link_preview.fetch(f"http://user:pw@{allowed.address}/article")


def test_the_allowance_means_nothing_outside_the_emulator(allowed, monkeypatch):
    monkeypatch.delenv("FUNCTIONS_EMULATOR")
    with pytest.raises(link_preview.Refused, match="non-public"):
        link_preview.fetch(allowed.url("/article"))


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("see https://example.com/a.", "https://example.com/a"),
        (
            "(https://en.wikipedia.org/wiki/Boot_(footwear))",
            "https://en.wikipedia.org/wiki/Boot_(footwear)",
        ),
        ("**https://example.com/b**", "https://example.com/b"),
        ("mailto:a@b.c and http://x.example/1 https://y.example/2", "http://x.example/1"),
        ("javascript:alert(1) no link", None),
    ],
)
def test_the_first_link_of_a_message(text, link):
    assert link_preview.first_link(text) == link


# Through the functions host: the trigger writes the card, the rules guard it.


@pytest.fixture(scope="module")
def preview_host(
    database_url: str, origin: LinkOrigin, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmulatorProcess]:
    env = {"LINK_PREVIEW_TEST_ALLOW": origin.address}
    with serving_functions(
        database_url, tmp_path_factory.mktemp("previews"), extra_env=env
    ) as host:
        yield host


@pytest.fixture(scope="module")
def people(preview_host: EmulatorProcess):
    client = httpx.Client(
        base_url=preview_host.functions_url(),
        headers={"X-Forwarded-For": f"127.9.{uuid.uuid4().int % 250}.1"},
        timeout=30,
    )
    yield functools.partial(sign_up, client, preview_host)
    client.close()


def _post(person: Person, room_id: str, text: str) -> firestore.DocumentReference:
    _, ref = person.db.collection(f"rooms/{room_id}/messages").add(
        {"senderId": person.uid, "text": text, "createdAt": firestore.SERVER_TIMESTAMP}
    )
    return ref


def test_the_trigger_writes_the_card_and_only_the_sender_removes_it(people, preview_host, origin):
    alice, bob = people("alice"), people("bob")
    room_id = alice.ok("createRoom", {"name": "Trail", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    ref = _post(alice, room_id, f"Boots: {origin.url('/article')} and more")

    message = eventually(lambda: (ref.get().to_dict() or {}).get("preview") and ref.get(), 20)
    preview = message.get("preview")
    assert preview["title"] == "Boots for the weekend & beyond"
    assert preview["siteName"] == "Trail News"
    # The image comes from the local Cloudinary's fetch delivery, which serves it.
    cloudinary = preview_host.url("cloudinary")
    assert preview["imageUrl"].startswith(f"{cloudinary}/demo-flowchat/image/fetch/")
    image = httpx.get(preview["imageUrl"], headers={"Accept": "image/webp"}, timeout=30)
    assert (image.status_code, image.headers["content-type"]) == (200, "image/webp")

    bob_ref = bob.db.document(ref.path)
    with pytest.raises(exceptions.PermissionDenied):
        bob_ref.update({"preview": firestore.DELETE_FIELD, "previewHidden": True})
    with pytest.raises(exceptions.PermissionDenied):
        alice.db.document(ref.path).update({"preview.title": "Click here"})
    alice.db.document(ref.path).update({"preview": firestore.DELETE_FIELD, "previewHidden": True})
    after = ref.get().to_dict()
    assert "preview" not in after and after["previewHidden"] is True


def test_no_card_for_a_refused_link_or_a_hidden_preview(people, origin):
    alice = people("alice")
    room_id = alice.ok("createRoom", {"name": "Quiet", "isPrivate": False})["roomId"]
    refused = _post(alice, room_id, "metadata http://169.254.169.254/latest/meta-data/")
    served = origin.hits["/title-only"]
    hidden = _post(alice, room_id, f"no card please {origin.url('/title-only')}")
    alice.db.document(hidden.path).update(
        {"preview": firestore.DELETE_FIELD, "previewHidden": True}
    )
    later = _post(alice, room_id, f"but here {origin.url('/article')}")
    eventually(lambda: "preview" in (later.get().to_dict() or {}), 20)
    # Triggers ran for all three by now (the last one wrote); neither of the others has a card.
    time.sleep(1.0)
    assert "preview" not in refused.get().to_dict()
    assert "preview" not in hidden.get().to_dict()
    assert origin.hits["/title-only"] - served <= 1  # fetched at most, never written


def test_an_edit_that_changes_the_link_changes_the_card(people, origin):
    alice = people("alice")
    room_id = alice.ok("createRoom", {"name": "Edits", "isPrivate": False})["roomId"]
    ref = _post(alice, room_id, f"first {origin.url('/title-only')}")
    eventually(lambda: (ref.get().to_dict() or {}).get("preview"), 20)
    mine = alice.db.document(ref.path)
    mine.update(
        {"text": f"better {origin.url('/article')}", "editedAt": firestore.SERVER_TIMESTAMP}
    )
    card = eventually(
        lambda: (
            ((ref.get().to_dict() or {}).get("preview") or {}).get("siteName") == "Trail News"
            and ref.get().to_dict()["preview"]
        ),
        20,
    )
    assert card["title"] == "Boots for the weekend & beyond"
    mine.update({"text": "no link any more", "editedAt": firestore.SERVER_TIMESTAMP})
    eventually(lambda: "preview" not in ref.get().to_dict(), 20)
