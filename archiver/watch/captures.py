"""Where the watcher's captures run: in this process (`InProcess`: one open run folder per set of
capture options, `run.batch.OpenRun`), or through the Redis queue (`Queued`: workers anywhere
capture into the same output folder; the watcher reads each job's outcome, then the page the
outcome names, from the run folder it was committed to)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.options import CaptureOptions
from archiver.output.stored import MANIFEST_NAME, StoredPage, StoredRun, UnreadableManifest
from archiver.queue.broker import Broker
from archiver.queue.enqueue import enqueue
from archiver.run.batch import OpenRun
from archiver.run.browsers import BrowserHolder
from archiver.run.seeds import read_seeds
from archiver.watch.settings import WatchSettings

KEEP_GRACE = 600.0  # seconds a committed page may take to appear in its run's manifest


class InProcess:
    def __init__(self, settings: WatchSettings) -> None:
        self.settings = settings
        self.runs: dict[str, OpenRun] = {}
        self._stack = contextlib.AsyncExitStack()
        self._opening = asyncio.Lock()  # two first pages at once must not open two runs (the second would be refused)

    async def __aenter__(self) -> InProcess:
        # A missing browser is said at once: found only at the first new article, it would fail
        # every capture until each article was given up.
        holder = BrowserHolder(self.settings.browser_path)
        try:
            await holder.locate()
        finally:
            await holder.close()  # each run launches its own
        await self._stack.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._stack.aclose()

    async def capture(self, url: str, options: CaptureOptions) -> StoredPage:
        """Capture `url` (opening the run for its options at its first page)."""
        key = repr(sorted(options.to_dict().items()))
        async with self._opening:
            if key not in self.runs:
                run = OpenRun(
                    self.settings.output,
                    options,
                    self.settings.run_settings,
                    self.settings.browser_path,
                    share_output=True,
                )
                self.runs[key] = await self._stack.enter_async_context(run)
        _, stored = await self.runs[key].capture(read_seeds([url])[0])
        return stored


@dataclass(frozen=True)
class Outcome:
    page: StoredPage | None  # the page the job's outcome names, when it can be read
    why: str  # when it cannot: what the queue said


class Queued:
    def __init__(self, settings: WatchSettings, broker: Broker) -> None:
        self.settings = settings
        self.broker = broker
        self._unlisted: dict[str, float] = {}  # job -> when its outcome was first seen without its page

    def enqueue(self, url: str, options: CaptureOptions) -> tuple[str | None, str]:
        """(the job's id, or None with the reason it was not queued)."""
        report = enqueue(self.broker, read_seeds([url]), options, recapture=True)
        entry = (report.queued or report.already_pending or [{}])[0]
        if entry.get("job_id"):
            return str(entry["job_id"]), ""
        return None, report.rejected[0]["problem"] if report.rejected else "the queue did not take it"

    async def outcome(self, job_id: str) -> Outcome | None:
        """How the job ended, or None while it has not. A worker commits a job's outcome in Redis
        before it lists the page in its run's manifest: a page not listed yet is waited for (a
        worker killed in between has its page settled by another), up to KEEP_GRACE."""
        outcome = await asyncio.to_thread(self.broker.outcome, job_id)
        if outcome is None:
            return None
        page = read_page(self.settings.output, outcome.get("run_id"), outcome.get("capture_id"))
        if page is None and outcome.get("capture_id"):
            first = self._unlisted.setdefault(job_id, time.monotonic())
            if time.monotonic() - first < KEEP_GRACE:
                return None
            named = f"{outcome.get('run_id')}/{outcome.get('capture_id')}"
            return Outcome(None, f"the queue says {named}, which no manifest in the output lists")
        self._unlisted.pop(job_id, None)
        return Outcome(page, str(outcome.get("reason") or f"the queue says the job {outcome.get('state')}"))


def read_page(output: Path, run_id: Any, capture_id: Any) -> StoredPage | None:
    if not isinstance(run_id, str) or not isinstance(capture_id, str) or "/" in run_id or run_id.startswith("."):
        return None
    try:
        return StoredRun.read(output / run_id / MANIFEST_NAME).page(capture_id)
    except (UnreadableManifest, KeyError, LookupError):
        return None
