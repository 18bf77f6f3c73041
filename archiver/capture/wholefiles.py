"""Whole files: one complete copy of every file the page showed only in pieces, or not at all.

Media the browser fetched with `Range` (206 pieces) is fetched once more, whole, so it replays; a
document Chromium showed in a viewer (a PDF) is fetched again from the page; a download, which
never reaches a page, is fetched outside the browser. Where no whole copy could be had, the pieces
are kept rather than nothing, with a warning.
"""

from __future__ import annotations

from archiver.browser import direct_fetch
from archiver.browser.exchange import StoredBody
from archiver.browser.pagejs import script
from archiver.capture.session import CaptureSession

DIRECT_FETCH_TIMEOUT_MS = 30_000  # one file fetched again from the page
DOWNLOAD_TIMEOUT = 300.0  # a download read to the cap takes no longer
DOCUMENT_DRAIN_TIMEOUT = 2.0  # a document still being handed over gets this long before it is loaded again


async def find_missing_files(session: CaptureSession) -> None:
    """Which files the page showed only in pieces (206 media) or replaced (a PDF in its viewer)."""
    options, recorder = session.options, session.recorder
    await session.network.wait_for_quiet(options.network_quiet, options.quiet_timeout)
    await recorder.drain()
    targets = [url for url in recorder.partial_media if url not in recorder.complete_urls]
    final = session.final_url()
    if session.main_response is not None and final not in recorder.complete_urls and not session.is_html():
        targets.append(final)
    session.whole_file_targets = targets


def can_fetch_in_page(session: CaptureSession) -> bool:
    return bool(session.whole_file_targets) and not session.download


async def fetch_in_page(session: CaptureSession) -> None:
    """The page fetches each file once more, whole (its cookies, its origin), and it is recorded."""
    assert session.page is not None
    options, recorder, final = session.options, session.recorder, session.final_url()
    try:
        await session.page.evaluate(script("fetch_direct"), [session.whole_file_targets, DIRECT_FETCH_TIMEOUT_MS])
    finally:
        await session.network.wait_for_quiet(options.network_quiet, options.quiet_timeout)
        await recorder.drain()
    if final in session.whole_file_targets and final in recorder.complete_urls:
        session.result.notes.append("the file itself was fetched again from the page (Chromium showed it in a viewer)")


def page_file_still_missing(session: CaptureSession) -> bool:
    """The page's own file (a download) has no complete copy, and the guard did not refuse it."""
    final = session.final_url()
    return (
        final in session.whole_file_targets
        and final not in session.recorder.complete_urls
        and not session.guard.problem(final)
    )


async def fetch_download(session: CaptureSession) -> None:
    """A download never reaches a page: the page's frame loads it again, streamed and capped."""
    await _load_again(session, "the file itself")


def own_document_missing(session: CaptureSession) -> bool:
    """The page answered, but the browser never handed its document over (a renderer that stopped
    answering before the document finished: the browser reads bodies through the renderer)."""
    return (
        session.main_response is not None
        and not session.download
        and session.final_url() not in session.document_hashes
        and not session.guard.problem(session.final_url())
        and not session.browser_hung  # it is the browser that loads it again
    )


async def fetch_own_document(session: CaptureSession) -> None:
    """The page's own document, loaded again by the browser (not through its renderer) and stored,
    so that a page that blocks its renderer still has its document on record."""
    await session.recorder.drain(timeout=DOCUMENT_DRAIN_TIMEOUT)  # it may be on its way after all
    if own_document_missing(session):
        await _load_again(session, "the page's own document (its renderer did not hand it over)")


async def _load_again(session: CaptureSession, what: str) -> None:
    assert session.devtools is not None
    url = session.final_url()
    exchange = await direct_fetch.fetch_download(
        session.devtools,
        url,
        session.user_agent,
        session.new_body_file(),
        session.options.max_body_size,
        session.main_frame_id,
    )
    body = exchange.response.body
    assert isinstance(body, StoredBody)
    session.recorder.large_bodies.append(
        {"url": url, "size": body.full_length or body.length, "stored": body.length, "truncated": body.truncated}
    )
    session.recorder.accept(exchange)
    session.result.notes.append(
        f"{what} was loaded again by the browser (DevTools), streamed to disk; "
        "its request record holds the request line, Host and User-Agent"
    )


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
        result.media.update({"refetched_whole": refetched, "kept_206_pieces": kept_pieces})
    for url in kept_pieces:
        result.warnings.append(f"only partial (206) copies of {url} could be recorded")
