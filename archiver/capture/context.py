"""Step 1: open a fresh browser context for the page, with everything that watches it attached.

No profile, cookies or cache are shared with other captures; service workers are blocked (one
could answer requests the recorder never sees); native lazy loading is made eager before the
page's scripts run; JS dialogs are noted and dismissed; and, for a public seed, every request
the page makes is checked against the network guard before it connects.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urljoin

from playwright.async_api import Response, Route

from archiver.capture.pagejs import script
from archiver.capture.session import CaptureSession
from archiver.capture.tls import TlsWatcher

# zstd is left out: pywb, wabac.js and older WARC readers cannot decode it.
ACCEPT_ENCODING = "gzip, deflate, br"
HTTP_URL = ("http://", "https://")


async def open_context(session: CaptureSession) -> None:
    options = session.options
    session.context = context = await session.browser.new_context(
        viewport={"width": options.viewport_width, "height": options.viewport_height},
        device_scale_factor=options.device_scale_factor,
        user_agent=session.user_agent,
        ignore_https_errors=options.ignore_https_errors,
        service_workers="block",
        accept_downloads=False,
        extra_http_headers={"Accept-Encoding": ACCEPT_ENCODING},
    )
    session.recorder.attach(context)
    session.network.attach(context)
    await _guard_requests(session)
    await context.add_init_script(script("eager"))
    session.page = page = await context.new_page()
    page.on("response", lambda response: _note_navigation(session, response))
    page.on("dialog", lambda dialog: _dismiss_dialog(session, dialog))
    # One DevTools session, opened before navigating: opening one later can hang for as long
    # as a stalled navigation does.
    session.devtools = await context.new_cdp_session(page)
    session.tls = await TlsWatcher.attach(session.devtools)


async def _guard_requests(session: CaptureSession) -> None:
    assert session.context is not None
    await session.guard.start()
    if not session.guard.active:
        return

    async def keep_off_private_networks(route: Route) -> None:
        url = route.request.url
        problem = await session.guard.problem(url) if url.startswith(HTTP_URL) else None
        if problem:
            session.guard.note(url, problem, "before connecting")
            await route.abort("blockedbyclient")
        else:
            await route.continue_()

    async def watch_redirects(response: Response) -> None:
        """Playwright does not route redirect hops: one to a private address is noted here, and
        the storing step keeps its response out of the WARC."""
        location = response.headers.get("location")
        if not (300 <= response.status < 400 and location):
            return
        target = urljoin(response.url, location)
        problem = await session.guard.problem(target) if target.startswith(HTTP_URL) else None
        if problem:
            session.guard.note(target, problem, "redirect: followed by the browser, nothing from it stored")

    await session.context.route("**/*", keep_off_private_networks)
    session.context.on("response", watch_redirects)


def _note_navigation(session: CaptureSession, response: Response) -> None:
    assert session.page is not None
    if response.frame == session.page.main_frame and response.request.is_navigation_request():
        session.main_response = response


def _dismiss_dialog(session: CaptureSession, dialog: Any) -> None:
    # alert/confirm/prompt/beforeunload would block the page: note and dismiss them.
    session.result.dialogs.append({"type": dialog.type, "message": dialog.message[:500]})
    asyncio.ensure_future(dialog.dismiss())
