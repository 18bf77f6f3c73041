"""The page as rendered after the behaviours: title, DOM, visible text, screenshots, TLS, server.

These steps always run, even for a page that ran out of time, and each is bounded on its own (see
`archiver.capture.page`): a page whose script never yields keeps what could be read and says what
could not.
"""

from __future__ import annotations

import asyncio

from playwright.async_api import Error as PlaywrightError

from archiver.browser.screenshots import Screenshot, full_page_screenshot
from archiver.capture.result import ArtifactFile
from archiver.capture.session import CaptureSession, PendingResource
from archiver.identity import host_and_port
from archiver.terms import PARTIAL, FileRole
from archiver.warc.normalize import warc_protocols

SCREENSHOT_TIMEOUT = 10.0  # Playwright waits for web fonts; past this we take the page as it is
UNLOADED_SCREENSHOT_TIMEOUT = 3.0  # a page whose document never finished may never paint
READ_TIMEOUT = 10.0  # each question put to the rendered page (title, DOM, text, TLS, server)
BROWSER_ANSWER_TIMEOUT = 3.0  # a browser that answers does so at once
CHROMIUM_ERROR_PAGE = "chrome-error://"


def screenshot_timeout(session: CaptureSession) -> float:
    return SCREENSHOT_TIMEOUT if session.loaded else UNLOADED_SCREENSHOT_TIMEOUT


def full_page_timeout(session: CaptureSession) -> float:
    # Bounded as a whole: measuring the page (an evaluate) waits on its scripts too.
    return screenshot_timeout(session) + READ_TIMEOUT


def save_screenshot(session: CaptureSession, shot: Screenshot, name: str, role: FileRole, urn_prefix: str) -> None:
    """The PNG beside the WARC, in the manifest, and (later) as a `urn:` resource record."""
    path = session.page_dir / name
    path.write_bytes(shot.png)
    urn = urn_prefix + session.final_url()
    session.result.files.append(ArtifactFile(path, role))
    session.result.screenshots[shot.kind] = {
        "path": path.relative_to(session.job.output_dir).as_posix(),
        **shot.describe(),
        "urn": urn,
    }
    session.pending_resources.append(PendingResource(urn, "image/png", shot.png))


async def read_title(session: CaptureSession) -> None:
    """The page's title. The page's address is that of the document it loaded last (a page that
    navigated itself to another page is that page); an address it only wrote into the address bar
    (history.replaceState / pushState, as "next story" pages do) was never fetched: it is noted."""
    assert session.page is not None
    session.result.title = await session.page.title()
    session.note_main_response()


def stopped_answering(session: CaptureSession) -> None:
    """A script that never yields: every later question would time out too."""
    session.unresponsive = True
    session.result.mark(
        PARTIAL,
        "the page stopped answering (a script that never yields); what was "
        "captured before is kept, the rendered DOM and full-page screenshot are not",
    )
    session.result.warnings.append("the page stopped answering: no rendered DOM or full-page screenshot")


def the_page_stopped_answering(session: CaptureSession) -> bool:
    return session.unresponsive and session.devtools is not None


async def ask_the_browser(session: CaptureSession) -> None:
    """A page that stopped answering may have hung its whole browser (a script flooding it with
    navigations): then nothing more can be asked of it, and the next page gets a new one."""
    assert session.devtools is not None
    try:
        await asyncio.wait_for(session.devtools.send("Browser.getVersion"), BROWSER_ANSWER_TIMEOUT)
    except (TimeoutError, PlaywrightError):
        browser_stopped_answering(session)


def browser_stopped_answering(session: CaptureSession) -> None:
    session.browser_hung = True
    session.result.browser_lost = True
    session.result.warnings.append(
        "the page hung its browser; nothing more was asked of it, and the next page gets a new browser"
    )


def check_where_it_went(session: CaptureSession) -> None:
    """A page that navigated itself away (an ad-block or consent script sending it elsewhere) to a
    page that failed shows Chromium's error page: that is not the page loaded, so neither its DOM
    nor its screenshot is stored as the page's, and the capture says what happened."""
    assert session.page is not None
    if not session.page.url.startswith(CHROMIUM_ERROR_PAGE):
        moved = session.loaded_response is not None and session.main_response is not session.loaded_response
        if moved and session.main_response is not None and session.loaded_response is not None:
            session.result.warnings.append(
                f"after loading, the page navigated itself from {session.loaded_response.url} "
                f"to {session.main_response.url}: what is stored as rendered is the latter"
            )
        return
    session.navigated_to_error = True
    refused = session.guard.blocked[-1]["reason"] if session.guard.blocked else None
    why = f"refused by the network guard: {refused}" if refused else "Chromium showed its error page"
    session.result.mark(
        PARTIAL,
        f"after loading, the page navigated itself to an address that failed ({why}); "
        "the rendered DOM and full-page screenshot were not taken, the records of the "
        "page as loaded are kept",
    )
    session.result.warnings.append("the page navigated itself away after loading, to an address that failed")


def has_html_to_read(session: CaptureSession) -> bool:
    return session.shows_the_page() and session.is_html()


async def capture_dom(session: CaptureSession) -> None:
    """The rendered DOM and the visible text, beside the WARC and (later) as resource records."""
    assert session.page is not None
    dom = await session.page.content()
    text = await session.page.evaluate("() => document.body ? document.body.innerText : ''")
    session.dom, session.text = dom, text
    for name, role, content_type, content in (
        ("dom.html", FileRole.DOM, "text/html", dom),
        ("text.txt", FileRole.TEXT, "text/plain", text),
    ):
        path = session.page_dir / name
        path.write_text(content, encoding="utf-8")
        session.result.files.append(ArtifactFile(path, role))
        session.pending_resources.append(
            PendingResource(
                f"urn:{role}:{session.final_url()}", f"{content_type}; charset=utf-8", content.encode("utf-8")
            )
        )


async def screenshot_full_page(session: CaptureSession) -> None:
    assert session.page is not None
    options = session.options
    shot = await full_page_screenshot(
        session.page, session.devtools, options.max_screenshot_height, screenshot_timeout(session)
    )
    session.full_page = shot
    save_screenshot(session, shot, "fullpage.png", FileRole.FULL_PAGE, "urn:fullPage:")
    if shot.capped:
        session.result.warnings.append(
            f"full-page screenshot capped at {options.max_screenshot_height}px (page is {shot.page_height}px tall)"
        )


async def read_tls(session: CaptureSession) -> None:
    assert session.tls is not None
    url = session.result.final_url or session.job.url
    session.result.tls = await session.tls.details(url)
    if session.result.tls:
        session.result.tls["server_ip"] = session.guard.address_for(url) or session.result.tls.get("server_ip")
        session.result.tls["server_port"] = host_and_port(url)[1]


def tls_not_in_time(session: CaptureSession) -> None:
    session.result.warnings.append("the TLS details did not come in time")


def has_response(session: CaptureSession) -> bool:
    return session.main_response is not None


async def describe_server(session: CaptureSession) -> None:
    """Address and protocol of the server that answered the page's own request."""
    response = session.main_response
    assert response is not None
    address = await response.server_addr()
    security = await response.security_details()
    http_version = await response.http_version()
    session.result.server = {  # the browser saw the guard's proxy; the server is where the proxy connected
        "ip": session.guard.address_for(response.url) or (address["ipAddress"] if address else None),
        "port": host_and_port(response.url)[1],
        "protocols": warc_protocols(http_version, security.get("protocol") if security else None),
    }
