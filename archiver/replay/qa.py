"""Replay QA: does each capture replay, resource by resource, at desktop and at phone size?

Each page is loaded from pywb (on 127.0.0.1) in Chromium, scrolled through with the capture's own
behaviours, with every request that is not for pywb blocked. Recorded per screen size: what pywb
could not serve (4xx/5xx), what tried to leave for the live web, images and media that did not
render, and how alike the replay looks (desktop, against the capture's full-page screenshot) and
reads (against the capture's visible text).
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, Response, Route, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from archiver.browser.behaviours import run_behaviours
from archiver.browser.consent import ConsentHandler
from archiver.browser.launch import BrowserInfo, find_browser, launch
from archiver.browser.network import NetworkActivity
from archiver.browser.obstacles import expand_folds
from archiver.browser.pagejs import evaluate_in_frame, script
from archiver.browser.screenshots import full_page_screenshot
from archiver.errors import ArchiverError, first_line
from archiver.jsonfile import write_json_atomic
from archiver.options import CaptureOptions
from archiver.output.manifest import record_qa
from archiver.output.runs import replayable_pages
from archiver.output.stored import StoredPage, StoredRun
from archiver.replay.playback import check_playback, click_facades, media_boxes, wait_until_shown
from archiver.replay.pywb import COLLECTION, PYWB_VERSION, PywbServer, build_collection, ensure_pywb
from archiver.replay.similarity import screenshot_similarity, text_similarity
from archiver.terms import FileRole
from archiver.times import utc_iso
from archiver.versions import tool_versions

QA_NAME = "qa.json"
REPLAY_PATH = re.compile(rf"^/{COLLECTION}/\d+(?:[a-z]{{2}}_)?/(.+)$")
SCREENSHOT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Profile:
    name: str
    width: int
    height: int
    device_scale_factor: float
    mobile: bool


DESKTOP = Profile("desktop", 1280, 800, 1.0, False)
PHONE = Profile("phone", 390, 844, 2.0, True)
PROFILES = (DESKTOP, PHONE)


@dataclass(frozen=True)
class Thresholds:
    max_misses: int = 0  # resources pywb answered with 4xx/5xx
    max_left_archive: int = 0  # requests that tried to reach the live web
    max_broken: int = 0  # images and media that did not render
    min_screenshot_similarity: float = 0.9
    min_text_similarity: float = 0.9


@dataclass
class ProfileQA:
    profile: str
    viewport: str
    replay_url: str
    requests: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)
    left_archive: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    broken_media: list[str] = field(default_factory=list)
    screenshot_similarity: float | None = None  # desktop only: the capture has no phone screenshot
    text_similarity: float | None = None
    # What QA did to the replayed page, as the capture did before its DOM and screenshot: the
    # consent dialogs answered and the folds opened (a replay starts as the reader first saw it).
    consent_answered: list[str] = field(default_factory=list)
    folds_opened: list[str] = field(default_factory=list)
    players_clicked: list[str] = field(default_factory=list)  # click-to-load players, as the capture did
    media_playback: list[dict[str, Any]] = field(default_factory=list)  # each medium played, after the screenshot
    errors: list[str] = field(default_factory=list)

    def problems(self, limits: Thresholds) -> list[str]:
        found = []
        if len(self.misses) > limits.max_misses:
            found.append(f"{len(self.misses)} resource(s) missing from the archive")
        if len(self.left_archive) > limits.max_left_archive:
            found.append(f"{len(self.left_archive)} request(s) tried to leave for the live web")
        broken = len(self.broken_images) + len(self.broken_media)
        if broken > limits.max_broken:
            found.append(f"{broken} image(s)/media did not render")
        if self.screenshot_similarity is not None and self.screenshot_similarity < limits.min_screenshot_similarity:
            found.append(f"screenshot similarity {self.screenshot_similarity:.3f} < {limits.min_screenshot_similarity}")
        if self.text_similarity is not None and self.text_similarity < limits.min_text_similarity:
            found.append(f"text similarity {self.text_similarity:.3f} < {limits.min_text_similarity}")
        not_playing = [entry for entry in self.media_playback if not entry["plays"]]
        if not_playing:
            found.append(
                f"{len(not_playing)} medium/media did not play: "
                + "; ".join(f"{entry['element']} ({entry['src']}): {entry['why']}" for entry in not_playing[:3])
            )
        found.extend(self.errors)
        return found

    def to_dict(self, limits: Thresholds) -> dict[str, Any]:
        problems = self.problems(limits)
        return {**asdict(self), "problems": problems, "passed": not problems}


@dataclass
class PageQA:
    run: StoredRun
    page: StoredPage
    profiles: list[ProfileQA]

    def passed(self, limits: Thresholds) -> bool:
        return not any(result.problems(limits) for result in self.profiles)

    def to_dict(self, limits: Thresholds) -> dict[str, Any]:
        return {
            "capture_id": self.page.capture_id,
            "url": self.page.url,
            "passed": self.passed(limits),
            "profiles": [result.to_dict(limits) for result in self.profiles],
        }


def original_url(server: PywbServer, replay_url: str) -> str:
    """http://127.0.0.1:P/archiver/2026...im_/http://site/x.jpg -> http://site/x.jpg"""
    match = REPLAY_PATH.match(replay_url[len(server.origin) :])
    return match.group(1) if match else replay_url


