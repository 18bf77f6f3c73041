"""A queue worker: takes jobs from Redis and captures them exactly as `archiver capture` does.

One browser, `concurrency` pages at a time, each page by `capture.capture_page` (with the same
network retries as `capture`) into this worker's own run folder under the shared output folder.
A finished page is staged, then committed: the first attempt of a job to record its outcome in
Redis wins and joins the manifest; a later one (its lease had run out, another worker captured the
page too) is set aside. A job handed out more than `max_attempts` times (its workers were killed or
froze each time) is recorded as failed instead of tried again.

Stopping: the first SIGTERM or SIGINT stops taking jobs and finishes the pages in progress; a
second one stops at once, leaving half-written files for the next worker's recovery and the jobs
for other workers once their leases run out.

The fault tests stop a worker at exact points (while capturing, after staging before the commit,
after winning the commit before the manifest) through `Worker.fault_point`, called at each with
the point's name and the page's URL; it does nothing here (tests/support/run_archiver.py sets it).
"""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from redis.exceptions import ResponseError

from archiver.browser import netguard
from archiver.browser.launch import BrowserInfo
from archiver.options import CaptureOptions
from archiver.output.completed import CompletedPages
from archiver.output.dedup_index import DedupIndex
from archiver.output.locks import lock_output, lock_run
from archiver.output.manifest import RunManifest
from archiver.queue.broker import REDIS_DOWN, Broker, Delivery, display_url
from archiver.queue.jobs import QueuedJob, UnreadableJob
from archiver.queue.lease import LeaseKeeper
from archiver.queue.settle import settle_dead_runs
from archiver.queue.store import RunFolderStore
from archiver.run.batch import RunHooks, RunPlan, RunSettings, capture_with_retries, new_run_id
from archiver.run.browsers import BrowserHolder
from archiver.run.progress import page_line, skip_line
from archiver.run.seeds import read_seeds
from archiver.terms import COMPLETE, FAILED
from archiver.times import utc_iso

T = TypeVar("T")
READ_WAIT = 1.0  # seconds one read waits for a new job; stop requests and expired leases are checked between


@dataclass(frozen=True)
class WorkerSettings:
    output: Path
    concurrency: int = 1
    until_empty: bool = False  # exit once nothing is queued or running anywhere
    lease: float = 60.0  # seconds without a heartbeat after which another worker takes a job over
    max_attempts: int = 3  # times a job is handed out (kills count) before it is recorded as failed
    retries: int = 2  # network retries within one attempt, as `capture --retries`
    browser_path: str | None = None
    resolve: tuple[tuple[str, str], ...] = ()  # --resolve NAME=IP, as `capture --resolve`
    private_seeds: bool = True  # False: a seed on a private address is refused (--refuse-private-seeds)
    allow_private: bool = False  # this worker's own policy: a job asking for more is refused
    profiles_dir: str | None = None  # this worker's own copies of the profiles jobs name (--profiles)
    profile: str | None = None  # --profile: the profile for jobs that name none

    def run_settings(self) -> RunSettings:
        """The settings each page is captured with, as `capture` has them (resume: see QueuedJob.recapture)."""
        return RunSettings(
            concurrency=self.concurrency,
            retries=self.retries,
            resolve=self.resolve,
            private_seeds=self.private_seeds,
            profiles_dir=self.profiles_dir,
        )

    def options_for(self, options: CaptureOptions) -> CaptureOptions:
        """A job's options as this worker captures them: its --profile for a job that names none."""
        if self.profile and not options.profile:
            return replace(options, profile=self.profile)
        return options


@dataclass
class WorkerTally:
    kept: int = 0
    set_aside: int = 0
    failed: int = 0
    skipped: int = 0
    run_dirs: list[Path] = field(default_factory=list)


def new_worker_id() -> str:
    return f"{platform.node() or 'host'}:{os.getpid()}:{secrets.token_hex(2)}"


def no_fault(point: str, url: str) -> None:
    """Where a fault test may stop a worker ("capture", "commit", "keep"): nothing happens here."""


