"""Make a page show everything a reader would see, and log what that took.

Run in order, within one time budget:
1. eager loading: native `loading=lazy` images and iframes are switched to eager (init script);
2. scroll: down in steps, waiting for the network to go quiet, while the page keeps growing;
3. settle: stay at least `settle_after_load` seconds after load, for content that comes on a timer;
4. autofetch: every srcset / <picture> / data-src / noscript image, so other screens replay too;
then back to the top, for the screenshot. The log goes into the manifest: the DOM that was
captured depends on these steps, and provenance should say so.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from archiver.browser.network import NetworkActivity
from archiver.browser.pagejs import FRAME_SCRIPT_TIMEOUT, evaluate_in_frame, script
from archiver.errors import first_line
from archiver.options import CaptureOptions

MAX_SCROLL_PASSES = 3  # a page that grew after settling gets scrolled again, this many times at most
AUTOFETCH_CONCURRENCY = 6
AUTOFETCH_IMAGE_TIMEOUT_MS = 10_000
LOGGED_URLS_LIMIT = 500  # URL lists in the log are cut here (the counts stay exact)


@dataclass
class ScrollLog:
    steps: int = 0
    passes: int = 0
    step_pixels: int = 0
    initial_height: int = 0
    final_height: int = 0
    growth: list[int] = field(default_factory=list)  # the page's height each time it grew
    stopped_by: str = "not run"  # bottom | max_steps | timeout
    quiet_timeouts: int = 0  # waits for a quiet network that ran out of time
    url_changes: list[str] = field(default_factory=list)  # history.pushState by infinite scroll


@dataclass
class AutofetchLog:
    candidates: int = 0
    already_captured: int = 0
    fetched: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@dataclass
class BehaviourLog:
    ran: list[str] = field(default_factory=list)
    eager_elements: int = 0
    scroll: ScrollLog = field(default_factory=ScrollLog)
    settle_seconds: float = 0.0
    autofetch: AutofetchLog = field(default_factory=AutofetchLog)
    timed_out: bool = False
    duration_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("fetched", "failed"):
            data["autofetch"][key] = data["autofetch"][key][:LOGGED_URLS_LIMIT]
        data["autofetch"]["fetched_count"] = len(self.autofetch.fetched)
        data["autofetch"]["failed_count"] = len(self.autofetch.failed)
        return data


class _Budget:
    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def spent(self) -> bool:
        return self.left() <= 0


async def run_behaviours(
    page: Page, network: NetworkActivity, options: CaptureOptions, loaded_at: float, captured: Collection[str] = ()
) -> BehaviourLog:
    """Run every behaviour on `page`; never raises for the page's own misbehaviour, logs it instead.

    `captured` holds the URLs already recorded, which autofetch need not load again.
    """
    log = BehaviourLog()
    started = time.monotonic()
    budget = _Budget(options.behaviour_timeout)
    try:
        await _run_all(page, network, options, loaded_at, budget, log, captured)
    except PlaywrightError as exc:
        log.errors.append(first_line(str(exc)))
    log.eager_elements = await _eager_count(page)
    log.timed_out = budget.spent()
    log.duration_seconds = round(time.monotonic() - started, 3)
    return log


async def _run_all(
    page: Page,
    network: NetworkActivity,
    options: CaptureOptions,
    loaded_at: float,
    budget: _Budget,
    log: BehaviourLog,
    captured: Collection[str],
) -> None:
    log.ran.append("scroll")
    log.scroll.step_pixels = options.effective_scroll_step()
    log.scroll.initial_height = (await _state(page))["height"]
    for _ in range(MAX_SCROLL_PASSES):
        await _scroll_pass(page, network, options, budget, log.scroll)
        height_after_scroll = (await _state(page))["height"]
        if "settle" not in log.ran:
            log.ran.append("settle")
            log.settle_seconds = await _settle(network, options, loaded_at, budget)
        if options.autofetch:
            if "autofetch" not in log.ran:
                log.ran.append("autofetch")
            await _autofetch(page, network, options, budget, log.autofetch, captured)
        await _quiet(network, options, budget, log.scroll)
        if budget.spent() or (await _state(page))["height"] <= height_after_scroll:
            break
    log.scroll.final_height = (await _state(page))["height"]
    await page.evaluate("() => window.scrollTo(0, 0)")
    await _quiet(network, options, budget, log.scroll)


async def _scroll_pass(
    page: Page, network: NetworkActivity, options: CaptureOptions, budget: _Budget, log: ScrollLog
) -> None:
    log.passes += 1
    last_href = (await _state(page))["href"]
    while True:
        if budget.spent():
            log.stopped_by = "timeout"
            return
        if log.steps >= options.max_scroll_steps:
            log.stopped_by = "max_steps"
            return
        state = await _state(page)
        if state["href"] != last_href:
            log.url_changes.append(state["href"])
            last_href = state["href"]
        if state["y"] + state["viewport"] >= state["height"] - 1:
            # At the bottom: let whatever the last step triggered arrive, then see if the page grew.
            await _quiet(network, options, budget, log)
            grown = (await _state(page))["height"]
            if grown > state["height"]:
                _note_growth(log, grown)
                continue
            log.stopped_by = "bottom"
            return
        await page.evaluate("(dy) => window.scrollBy(0, dy)", log.step_pixels)
        log.steps += 1
        await asyncio.sleep(options.scroll_delay)
        await _quiet(network, options, budget, log)
        _note_growth(log, (await _state(page))["height"])


def _note_growth(log: ScrollLog, height: int) -> None:
    if height > max([log.initial_height, *log.growth]):
        log.growth.append(height)


async def _quiet(network: NetworkActivity, options: CaptureOptions, budget: _Budget, log: ScrollLog) -> None:
    if not await network.wait_for_quiet(options.network_quiet, min(options.quiet_timeout, budget.left())):
        log.quiet_timeouts += 1


async def _settle(network: NetworkActivity, options: CaptureOptions, loaded_at: float, budget: _Budget) -> float:
    """Stay until `settle_after_load` seconds have passed since load; return how long we waited."""
    wait = min(budget.left(), loaded_at + options.settle_after_load - time.monotonic())
    if wait > 0:
        await asyncio.sleep(wait)
    await network.wait_for_quiet(options.network_quiet, min(options.quiet_timeout, budget.left()))
    return round(max(0.0, wait), 3)


async def _autofetch(
    page: Page,
    network: NetworkActivity,
    options: CaptureOptions,
    budget: _Budget,
    log: AutofetchLog,
    captured: Collection[str],
) -> None:
    """Load every image candidate not captured yet, in every frame of the page."""
    for frame in page.frames:
        if budget.spent():
            return
        candidates = await evaluate_in_frame(frame, script("collect_media_urls"), None) or []
        log.candidates += len(candidates)
        done = set(captured) | set(log.fetched) | set(log.failed)
        missing = [url for url in candidates if url not in done]
        log.already_captured += len(candidates) - len(missing)
        if not missing:
            continue
        timeout_ms = int(min(AUTOFETCH_IMAGE_TIMEOUT_MS, budget.left() * 1000))
        results = (
            await evaluate_in_frame(
                frame,
                script("load_images"),
                [missing, timeout_ms, AUTOFETCH_CONCURRENCY],
                timeout=timeout_ms / 1000 + FRAME_SCRIPT_TIMEOUT,
            )
            or {}
        )
        for url in missing:
            (log.fetched if results.get(url) == "loaded" else log.failed).append(url)
    await network.wait_for_quiet(options.network_quiet, min(options.quiet_timeout, budget.left()))


async def _state(page: Page) -> dict[str, Any]:
    return await page.evaluate(script("page_state"))


async def _eager_count(page: Page) -> int:
    total = 0
    for frame in page.frames:
        total += await evaluate_in_frame(frame, "() => (window.__archiverEager || {switched: 0}).switched", None) or 0
    return total
