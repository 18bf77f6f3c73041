"""Steps past what covers the article: consent dialogs, folds, paywall overlays, each on the record.

In order, around the first screenshot and the behaviours (see archiver.capture.page):
- `wait_for_consent`: after load, wait (at most --consent-wait) for autoconsent to find a consent
  dialog, or to find none; the viewport screenshot then shows the page as the reader first saw it;
- `answer_consent`: answer each dialog (--consent reject|accept|leave), then, once the dialog has
  left the page (at most 5 s), screenshot the viewport again, as `viewport-after-consent.png`;
- `open_folds`: click the buttons that only expand the article body (--no-expand: none);
- `find_obstacles`, after the behaviours: what still covers or clips the article, and what autoconsent
  said of each dialog against what the page now shows;
- `screenshot_unobstructed`, after the full-page screenshot: when text in the page is covered or
  clipped (a soft paywall, a dialog that stayed), a second full-page screenshot with the overlays
  hidden, marked as altered by the archiver, and the page put back as it was.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

from archiver.browser.obstacles import expand_folds, hide_obstructions, restore, scan
from archiver.browser.screenshots import full_page_screenshot, viewport_screenshot
from archiver.capture.rendered import save_screenshot, screenshot_timeout
from archiver.capture.session import CaptureSession
from archiver.terms import FileRole

CONSENT_GONE_WAIT = 5.0  # seconds an answered dialog may take to leave the page before the screenshot
CONSENT_GONE_POLL = 0.25
SOFT_PAYWALL_WORDS = 150  # article words in the page that an overlay covers: its text is there


def has_consent(session: CaptureSession) -> bool:
    return session.working() and not session.download and session.consent is not None and session.is_html()


async def wait_for_consent(session: CaptureSession) -> None:
    assert session.consent is not None and session.loaded_at is not None
    await session.consent.wait_for_dialogs(session.loaded_at + session.options.consent_wait)


async def answer_consent(session: CaptureSession) -> None:
    """Answer the dialogs found (one found later is answered when it shows), then show the
    viewport as it is after the answer."""
    assert session.consent is not None and session.devtools is not None
    await session.consent.answer()
    if not session.consent.dialogs or session.options.consent == "leave":
        return
    await _until_consent_layer_gone(session)
    shot = await viewport_screenshot(session.devtools, screenshot_timeout(session))
    shot = dataclasses.replace(shot, kind="viewport_after_consent")
    save_screenshot(
        session, shot, "viewport-after-consent.png", FileRole.VIEWPORT_AFTER_CONSENT, "urn:viewAfterConsent:"
    )


async def _until_consent_layer_gone(session: CaptureSession) -> None:
    """An answered dialog leaves the page a moment later (a frame's answer reaches the page as a
    message, on a busy machine late): the screenshot after consent waits for that, at most
    CONSENT_GONE_WAIT; a dialog that stays is found and said so by find_obstacles."""
    assert session.page is not None
    deadline = time.monotonic() + CONSENT_GONE_WAIT
    while (await scan(session.page)).overlays_of("consent") and time.monotonic() < deadline:
        await asyncio.sleep(CONSENT_GONE_POLL)


def may_open_folds(session: CaptureSession) -> bool:
    return session.working() and not session.download and session.options.expand and session.is_html()


async def open_folds(session: CaptureSession) -> None:
    assert session.page is not None
    session.fold_clicks = await expand_folds(session.page, session.network)
    for click in session.fold_clicks:
        if click.navigated_to:
            session.result.warnings.append(
                f"clicking '{click.text}' to open the article's fold took the page to {click.navigated_to}"
            )


def may_scan(session: CaptureSession) -> bool:
    return session.working() and not session.download and session.is_html()


async def find_obstacles(session: CaptureSession) -> None:
    """What still stands in the way once the behaviours ran, and the record of what was done."""
    assert session.page is not None
    if session.consent is not None:
        await session.consent.settle()  # a dialog found during the behaviours is being answered
    session.scan = page_scan = await scan(session.page)
    consent_overlays = page_scan.overlays_of("consent")
    result = session.result
    if session.consent is not None:
        for dialog in session.consent.dialogs:
            dialog.remained = bool(consent_overlays)
        result.consent = session.consent.summary()
        result.obstacles.extend(dialog.to_dict() for dialog in session.consent.dialogs)
    result.obstacles.extend(click.to_dict() for click in session.fold_clicks)
    clipped = page_scan.overflow_hidden + page_scan.blurred + page_scan.clamped
    if (page_scan.overlays or clipped) and page_scan.article_words >= SOFT_PAYWALL_WORDS:
        session.obstructed = True


def is_obstructed(session: CaptureSession) -> bool:
    return session.obstructed and session.full_page is not None and session.shows_the_page()


async def screenshot_unobstructed(session: CaptureSession) -> None:
    """The whole page with what covers or clips its text hidden: altered by the archiver, said so."""
    assert session.page is not None
    options = session.options
    started = time.monotonic()
    changes = await hide_obstructions(session.page)
    try:
        shot = await full_page_screenshot(
            session.page, session.devtools, options.max_screenshot_height, screenshot_timeout(session)
        )
    finally:
        await restore(session.page)
    shot = dataclasses.replace(shot, kind="full_page_unobstructed")
    save_screenshot(
        session, shot, "fullpage-unobstructed.png", FileRole.FULL_PAGE_UNOBSTRUCTED, "urn:fullPageUnobstructed:"
    )
    session.result.screenshots["full_page_unobstructed"].update(altered_by_archiver=True, changes=changes[:50])
    session.result.obstacles.append(
        {
            "kind": "overlay-hidden",
            "action": "hidden for the second full-page screenshot only, then put back",
            "changes": changes[:50],
            "screenshot": session.result.screenshots["full_page_unobstructed"]["path"],
            "seconds": round(time.monotonic() - started, 3),
        }
    )
