"""When has a page gone quiet? A count of the requests a browser context has in flight.

Playwright's `networkidle` fires once per navigation; the behaviours need to know again and again,
after every scroll step, whether what that step triggered has arrived.
"""

from __future__ import annotations

import asyncio
import time

from playwright.async_api import BrowserContext, Request

HTTP_SCHEMES = ("http://", "https://")


class NetworkActivity:
    def __init__(self, stale_after: float = 15.0) -> None:
        self._stale_after = stale_after
        self._in_flight: dict[Request, float] = {}
        self._last_activity = time.monotonic()
        self.requests_started = 0

    def attach(self, context: BrowserContext) -> None:
        context.on("request", self._started)
        context.on("requestfinished", self._ended)
        context.on("requestfailed", self._ended)

    def _started(self, request: Request) -> None:
        if request.url.startswith(HTTP_SCHEMES):
            self._in_flight[request] = self._last_activity = time.monotonic()
            self.requests_started += 1

    def _ended(self, request: Request) -> None:
        if self._in_flight.pop(request, None) is not None:
            self._last_activity = time.monotonic()

    def in_flight(self) -> list[str]:
        """URLs of the requests still loading now."""
        return [request.url for request in self._in_flight]

    async def wait_for_quiet(self, quiet: float, timeout: float) -> bool:
        """Wait until no request has started or ended for `quiet` seconds; False if `timeout` came first.

        A request in flight for longer than `stale_after` (a long poll, an event stream, a
        response that never finishes) no longer counts: it may never end, and one full wait for
        it is enough.
        """
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            active = any(now - started < self._stale_after for started in self._in_flight.values())
            if not active and now - self._last_activity >= quiet:
                return True
            if now >= deadline:
                return False
            await asyncio.sleep(0.05)
