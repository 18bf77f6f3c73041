"""Closing: the last exchanges written, the context and its proxy closed, the WARC files closed.

A page that will not even close (a renderer stuck in a script) takes its browser with it: the
result says so, and the next page is captured in a new browser, so the batch goes on.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

from archiver.capture.result import ArtifactFile
from archiver.capture.session import CaptureSession
from archiver.terms import FileRole

CLOSE_QUIET_WAIT = 2.0  # at most this long for the network to go quiet before the context closes
CLOSE_TIMEOUT = 15.0  # closing a context (or, failing that, the browser) takes no longer
LAST_DRAIN_TIMEOUT = 5.0  # exchanges that finished as the context closed, handed to the WARC


def has_context(session: CaptureSession) -> bool:
    return session.context is not None


def can_close_context(session: CaptureSession) -> bool:
    """A hung browser closes nothing: it is ended whole (`run.browsers`)."""
    return session.context is not None and not session.browser_hung


async def let_the_network_settle(session: CaptureSession) -> None:
    """What is still arriving gets a moment; what is still loading then is noted, not stored."""
    await session.network.wait_for_quiet(
        session.options.network_quiet, min(CLOSE_QUIET_WAIT, session.options.quiet_timeout)
    )
    await session.recorder.drain()
    session.still_loading = session.network.in_flight()


async def close_context(session: CaptureSession) -> None:
    # Closing the context ends the DevTools session too (detaching it first can hang for as long as
    # a stalled navigation does).
    assert session.context is not None
    await session.context.close()


def would_not_close(session: CaptureSession) -> None:
    """A page that will not even close (a renderer stuck in a script) may take its browser with it:
    the next page gets a new browser (`run.browsers`), and this one is ended with its driver."""
    session.result.browser_lost = True
    session.result.warnings.append("the page would not close; its browser was restarted for the next page")


async def drain_recorder(session: CaptureSession) -> None:
    await session.recorder.drain(timeout=LAST_DRAIN_TIMEOUT)


def has_proxy(session: CaptureSession) -> bool:
    return session.proxy is not None


async def close_proxy(session: CaptureSession) -> None:
    assert session.proxy is not None
    await session.proxy.close()


def close_warc(session: CaptureSession) -> None:
    for path in reversed(session.writer.close()):
        session.result.files.insert(0, ArtifactFile(path, FileRole.WARC))
    shutil.rmtree(session.page_dir / ".bodies", ignore_errors=True)  # large bodies not stored (repeats, pieces)


def tally(session: CaptureSession) -> None:
    """What was written, in numbers, and when the capture ended."""
    session.result.counts["records_written"] = session.writer.records_written
    session.result.counts["warc_files"] = len(session.writer.files)
    session.result.dedup = session.dedup.to_dict()
    session.result.ended_at = datetime.now(UTC)
