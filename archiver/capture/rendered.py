"""The page as rendered after the behaviours: title, DOM, visible text, screenshots, TLS, server.

These steps always run, even for a page that ran out of time, and each is bounded on its own: a
page whose script never yields keeps what could be read and says what could not.
"""

from __future__ import annotations

import asyncio
from typing import Any

from playwright.async_api import Error as PlaywrightError

from archiver.capture.result import PARTIAL, ArtifactFile
from archiver.capture.screenshots import Screenshot, full_page_screenshot
from archiver.capture.session import CaptureSession, PendingResource
from archiver.errors import first_line
from archiver.identity import host_and_port
from archiver.warc.normalize import warc_protocols

SCREENSHOT_TIMEOUT = 10.0  # Playwright waits for web fonts; past this we take the page as it is
UNLOADED_SCREENSHOT_TIMEOUT = 3.0  # a page whose document never finished may never paint
FINISH_STEP_TIMEOUT = 10.0  # each step that saves what was captured (title, DOM, TLS)
CHROMIUM_ERROR_PAGE = "chrome-error://"


def step_failure(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "the page did not answer in time"
    return first_line(str(exc))


def screenshot_timeout(session: CaptureSession) -> float:
    return SCREENSHOT_TIMEOUT if session.loaded else UNLOADED_SCREENSHOT_TIMEOUT


def save_screenshot(session: CaptureSession, shot: Screenshot, name: str, role: str, urn_prefix: str) -> None:
    """The PNG beside the WARC, in the manifest, and (later) as a `urn:` resource record."""
    path = session.page_dir / name
    path.write_bytes(shot.png)
    urn = urn_prefix + session.final_url()
    session.result.files.append(ArtifactFile(path, role))
    session.result.screenshots[shot.kind] = {"path": path.relative_to(session.job.output_dir).as_posix(),
                                             **shot.describe(), "urn": urn}
    session.pending_resources.append(PendingResource(urn, "image/png", shot.png))


async def record_rendered_page(session: CaptureSession) -> None:
    """Title, DOM and text, full-page screenshot, TLS details and server of a rendered page."""
    if session.page is None or not session.result.final_url or session.download:
        if session.main_response is not None:
            session.result.server = await describe_server(session)
        return
    await _read_title(session)
    if session.unresponsive:
        session.result.mark(PARTIAL, "the page stopped answering (a script that never yields); what was "
                                     "captured before is kept, the rendered DOM and full-page screenshot are not")
        session.result.warnings.append("the page stopped answering: no rendered DOM or full-page screenshot")
        session.result.server = await describe_server(session)
        return
    if _navigated_to_an_error(session):
        await _read_tls(session)
        session.result.server = await describe_server(session)
        return
    if session.result.final_url and session.is_html():
        await _capture_dom(session)
    await _screenshot_full_page(session)
    await _read_tls(session)
    session.result.server = await describe_server(session)


async def _read_title(session: CaptureSession) -> None:
    assert session.page is not None
    try:
        session.result.title = await asyncio.wait_for(session.page.title(), FINISH_STEP_TIMEOUT)
        url = session.page.url
        session.result.final_url = url if url.startswith("http") else session.result.final_url
    except asyncio.TimeoutError:
        session.unresponsive = True  # a script that never yields: every later question would time out too
    except PlaywrightError:
        pass


def _navigated_to_an_error(session: CaptureSession) -> bool:
    """A page that navigated itself away (an ad-block or consent script sending it elsewhere) to a
    page that failed shows Chromium's error page: that is not the page loaded, so neither its DOM
    nor its screenshot is stored as the page's, and the capture says what happened."""
    assert session.page is not None
    if not session.page.url.startswith(CHROMIUM_ERROR_PAGE):
        moved = session.loaded_response is not None and session.main_response is not session.loaded_response
        if moved and session.main_response is not None:
            session.result.warnings.append(f"after loading, the page navigated itself from {session.loaded_response.url} "
                                           f"to {session.main_response.url}: what is stored as rendered is the latter")
        return False
    refused = session.guard.blocked[-1]["reason"] if session.guard.blocked else None
    why = f"refused by the network guard: {refused}" if refused else "Chromium showed its error page"
    session.result.mark(PARTIAL, f"after loading, the page navigated itself to an address that failed ({why}); "
                                 "the rendered DOM and full-page screenshot were not taken, the records of the "
                                 "page as loaded are kept")
    session.result.warnings.append("the page navigated itself away after loading, to an address that failed")
    return True


async def _capture_dom(session: CaptureSession) -> None:
    assert session.page is not None
    try:
        dom = await asyncio.wait_for(session.page.content(), FINISH_STEP_TIMEOUT)
        text = await asyncio.wait_for(
            session.page.evaluate("() => document.body ? document.body.innerText : ''"), FINISH_STEP_TIMEOUT)
    except (PlaywrightError, asyncio.TimeoutError) as exc:
        session.result.warnings.append(f"could not read the rendered DOM: {step_failure(exc)}")
        return
    session.dom, session.text = dom, text
    for name, role, content_type, content in (("dom.html", "dom", "text/html", dom),
                                              ("text.txt", "text", "text/plain", text)):
        path = session.page_dir / name
        path.write_text(content, encoding="utf-8")
        session.result.files.append(ArtifactFile(path, role))
        session.pending_resources.append(PendingResource(f"urn:{role}:{session.final_url()}",
                                                         f"{content_type}; charset=utf-8", content.encode("utf-8")))


async def _screenshot_full_page(session: CaptureSession) -> None:
    assert session.page is not None
    options = session.options
    try:
        # Bounded as a whole: measuring the page (an evaluate) waits on its scripts too.
        shot = await asyncio.wait_for(full_page_screenshot(session.page, session.devtools, options.max_screenshot_height,
                                                           screenshot_timeout(session)),
                                      screenshot_timeout(session) + FINISH_STEP_TIMEOUT)
    except (PlaywrightError, asyncio.TimeoutError) as exc:
        session.result.warnings.append(f"full-page screenshot failed: {step_failure(exc)}")
        return
    session.full_page = shot
    save_screenshot(session, shot, "fullpage.png", "screenshot_full_page", "urn:fullPage:")
    if shot.capped:
        session.result.warnings.append(f"full-page screenshot capped at {options.max_screenshot_height}px "
                                       f"(page is {shot.page_height}px tall)")


async def _read_tls(session: CaptureSession) -> None:
    assert session.tls is not None
    try:
        url = session.result.final_url or session.job.url
        session.result.tls = await asyncio.wait_for(session.tls.details(url), FINISH_STEP_TIMEOUT)
        if session.result.tls:
            session.result.tls["server_ip"] = session.guard.address_for(url) or session.result.tls.get("server_ip")
            session.result.tls["server_port"] = host_and_port(url)[1]
    except asyncio.TimeoutError:
        session.result.warnings.append("the TLS details did not come in time")


async def describe_server(session: CaptureSession) -> dict[str, Any] | None:
    """Address and protocol of the server that answered the page's own request."""
    response = session.main_response
    if response is None:
        return None
    try:
        address = await response.server_addr()
        security = await response.security_details()
        http_version = await response.http_version()
    except PlaywrightError:
        return None
    return {  # the browser saw the guard's proxy; the server is where the proxy connected
        "ip": session.guard.address_for(response.url) or (address["ipAddress"] if address else None),
        "port": host_and_port(response.url)[1],
        "protocols": warc_protocols(http_version, security.get("protocol") if security else None),
    }
