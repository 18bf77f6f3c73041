"""Secrets out of the records: request Cookie and Authorization headers and Set-Cookie values
replaced by keyed hashes, before anything is written.

A redacted value is `redacted:hmac-sha256:<16 hex>`: the first 64 bits of HMAC-SHA256 under the
capture's redaction key (its profile's, else the user's). Cookie names, an Authorization scheme
("Bearer") and Set-Cookie attributes stay; so a reader can tell one session from another, or the
same token sent twice, and cannot recover a value, nor test guesses without the key. Which headers
were redacted, and how many, goes into the manifest (`secrets`); `--keep-secrets` writes them
as they were, counted the same way. Bodies are never changed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from archiver.browser.exchange import Headers
from archiver.warc.normalize import NormalizedExchange

MARK = "redacted:hmac-sha256:"
HASH_HEX = 16
REQUEST_SECRETS = {"cookie", "authorization", "proxy-authorization", "x-api-key", "x-auth-token"}
RESPONSE_SECRETS = {"set-cookie"}
KEY_ID_HEX = 12


def key_id(key: bytes) -> str:
    """Names a redaction key without giving it away: which captures' hashes can be compared."""
    return hashlib.sha256(b"archiver redaction key\0" + key).hexdigest()[:KEY_ID_HEX]


@dataclass
class Redactor:
    key: bytes
    keep: bool = False  # --keep-secrets: count them, write them as they are
    counts: Counter[str] = field(default_factory=Counter)  # header name as written -> how many

    def marker(self, value: str) -> str:
        return (
            MARK + hmac.new(self.key, value.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()[:HASH_HEX]
        )

    def redact(self, exchange: NormalizedExchange) -> NormalizedExchange:
        request = self._headers(exchange.request_headers, REQUEST_SECRETS)
        response = self._headers(exchange.response_headers, RESPONSE_SECRETS)
        if self.keep:
            return exchange
        return replace(exchange, request_headers=request, response_headers=response)

    def _headers(self, headers: Headers, secret: set[str]) -> Headers:
        out: Headers = []
        for name, value in headers:
            lower = name.lower()
            if lower not in secret:
                out.append((name, value))
                continue
            self.counts[_canonical(lower)] += 1
            out.append((name, self._value(lower, value)))
        return out

    def _value(self, lower: str, value: str) -> str:
        if lower == "cookie":
            return "; ".join(self._pair(pair.strip()) for pair in value.split(";") if pair.strip())
        if lower == "set-cookie":
            pair, semicolon, attributes = value.partition(";")
            return self._pair(pair.strip()) + (semicolon + attributes if semicolon else "")
        if lower in ("authorization", "proxy-authorization"):
            scheme, space, credentials = value.strip().partition(" ")
            if space and credentials:
                return f"{scheme} {self.marker(credentials.strip())}"
        return self.marker(value)

    def _pair(self, pair: str) -> str:
        name, equals, value = pair.partition("=")
        if not equals:
            return self.marker(pair)  # a nameless cookie: all of it is the value
        return f"{name.strip()}={self.marker(value.strip())}"

    def summary(self) -> dict[str, Any]:
        """The manifest's `secrets`: what was redacted (or kept), with which key."""
        headers = dict(sorted(self.counts.items()))
        if self.keep:
            return {"redacted": False, "kept": headers}
        return {"redacted": True, "key_id": key_id(self.key), "headers": headers}


def _canonical(lower: str) -> str:
    return "-".join(part.capitalize() for part in lower.split("-")).replace("Api", "API")