async def check_page(
    browser: Browser, info: BrowserInfo, server: PywbServer, run: StoredRun, page: StoredPage, profile: Profile
) -> ProfileQA:
    replay_url = server.url(page.timestamp, page.url, "mp_")
    result = ProfileQA(profile.name, f"{profile.width}x{profile.height} @{profile.device_scale_factor:g}x", replay_url)
    options = replace(run.capture_options(), autofetch=False)
    context = await browser.new_context(
        viewport={"width": profile.width, "height": profile.height},
        device_scale_factor=profile.device_scale_factor,
        is_mobile=profile.mobile,
        has_touch=profile.mobile,
        user_agent=info.user_agent,
        service_workers="block",
    )
    network = NetworkActivity(stale_after=options.quiet_timeout)
    network.attach(context)

    async def keep_in_archive(route: Route) -> None:
        if route.request.url.startswith(server.origin + "/"):
            await route.continue_()
        else:
            result.left_archive.append(route.request.url)
            await route.abort("blockedbyclient")

    def note_miss(response: Response) -> None:
        if response.url.startswith(server.origin + "/") and response.status >= 400:
            result.misses.append({"url": original_url(server, response.url), "status": response.status})

    await context.route("**/*", keep_in_archive)
    context.on("response", note_miss)
    consent = ConsentHandler(options.consent)
    await consent.attach(context)
    try:
        browser_page = await context.new_page()
        await _load_and_scroll(browser_page, network, consent, options, result)
        await _inspect(browser_page, server, page, profile, options.max_screenshot_height, result)
    except PlaywrightError as exc:
        result.errors.append(f"replay failed: {first_line(str(exc))}")
    finally:
        result.requests = network.requests_started
        await context.close()
    return result


async def _load_and_scroll(
    browser_page: Page, network: NetworkActivity, consent: ConsentHandler, options: CaptureOptions, result: ProfileQA
) -> None:
    try:
        await browser_page.goto(result.replay_url, wait_until="load", timeout=options.navigation_timeout * 1000)
    except PlaywrightTimeoutError:
        result.errors.append(f"the replay did not finish loading within {options.navigation_timeout:g}s")
    await _as_the_capture_did(browser_page, network, consent, options, result)
    await run_behaviours(browser_page, network, options, time.monotonic())
    await consent.settle()
    result.consent_answered = [f"{d.platform}: {d.action}" for d in consent.dialogs if d.answered_at]


async def _as_the_capture_did(
    browser_page: Page, network: NetworkActivity, consent: ConsentHandler, options: CaptureOptions, result: ProfileQA
) -> None:
    """Answer the consent dialog and open the folds with the capture's own choices, so that the
    replay is compared with the capture at the same point of the page's life."""
    if not consent.unavailable:
        await consent.wait_for_dialogs(time.monotonic() + options.consent_wait)
        await consent.answer()
    if options.expand:
        result.folds_opened = [click.text for click in await expand_folds(browser_page, network) if click.succeeded]
    if options.media:
        result.players_clicked = await click_facades(browser_page.frames)
    await network.wait_for_quiet(options.network_quiet, options.quiet_timeout)


