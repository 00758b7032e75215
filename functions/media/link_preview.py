"""Link previews: fetch the first http(s) link of a message, server-side, safely.

The fetcher runs on the open internet, so every address it connects to is checked first:
it resolves the name itself, refuses the whole answer if any address is not public
(private, loopback, link-local with the metadata address, CGNAT, multicast, reserved,
IPv6 ULA/link-local, IPv4 written inside IPv6), then connects to the address it checked
(never resolving again), with the name kept for the Host header and TLS. Each redirect hop
is checked the same way. Time and bytes are capped; only HTML is read (OpenGraph and Twitter
meta tags, ``<title>``), plus the oEmbed JSON a page points to. The image is handed out as a
Cloudinary fetch delivery URL, so members' browsers never contact the third-party host.

Tests run it against a local server through ``LINK_PREVIEW_TEST_ALLOW`` (docs/link-previews.md):
a comma-separated list of ``ip:port`` addresses it may reach although they are not public.
It is read only under the emulator (``FUNCTIONS_EMULATOR=true``), never in production.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
import time
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

import logs

log = logs.get(__name__)

MAX_BYTES = 1_000_000
MAX_REDIRECTS = 3
CONNECT_SECONDS = 3.0
READ_SECONDS = 4.0
TOTAL_SECONDS = 8.0
USER_AGENT = "FlowChatLinkPreview/1.0 (+https://flowchat.example/link-previews)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
JSON_TYPES = ("application/json", "application/json+oembed", "text/json")
TEST_ALLOW_VARIABLE = "LINK_PREVIEW_TEST_ALLOW"

# Bounds of what is written onto the message.
MAX_URL = 2048
MAX_TITLE = 300
MAX_DESCRIPTION = 500
MAX_SITE = 100

# Not covered by ipaddress' is_private/is_global in every Python version, or worth naming.
_REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "100.64.0.0/10",  # CGNAT (shared address space)
        "169.254.0.0/16",  # link-local, with 169.254.169.254 (cloud metadata)
        "192.0.0.0/24",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::ffff:0:0/96",  # IPv4-mapped
        "64:ff9b::/96",  # NAT64: an IPv4 address in disguise
        "64:ff9b:1::/48",
        "2002::/16",  # 6to4: likewise
        "2001::/32",  # Teredo
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fd00:ec2::254/128",  # AWS metadata over IPv6 (inside fc00::/7 already)
    )
)

_LINK = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}*_~"


class Refused(Exception):
    """The link may not be fetched (an address or answer the fetcher will not take)."""


@dataclass(frozen=True)
class Preview:
    url: str
    title: str
    description: str
    siteName: str
    imageUrl: str

    def as_fields(self) -> dict[str, str]:
        return asdict(self)


def first_link(text: str) -> str | None:
    """The first http(s) URL in a message's text, without the punctuation that ends a sentence."""
    for match in _LINK.finditer(text or ""):
        link = match.group(0)
        while link and link[-1] in _TRAILING:
            # A closing bracket belongs to the link when it opened one inside it.
            if link[-1] == ")" and link.count("(") >= link.count(")"):
                break
            link = link[:-1]
        parts = urlsplit(link)
        if parts.hostname and len(link) <= MAX_URL:
            return link
    return None


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if any(ip in network for network in _REFUSED_NETWORKS if network.version == ip.version):
        return False
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _test_allowance() -> frozenset[tuple[str, int]]:
    if os.environ.get("FUNCTIONS_EMULATOR") != "true":
        return frozenset()
    allowed = set()
    for entry in os.environ.get(TEST_ALLOW_VARIABLE, "").split(","):
        host, _, port = entry.strip().rpartition(":")
        if host and port.isdigit():
            allowed.add((str(ipaddress.ip_address(host.strip("[]"))), int(port)))
    return frozenset(allowed)


