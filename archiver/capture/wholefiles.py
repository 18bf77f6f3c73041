"""Step 5: one complete copy of every file the page showed only in pieces, or not at all.

Media the browser fetched with `Range` (206 pieces) is fetched once more, whole, so it replays; a
document Chromium showed in a viewer (a PDF) is fetched again from the page; a download, which
never reaches a page, is fetched outside the browser. Where no whole copy could be had, the pieces
are kept rather than nothing, with a warning.
"""

from __future__ import annotations

import asyncio

from playwright.async_api import Error as PlaywrightError

from archiver.capture.direct_fetch import fetch_download
from archiver.capture.largebody import LargeBodyError
from archiver.capture.pagejs import script
from archiver.capture.session import CaptureSession
from archiver.errors import first_line

DIRECT_FETCH_TIMEOUT_MS = 30_000
DOWNLOAD_TIMEOUT = 300.0  # a download read to the cap takes no longer


async def fetch_whole_files(session: CaptureSession) -> None:
    """Get one complete copy of media seen only as 206 pieces, and of documents a viewer replaced."""
    assert session.page is not None
    options, recorder = session.options, session.recorder
    await session.network.wait_for_quiet(options.network_quiet, options.quiet_timeout)
    await recorder.drain()
    targets = [url for url in recorder.partial_media if url not in recorder.complete_urls]
    final = session.final_url()
    if session.main_response is not None and final not in recorder.complete_urls and not session.is_html():
        targets.append(final)
    if not targets:
        return
    if not session.download:
        try:
            await session.page.evaluate(script("fetch_direct"), [targets, DIRECT_FETCH_TIMEOUT_MS])
        except PlaywrightError as exc:
            session.result.warnings.append(f"direct fetch failed: {first_line(str(exc))}")
        await session.network.wait_for_quiet(options.network_quiet, options.quiet_timeout)
        await recorder.drain()
        if final in targets and final in recorder.complete_urls:
            session.result.notes.append("the file itself was fetched again from the page (Chromium showed it in a viewer)")
    if final in targets and final not in recorder.complete_urls:
        await _fetch_outside_browser(session, final)


async def _fetch_outside_browser(session: CaptureSession, url: str) -> None:
    """A download never reaches a page: the page's frame loads it again, streamed and capped."""
    assert session.devtools is not None
    if session.guard.problem(url):  # refused already: the file is not fetched another way
        return
    try:
        exchange = await asyncio.wait_for(fetch_download(session.devtools, url, session.user_agent, session.new_body_file(),
                                                         session.options.max_body_size), DOWNLOAD_TIMEOUT)
    except (LargeBodyError, PlaywrightError, asyncio.TimeoutError) as exc:
        reason = "it did not finish in time" if isinstance(exc, asyncio.TimeoutError) else first_line(str(exc))
        session.result.warnings.append(f"could not fetch the file itself: {reason}")
        return
    body = exchange.response.body
    session.recorder.large_bodies.append({"url": url, "size": body.full_length or body.length, "stored": body.length,
                                          "truncated": body.truncated})
    session.recorder.accept(exchange)
    session.result.notes.append("the file itself was loaded again by the browser (DevTools), streamed to disk; "
                                "its request record holds the request line, Host and User-Agent")


def keep_pieces_without_whole_copy(session: CaptureSession) -> None:
    """Media with no complete copy: keep the pieces we have rather than nothing, and say so."""
    recorder, result = session.recorder, session.result
    refetched, kept_pieces = [], []
    for url, pieces in recorder.partial_media.items():
        if url in recorder.complete_urls:
            refetched.append(url)
            continue
        for piece in pieces:
            recorder.write(piece)
        kept_pieces.append(url)
    if refetched or kept_pieces:
        result.media = {"refetched_whole": refetched, "kept_206_pieces": kept_pieces}
    for url in kept_pieces:
        result.warnings.append(f"only partial (206) copies of {url} could be recorded")