async def _inspect(
    browser_page: Page, server: PywbServer, page: StoredPage, profile: Profile, max_height: int, result: ProfileQA
) -> None:
    for frame in browser_page.frames:
        found = await evaluate_in_frame(frame, script("replay_problems"))
        if found is None:
            continue  # a frame that went away or never loaded: its own document is checked as a miss
        # CSS backgrounds and video posters are pictures a reader sees, like <img>.
        result.broken_images += [original_url(server, src) for src in found["images"] + found["backgrounds"]]
        result.broken_media += [original_url(server, src) for src in found["media"]]
    captured_text = page.files_with_role(FileRole.TEXT)
    if captured_text:
        replayed = await browser_page.evaluate("() => document.body ? document.body.innerText : ''")
        result.text_similarity = text_similarity(captured_text[0].read_text(encoding="utf-8"), replayed)
    captured_shot = page.files_with_role(FileRole.FULL_PAGE)
    if profile == DESKTOP and captured_shot:
        if page.media:
            await wait_until_shown(browser_page.frames)  # the capture's screenshot shows their pictures
        masks = await media_boxes(browser_page) if page.media else []
        shot = await full_page_screenshot(browser_page, None, max_height, SCREENSHOT_TIMEOUT)
        result.screenshot_similarity = screenshot_similarity(captured_shot[0].read_bytes(), shot.png, masks)
    if page.media:  # played last: a playing video would change the screenshot
        playback = await check_playback(browser_page.frames)
        result.media_playback = [
            {**entry.to_dict(), "src": original_url(server, entry.src) if entry.src else None} for entry in playback
        ]


@dataclass
class QaRun:
    pages: list[PageQA]
    reports: list[Path]  # the qa.json written, one per run folder

    def passed(self, limits: Thresholds) -> bool:
        return all(page.passed(limits) for page in self.pages)


async def run_qa(
    paths: Iterable[Path],
    limits: Thresholds,
    browser_path: str | None = None,
    on_page: Callable[[PageQA], None] | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> QaRun:
    """QA every replayable page under `paths`: one pywb for all of them, one qa.json per run."""
    pages = replayable_pages(paths)
    if not pages:
        raise ArchiverError("nothing to check: no captured page with a WARC file")
    env = ensure_pywb(log)
    results: list[PageQA] = []
    with tempfile.TemporaryDirectory(prefix="archiver-qa-") as root:
        build_collection(env, Path(root), [warc for _, page in pages for warc in page.replay_warcs()], framed=False)
        with PywbServer(env, Path(root)) as server:
            async with async_playwright() as playwright:
                browser, info = await launch(playwright, find_browser(playwright, browser_path))
                try:
                    for run, page in pages:
                        checked = PageQA(
                            run,
                            page,
                            [await check_page(browser, info, server, run, page, profile) for profile in PROFILES],
                        )
                        results.append(checked)
                        if on_page:
                            on_page(checked)
                finally:
                    await browser.close()
    return QaRun(results, write_reports(results, limits, info))


def write_reports(results: list[PageQA], limits: Thresholds, info: BrowserInfo) -> list[Path]:
    """qa.json beside each run's manifest, which lists it with its checksum."""
    written = []
    runs = {result.run.run_dir: result.run for result in results}
    for run_dir, run in sorted(runs.items()):
        in_run = [result for result in results if result.run.run_dir == run_dir]
        checked_at = utc_iso(datetime.now(UTC))
        passed = all(result.passed(limits) for result in in_run)
        report = {
            "qa_version": 1,
            "checked_at": checked_at,
            "tool": tool_versions(),
            "pywb": PYWB_VERSION,
            "browser": {"version": info.version, "executable": info.executable},
            "profiles": [asdict(profile) for profile in PROFILES],
            "thresholds": asdict(limits),
            "passed": passed,
            "pages": [result.to_dict(limits) for result in in_run],
        }
        path = run_dir / QA_NAME
        write_json_atomic(path, report)
        record_qa(run, path, passed, checked_at)
        written.append(path)
    return written
