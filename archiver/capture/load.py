"""Loading: load the page, screenshot what the reader first sees, run the behaviours.

A page that gives no response at all is `failed` and nothing more is done with it; one that
answers but never finishes loading is worked on as it is and ends `partial`. A page the browser
takes as a download is not rendered: its file is fetched whole by the next step.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from archiver.browser.behaviours import run_behaviours
from archiver.browser.screenshots import viewport_screenshot
from archiver.capture.rendered import save_screenshot, screenshot_timeout
from archiver.capture.session import CaptureSession
from archiver.errors import explain_net_error, first_line
from archiver.terms import FAILED, PARTIAL, FileRole

FAILED_AT = re.compile(r" at (\S+)$")  # Playwright: "net::ERR_... at http://host/path"


def _is_download(message: str) -> bool:
    return "Download is starting" in message or "net::ERR_ABORTED" in message


async def navigate(session: CaptureSession) -> None:
    """Load the page; `session.loaded_at` says when, and stays None when there is nothing to work on."""
    assert session.page is not None
    options, result = session.options, session.result
    try:
        await session.page.goto(session.job.url, wait_until="load", timeout=options.navigation_timeout * 1000)
        session.loaded = True
        session.note_main_response()
        session.loaded_response = session.main_response
        session.loaded_at = time.monotonic()
    except PlaywrightTimeoutError:
        session.note_main_response()
        if session.main_response is None:
            result.mark(FAILED, f"no response within {options.navigation_timeout:g}s")
            return
        result.mark(PARTIAL, f"page did not finish loading within {options.navigation_timeout:g}s")
        session.loaded_at = time.monotonic()
    except PlaywrightError as exc:
        session.note_main_response()
        if session.main_response is not None and _is_download(str(exc)):
            session.download = True  # nothing rendered: the file is fetched directly by the next step
            session.loaded_at = time.monotonic()
            return
        result.mark(FAILED, _guard_reason(session, str(exc)) or explain_net_error(str(exc)))


def _guard_reason(session: CaptureSession, message: str) -> str | None:
    """What went wrong at the guard's proxy, for a navigation Chromium reports only as a SOCKS
    failure: refused by the guard, not resolvable, or not reachable (in Chromium's own terms)."""
    if "ERR_SOCKS" not in message or session.proxy is None:
        return None
    failed_at = FAILED_AT.search(first_line(message))
    url = failed_at.group(1) if failed_at else None
    code = session.proxy.failure(url)
    problem = session.guard.problem(url) if url else None
    if code == "ERR_BLOCKED_BY_CLIENT" or (problem and code != "ERR_NAME_NOT_RESOLVED"):
        problem = problem or (session.guard.blocked[-1]["reason"] if session.guard.blocked else "refused")
        return f"blocked by the network guard: {problem}"
    if code == "ERR_NAME_NOT_RESOLVED":
        host = urlsplit(url).hostname if url else "the host"
        closed = "; the network guard refuses what it cannot check" if session.guard.active else ""
        return f"{explain_net_error('net::' + code)}: {host} could not be resolved{closed}"
    return explain_net_error(f"net::{code}") if code else None


def note_http_error(session: CaptureSession) -> None:
    """An HTTP error page (404, 500) is a capture of that page, with a warning."""
    status = session.result.status
    if status is not None and status >= 400:
        session.result.warnings.append(f"the server answered HTTP {status}")


def note_download(session: CaptureSession) -> None:
    session.result.notes.append(f"the browser took this page as a download ({session.result.content_type})")


async def screenshot_viewport(session: CaptureSession) -> None:
    """What the reader sees at first, before any behaviour scrolled or changed the page."""
    assert session.devtools is not None
    shot = await viewport_screenshot(session.devtools, screenshot_timeout(session))
    save_screenshot(session, shot, "viewport.png", FileRole.VIEWPORT, "urn:view:")


async def behave(session: CaptureSession) -> None:
    """Scroll, settle and autofetch, so that everything a reader could see is loaded and recorded."""
    assert session.page is not None and session.loaded_at is not None
    options, result = session.options, session.result
    if not session.is_html():
        result.notes.append(f"not an HTML page ({result.content_type}): behaviours skipped")
        return
    result.behaviours = await run_behaviours(
        session.page, session.network, options, session.loaded_at, session.recorder.complete_urls
    )
    result.behaviours.ran.insert(0, "eager-loading")  # the init script the context step installed
    if result.behaviours.timed_out:
        result.mark(PARTIAL, f"behaviours ran out of time after {options.behaviour_timeout:g}s")
    if result.behaviours.scroll.stopped_by == "max_steps":
        result.warnings.append(f"scrolling stopped after {options.max_scroll_steps} steps")
