"""Consent dialogs, found and answered by DuckDuckGo's autoconsent, and what it said it did.

autoconsent (npm `@duckduckgo/autoconsent`, pinned and fetched like ReplayWeb.page) holds rules
for hundreds of consent platforms (OneTrust, Didomi, Quantcast, Sourcepoint, TrustArc, Cookiebot,
Usercentrics, Google's Funding Choices...) and a heuristic for dialogs none of them names. Its
content script runs in every frame (an init script, so also in cross-origin iframes) and talks to
us through one binding: it asks for its rules (`init`), asks us to run its snippets in the page
(`eval`), and reports what it detected (`cmpDetected`, `popupFound`) and did (`optOutResult`...).

It runs with no automatic action and without hiding anything early, so that the page is first
screenshot as the reader saw it, dialog and all; then `answer()` tells each frame that found a
dialog to opt out (or in). A dialog found later, while the page is scrolled, is answered at once.
Every dialog becomes one record (platform, frame, choice, outcome, times).

The page can call the binding too: what comes through it is bounded (messages, names, snippets)
and is autoconsent's claim only. Whether a dialog still covers the page is checked separately
(archiver.browser.obstacles), from what the page shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from playwright.async_api import BrowserContext, Frame
from playwright.async_api import Error as PlaywrightError

from archiver.errors import ArchiverError
from archiver.npm import NpmPackage, ensure_package
from archiver.times import utc_iso

AUTOCONSENT = NpmPackage(
    "@duckduckgo/autoconsent",
    "16.23.0",
    # dist.integrity of @duckduckgo/autoconsent@16.23.0 in the npm registry
    "sha512-NTmDhASFf5pUsSwg2TyT9R75GYUcuYZXPyBnRcYgJgozg6RLeXXP9uH8ADxA364yQ2gJBMu83AN/D24Y4nkPKg==",
    ("dist/autoconsent.playwright.js", "rules/rules.json"),
    "autoconsent",
)
BINDING = "autoconsentSendMessage"
RECEIVE = "text => window.autoconsentReceiveMessage && window.autoconsentReceiveMessage(JSON.parse(text))"
AUTOCONSENT_LOGS = ("lifecycle", "rulesteps", "detectionsteps", "evals", "errors", "messages", "waits")
CHOICE_MESSAGES = {"reject": "optOut", "accept": "optIn"}
ANSWER_TIMEOUT = 15.0  # seconds for one frame's opt-out: some platforms open their settings first
EVAL_TIMEOUT = 3.0  # seconds for one of autoconsent's snippets in the page
MAX_MESSAGES = 2000  # per page: a page calling the binding in a loop is not listened to past this
MAX_DIALOGS = 20  # dialogs recorded per page
MAX_NAME = 100  # characters of a platform name or URL kept from a message
HEURISTIC_SEARCHES = 2  # autoconsent tries its heuristic on its second search
SEARCH_QUIET = 0.3  # seconds without a word from a frame after that search began: it found nothing
LOOKING = {"loading", "initialized", "waitingForInitResponse", "started", "cmpDetected"}


class ConsentUnavailable(ArchiverError):
    pass


def ensure_autoconsent(log: Any = lambda message: None) -> tuple[str, list[dict[str, Any]]]:
    """autoconsent's content script and its rules, fetched once into the cache folder."""
    ensure_package(AUTOCONSENT, log)
    return _content_script(), _rules()


# A new tab's first document is the blank page: autoconsent searching it (and asking us for its
# rules) only delays the capture. A blank frame inside a page may hold a dialog and is searched.
# The source goes in a function of its own, whose first statement stays its "use strict".
OUTSIDE_THE_NEW_TAB = "if (!(window === window.top && location.href === 'about:blank')) (function () {\n%s\n})();"


@cache
def _content_script() -> str:
    source = AUTOCONSENT.path("dist/autoconsent.playwright.js").read_text(encoding="utf-8")
    return OUTSIDE_THE_NEW_TAB % source


