"""Opening the context: a fresh browser context for the page, with everything that watches it attached.

No cookies or cache are shared with other captures (with --profile, the context starts from the
profile's saved state, which it never writes back); service workers are blocked (one
could answer requests the recorder never sees); native lazy loading is made eager before the
page's scripts run; JS dialogs are noted and dismissed; and every connection the context opens
goes through the network guard's proxy (archiver.browser.guard_proxy).
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from playwright.async_api import Response

from archiver.browser.consent import ConsentHandler
from archiver.browser.guard_proxy import GuardProxy
from archiver.browser.pagejs import script
from archiver.browser.tls import TlsWatcher
from archiver.capture.session import CaptureSession
from archiver.identity import strip_fragment
from archiver.terms import FAILED

# zstd is left out: pywb, wabac.js and older WARC readers cannot decode it.
ACCEPT_ENCODING = "gzip, deflate, br"
MAX_DIALOGS_RECORDED = 50


async def open_context(session: CaptureSession) -> None:
    options = session.options
    if session.setup_problem:
        session.result.mark(FAILED, session.setup_problem)
        return
    await session.guard.start()
    # Every connection of the context goes through the guard's proxy, which connects only where
    # the capture's policy allows; without it running, the browser reaches nothing (fail closed).
    session.proxy = await GuardProxy(session.guard).start()
    session.context = context = await session.browser.new_context(
        viewport={"width": options.viewport_width, "height": options.viewport_height},
        device_scale_factor=options.device_scale_factor,
        user_agent=session.user_agent,
        ignore_https_errors=options.ignore_https_errors,
        service_workers="block",
        accept_downloads=False,
        extra_http_headers={"Accept-Encoding": ACCEPT_ENCODING},
        proxy={"server": session.proxy.address},
        # a copy: nothing this page does can change the profile (a logged-out page least of all)
        storage_state=copy.deepcopy(session.profile.storage_state) if session.profile else None,  # type: ignore[arg-type]
    )
    session.recorder.attach(context)
    session.network.attach(context)
    await context.add_init_script(script("eager"))
    # Consent dialogs are looked for and recorded also with --consent leave (never answered then).
    consent = ConsentHandler(options.consent)
    await consent.attach(context)
    if consent.unavailable:
        session.result.warnings.append(f"consent dialogs were not looked for: {consent.unavailable}")
    else:
        session.consent = consent
    session.page = page = await context.new_page()
    page.on("response", lambda response: _note_navigation(session, response))
    page.on("dialog", lambda dialog: _dismiss_dialog(session, dialog))
    # One DevTools session, opened before navigating: opening one later can hang for as long
    # as a stalled navigation does.
    session.devtools = devtools = await context.new_cdp_session(page)
    session.tls = await TlsWatcher.attach(devtools)
    session.recorder.decoded_sizes.attach(devtools)  # a body large once decoded is streamed, not handed over
    # Addresses the page writes into the address bar without loading them (history API): noted.
    await devtools.send("Page.enable")
    session.main_frame_id = main_frame = (await devtools.send("Page.getFrameTree"))["frameTree"]["frame"]["id"]
    devtools.on("Page.navigatedWithinDocument", lambda event: _note_address(session, main_frame, event))


def _note_navigation(session: CaptureSession, response: Response) -> None:
    assert session.page is not None
    if response.frame == session.page.main_frame and response.request.is_navigation_request():
        session.main_response = response


def _note_address(session: CaptureSession, main_frame: str, event: dict[str, Any]) -> None:
    url = strip_fragment(str(event.get("url", "")))
    if event.get("frameId") == main_frame and url not in session.addresses_written:
        session.addresses_written.append(url)


def _dismiss_dialog(session: CaptureSession, dialog: Any) -> None:
    # alert/confirm/prompt/beforeunload would block the page: note and dismiss them (a page that
    # opens them in a loop is counted, not recorded thousands of times).
    session.dialogs_dismissed += 1
    if len(session.result.dialogs) < MAX_DIALOGS_RECORDED:
        session.result.dialogs.append({"type": dialog.type, "message": dialog.message[:500]})
    asyncio.ensure_future(dialog.dismiss())
