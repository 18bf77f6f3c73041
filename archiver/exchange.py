"""What the browser saw of one HTTP exchange, before any normalization for WARC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

Headers = list[tuple[str, str]]


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
    body: bytes  # as Chromium hands it over: decoded (no content or transfer coding)
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
