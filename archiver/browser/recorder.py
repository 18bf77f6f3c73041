"""Record every HTTP exchange a browser context makes, as `Exchange` objects.

The recorder knows nothing of WARC: it hands each finished exchange to a sink.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from playwright.async_api import BrowserContext, Request, Response
from playwright.async_api import Error as PlaywrightError

from archiver.browser.body_sizes import DecodedSizes
from archiver.browser.exchange import Body, Exchange, RecordedRequest, RecordedResponse, StoredBody, body_sha256
from archiver.browser.largebody import LargeBodyError
from archiver.browser.network import HTTP_SCHEMES
from archiver.errors import first_line
from archiver.identity import strip_fragment

# Chromium shows these in its own viewer: the body Playwright returns for the document is the
# viewer's wrapper page, not the file. Such documents are fetched again, directly.
VIEWER_MIME_TYPES = ("application/pdf",)
OPAQUE_TYPES = ("image", "media", "font")  # read by decoders that may stop early, not by the page's scripts
SIZE_SETTLE_TIMEOUT = 5.0  # longest wait for the page's DevTools session to have seen a body arrive


@dataclass
class FailedRequest:
    url: str
    method: str
    resource_type: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"url": self.url, "method": self.method, "resource_type": self.resource_type, "error": self.error}


LargeBodyReader = Callable[[str, int], Awaitable[StoredBody]]  # (url, announced size) -> body on disk


class Recorder:
    def __init__(
        self, sink: Callable[[Exchange], None], large_body: LargeBodyReader | None = None, stream_above: int = 8 << 20
    ) -> None:
        self._sink = sink
        self._large_body = large_body
        self._stream_above = stream_above
        self.decoded_sizes = DecodedSizes()  # fed by the page's DevTools session (see body_sizes)
        self.large_bodies: list[dict[str, Any]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._written: set[tuple[str, str, int, str]] = set()
        self.failed: list[FailedRequest] = []
        self.partial_media: dict[str, list[Exchange]] = {}  # URL -> 206 pieces held back
        self.complete_urls: set[str] = set()  # URLs with a full (non-206) response recorded
        self.counts: Counter[str] = Counter()

    def attach(self, context: BrowserContext) -> None:
        context.on("requestfinished", self._on_finished)
        context.on("requestfailed", self._on_failed)

    # -- collection ---------------------------------------------------------------------------

    def _on_failed(self, request: Request) -> None:
        if request.url.startswith(HTTP_SCHEMES):
            self._fail(request, request.failure or "failed")

    def _on_finished(self, request: Request) -> None:
        if not request.url.startswith(HTTP_SCHEMES):
            return
        task = asyncio.ensure_future(self._collect(request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for every exchange already finished to be handed to the sink."""
        deadline = time.monotonic() + timeout
        while self._tasks and time.monotonic() < deadline:
            await asyncio.wait(set(self._tasks), timeout=max(0.0, deadline - time.monotonic()))

    async def _collect(self, request: Request) -> None:
        try:
            exchange = await self._read_exchange(request)
            if exchange is not None:
                self.accept(exchange)
        except PlaywrightError as exc:  # the page or context went away meanwhile
            self._fail(request, f"could not read the exchange: {first_line(str(exc))}")
        except Exception as exc:  # noqa: BLE001 - a background task: an error must be recorded, not lost
            self._fail(request, f"could not record the exchange: {type(exc).__name__}: {exc}")

    async def _read_exchange(self, request: Request) -> Exchange | None:
        response = await request.response()
        if response is None:
            self._fail(request, "finished without a response")
            return None
        body = await self._read_body(request, response)
        if body is None:
            return None
        wire_headers = await response.headers_array()
        if not wire_headers:
            # No header came over the wire: Chromium made this response up (e.g. the frame inside
            # its PDF viewer, under the PDF's URL). Storing it would shadow the real one.
            self.counts["synthetic_skipped"] += 1
            return None
        server = await response.server_addr()
        security = await response.security_details()
        recorded_response = RecordedResponse(
            status=response.status,
            reason=response.status_text,
            headers=[(h["name"], h["value"]) for h in wire_headers],
            body=body,
            http_version=await response.http_version(),
            server_ip=server["ipAddress"] if server else None,
            server_port=server["port"] if server else None,
            tls_protocol=security.get("protocol") if security else None,
        )
        recorded_request = RecordedRequest(
            method=request.method,
            url=request.url,
            headers=[(h["name"], h["value"]) for h in await request.headers_array()],
            body=request.post_data_buffer,
        )
        return Exchange(
            request=recorded_request,
            response=recorded_response,
            started_at=_started_at(request),
            resource_type=request.resource_type,
        )

    async def _read_body(self, request: Request, response: Response) -> Body | None:
        if 300 <= response.status < 400 and response.headers.get("location"):
            return b""  # Chromium keeps no body for a redirect; the 3xx and its headers are the record
        mime = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.resource_type == "document" and mime in VIEWER_MIME_TYPES:
            self.counts["viewer_replaced"] += 1  # the capture fetches the file itself again
            return None
        await self.decoded_sizes.settled(request.url, SIZE_SETTLE_TIMEOUT)
        size = max(await _body_size(request, response), self.decoded_sizes.of(request.url))
        if (
            self._large_body is not None
            and response.status != 206
            and (size > self._stream_above or _opaque_and_encoded(request, response))
        ):
            return await self._read_large_body(request, size)
        try:
            return await response.body()
        except PlaywrightError as exc:
            # Chromium dropped it (a body that decodes far past what was announced: evicted from
            # DevTools' cache): load it again, streamed and cut at the cap, rather than lose it.
            if self._large_body is not None and response.status != 206:
                return await self._read_large_body(request, size)
            self._fail(request, f"response body unavailable: {first_line(str(exc))}")
            return None

    async def _read_large_body(self, request: Request, size: int) -> Body | None:
        assert self._large_body is not None
        try:
            body = await self._large_body(request.url, size)
        except LargeBodyError as exc:
            self._fail(request, f"large response body ({size} bytes) not recorded: {exc}")
            return None
        self.large_bodies.append(
            {"url": request.url, "size": body.full_length or size, "stored": body.length, "truncated": body.truncated}
        )
        return body

    def accept(self, exchange: Exchange) -> None:
        """Write `exchange` unless it is a 206 piece (held back), a 304 or a repeat."""
        response = exchange.response
        url = strip_fragment(exchange.url)
        if response.status == 206:
            # A piece of a media file: held back until a complete copy is (or cannot be) fetched.
            self.partial_media.setdefault(url, []).append(exchange)
            self.counts["partial_media_pieces"] += 1
            return
        if response.status == 304:
            # A fresh context has no cache to revalidate; a 304 here has no body worth replaying.
            self.counts["not_modified_skipped"] += 1
            return
        key = (exchange.request.method, url, response.status, body_sha256(response.body))
        if key in self._written and exchange.request.method == "GET":
            self.counts["duplicates_skipped"] += 1
            return
        self._written.add(key)
        self.complete_urls.add(url)
        self.write(exchange)

    def write(self, exchange: Exchange) -> None:
        self._sink(exchange)
        self.counts["exchanges_written"] += 1

    def _fail(self, request: Request, error: str) -> None:
        self.failed.append(FailedRequest(request.url, request.method, request.resource_type, error))


def _opaque_and_encoded(request: Request, response: Response) -> bool:
    """A content-encoded image, font or media file: its decoder may stop reading it early (a gzip
    bomb served as an image), so neither the wire nor DevTools says how large it decodes, and
    asking Playwright for it took the driver down (out of memory). It is streamed to disk instead."""
    encoding = (response.headers.get("content-encoding") or "").strip().lower()
    return encoding not in ("", "identity") and request.resource_type in OPAQUE_TYPES


async def _body_size(request: Request, response: Response) -> int:
    """The body's size as announced (Content-Length) or as it came over the wire, whichever is larger."""
    announced = response.headers.get("content-length", "")
    try:
        sizes = await request.sizes()
        wire = sizes.get("responseBodySize", 0)
    except PlaywrightError:
        wire = 0
    return max(int(announced) if announced.isdigit() else 0, wire)


def _started_at(request: Request) -> datetime:
    start_ms = request.timing.get("startTime", -1) if request.timing else -1
    if start_ms and start_ms > 0:
        return datetime.fromtimestamp(start_ms / 1000, tz=UTC)
    return datetime.now(UTC)
