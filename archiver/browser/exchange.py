"""What the browser saw of one HTTP exchange, before any normalization for WARC."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

Headers = list[tuple[str, str]]


@dataclass
class StoredBody:
    """A body too large to hold in memory: streamed to a file, perhaps cut at the size cap."""

    path: Path
    length: int  # bytes in the file
    truncated: bool  # the body went on past the cap; the file holds its first `length` bytes
    full_length: int | None = None  # what the server announced, when it did

    def open(self) -> BinaryIO:
        return self.path.open("rb")


Body = bytes | StoredBody


def body_length(body: Body) -> int:
    return body.length if isinstance(body, StoredBody) else len(body)


def body_sha256(body: Body) -> str:
    if isinstance(body, bytes):
        return hashlib.sha256(body).hexdigest()
    digest = hashlib.sha256()
    with body.open() as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class RecordedRequest:
    method: str
    url: str
    headers: Headers  # as sent on the wire, in order, duplicates kept
    body: bytes | None = None


@dataclass
class RecordedResponse:
    status: int
    reason: str
    headers: Headers  # as received on the wire, in order, duplicates kept
    body: Body  # as Chromium hands it over: decoded (no content or transfer coding)
    http_version: str = "HTTP/1.1"  # as Playwright names it: HTTP/1.1, HTTP/2.0, h3 ...
    server_ip: str | None = None
    server_port: int | None = None
    tls_protocol: str | None = None  # "TLS 1.3"

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


@dataclass
class Exchange:
    request: RecordedRequest
    response: RecordedResponse
    started_at: datetime  # when the request was sent (UTC)
    resource_type: str = "other"  # Playwright's: document, image, fetch, media ...

    @property
    def url(self) -> str:
        return self.request.url
