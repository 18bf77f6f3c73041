"""The runner of a capture's steps: each step is bounded, its failures become warnings that name
it, the page's deadline stops the steps that share it, and every step's time and outcome is kept."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Error as PlaywrightError

from archiver.capture import page as capture_page_module
from archiver.capture.result import PageResult
from archiver.capture.steps import Outcome, PageClock, Step, run_steps
from archiver.terms import PageState


@dataclass
class Session:
    """What the runner uses of a CaptureSession: the result it fills, and what the steps note."""

    result: PageResult = field(
        default_factory=lambda: PageResult(
            "https://x.example/", "0" * 16, "20261202T000000Z-" + "0" * 16, datetime.now(UTC)
        )
    )
    did: list[str] = field(default_factory=list)


def run(steps: tuple[Step, ...], clock: PageClock | None = None) -> Session:
    session = Session()
    asyncio.run(run_steps(session, steps, clock))  # type: ignore[arg-type]
    return session


def outcomes(session: Session) -> list[tuple[str, Outcome]]:
    return [(record.name, record.outcome) for record in session.result.steps]


def _noting(name: str) -> Any:
    def step(session: Session) -> None:
        session.did.append(name)

    return step


async def _hang(session: Session) -> None:
    await asyncio.sleep(3600)


async def _browser_fails(session: Session) -> None:
    raise PlaywrightError("Target page, context or browser has been closed")


def test_steps_run_in_order_and_each_is_recorded_with_its_time() -> None:
    session = run((Step("first", _noting("first")), Step("second", _noting("second"))))
    assert session.did == ["first", "second"]
    assert outcomes(session) == [("first", Outcome.OK), ("second", Outcome.OK)]
    assert all(record.seconds >= 0 for record in session.result.steps)
    assert session.result.manifest_entry(Path("/"))["steps"][0] == {
        "name": "first",
        "seconds": session.result.steps[0].seconds,
        "outcome": "ok",
    }


def test_a_step_whose_precondition_fails_is_skipped() -> None:
    session = run((Step("never", _noting("never"), when=lambda s: False),))
    assert session.did == [] and outcomes(session) == [("never", Outcome.SKIPPED)]


def test_a_step_past_its_own_bound_is_said_in_a_warning_that_names_it() -> None:
    session = run((Step("shot", _hang, timeout=0.05, failure="viewport screenshot failed"), Step("next", _noting("n"))))
    assert outcomes(session) == [("shot", Outcome.TIMED_OUT), ("next", Outcome.OK)]
    assert session.result.warnings == ["viewport screenshot failed: the page did not answer in time"]
    assert session.result.state == PageState.COMPLETE


def test_an_expected_failure_is_a_warning_and_the_next_step_runs() -> None:
    session = run((Step("dom", _browser_fails, failure="could not read the rendered DOM"), Step("next", _noting("n"))))
    assert outcomes(session) == [("dom", Outcome.FAILED), ("next", Outcome.OK)]
    assert session.result.warnings == [
        "could not read the rendered DOM: Target page, context or browser has been closed"
    ]
    assert session.result.steps[0].detail == "Target page, context or browser has been closed"


def test_a_failure_noted_only_leaves_no_warning() -> None:
    session = run((Step("title", _browser_fails),))
    assert outcomes(session) == [("title", Outcome.FAILED)] and session.result.warnings == []


def test_the_page_deadline_stops_the_steps_that_share_it_and_says_so() -> None:
    timed_out: list[str] = []
    clock = PageClock(0.1, lambda session: timed_out.append("out of time"))
    session = run(
        (
            Step("behaviours", _hang, page_time=True, timeout=60),
            Step("fetch", _noting("fetch"), page_time=True),
            Step("note", _noting("note")),
        ),
        clock,
    )
    assert outcomes(session) == [("behaviours", Outcome.OUT_OF_TIME), ("fetch", Outcome.SKIPPED), ("note", Outcome.OK)]
    assert timed_out == ["out of time"] and session.did == ["note"]


def test_a_browser_error_while_loading_fails_the_page_and_stops_the_loading_steps() -> None:
    clock = PageClock(60, lambda session: None)
    session = run(
        (
            Step("navigate", _browser_fails, page_time=True, expected=()),
            Step("behaviours", _noting("b"), page_time=True),
        ),
        clock,
    )
    assert outcomes(session) == [("navigate", Outcome.FAILED), ("behaviours", Outcome.SKIPPED)]
    assert session.result.state == PageState.FAILED
    assert session.result.reason == "browser error: Target page, context or browser has been closed"


def test_the_capture_declares_every_step_once_with_a_name() -> None:
    names = [
        step.name for step in capture_page_module.OPENING + capture_page_module.LOADING + capture_page_module.FINISHING
    ]
    assert len(names) == len(set(names)) and all(name.isidentifier() for name in names)
    assert names[0] == "open_context" and names[-1] == "tally"


def test_an_unforeseen_failure_of_a_finishing_step_is_said_and_the_next_steps_run() -> None:
    def broken(session: Session) -> None:
        raise KeyError("tls")

    session = run((Step("tls", broken), Step("close_warc", _noting("closed"))))
    assert outcomes(session) == [("tls", Outcome.FAILED), ("close_warc", Outcome.OK)]
    assert session.did == ["closed"] and session.result.warnings == ["tls failed unexpectedly: KeyError: 'tls'"]


def test_an_unforeseen_failure_while_loading_is_not_swallowed() -> None:
    def broken(session: Session) -> None:
        raise KeyError("navigate")

    with pytest.raises(KeyError):
        run((Step("navigate", broken, page_time=True),), PageClock(60, lambda session: None))
