"""Bodies too large to hold in memory: streamed by the browser itself to a file, cut at a cap.

Playwright's `response.body()` hands a body over whole (as base64, more than once in memory). For a
large one the page's browser loads the URL again through DevTools (`Network.loadNetworkResource`:
the same network stack, cookies and TLS) and it is read in pieces (`IO.read`) into a file; past
the cap the stream is closed and the record says `WARC-Truncated: length`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import CDPSession
from playwright.async_api import Error as PlaywrightError

from archiver.browser.exchange import StoredBody

CHUNK = 64 << 10  # bytes per IO.read: small pieces keep Playwright's driver from piling up garbage (at 256 KiB it
# grew by 40 MB over a 200 MB body: large strings wait for a full collection; small ones go at the next scavenge)


class LargeBodyError(Exception):
    pass


@dataclass
class StreamedResponse:
    status: int
    headers: list[tuple[str, str]]  # as the browser received them
    body: StoredBody


async def main_frame_id(devtools: CDPSession) -> str:
    """The page's main frame, which loads a body again (with the page's cookies and proxy)."""
    frame = await devtools.send("Page.getFrameTree")
    return frame["frameTree"]["frame"]["id"]


async def stream_body(devtools: CDPSession, frame_id: str, url: str, target: Path, cap: int) -> StoredBody:
    return (await stream_resource(devtools, frame_id, url, target, cap)).body


async def stream_resource(devtools: CDPSession, frame_id: str, url: str, target: Path, cap: int) -> StreamedResponse:
    """Load `url` in the page's frame (its cookies, TLS and proxy), streamed into `target`, cut at `cap`."""
    try:
        loaded = await devtools.send(
            "Network.loadNetworkResource",
            {"frameId": frame_id, "url": url, "options": {"disableCache": False, "includeCredentials": True}},
        )
    except PlaywrightError as exc:
        raise LargeBodyError(f"could not load it again: {exc}") from None
    resource = loaded.get("resource", {})
    if not resource.get("success") or "stream" not in resource:
        raise LargeBodyError(
            f"loading it again failed: {resource.get('netErrorName') or resource.get('httpStatusCode')}"
        )
    handle = resource["stream"]
    headers = [(str(name), str(value)) for name, value in (resource.get("headers") or {}).items()]
    announced = _announced_length(resource.get("headers") or {})
    written, truncated = 0, False
    try:
        with target.open("wb") as out:
            while True:
                chunk = await devtools.send("IO.read", {"handle": handle, "size": min(CHUNK, cap - written + 1)})
                data = base64.b64decode(chunk["data"]) if chunk.get("base64Encoded") else chunk["data"].encode("utf-8")
                if written + len(data) > cap:
                    out.write(data[: cap - written])
                    written, truncated = cap, True
                    break
                out.write(data)
                written += len(data)
                if chunk.get("eof"):
                    break
    finally:
        try:
            await devtools.send("IO.close", {"handle": handle})  # also stops a download cut at the cap
        except PlaywrightError:
            pass
    return StreamedResponse(
        int(resource.get("httpStatusCode") or 200), headers, StoredBody(target, written, truncated, announced)
    )


def _announced_length(headers: dict[str, str]) -> int | None:
    for name, value in headers.items():
        if name.lower() == "content-length" and value.strip().isdigit():
            return int(value)
    return None
