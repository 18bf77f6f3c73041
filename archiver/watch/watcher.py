"""The watcher's loop: read each source when it is due (`reading`), capture every article not seen
before and re-capture each on its ladder (`captures`), and record what each capture means as one
event (`recording`), published to events.jsonl, edits.atom and the webhook (`events`).

A watcher killed at any moment and started again repeats nothing and loses nothing: an article
is marked as being captured before its capture starts; a watcher starting finds such marks and
looks for the capture in the output folder first (it may have finished after all: it is adopted,
not captured again); a queued capture's job is simply waited for, since the queue keeps it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from datetime import datetime

from archiver.browser import netguard
from archiver.output.locks import OutputBusy, lock_run
from archiver.output.runs import scan_runs
from archiver.queue.broker import Broker
from archiver.watch.captures import InProcess, Queued
from archiver.watch.events import KINDS, EventLog
from archiver.watch.reading import SourceReader, host_of
from archiver.watch.recording import Recorder
from archiver.watch.settings import WatchSettings
from archiver.watch.state import Article, WatchState

log = logging.getLogger(__name__)

TICK = 0.25  # seconds between two looks at what is due
QUEUED_AT_ONCE = 100  # articles one look hands the queue


class Watcher:
    def __init__(self, settings: WatchSettings) -> None:
        self.settings = settings
        self.stopping = False
        self.access = netguard.network_access(dict(settings.run_settings.resolve), settings.run_settings.private_seeds)
        self._tasks: dict[str, asyncio.Task[None]] = {}  # article key -> its in-process capture
        self._per_host: dict[str, int] = {}  # captures under way per host
        self._wake = asyncio.Event()  # a capture ended: what is due may start without waiting out the tick

    async def run(self) -> dict[str, int]:
        """Watch until --for has passed or SIGTERM/SIGINT; the number of events of each kind so far."""
        folder = self.settings.folder
        folder.mkdir(parents=True, exist_ok=True)
        try:
            lock = lock_run(folder)
        except OutputBusy:
            raise OutputBusy(f"another watcher is watching into {self.settings.output}") from None
        self.state = WatchState(folder / "state.sqlite")
        try:
            self.events = EventLog(folder, self.state, self.settings.webhook)
            self.recorder = Recorder(self.settings.output, self.settings.ladder, self.state, self.events)
            self.reader = SourceReader(self.settings, self.state, self.access)
            if self.settings.redis_url:
                self.queued: Queued | None = Queued(self.settings, Broker.connect(self.settings.redis_url))
                await self._watch(None)
            else:
                self.queued = None
                async with InProcess(self.settings) as captures:
                    await self._watch(captures)
            counts = self.state.counts()
            return {kind: counts.get(kind, 0) for kind in KINDS}
        finally:
            self.state.close()
            lock.close()

    async def _watch(self, captures: InProcess | None) -> None:
        self._install_signals()
        await self._recover()
        deadline = time.monotonic() + self.settings.run_for if self.settings.run_for else None
        try:
            while not self.stopping and (deadline is None or time.monotonic() < deadline):
                await self._tick(captures)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), TICK)
                self._wake.clear()
            if self._tasks:
                log.info("finishing %d capture(s) under way", len(self._tasks))
                await asyncio.wait(set(self._tasks.values()))
            if self.queued is not None:
                await self._collect()  # what is still queued stays for the workers: the next watcher collects it
        finally:
            self.events.publish()
            await self.events.deliver(time.time())

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, self._stop)

    def _stop(self) -> None:
        if not self.stopping:
            log.info("stopping: the captures under way are finished first")
        self.stopping = True

    async def _tick(self, captures: InProcess | None) -> None:
        now = time.time()
        for source in self.reader.due(now):
            await self.reader.read(source, now)
        if self.queued is not None:
            await self._collect()
        self._start_due(time.time(), captures)
        self.events.publish()
        await self.events.deliver(now)

    # -- captures ---------------------------------------------------------------------------------

    def _start_due(self, now: float, captures: InProcess | None) -> None:
        if captures is not None:
            room = max(0, self.settings.concurrency - len(self._tasks))
        else:
            room = QUEUED_AT_ONCE
            self._per_host = {}
            for article in self.state.under_way():
                self._per_host[host_of(article.url)] = self._per_host.get(host_of(article.url), 0) + 1
        if room == 0:
            return
        for article in self.state.due(now, room * 4):
            host = host_of(article.url)
            if self._per_host.get(host, 0) >= self.settings.per_host or self.state.paused_until(host) > now:
                continue  # its host has enough captures under way, or asked to be left alone
            self._per_host[host] = self._per_host.get(host, 0) + 1
            if captures is not None:
                self.state.start(article.key, now)
                self._tasks[article.key] = asyncio.ensure_future(self._capture(captures, article, host))
            else:
                self._enqueue(article, now)
            room -= 1
            if room == 0:
                break

    async def _capture(self, captures: InProcess, article: Article, host: str) -> None:
        try:
            page = await captures.capture(article.url, self.settings.options_for(article.source))
            await self.recorder.record(article, page)
        except Exception as exc:  # one article's trouble is its failed event, never the watcher's end
            log.exception("capture of %s failed", article.url)
            self.recorder.failed(article, f"{type(exc).__name__}: {exc}")
        finally:
            self._per_host[host] -= 1
            self._tasks.pop(article.key, None)
            self._wake.set()

    def _enqueue(self, article: Article, now: float) -> None:
        assert self.queued is not None
        job, problem = self.queued.enqueue(article.url, self.settings.options_for(article.source))
        if job is None:
            self.recorder.failed(article, problem)
        else:
            self.state.start(article.key, now, job)

    async def _collect(self) -> None:
        """The outcomes of the queued captures that ended."""
        assert self.queued is not None
        for article in self.state.under_way():
            if not article.job:
                continue
            outcome = await self.queued.outcome(article.job)
            if outcome is None:
                continue
            if outcome.page is None:
                self.recorder.failed(article, outcome.why)
            else:
                await self.recorder.record(article, outcome.page)

    async def _recover(self) -> None:
        """In-process captures a killed watcher had under way: adopted when they finished, else due again."""
        under_way = [article for article in self.state.under_way() if not article.job]
        if not under_way:
            return
        pages = scan_runs([self.settings.output]).pages
        for article in under_way:
            assert article.started is not None
            finished = [
                page
                for page in pages
                if page.page_id == article.key
                and _epoch(page.started_at) >= article.started - 1
                and page.capture_id != article.last_capture
            ]
            if finished:
                log.info("adopting %s: captured before the watcher stopped", finished[-1].capture_id)
                await self.recorder.record(article, finished[-1])
            else:
                self.state.not_started(article.key)


def _epoch(iso: str) -> float:
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0