class _Runs:
    """This worker's run folders, one per set of capture options (a manifest records one set)."""

    def __init__(self, settings: WorkerSettings, info: BrowserInfo, worker: dict[str, Any]) -> None:
        self.settings = settings
        self.info = info
        self.worker = worker
        self.by_options: dict[str, tuple[RunFolderStore, RunPlan]] = {}
        self.locks: list[Any] = []
        self.recovered: list[dict[str, Any]] = []  # .open WARCs set aside: noted in the next manifest written

    def get(self, options: CaptureOptions, dedup: DedupIndex | None) -> tuple[RunFolderStore, RunPlan]:
        key = repr(sorted(options.to_dict().items()))
        if key not in self.by_options:
            run_id = new_run_id()
            run_dir = self.settings.output / run_id
            self.locks.append(lock_run(run_dir))
            run_settings = {**self.settings.run_settings().to_dict(), "worker": self.worker}
            manifest = RunManifest(
                run_dir,
                run_id,
                options,
                self.info,
                datetime.now(UTC),
                settings=run_settings,
                recovered=self.recovered,
            )
            self.recovered = []
            manifest.write()
            self.by_options[key] = (
                RunFolderStore(self.settings.output, manifest),
                RunPlan(
                    run_dir,
                    run_id,
                    options,
                    dedup,
                    netguard.network_access(dict(self.settings.resolve), self.settings.private_seeds),
                    self.settings.run_settings().profiles_path(),
                ),
            )
        return self.by_options[key]

    def note_recovered(self, notes: list[dict[str, Any]]) -> None:
        if not self.by_options:
            self.recovered.extend(notes)
            return
        manifest = next(iter(self.by_options.values()))[0].manifest
        manifest.recovered.extend(notes)
        manifest.write()

    def close(self) -> list[Path]:
        for store, _ in self.by_options.values():
            store.manifest.finish()
        for lock in self.locks:
            lock.close()
        return [store.manifest.run_dir for store, _ in self.by_options.values()]


FaultPoint = Callable[[str, str], None]  # (point, URL): where a fault test may stop the worker


