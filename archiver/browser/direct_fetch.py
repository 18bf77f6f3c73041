"""Fetch a file the browser will not hand over (a download), streamed to disk and cut at the cap.

A download never reaches a page, so nothing records it. The page's own frame loads it again
through DevTools (`Network.loadNetworkResource`: the browser's network stack, cookies, TLS and the
network guard's proxy) and it is read in pieces into a file, like any large body: a 2 GB
attachment or a gzip bomb costs no memory and stops at --max-body-size. The browser does not tell
which request headers it sent for it: the request record holds the request line, Host and the
User-Agent the context sends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import CDPSession

from archiver.browser.exchange import Exchange, RecordedRequest, RecordedResponse
from archiver.browser.largebody import main_frame_id, stream_resource

DIRECT_FETCH_RESOURCE_TYPE = "direct-fetch"


async def fetch_download(
    devtools: CDPSession, url: str, user_agent: str, target: Path, cap: int, frame_id: str | None = None
) -> Exchange:
    """The file at `url` as an exchange whose body is on disk (raises LargeBodyError when it cannot be
    had). `frame_id`: the page's main frame when known (asking a renderer that stopped answering for
    it would hang; the load itself is the browser's)."""
    started = datetime.now(UTC)
    streamed = await stream_resource(devtools, frame_id or await main_frame_id(devtools), url, target, cap)
    response = RecordedResponse(status=streamed.status, reason="", headers=streamed.headers, body=streamed.body)
    request = RecordedRequest("GET", url, [("User-Agent", user_agent)])
    return Exchange(request=request, response=response, started_at=started, resource_type=DIRECT_FETCH_RESOURCE_TYPE)
