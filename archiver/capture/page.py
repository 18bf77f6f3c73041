"""Capture one page: the unit of work a queue can hand to any worker.

In: a `CaptureJob` (URL, options, output folder, run id) and a launched browser. Out: WARC
file(s), screenshots, DOM and text in `<output>/<capture id>/`, and a `PageResult` that becomes
the page's manifest entry. The steps, in order (their shared state is a `CaptureSession`):

    open a browser context        archiver.capture.context
    load the page                 archiver.capture.load        } bounded together by
    viewport screenshot           archiver.capture.load        } --page-timeout; past it
    behaviours                    archiver.capture.load        } the page is `partial`
    whole files                   archiver.capture.wholefiles  }
    then always, each bounded on its own, so a page that failed half-way is still recorded
    as what it is:
    the rendered page             archiver.capture.rendered    (title, DOM, text, full page, TLS)
    close the context             (the last exchanges are written)
    keep 206 pieces without a whole copy
    summarize                     archiver.capture.summary
    capture records, close WARC   archiver.capture.storing
    article metadata and credits  archiver.metadata            (read back from the WARC)
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import datetime, timezone

from playwright.async_api import Browser, Error as PlaywrightError

from archiver.capture.browser import BrowserInfo
from archiver.capture.context import open_context
from archiver.capture.load import behave, navigate, note_http_error, screenshot_viewport
from archiver.capture.rendered import record_rendered_page
from archiver.capture.result import FAILED, PARTIAL, ArtifactFile, PageResult
from archiver.capture.session import CaptureSession
from archiver.capture.storing import attach_recorder, write_capture_records
from archiver.capture.summary import summarize
from archiver.capture.wholefiles import fetch_whole_files, keep_pieces_without_whole_copy
from archiver.errors import first_line
from archiver.options import CaptureJob
from archiver.metadata.extract import extract
from archiver.warc.dedup import DedupIndex, requirement_paths

CLOSE_QUIET_WAIT = 2.0  # at most this long for the network to go quiet before the context closes
CLOSE_TIMEOUT = 15.0  # closing a context (or, failing that, the browser) takes no longer


async def capture_page(browser: Browser, browser_info: BrowserInfo, job: CaptureJob,
                       dedup: DedupIndex | None = None) -> PageResult:
    """Capture `job.url` into `job.output_dir`; never raises for the page's own failures.
    With `dedup` (the output folder's index), responses identical to the last capture of their
    URL are written as revisits of it."""
    session = CaptureSession.start(browser, browser_info, job, dedup)
    attach_recorder(session)
    try:
        await open_context(session)
        await asyncio.wait_for(_load_and_behave(session), session.options.page_timeout)
    except asyncio.TimeoutError:
        _out_of_time(session)
    except PlaywrightError as exc:  # the browser itself failed under us
        session.result.mark(FAILED, f"browser error: {first_line(str(exc))}")
    finally:
        await _finish(session)
    return session.result


async def _load_and_behave(session: CaptureSession) -> None:
    loaded_at = await navigate(session)
    if loaded_at is None:
        return
    note_http_error(session)
    await screenshot_viewport(session)
    await behave(session, loaded_at)
    await fetch_whole_files(session)


def _out_of_time(session: CaptureSession) -> None:
    session.note_main_response()
    limit = f"{session.options.page_timeout:g}s"
    if session.main_response is None:
        session.result.mark(FAILED, f"no response within the page timeout ({limit})")
    else:
        session.result.mark(PARTIAL, f"the page ran out of time ({limit}); what it had loaded was saved")


async def _finish(session: CaptureSession) -> None:
    """Always: the rendered page, then close the context and the WARC, then read the article."""
    await record_rendered_page(session)
    await _close_context(session)
    if session.proxy is not None:
        await session.proxy.close()
    keep_pieces_without_whole_copy(session)
    summarize(session)
    write_capture_records(session)
    for path in reversed(session.writer.close()):
        session.result.files.insert(0, ArtifactFile(path, "warc"))
    shutil.rmtree(session.page_dir / ".bodies", ignore_errors=True)  # large bodies not stored (repeats, pieces)
    await _extract_metadata(session)
    session.result.counts["records_written"] = session.writer.records_written
    session.result.counts["warc_files"] = len(session.writer.files)
    session.result.dedup = session.dedup.to_dict()
    session.result.ended_at = datetime.now(timezone.utc)


async def _close_context(session: CaptureSession) -> None:
    if session.context is None:
        return
    try:
        await session.network.wait_for_quiet(session.options.network_quiet,
                                             min(CLOSE_QUIET_WAIT, session.options.quiet_timeout))
        await session.recorder.drain()
        session.still_loading = session.network.in_flight()
        # Closing the context ends the DevTools session too (detaching it first can hang
        # for as long as a stalled navigation does).
        await asyncio.wait_for(session.context.close(), CLOSE_TIMEOUT)
    except asyncio.TimeoutError:
        await _restart_browser(session)
    except PlaywrightError:
        pass
    await session.recorder.drain(timeout=5.0)


async def _restart_browser(session: CaptureSession) -> None:
    """A page that will not even close (a renderer stuck in a script) takes its browser with it:
    closed here, it is launched again for the next page, so the batch goes on."""
    session.result.warnings.append("the page would not close; its browser was restarted for the next page")
    try:
        await asyncio.wait_for(session.browser.close(), CLOSE_TIMEOUT)
    except (asyncio.TimeoutError, PlaywrightError):
        pass


async def _extract_metadata(session: CaptureSession) -> None:
    """What the article says about itself and who took its pictures, read back from the WARC."""
    if not session.is_html() or session.final_url() not in session.document_hashes:
        return
    try:
        # CPU-bound parsing: in a thread, so pages captured alongside keep their event loop
        originals = requirement_paths(session.job.output_dir.parent, session.dedup.requires.values())
        extracted = await asyncio.to_thread(extract, session.writer.files, session.final_url(), session.dom,
                                            originals)
    except Exception as exc:  # noqa: BLE001 - the capture itself is sound; say what failed and keep it
        session.result.warnings.append(f"metadata extraction failed: {type(exc).__name__}: {exc}")
        return
    session.result.article = extracted["article"]
    session.result.images = extracted["images"]
    session.result.images_left_out = extracted["images_left_out"]
