"""Capture many URLs into one run folder: `<output>/<run_id>/`, with one manifest.json.

Each page is captured by `capture.capture_page`, the self-contained unit of work; this module only
launches the browser, hands the pages over one by one, and keeps the manifest up to date.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from playwright.async_api import Browser, Playwright, async_playwright

from archiver.browser import BrowserInfo, find_browser, launch
from archiver.capture import capture_page
from archiver.result import COMPLETE, FAILED, PageResult
from archiver.errors import InvalidURL
from archiver.identity import sha256_bytes, validate_seed
from archiver.manifest import RunManifest
from archiver.options import CaptureJob, CaptureOptions


@dataclass
class RunOutcome:
    run_dir: Path
    manifest_path: Path
    results: list[PageResult] = field(default_factory=list)

    @property
    def all_complete(self) -> bool:
        return all(result.state == COMPLETE for result in self.results)


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def rejected(url: str, reason: str) -> PageResult:
    """A seed that was never captured because it is not a URL we can capture: recorded as failed."""
    now = datetime.now(timezone.utc)
    key = sha256_bytes(url.encode("utf-8", "replace"))[:16]
    result = PageResult(requested_url=url, page_id=key, capture_id=f"{now.strftime('%Y%m%dT%H%M%SZ')}-{key}",
                        started_at=now, ended_at=now)
    result.mark(FAILED, reason)
    return result


class _BrowserHolder:
    """Launches the browser, and launches it again if it dies under a page."""

    def __init__(self, playwright: Playwright, executable: str) -> None:
        self.playwright = playwright
        self.executable = executable
        self.browser: Browser | None = None
        self.info: BrowserInfo | None = None

    async def get(self) -> tuple[Browser, BrowserInfo]:
        if self.browser is None or not self.browser.is_connected():
            self.browser, self.info = await launch(self.playwright, self.executable)
        assert self.info is not None
        return self.browser, self.info

    async def close(self) -> None:
        if self.browser is not None and self.browser.is_connected():
            await self.browser.close()


async def capture_urls(urls: Iterable[str], output_root: Path, options: CaptureOptions,
                       browser_path: str | None = None,
                       on_page: Callable[[PageResult], None] | None = None) -> RunOutcome:
    """Capture every URL in order into a new run folder under `output_root`."""
    run_id = new_run_id()
    run_dir = output_root / run_id
    started = datetime.now(timezone.utc)
    async with async_playwright() as playwright:
        holder = _BrowserHolder(playwright, find_browser(playwright, browser_path))
        _, info = await holder.get()
        manifest = RunManifest(run_dir, run_id, options, info, started)
        manifest.write()
        outcome = RunOutcome(run_dir, manifest.path)
        try:
            for url in urls:
                result = await _capture_one(holder, url, run_dir, run_id, options)
                outcome.results.append(result)
                manifest.add_page(result)
                if on_page:
                    on_page(result)
        finally:
            await holder.close()
            manifest.finish()
    return outcome


async def _capture_one(holder: _BrowserHolder, url: str, run_dir: Path, run_id: str,
                       options: CaptureOptions) -> PageResult:
    try:
        seed = validate_seed(url)
    except InvalidURL as exc:
        return rejected(url, str(exc))
    browser, info = await holder.get()
    return await capture_page(browser, info, CaptureJob(seed, run_dir, run_id, options))