class Worker:
    fault_point: FaultPoint = staticmethod(no_fault)  # what `fault` is when none is given

    def __init__(
        self,
        broker: Broker,
        settings: WorkerSettings,
        say: Callable[[str], None] = print,
        fault: FaultPoint | None = None,
    ) -> None:
        self.broker = broker
        self.settings = settings
        self.say = say
        if fault is not None:
            self.fault_point = fault
        self.id = new_worker_id()
        self.started_at = utc_iso(datetime.now(UTC))
        self.stopping = False
        self.tally = WorkerTally()
        self.in_progress: dict[str, str] = {}  # entry id -> URL
        self._redis_down = False
        self._pool = ThreadPoolExecutor(max_workers=settings.concurrency + 2, thread_name_prefix="archiver-redis")

    # -- the life of a worker -----------------------------------------------------------------------

    async def run(self) -> WorkerTally:
        output = self.settings.output
        # The browser starts in a session of its own: Ctrl-C at a terminal lets the pages in progress finish.
        holder = BrowserHolder(self.settings.browser_path, own_session=True)
        await holder.locate()
        try:
            output_lock = lock_output(output, shared=True)
        except BaseException:
            await holder.close()  # the driver that located the browser
            raise
        try:
            _, info = await holder.get()
            self._runs = _Runs(
                self.settings,
                info,
                {
                    "id": self.id,
                    "queue": display_url(self.broker.url),
                    "lease_seconds": self.settings.lease,
                    "max_attempts": self.settings.max_attempts,
                    "allow_private": self.settings.allow_private,
                },
            )
            await self._settle()
            self._dedup = DedupIndex.load(output)
            self._completed = CompletedPages(output)
            self._holder = holder
            await self._call(self.broker.register, self.id, self._about())
            leases = LeaseKeeper(self.broker, self.id, self.settings.lease, self._about, self._lost)
            self._leases = leases
            leases.start()
            self._install_signals()
            try:
                await asyncio.gather(*(self._slot() for _ in range(self.settings.concurrency)))
            finally:
                leases.stop()
                self.tally.run_dirs = self._runs.close()
                try:
                    self.broker.unregister(self.id)
                except REDIS_DOWN:
                    pass
        finally:
            await holder.close()
            output_lock.close()
            self._pool.shutdown(wait=False, cancel_futures=True)
        return self.tally

    def _about(self) -> dict[str, Any]:
        return {
            "host": platform.node(),
            "pid": os.getpid(),
            "output": str(self.settings.output.resolve()),
            "started_at": self.started_at,
            "seen_at": utc_iso(datetime.now(UTC)),
            "lease_seconds": self.settings.lease,
            "concurrency": self.settings.concurrency,
            "capturing": sorted(dict(self.in_progress).values()),
            "stopping": self.stopping,
        }

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._on_signal, signum)

    def _on_signal(self, signum: int) -> None:
        if self.stopping:
            self.say(
                f"archiver worker: stopping now ({signal.Signals(signum).name} again); pages in progress are "
                "left to recovery and to other workers"
            )
            os._exit(128 + signum)
        self.stopping = True
        self.say(
            f"archiver worker: {signal.Signals(signum).name}: finishing {len(self.in_progress)} page(s) in "
            "progress, then stopping (send it again to stop now)"
        )

    def _lost(self, entry_id: str) -> None:
        url = self.in_progress.get(entry_id, entry_id)
        self.say(f"archiver worker: lease lost on {url}: another worker took it over; the first to commit is kept")

    async def _slot(self) -> None:
        while not self.stopping:
            delivery = await self._take()
            if delivery is None:
                if self.settings.until_empty and await self._look(self.broker.nothing_left):
                    return
                continue
            await self._handle(delivery)

    async def _take(self) -> Delivery | None:
        claimed = await self._look(self.broker.claim_expired, self.id, self.settings.lease)
        if claimed is not None or self.stopping:
            return claimed
        return await self._look(self.broker.read_new, self.id, READ_WAIT)

    # -- one job --------------------------------------------------------------------------------------

    async def _handle(self, delivery: Delivery) -> None:
        self._leases.hold(delivery.entry_id)
        try:
            await self._handle_held(delivery)
        finally:
            self._leases.release(delivery.entry_id)
            self.in_progress.pop(delivery.entry_id, None)

    async def _handle_held(self, delivery: Delivery) -> None:
        try:
            job = QueuedJob.from_json(delivery.body)
        except UnreadableJob as exc:
            peek = QueuedJob.peek(delivery.body)
            await self._fail(
                delivery, str(peek.get("job_id", delivery.entry_id)), str(peek.get("url", "")), f"refused: {exc}"
            )
            return
        if job.options.allow_private and not self.settings.allow_private:
            await self._fail(
                delivery,
                job.job_id,
                job.url,
                "refused: the job asks to reach private addresses "
                "(allow_private), which this worker does not allow (archiver worker --allow-private)",
            )
            return
        self.in_progress[delivery.entry_id] = job.url
        now = utc_iso(datetime.now(UTC))
        await self._call(self.broker.mark_running, delivery, self.id, now, job.job_id, job.url)
        if delivery.previous_owner is not None:
            await self._after_lost_lease(delivery, job, now)
        if await self._call(self.broker.outcome, job.job_id) is not None:
            # Committed by an attempt whose worker died before finishing up: its page is in (or,
            # after the settling above, now added to) that run's manifest.
            await self._call(self.broker.finish, delivery, job.job_id)
            return
        if delivery.deliveries > self.settings.max_attempts:
            await self._fail(
                delivery,
                job.job_id,
                job.url,
                f"gave up after {delivery.deliveries - 1} attempts: each time its worker stopped "
                f"answering before finishing (killed, crashed or frozen); last: {delivery.previous_owner}",
            )
            return
        await self._capture(delivery, job)

    async def _after_lost_lease(self, delivery: Delivery, job: QueuedJob, now: str) -> None:
        self.say(
            f"archiver worker: taking over {job.url} from {delivery.previous_owner} (silent for "
            f"{delivery.idle_seconds:.0f} s; attempt {delivery.deliveries})"
        )
        await self._call(
            self.broker.note_retry,
            job.job_id,
            {
                "worker": delivery.previous_owner,
                "silent_seconds": round(delivery.idle_seconds, 1),
                "taken_over_by": self.id,
                "at": now,
                "why": "lease expired: no heartbeat from its worker",
            },
        )
        await self._settle()  # the silent worker may be dead and have left files in this output

    async def _settle(self) -> None:
        settled = await self._call(settle_dead_runs, self.settings.output, self.broker.outcome)
        if settled.interrupted:
            self._runs.note_recovered(settled.interrupted)
        for note in settled.interrupted + settled.set_aside:
            self.say(f"archiver worker: recovered: {note['now'] or note.get('left_alone')}: {note['why']}")
        for page in settled.committed:
            self.say(
                f"archiver worker: recovered: {page['run_id']}/{page['capture_id']}: committed page added "
                "to its run's manifest"
            )

    async def _capture(self, delivery: Delivery, job: QueuedJob) -> None:
        prior = None if job.recapture else self._completed.current().get(job.page_key)
        options = self.settings.options_for(job.options)
        store, plan = self._runs.get(options, self._dedup if options.dedup else None)
        if prior is not None:
            won, _ = await self._call(
                self.broker.commit, job.job_id, self._outcome(job.url, delivery, "skipped", prior=prior)
            )
            if won:
                store.manifest.add_skipped({**prior, "seed": job.url})
                self.tally.skipped += 1
                self.say(skip_line(job.url, prior))
            await self._call(self.broker.finish, delivery, job.job_id)
            return
        seed = read_seeds([job.url])[0]
        self.fault_point("capture", job.url)
        result = await capture_with_retries(self._holder, seed, plan, self.settings.run_settings(), RunHooks())
        entry = store.stage(job.job_id, result)
        self.fault_point("commit", job.url)
        outcome = self._outcome(
            job.url, delivery, result.state, reason=result.reason, run_id=plan.run_id, capture_id=result.capture_id
        )
        won, recorded = await self._call(self.broker.commit, job.job_id, outcome)
        if won:
            self.fault_point("keep", job.url)
            store.keep(entry)
            if plan.dedup is not None:
                plan.dedup.add_page(entry)
            self.tally.kept += 1
            self.say(page_line(result) + (f"  ({result.reason})" if result.state != COMPLETE and result.reason else ""))
        else:
            kept = {key: recorded.get(key) for key in ("run_id", "capture_id", "worker")}
            note = store.set_aside(
                entry,
                job.job_id,
                "another attempt of the same job was committed first (this one's lease had run out)",
                kept,
            )
            await self._call(self.broker.note_set_aside, {**note, "worker": self.id})
            self.tally.set_aside += 1
            self.say(f"set-aside    {job.url}: already committed by {kept['worker']}; files in {note['now']}")
        await self._call(self.broker.finish, delivery, job.job_id)

    def _outcome(self, url: str, delivery: Delivery, state: str, **more: Any) -> dict[str, Any]:
        """How a job ended, as recorded in Redis (the commit)."""
        return {
            "state": state,
            "url": url,
            "worker": self.id,
            "attempt": delivery.deliveries,
            "at": utc_iso(datetime.now(UTC)),
            "output": str(self.settings.output.resolve()),
            "reason": None,
            "run_id": None,
            "capture_id": None,
            **more,
        }

    async def _fail(self, delivery: Delivery, job_id: str, url: str, reason: str) -> None:
        await self._call(self.broker.commit, job_id, self._outcome(url, delivery, FAILED, reason=reason))
        await self._call(self.broker.finish, delivery, job_id)
        self.tally.failed += 1
        self.say(f"failed   ---  {url or delivery.entry_id}: {reason}")

    # -- Redis calls, in threads, through restarts ----------------------------------------------------

    async def _call(self, function: Callable[..., T], *args: Any) -> T:
        """Run a (blocking) Redis call off the event loop; wait out a Redis that is down."""
        return await self._redis(function, args, give_up_on_stop=False)  # type: ignore[return-value]

    async def _look(self, function: Callable[..., T], *args: Any) -> T | None:
        """The same, for looking for work: gives up, returning None, once the worker is asked to stop."""
        return await self._redis(function, args, give_up_on_stop=True)

    async def _redis(self, function: Callable[..., T], args: tuple[Any, ...], give_up_on_stop: bool) -> T | None:
        loop = asyncio.get_running_loop()
        wait = 0.5
        while True:
            if give_up_on_stop and self.stopping:
                return None
            try:
                value = await loop.run_in_executor(self._pool, function, *args)
            except REDIS_DOWN as exc:
                if not self._redis_down:
                    self.say(f"archiver worker: Redis at {display_url(self.broker.url)} unreachable ({exc}); retrying")
                self._redis_down = True
                await asyncio.sleep(wait)
                wait = min(5.0, wait * 2)
                continue
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                await loop.run_in_executor(self._pool, self.broker.ensure_group)  # a Redis that lost its data
                continue
            if self._redis_down:
                self._redis_down = False
                self.say(f"archiver worker: Redis at {display_url(self.broker.url)} is back")
            return value
