"""Cloudinary's signatures (cloudinary.com/documentation/signatures).

- Requests: SHA-1 or SHA-256 hex of the signed parameters sorted by name, joined ``k=v`` with
  ``&``, with the API secret appended. ``file``, ``cloud_name``, ``resource_type``, ``api_key``
  and the signature itself are not signed; array values are joined with commas; empty values
  are left out. SDKs since 2024 ("signature version 2") escape ``&`` inside a pair as ``%26``;
  older ones do not, so both forms are accepted.
- Responses: ``public_id=...&version=...`` plus the secret.
- Notifications: the exact body, then the ``X-Cld-Timestamp`` value, then the secret.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

UNSIGNED_PARAMETERS = frozenset({"file", "cloud_name", "resource_type", "api_key", "signature"})
ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}
# The digest length tells which algorithm the client used.
ALGORITHM_BY_HEX_LENGTH = {40: "sha1", 64: "sha256"}

ParamValue = str | list[str]


def digest(text: str, algorithm: str = "sha1") -> str:
    return ALGORITHMS[algorithm](text.encode("utf-8")).hexdigest()


def string_to_sign(params: Mapping[str, ParamValue], *, escape_ampersands: bool = True) -> str:
    pairs = []
    for name in sorted(params):
        if name in UNSIGNED_PARAMETERS:
            continue
        value = params[name]
        text = ",".join(value) if isinstance(value, list) else value
        if text == "":
            continue
        pair = f"{name}={text}"
        pairs.append(pair.replace("&", "%26") if escape_ampersands else pair)
    return "&".join(pairs)


def request_signature_matches(params: Mapping[str, ParamValue], secret: str) -> bool:
    """Whether ``params["signature"]`` signs the other parameters with ``secret``."""
    given = params.get("signature")
    if not isinstance(given, str):
        return False
    given = given.strip().lower()
    algorithm = ALGORITHM_BY_HEX_LENGTH.get(len(given))
    if algorithm is None:
        return False
    candidates = {
        string_to_sign(params, escape_ampersands=True),
        string_to_sign(params, escape_ampersands=False),
    }
    return any(hmac.compare_digest(digest(text + secret, algorithm), given) for text in candidates)


def response_signature(public_id: str, version: int, secret: str, algorithm: str = "sha1") -> str:
    return digest(f"public_id={public_id}&version={version}{secret}", algorithm)


def notification_signature(body: str, timestamp: int, secret: str, algorithm: str = "sha1") -> str:
    return digest(f"{body}{timestamp}{secret}", algorithm)
