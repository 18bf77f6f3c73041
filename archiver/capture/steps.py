"""The capture of a page as data: named steps, each with its bound and what its failures mean, run by
one runner that records, per step, how long it took and how it ended.

A step is a free function of the `CaptureSession`. The runner skips a step whose precondition does
not hold, bounds it (by its own timeout, by what is left of the page's shared deadline, or both),
turns its expected failures into a warning that names it, and logs it under `archiver.capture`.
The steps taken, with their seconds and outcome, go into the manifest entry (`steps`), so a
capture says what it did and where its time went.

Two kinds of end are not a step's own, in the sequence that loads the page (run with a
`PageClock`): the page's deadline (`--page-timeout`), after which the steps that share it are not
run and the page is saved as it is; and a browser error a loading step does not expect (the
browser itself failed under the page), which ends the page as failed.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from archiver.browser.largebody import LargeBodyError
from archiver.errors import first_line
from archiver.terms import FAILED

if TYPE_CHECKING:
    from archiver.capture.session import CaptureSession

log = logging.getLogger("archiver.capture")

NOT_IN_TIME = "the page did not answer in time"

StepFunction = Callable[["CaptureSession"], "Awaitable[None] | None"]
Predicate = Callable[["CaptureSession"], bool]
Bound = float | Callable[["CaptureSession"], float]


class Outcome(StrEnum):
    OK = "ok"
    SKIPPED = "skipped"  # its precondition did not hold (nothing to do), or the page had stopped
    FAILED = "failed"  # an expected failure: said in a warning, or noted here only
    TIMED_OUT = "timed out"  # its own bound ran out
    OUT_OF_TIME = "out of time"  # the page's deadline ran out while it ran


def always(session: CaptureSession) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    name: str  # as the manifest and the log name it
    run: StepFunction
    when: Predicate = always  # the step runs only when this holds
    timeout: Bound | None = None  # its own bound, in seconds (or computed from the session)
    page_time: bool = False  # also bounded by what is left of --page-timeout, shared with the other such steps
    failure: str | None = None  # an expected failure becomes the warning "<failure>: <why>"; None: noted only here
    expected: tuple[type[BaseException], ...] = (PlaywrightError, LargeBodyError, asyncio.TimeoutError)
    timed_out: str = NOT_IN_TIME  # what the warning says when its own bound ran out
    on_timeout: Callable[[CaptureSession], None] | None = None  # what its own timeout means, instead of a warning


@dataclass
class StepRecord:
    name: str
    seconds: float
    outcome: Outcome
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {"name": self.name, "seconds": self.seconds, "outcome": str(self.outcome)}
        if self.detail:
            record["detail"] = self.detail
        return record


class PageClock:
    """The deadline the loading steps share (--page-timeout), and whether the page has stopped."""

    def __init__(self, seconds: float, on_out_of_time: Callable[[CaptureSession], None]) -> None:
        self.deadline = time.monotonic() + seconds
        self.on_out_of_time = on_out_of_time
        self.stopped: str | None = None  # why the steps that share the deadline no longer run

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


def describe_failure(exc: BaseException) -> str:
    """Why a step failed, in one line."""
    if isinstance(exc, asyncio.TimeoutError):
        return NOT_IN_TIME
    if isinstance(exc, (PlaywrightError, LargeBodyError)):
        return first_line(str(exc))
    return f"{type(exc).__name__}: {exc}"


async def run_steps(session: CaptureSession, steps: Sequence[Step], clock: PageClock | None = None) -> None:
    for step in steps:
        record = await _run_step(session, step, clock)
        session.result.steps.append(record)
        level = logging.INFO if record.outcome in (Outcome.OK, Outcome.SKIPPED) else logging.WARNING
        log.log(
            level,
            "%s %s: %s in %.3f s%s",
            session.result.capture_id,
            step.name,
            record.outcome,
            record.seconds,
            f" ({record.detail})" if record.detail else "",
        )


async def _run_step(session: CaptureSession, step: Step, clock: PageClock | None) -> StepRecord:
    if step.page_time and clock is not None and clock.stopped:
        return StepRecord(step.name, 0.0, Outcome.SKIPPED, clock.stopped)
    if not step.when(session):
        return StepRecord(step.name, 0.0, Outcome.SKIPPED)
    own = step.timeout(session) if callable(step.timeout) else step.timeout
    shared = clock.left() if step.page_time and clock is not None else None
    bound = min(b for b in (own, shared) if b is not None) if own is not None or shared is not None else None
    by_page = shared is not None and (own is None or shared < own)
    started = time.monotonic()

    def record(outcome: Outcome, detail: str | None = None) -> StepRecord:
        return StepRecord(step.name, round(time.monotonic() - started, 3), outcome, detail)

    try:
        await asyncio.wait_for(_call(step.run, session), bound)
    except TimeoutError:
        if by_page and clock is not None and clock.left() < 0.01:
            clock.stopped = "the page ran out of time"
            clock.on_out_of_time(session)
            return record(Outcome.OUT_OF_TIME)
        if step.on_timeout is not None:
            step.on_timeout(session)
        elif step.failure:
            session.result.warnings.append(f"{step.failure}: {step.timed_out}")
        return record(Outcome.TIMED_OUT, step.timed_out)
    except PlaywrightError as exc:
        if clock is not None and PlaywrightError not in step.expected:
            # The browser itself failed under the page: nothing more can be loaded.
            clock.stopped = "the browser failed"
            session.result.mark(FAILED, f"browser error: {first_line(str(exc))}")
            return record(Outcome.FAILED, first_line(str(exc)))
        return _expected_failure(session, step, exc, record)
    except step.expected as exc:
        return _expected_failure(session, step, exc, record)
    except Exception as exc:
        if clock is not None:
            raise
        # A finishing step that fails in a way nobody foresaw (a bug) must not cost the capture what
        # the steps after it keep (the WARC closed, the manifest entry): said, logged whole, and on.
        log.exception("%s %s failed unexpectedly", session.result.capture_id, step.name)
        session.result.warnings.append(f"{step.name} failed unexpectedly: {describe_failure(exc)}")
        return record(Outcome.FAILED, describe_failure(exc))
    return record(Outcome.OK)


def _expected_failure(
    session: CaptureSession, step: Step, exc: BaseException, record: Callable[[Outcome, str | None], StepRecord]
) -> StepRecord:
    if not isinstance(exc, step.expected):
        raise exc
    reason = describe_failure(exc)
    if step.failure:
        session.result.warnings.append(f"{step.failure}: {reason}")
    return record(Outcome.FAILED, reason)


async def _call(function: StepFunction, session: CaptureSession) -> None:
    result = function(session)
    if inspect.isawaitable(result):
        await result