@cache
def _rules() -> list[dict[str, Any]]:
    rules = json.loads(AUTOCONSENT.path("rules/rules.json").read_text(encoding="utf-8"))["autoconsent"]
    return [rule for rule in rules if isinstance(rule, dict)]


def rules_for(url: str, main_frame: bool) -> list[dict[str, Any]]:
    """The rules that can run in a frame at `url`: autoconsent checks each rule's run context
    itself; leaving out the others keeps the message it is sent small."""
    return [rule for rule in _rules() if _may_run(rule.get("runContext") or {}, url, main_frame)]


def _may_run(context: dict[str, Any], url: str, main_frame: bool) -> bool:
    if context.get("main", True) is False and main_frame:
        return False
    if context.get("frame", False) is False and not main_frame:
        return False
    pattern = context.get("urlPattern")
    return not pattern or _url_pattern(pattern).search(url) is not None


@cache
def _url_pattern(pattern: str) -> re.Pattern[str]:
    """Compiled once: the rules have more patterns than `re` keeps compiled, so each frame's
    check compiled them all again."""
    try:
        return re.compile(pattern)
    except re.error:  # a JavaScript pattern Python cannot read: let autoconsent decide
        return re.compile("")


def _config(choice: str) -> dict[str, Any]:
    return {
        "enabled": True,
        "autoAction": None,  # we answer, after the first screenshot
        "disabledCmps": [],
        "enablePrehide": False,  # hiding dialogs early would keep them out of the first screenshot
        "enableCosmeticRules": True,
        "enableGeneratedRules": True,
        "enableHeuristicDetection": True,
        "heuristicMode": "reject",
        "enablePopupMutationObserver": False,
        "detectRetries": 20,
        "isMainWorld": False,
        "prehideTimeout": 2000,
        "visualTest": False,
        "logs": dict.fromkeys(AUTOCONSENT_LOGS, False),
    }


@dataclass
class ConsentDialog:
    """One consent dialog of one frame, as autoconsent reported it and as we answered it."""

    platform: str
    frame_url: str
    main_frame: bool
    found_at: str
    found_monotonic: float
    choice: str  # reject | accept | leave
    action: str = "not answered"  # opted out | opted in | hidden (a cosmetic rule) | left as found | ...
    succeeded: bool | None = None  # autoconsent's own result of the action
    answered_at: str | None = None
    clicks: int | None = None
    cosmetic: bool = False
    error: str | None = None
    remained: bool | None = None  # still covering the page after the answer (our own check)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "consent-dialog",
            "platform": self.platform,
            "frame_url": self.frame_url,
            "main_frame": self.main_frame,
            "found_at": self.found_at,
            "choice": self.choice,
            "action": self.action,
            "succeeded": self.succeeded,
            "answered_at": self.answered_at,
            "clicks": self.clicks,
            "cosmetic": self.cosmetic,
            "error": self.error,
            "remained": self.remained,
        }


@dataclass
class _FrameState:
    lifecycle: str = "loading"
    attempts: int = 0  # autoconsent's searches for a platform so far in this frame
    heard_at: float = 0.0  # monotonic time of its last message
    evaluating: int = 0  # its snippets still running in the page
    detected: list[str] = field(default_factory=list)
    dialog: ConsentDialog | None = None
    answering: asyncio.Task[None] | None = None


