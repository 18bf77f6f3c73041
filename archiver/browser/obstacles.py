"""What stands between a reader and the article, and the two things done about it in the page:
folds clicked open, and (for one extra screenshot only) overlays hidden.

`scan` reads the page as it shows now (js/obstacles.js): overlays covering the viewport and what
they look like (consent, paywall, login), a body that cannot scroll, blurred or height-clamped
article text, login forms, captchas, bot-challenge pages, and the article's word count. It
changes nothing. `expand_folds` clicks, one at a time and bounded, the buttons that only expand
the article body, never one that leaves the page, submits a form, or subscribes, buys or logs in
(js/expand.js), and returns a record of each click. `hide_obstructions` / `restore` wrap the
altered screenshot of a soft paywall (js/unobstruct.js).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from archiver.browser.network import NetworkActivity
from archiver.browser.pagejs import script
from archiver.errors import first_line
from archiver.times import utc_iso

MAX_FOLD_CLICKS = 5  # per page
FOLD_TIME = 8.0  # seconds for all of a page's fold clicks
FOLD_QUIET = 0.3  # seconds of network quiet awaited after a click (what the fold loads)
FOLD_QUIET_TIMEOUT = 3.0
SCAN_TIMEOUT = 10.0


_MISSING = object()
OVERLAY_FIELDS: dict[str, type | tuple[type, ...]] = {
    "kind": str,
    "selector": str,
    "text": str,
    "coverage": (int, float),
}


def _same_kind(value: Any, default: Any) -> bool:
    if default is _MISSING:
        return False
    if default is None:  # an optional text
        return value is None or isinstance(value, str)
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return type(value) is type(default)  # bool is not taken for int, nor int for bool


def _well_formed_overlay(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(value.get(name), kind) and not isinstance(value.get(name), bool)
        for name, kind in OVERLAY_FIELDS.items()
    )


@dataclass
class PageScan:
    """js/obstacles.js's answer; every field has a safe default for a page that gave none."""

    overlays: list[dict[str, Any]] = field(default_factory=list)
    overflow_hidden: list[str] = field(default_factory=list)
    blurred: list[str] = field(default_factory=list)
    clamped: list[str] = field(default_factory=list)
    is_article: bool = False
    article_words: int = 0  # in the article's region, shown or not (text in the page)
    visible_words: int = 0
    title: str = ""
    challenge: list[str] = field(default_factory=list)
    captcha: list[str] = field(default_factory=list)
    password_fields: int = 0
    paywall_marks: list[str] = field(default_factory=list)
    paywall_text: str | None = None
    login_text: str | None = None

    @classmethod
    def from_page(cls, data: Any) -> PageScan:
        """The scan as the page returned it, each field kept only when it has its field's type (the
        script runs beside the page's own, which can change what it returns)."""
        if not isinstance(data, dict):
            return cls()
        default = cls()
        fields = {
            key: value
            for key, value in data.items()
            if key != "overlays" and _same_kind(value, getattr(default, key, _MISSING))
        }
        overlays = data.get("overlays")
        fields["overlays"] = [o for o in overlays if _well_formed_overlay(o)] if isinstance(overlays, list) else []
        return cls(**fields)

    def overlays_of(self, *kinds: str) -> list[dict[str, Any]]:
        return [overlay for overlay in self.overlays if overlay.get("kind") in kinds]


async def scan(page: Page) -> PageScan:
    try:
        return PageScan.from_page(await asyncio.wait_for(page.evaluate(script("obstacles")), SCAN_TIMEOUT))
    except (TimeoutError, PlaywrightError):
        return PageScan()


@dataclass
class FoldClick:
    text: str
    element: str
    why: str
    clicked_at: str
    words_before: int
    words_after: int = 0
    navigated_to: str | None = None  # the click took the page elsewhere (then no more clicks)
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        """The click opened more of the article."""
        return self.error is None and self.words_after > self.words_before

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "fold",
            "action": "clicked",
            "button": self.text,
            "element": self.element,
            "why": self.why,
            "clicked_at": self.clicked_at,
            "words_before": self.words_before,
            "words_after": self.words_after,
            "succeeded": self.succeeded,
            "navigated_to": self.navigated_to,
            "error": self.error,
        }


async def expand_folds(page: Page, network: NetworkActivity) -> list[FoldClick]:
    """Click open the article's folds, one at a time, at most MAX_FOLD_CLICKS within FOLD_TIME."""
    clicks: list[FoldClick] = []
    tried: set[tuple[str, str]] = set()
    deadline = time.monotonic() + FOLD_TIME
    while len(clicks) < MAX_FOLD_CLICKS and time.monotonic() < deadline:
        try:
            candidates = await asyncio.wait_for(page.evaluate(script("expand"), ["find", 0]), SCAN_TIMEOUT) or []
        except (PlaywrightError, TimeoutError):
            return clicks
        fresh = [c for c in candidates if (c.get("text", ""), c.get("element", "")) not in tried]
        if not fresh:
            return clicks
        candidate = fresh[0]
        tried.add((candidate.get("text", ""), candidate.get("element", "")))
        click = await _click(page, network, candidate)
        clicks.append(click)
        if click.navigated_to:
            return clicks
    return clicks


async def _click(page: Page, network: NetworkActivity, candidate: dict[str, Any]) -> FoldClick:
    before_url = page.url.split("#")[0]
    click = FoldClick(
        text=str(candidate.get("text", ""))[:120],
        element=str(candidate.get("element", ""))[:120],
        why=str(candidate.get("why", "")),
        clicked_at=utc_iso(datetime.now(UTC)),
        words_before=await _article_words(page),
    )
    try:
        await asyncio.wait_for(page.evaluate(script("expand"), ["click", int(candidate.get("index", 0))]), SCAN_TIMEOUT)
        await network.wait_for_quiet(FOLD_QUIET, FOLD_QUIET_TIMEOUT)
    except (PlaywrightError, TimeoutError) as exc:
        click.error = first_line(str(exc))[:300] or "the page did not answer in time"
    if page.url.split("#")[0] != before_url:
        click.navigated_to = page.url
    click.words_after = await _article_words(page)
    return click


async def _article_words(page: Page) -> int:
    """Words shown in the article's region: what opening a fold adds to (a count, not a whole scan)."""
    try:
        return int(await asyncio.wait_for(page.evaluate(script("expand"), ["words", 0]), SCAN_TIMEOUT))
    except (PlaywrightError, TimeoutError, TypeError, ValueError):
        return 0


async def hide_obstructions(page: Page) -> list[dict[str, str]]:
    """Hide overlays, unblock scrolling, unblur and unclamp text; returns each change made."""
    changed = await asyncio.wait_for(page.evaluate(script("unobstruct"), "hide"), SCAN_TIMEOUT)
    return [dict(change) for change in changed] if isinstance(changed, list) else []


async def restore(page: Page) -> None:
    try:
        await asyncio.wait_for(page.evaluate(script("unobstruct"), "restore"), SCAN_TIMEOUT)
    except (PlaywrightError, TimeoutError):
        pass
