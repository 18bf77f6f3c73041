"""The parts of consent answering and obstacle finding that need no browser: when autoconsent's
search is over, which rules a frame gets, what a page's scan may say, and Retry-After."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from archiver.browser import consent
from archiver.browser.consent import SEARCH_QUIET, ConsentHandler, _FrameState, _may_run
from archiver.browser.obstacles import PageScan
from archiver.capture.verdicts import retry_after_seconds


@dataclass(frozen=True)
class _Frame:
    name: str
    parent_frame: Any = None


MAIN = _Frame("main")
CHILD = _Frame("child", parent_frame=MAIN)


def _handler(**frames: _FrameState) -> ConsentHandler:
    handler = ConsentHandler("reject")
    handler.frames = {(MAIN if name == "main" else CHILD): state for name, state in frames.items()}  # type: ignore[misc]
    return handler


NOW = 1000.0  # a fixed monotonic time: the states below are judged at it, however late the test runs


def _searched(attempts: int, quiet_for: float, **extra: Any) -> _FrameState:
    return _FrameState(lifecycle="started", attempts=attempts, heard_at=NOW - quiet_for, **extra)


def test_the_search_is_over_once_every_frame_is_quiet_in_its_second_search() -> None:
    assert _handler(main=_searched(2, SEARCH_QUIET + 1))._looked_everywhere(NOW)
    assert _handler(
        main=_searched(2, SEARCH_QUIET + 1), child=_FrameState(lifecycle="nothingDetected")
    )._looked_everywhere(NOW)


@pytest.mark.parametrize(
    "state",
    [
        _searched(1, 5.0),  # the heuristic has not had its turn
        _searched(2, 0.0),  # the second search may still be under way
        _searched(2, 5.0, evaluating=1),  # one of its snippets is still running
        _searched(2, 5.0, detected=["Onetrust"]),  # a platform found: its popup is being looked for
    ],
)
def test_the_search_goes_on_while_a_frame_may_still_find_a_dialog(state: _FrameState) -> None:
    assert not _handler(main=state)._looked_everywhere(NOW)
    assert not _handler(main=_searched(2, 5.0), child=state)._looked_everywhere(NOW)


def test_no_main_frame_heard_from_means_nothing_was_searched() -> None:
    assert not _handler()._looked_everywhere(NOW)
    assert not _handler(child=_searched(2, 5.0))._looked_everywhere(NOW)


def test_a_rule_runs_only_in_the_frames_and_addresses_it_names() -> None:
    assert _may_run({}, "https://news.example/story", main_frame=True)
    assert not _may_run({}, "https://cmp.example/frame", main_frame=False)  # frames only when asked
    assert _may_run({"frame": True, "main": False}, "https://cmp.example/frame", main_frame=False)
    assert not _may_run({"frame": True, "main": False}, "https://news.example/", main_frame=True)
    assert _may_run({"urlPattern": r"^https://(www\.)?news\.example/"}, "https://news.example/a", main_frame=True)
    assert not _may_run({"urlPattern": r"^https://(www\.)?news\.example/"}, "https://other.example/", main_frame=True)
    # A JavaScript pattern Python cannot compile is left to autoconsent, which checks it itself.
    assert _may_run({"urlPattern": "(?<name>x"}, "https://news.example/", main_frame=True)


def test_a_dialog_record_keeps_bounded_names() -> None:
    assert len(consent._text("x" * 10_000)) == consent.MAX_NAME
    assert consent._text(None) == ""


def test_a_scan_keeps_only_fields_of_their_own_type() -> None:
    """What the page's own scripts can bend (a prototype patched to return odd values) is dropped,
    never taken for a number or a list of texts that the verdicts would then trip over."""
    scan = PageScan.from_page(
        {
            "article_words": "9999",
            "is_article": 1,
            "password_fields": True,
            "captcha": ["reCAPTCHA", {"not": "text"}],
            "challenge": ["Cloudflare challenge page"],
            "paywall_text": 42,
            "title": "Just a moment...",
            "overlays": [
                {"kind": "consent", "selector": "div#cmp", "text": "We value your privacy", "coverage": 0.4},
                {"kind": "paywall", "selector": "div#pw"},  # no text, no coverage
                {"kind": "paywall", "selector": "div#pw", "text": "x", "coverage": True},
                "div#not-a-dict",
            ],
            "unknown": "ignored",
        }
    )
    assert (scan.article_words, scan.is_article, scan.password_fields) == (0, False, 0)
    assert (scan.captcha, scan.challenge, scan.paywall_text, scan.title) == (
        [],
        ["Cloudflare challenge page"],
        None,
        "Just a moment...",
    )
    assert [o["selector"] for o in scan.overlays] == ["div#cmp"]
    assert PageScan.from_page(None) == PageScan() and PageScan.from_page(["a"]) == PageScan()


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 12, 3, 8, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds(" 7 ", now) == 7.0
    assert retry_after_seconds("Thu, 03 Dec 2026 08:01:30 GMT", now) == 90.0
    assert retry_after_seconds("Thu, 03 Dec 2026 07:00:00 GMT", now) == 0.0  # a date gone by: at once
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds("-5", now) is None
    assert retry_after_seconds(None, now) is None