class ConsentHandler:
    """autoconsent in every frame of one context; `choice` is reject, accept or leave."""

    def __init__(self, choice: str) -> None:
        self.choice = choice
        self.frames: dict[Frame, _FrameState] = {}
        self.dialogs: list[ConsentDialog] = []
        self.messages = 0
        self.ignored = 0  # messages past MAX_MESSAGES, or not autoconsent's shape
        self.detected: list[str] = []  # platforms autoconsent found present (not necessarily showing)
        self.answer_at_once = False  # after the first screenshot: a dialog found later is answered when found
        self.unavailable: str | None = None
        self._changed = asyncio.Event()

    async def attach(self, context: BrowserContext) -> None:
        try:
            source, _ = ensure_autoconsent()
        except ArchiverError as exc:
            self.unavailable = str(exc)
            return
        await context.expose_binding(BINDING, self._on_message)
        await context.add_init_script(source)

    # What autoconsent says

    async def _on_message(self, source: dict[str, Any], message: Any = None) -> None:
        self.messages += 1
        frame = source.get("frame")
        if self.messages > MAX_MESSAGES or not isinstance(message, dict) or not isinstance(frame, Frame):
            self.ignored += 1
            return
        kind = message.get("type")
        state = self.frames.setdefault(frame, _FrameState())
        state.heard_at = time.monotonic()
        try:
            if kind == "init":
                await self._send(
                    frame, {"type": "initResp", "config": _config(self.choice), "rules": self._rules(frame)}
                )
            elif kind == "eval":
                state.evaluating += 1
                try:
                    await self._evaluate(frame, message)
                finally:
                    state.evaluating -= 1
            elif kind == "report":
                self._note_report(state, message)
            elif kind == "cmpDetected":
                self._note_detected(state, _text(message.get("cmp")))
            elif kind == "popupFound":
                self._note_popup(frame, state, _text(message.get("cmp")))
            elif kind in ("optOutResult", "optInResult"):
                if state.dialog is not None:
                    state.dialog.succeeded = bool(message.get("result"))
            elif kind == "autoconsentDone":
                if state.dialog is not None:
                    state.dialog.cosmetic = bool(message.get("isCosmetic"))
                    clicks = message.get("totalClicks")
                    state.dialog.clicks = clicks if isinstance(clicks, int) and not isinstance(clicks, bool) else None
            elif kind == "autoconsentError" and state.dialog is not None:
                state.dialog.error = _text(json.dumps(message.get("details"), default=str), 300)
        except (PlaywrightError, TimeoutError):
            pass  # the frame went away, or stopped answering, while we answered it
        finally:
            self._changed.set()

    def _rules(self, frame: Frame) -> dict[str, Any]:
        return {"autoconsent": rules_for(frame.url, frame.parent_frame is None)}

    async def _evaluate(self, frame: Frame, message: dict[str, Any]) -> None:
        code, ident = message.get("code"), message.get("id")
        if not isinstance(code, str) or not isinstance(ident, str):
            return
        try:
            result = await asyncio.wait_for(frame.evaluate(code), EVAL_TIMEOUT)
        except (TimeoutError, PlaywrightError):
            result = False
        try:
            json.dumps(result)
        except (TypeError, ValueError):
            result = False
        await self._send(frame, {"type": "evalResp", "id": ident, "result": result})

    def _note_report(self, state: _FrameState, message: dict[str, Any]) -> None:
        report = message.get("state")
        if isinstance(report, dict) and isinstance(report.get("lifecycle"), str):
            state.lifecycle = report["lifecycle"][:40]
            attempts = report.get("findCmpAttempts")
            if isinstance(attempts, int) and not isinstance(attempts, bool):
                state.attempts = attempts

    def _note_detected(self, state: _FrameState, platform: str) -> None:
        if platform not in state.detected and len(state.detected) < MAX_DIALOGS:
            state.detected.append(platform)
        if platform not in self.detected and len(self.detected) < MAX_DIALOGS:
            self.detected.append(platform)

    def _note_popup(self, frame: Frame, state: _FrameState, platform: str) -> None:
        if state.dialog is not None or len(self.dialogs) >= MAX_DIALOGS:
            return
        state.dialog = ConsentDialog(
            platform=platform,
            frame_url=_text(frame.url, 500),
            main_frame=frame.parent_frame is None,
            found_at=_now(),
            found_monotonic=time.monotonic(),
            choice=self.choice,
        )
        self.dialogs.append(state.dialog)
        if self.answer_at_once:
            state.answering = asyncio.ensure_future(self._answer(frame, state))

    # What we do

    async def wait_for_dialogs(self, until: float) -> bool:
        """Wait (until the monotonic time `until`) for a dialog to show, or for autoconsent to
        have looked everywhere and found none; True when a dialog showed."""
        while True:
            if self.dialogs:
                return True
            now = time.monotonic()
            if self.unavailable or self._looked_everywhere(now) or now >= until:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), max(0.01, min(until - now, SEARCH_QUIET)))

    def _looked_everywhere(self, now: float) -> bool:
        """Every frame heard from has finished looking, or is in its second search (the one that
        tries the heuristic: autoconsent waits for the page to change before a third) and has been
        quiet since, with nothing found. autoconsent goes on looking, on each change of the page, for
        up to a minute: a dialog it finds then is answered when found."""
        main = [state for frame, state in self.frames.items() if frame.parent_frame is None]
        return bool(main) and all(
            state.lifecycle not in LOOKING
            or (
                not state.detected
                and state.attempts >= HEURISTIC_SEARCHES
                and not state.evaluating
                and now - state.heard_at >= SEARCH_QUIET
            )
            for state in self.frames.values()
        )

    async def answer(self) -> None:
        """Answer every dialog found so far; from now on, answer each one when it is found."""
        self.answer_at_once = True
        for frame, state in list(self.frames.items()):
            if state.dialog is not None and state.answering is None:
                state.answering = asyncio.ensure_future(self._answer(frame, state))
        await self.settle()

    async def settle(self) -> None:
        """Wait for the answers under way (each is bounded)."""
        pending = [state.answering for state in self.frames.values() if state.answering and not state.answering.done()]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    async def _answer(self, frame: Frame, state: _FrameState) -> None:
        dialog = state.dialog
        assert dialog is not None
        message = CHOICE_MESSAGES.get(self.choice)
        if message is None:
            dialog.action = "left as found"
            return
        try:
            # autoconsent's receiver resolves once the opt-out (or in) has run its course
            await self._send(frame, {"type": message}, ANSWER_TIMEOUT)
            dialog.action = "opted out" if message == "optOut" else "opted in"
        except TimeoutError:
            dialog.action = "answer did not finish in time"
            dialog.succeeded = False if dialog.succeeded is None else dialog.succeeded
        except PlaywrightError as exc:
            dialog.action = "frame went away while answering"
            dialog.error = _text(str(exc).splitlines()[0] if str(exc) else "", 300)
        dialog.answered_at = _now()
        if dialog.cosmetic and dialog.action == "opted out":
            dialog.action = "hidden (a cosmetic rule: hidden by CSS, not answered)"

    async def _send(self, frame: Frame, message: dict[str, Any], timeout: float = EVAL_TIMEOUT) -> None:
        # bounded: a page whose script never yields would hold every message (and the capture) forever.
        # Sent as JSON text: Playwright serializes an object value by value in Python, and the rules
        # of the first message (120 KB of them) took a third of a second to go, delaying the search.
        await asyncio.wait_for(
            frame.evaluate(RECEIVE, json.dumps(message)),
            timeout,
        )

    def summary(self) -> dict[str, Any]:
        return {
            "tool": f"autoconsent {AUTOCONSENT.version}",
            "choice": self.choice,
            "platforms_present": list(self.detected),
            "messages": self.messages,
            "messages_ignored": self.ignored,
            "unavailable": self.unavailable,
        }


def _text(value: Any, limit: int = MAX_NAME) -> str:
    return str(value)[:limit] if value is not None else ""


def _now() -> str:
    return utc_iso(datetime.now(UTC))


if __name__ == "__main__":  # python -m archiver.browser.consent: fetch it now (scripts/test does)
    try:
        ensure_autoconsent(lambda message: print(message, file=sys.stderr))
        print(AUTOCONSENT.folder)
    except ArchiverError as exc:
        print(f"archiver: {exc}", file=sys.stderr)
        sys.exit(2)