def resolve(host: str, port: int) -> str:
    """The one address to connect to for ``host``; Refused unless every address the name
    has is public (or allowed for tests)."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"cannot resolve {host}") from error
    addresses = list(dict.fromkeys(str(ipaddress.ip_address(a[4][0])) for a in answers))
    if not addresses:
        raise Refused(f"cannot resolve {host}")
    allowed = _test_allowance()
    for address in addresses:
        if not is_public_address(address) and (address, port) not in allowed:
            raise Refused(f"{host} resolves to a non-public address {address}")
    # IPv4 first where a name has both: not every network routes IPv6 out.
    return sorted(addresses, key=lambda address: ":" in address)[0]


def _get(
    client: httpx.Client, url: str, accept: tuple[str, ...], deadline: float
) -> tuple[str, bytes, str]:
    """GET ``url`` through at most MAX_REDIRECTS checked hops: (final URL, body, charset)."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused(f"not an http(s) URL: {url[:100]}")
        if parts.username or parts.password:
            raise Refused("URLs with credentials are not fetched")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve(parts.hostname, port)
        target = httpx.URL(url).copy_with(host=address)
        default_port = parts.port is None
        host_header = parts.hostname if default_port else f"{parts.hostname}:{port}"
        if ":" in parts.hostname and not default_port:
            host_header = f"[{parts.hostname}]:{port}"
        extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
        if time.monotonic() > deadline:
            raise Refused("too slow")
        with client.stream(
            "GET", target, headers={"Host": host_header}, extensions=extensions
        ) as response:
            if response.is_redirect and "location" in response.headers:
                url = urljoin(url, response.headers["location"])
                continue
            if response.status_code != 200:
                raise Refused(f"answered {response.status_code}")
            media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type not in accept:
                raise Refused(f"not HTML or oEmbed: {media_type or 'no content type'}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise Refused("too big")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise Refused("too big")
                if time.monotonic() > deadline:
                    raise Refused("too slow")
            return url, bytes(body), response.charset_encoding or "utf-8"
    raise Refused("too many redirects")


class _HeadReader(HTMLParser):
    """Collects <meta> properties and names, the <title> and the oEmbed JSON link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self.oembed: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and "content" in values and key not in self.meta:
                self.meta[key] = values["content"]
        elif tag == "title":
            self._in_title = True
        elif (
            tag == "link"
            and "alternate" in values.get("rel", "").lower().split()
            and values.get("type", "").lower() == "application/json+oembed"
            and self.oembed is None
        ):
            self.oembed = values.get("href") or None

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title and len(self.title) < 2 * MAX_TITLE:
            self.title += data


def _clean(text: Any, limit: int) -> str:
    if not isinstance(text, str):
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _decode(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def fetch(url: str) -> Preview | None:
    """The preview of ``url``; None when the page has nothing to show. Raises Refused."""
    deadline = time.monotonic() + TOTAL_SECONDS
    timeout = httpx.Timeout(READ_SECONDS, connect=CONNECT_SECONDS)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml"}
    # trust_env=False: no proxy from the environment may resolve names on our behalf.
    with httpx.Client(timeout=timeout, headers=headers, trust_env=False) as client:
        try:
            page_url, body, charset = _get(client, url, HTML_TYPES, deadline)
            reader = _HeadReader()
            reader.feed(_decode(body, charset))
            meta = reader.meta
            oembed: dict[str, Any] = {}
            if reader.oembed and not (meta.get("og:title") and meta.get("og:image")):
                try:
                    _, raw, _ = _get(client, urljoin(page_url, reader.oembed), JSON_TYPES, deadline)
                    found = json.loads(raw)
                    oembed = found if isinstance(found, dict) else {}
                except (Refused, ValueError) as error:
                    log.info("oEmbed of %s skipped: %s", page_url, error)
        except httpx.TimeoutException as error:
            raise Refused("too slow") from error
        except httpx.HTTPError as error:
            raise Refused(f"fetch failed: {type(error).__name__}") from error

    title = _clean(
        meta.get("og:title") or meta.get("twitter:title") or oembed.get("title") or reader.title,
        MAX_TITLE,
    )
    description = _clean(
        meta.get("og:description")
        or meta.get("twitter:description")
        or meta.get("description")
        or oembed.get("author_name"),
        MAX_DESCRIPTION,
    )
    site = _clean(
        meta.get("og:site_name") or oembed.get("provider_name") or urlsplit(page_url).hostname,
        MAX_SITE,
    )
    image = meta.get("og:image") or meta.get("twitter:image") or oembed.get("thumbnail_url")
    image_url = _image_url(page_url, image) if isinstance(image, str) else ""
    if not title and not description:
        return None
    return Preview(url=url, title=title, description=description, siteName=site, imageUrl=image_url)


def _image_url(page_url: str, image: str) -> str:
    """The image through Cloudinary's fetch delivery; "" when it is not a public http(s) URL."""
    from media import cloudinary_account  # only pages with an image pay for the SDK

    absolute = urljoin(page_url, image.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(absolute) > MAX_URL:
        return ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        literal = str(ipaddress.ip_address(parts.hostname))
    except ValueError:
        literal = None  # a name: Cloudinary resolves it, from outside our network
    if literal and not is_public_address(literal) and (literal, port) not in _test_allowance():
        return ""
    return cloudinary_account.fetch_url(absolute, "c_limit,w_600,h_600,f_auto,q_auto")
