"""How large a response's body is once decoded, as the browser received it: before it is asked for.

Playwright hands a body over whole, base64 in one message; a gzip bomb (300 MB of zeros in 300 KB
on the wire) asked for that way takes Playwright's driver down (out of memory), and the browser
with it. Neither Content-Length nor the wire size says how large the decoded body is, but the
DevTools protocol does, chunk by chunk (`Network.dataReceived`), as it arrives: the recorder
streams a body that is large once decoded to disk instead (`largebody`).

It listens on the page's own DevTools session, so it sees the page's frames in its process (the
page itself, same-site iframes and their subresources), not out-of-process iframes or workers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from typing import Any

from playwright.async_api import CDPSession

from archiver.identity import strip_fragment


class DecodedSizes:
    def __init__(self) -> None:
        self._urls: dict[str, str] = {}  # DevTools request id -> URL
        self._received: dict[str, int] = defaultdict(int)  # request id -> decoded bytes so far
        self._largest: dict[str, int] = defaultdict(int)  # URL -> the most decoded bytes of any of its requests
        self._loading: dict[str, set[str]] = defaultdict(set)  # URL -> request ids still arriving
        self._settled: dict[str, asyncio.Event] = {}  # URL -> set when none of its requests is arriving

    def attach(self, devtools: CDPSession) -> None:
        devtools.on("Network.requestWillBeSent", self._sent)
        devtools.on("Network.dataReceived", self._received_data)
        devtools.on("Network.loadingFinished", self._ended)
        devtools.on("Network.loadingFailed", self._ended)

    def _sent(self, event: dict[str, Any]) -> None:
        request = event.get("request") or {}
        request_id, url = str(event.get("requestId")), strip_fragment(str(request.get("url", "")))
        self._urls[request_id] = url
        self._loading[url].add(request_id)
        self._settled.setdefault(url, asyncio.Event()).clear()

    def _ended(self, event: dict[str, Any]) -> None:
        request_id = str(event.get("requestId"))
        url = self._urls.get(request_id)
        if url is not None:
            self._loading[url].discard(request_id)
            if not self._loading[url]:
                self._settled[url].set()

    async def settled(self, url: str, timeout: float) -> None:
        """Wait (at most `timeout`) until this session has seen every response to `url` arrive: its
        events may come a moment after Playwright's for the same request."""
        event = self._settled.get(strip_fragment(url))
        if event is not None and not event.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)

    def _received_data(self, event: dict[str, Any]) -> None:
        request_id = str(event.get("requestId"))
        self._received[request_id] += int(event.get("dataLength") or 0)
        url = self._urls.get(request_id)
        if url is not None:
            self._largest[url] = max(self._largest[url], self._received[request_id])

    def of(self, url: str) -> int:
        """The decoded bytes of the largest response to `url` seen so far (0 when none was seen)."""
        return self._largest.get(strip_fragment(url), 0)
