"""Capture one page: the unit of work a queue can hand to any worker.

In: a `CaptureJob` (URL, options, output folder, run id) and a launched browser. Out: WARC
file(s), screenshots, DOM and text in `<output>/<capture id>/`, and a `PageResult` that becomes
the page's manifest entry. The capture is the two sequences of steps below, run by
`archiver.capture.steps` on one `CaptureSession` (their shared state): LOADING, whose steps share
the page's deadline (--page-timeout; past it the page is saved as it is, `partial`), and
FINISHING, which always runs, each step bounded on its own, so that a page that failed half-way is
still recorded as what it is. Each step's seconds and outcome go into the manifest (`steps`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from playwright.async_api import Browser

from archiver.browser.launch import BrowserInfo
from archiver.browser.netguard import NetworkAccess
from archiver.capture import (
    article,
    attachments,
    closing,
    load,
    login_check,
    media,
    obstacles,
    rendered,
    verdicts,
    wholefiles,
)
from archiver.capture.conclude import conclude
from archiver.capture.context import open_context
from archiver.capture.result import PageResult
from archiver.capture.session import CaptureSession, no_wait
from archiver.capture.steps import PageClock, Step, run_steps
from archiver.capture.storing import attach_recorder, write_capture_records
from archiver.options import CaptureJob
from archiver.terms import FAILED, PARTIAL
from archiver.warc.dedup import OriginalsIndex

MEDIA_DRAIN_SECONDS = 45.0  # past --media-max-seconds: the last files fetched are read and recorded
EXTRACTION_FAILURES = (Exception,)  # the capture itself is sound: a parser's failure is said, never fatal


def _working(session: CaptureSession) -> bool:
    return session.working()


def _working_on_a_page(session: CaptureSession) -> bool:
    return session.working() and not session.download


def _took_a_download(session: CaptureSession) -> bool:
    return session.working() and session.download


def _has_whole_files_to_fetch(session: CaptureSession) -> bool:
    return session.working() and wholefiles.can_fetch_in_page(session)


def _has_its_download_to_fetch(session: CaptureSession) -> bool:
    return session.working() and wholefiles.page_file_still_missing(session)


BROWSER_REPLACED = "its browser was replaced while the page waited to load"


async def _wait_for_turn(session: CaptureSession) -> None:
    if not await session.turn():
        session.replaced = True  # not loaded: whoever runs the page starts it again in the new browser
        session.browser_hung = True  # the old browser may not answer: it is ended whole, its contexts with it
        session.result.mark(FAILED, BROWSER_REPLACED)


def _hand_over(session: CaptureSession) -> None:
    """The page is done loading and its browser is known to answer (or known lost): the next page may load."""
    session.hand_over(session.result)


OPENING = (
    Step("open_context", open_context, expected=()),
    # A batch opens the next page's context while a page loads; it loads when a slot is free.
    Step("wait_for_turn", _wait_for_turn, when=closing.has_context, expected=()),
)

LOADING = (
    Step("navigate", load.navigate, when=closing.has_context, page_time=True, expected=()),
    Step("note_http_error", load.note_http_error, when=_working),
    Step("note_download", load.note_download, when=_took_a_download),
    Step("wait_for_consent", obstacles.wait_for_consent, when=obstacles.has_consent, page_time=True, expected=()),
    Step(
        "viewport_screenshot",
        load.screenshot_viewport,
        when=_working_on_a_page,
        page_time=True,
        timeout=rendered.screenshot_timeout,
        failure="viewport screenshot failed",
    ),
    Step(
        "answer_consent",
        obstacles.answer_consent,
        when=obstacles.has_consent,
        page_time=True,
        failure="answering the consent dialog failed",
    ),
    Step(
        "open_folds",
        obstacles.open_folds,
        when=obstacles.may_open_folds,
        page_time=True,
        failure="opening the article's folds failed",
    ),
    Step("behaviours", load.behave, when=_working, page_time=True, expected=()),
    Step(
        "find_obstacles",
        obstacles.find_obstacles,
        when=obstacles.may_scan,
        page_time=True,
        failure="looking for what covers the article failed",
    ),
    Step(
        "check_login",
        login_check.check_login,
        when=login_check.has_a_check,
        page_time=True,
        failure="looking for the profile's check failed",
    ),
    Step("start_media", media.start_media, when=media.may_start_media, page_time=True, failure="starting the media"),
    Step(
        "complete_media",
        media.complete_media,
        when=media.has_media_to_complete,
        timeout=lambda session: session.options.media_max_seconds + MEDIA_DRAIN_SECONDS,
        page_time=True,
        failure="fetching the media",
    ),
    Step(
        "attach_media",
        attachments.attach_media,
        when=attachments.may_attach,
        timeout=lambda session: session.options.media_max_seconds + MEDIA_DRAIN_SECONDS,
        page_time=True,
        failure="downloading the embedded players' media",
    ),
    Step("find_missing_files", wholefiles.find_missing_files, when=_working, page_time=True, expected=()),
    Step(
        "fetch_in_page",
        wholefiles.fetch_in_page,
        when=_has_whole_files_to_fetch,
        page_time=True,
        failure="direct fetch failed",
    ),
    Step(
        "fetch_download",
        wholefiles.fetch_download,
        when=_has_its_download_to_fetch,
        page_time=True,
        timeout=wholefiles.DOWNLOAD_TIMEOUT,
        failure="could not fetch the file itself",
        timed_out="it did not finish in time",
    ),
)

FINISHING = (
    Step(
        "title",
        rendered.read_title,
        when=CaptureSession.rendered,
        timeout=rendered.READ_TIMEOUT,
        on_timeout=rendered.stopped_answering,
    ),
    Step(
        "browser_answers",
        rendered.ask_the_browser,
        when=rendered.the_page_stopped_answering,
        timeout=2 * rendered.BROWSER_ANSWER_TIMEOUT,
        on_timeout=rendered.browser_stopped_answering,
    ),
    Step("hand_over", _hand_over),
    Step("where_it_went", rendered.check_where_it_went, when=CaptureSession.responsive),
    Step(
        "dom",
        rendered.capture_dom,
        when=rendered.has_html_to_read,
        timeout=2 * rendered.READ_TIMEOUT,
        failure="could not read the rendered DOM",
    ),
    Step(
        "full_page_screenshot",
        rendered.screenshot_full_page,
        when=CaptureSession.shows_the_page,
        timeout=rendered.full_page_timeout,
        failure="full-page screenshot failed",
    ),
    Step(
        "unobstructed_screenshot",
        obstacles.screenshot_unobstructed,
        when=obstacles.is_obstructed,
        timeout=rendered.full_page_timeout,
        failure="the unobstructed full-page screenshot failed",
    ),
    Step(
        "tls",
        rendered.read_tls,
        when=CaptureSession.responsive,
        timeout=rendered.READ_TIMEOUT,
        on_timeout=rendered.tls_not_in_time,
    ),
    Step("server", rendered.describe_server, when=rendered.has_response, timeout=rendered.READ_TIMEOUT),
    Step(
        "own_document",
        wholefiles.fetch_own_document,
        when=wholefiles.own_document_missing,
        timeout=wholefiles.DOWNLOAD_TIMEOUT,
        failure="could not load the page's own document again",
        timed_out="it did not finish in time",
    ),
    Step(
        "settle_network",
        closing.let_the_network_settle,
        when=closing.has_context,
        timeout=closing.CLOSE_QUIET_WAIT + closing.CLOSE_TIMEOUT,
    ),
    Step(
        "close_context",
        closing.close_context,
        when=closing.can_close_context,
        timeout=closing.CLOSE_TIMEOUT,
        on_timeout=closing.would_not_close,
    ),
    Step("drain_recorder", closing.drain_recorder),
    Step("close_proxy", closing.close_proxy, when=closing.has_proxy),
    Step("keep_pieces", wholefiles.keep_pieces_without_whole_copy),
    Step("report_media", media.report_media),
    Step("verdicts", verdicts.judge),
    Step("conclude", conclude),
    Step("capture_records", write_capture_records),
    Step("close_warc", closing.close_warc),
    Step(
        "article",
        article.read_article,
        when=article.has_an_article,
        failure="metadata extraction failed",
        expected=EXTRACTION_FAILURES,
    ),
    Step("tally", closing.tally),
)


async def capture_page(
    browser: Browser,
    browser_info: BrowserInfo,
    job: CaptureJob,
    dedup: OriginalsIndex | None = None,
    access: NetworkAccess | None = None,
    turn: Callable[[], Awaitable[bool]] = no_wait,
    loaded: Callable[[PageResult], None] = lambda result: None,
) -> PageResult:
    """Capture `job.url` into `job.output_dir`; never raises for the page's own failures.
    With `dedup` (the output folder's index), responses identical to the last capture of their
    URL are written as revisits of it. `access`: how names are resolved and connections made
    (default: DNS; the network guard checks every address either way).

    A batch overlaps its pages (archiver.run.slots): `turn` is awaited once the page's context is
    open, before it loads, and says whether the browser is still the one to load in (False: it
    was replaced meanwhile, the page ends failed with BROWSER_REPLACED and is not loaded);
    `loaded` is called with the result once the page has loaded (behaviours, media, fetches) and
    its browser is known to answer, before the screenshots, DOM and records."""
    session = CaptureSession.start(browser, browser_info, job, dedup, access)
    session.turn, session.hand_over = turn, loaded
    attach_recorder(session)
    try:
        await run_steps(session, OPENING)
        if not session.replaced:
            await run_steps(session, LOADING, PageClock(session.options.page_timeout, _out_of_time))
    finally:
        await run_steps(session, FINISHING)
    return session.result


def _out_of_time(session: CaptureSession) -> None:
    session.note_main_response()
    limit = f"{session.options.page_timeout:g}s"
    if session.main_response is None:
        session.result.mark(FAILED, f"no response within the page timeout ({limit})")
    else:
        session.result.mark(PARTIAL, f"the page ran out of time ({limit}); what it had loaded was saved")
