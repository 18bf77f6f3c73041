"""Capture many URLs into one run folder, `<output>/<run id>/`, with one manifest.json.

Each page is captured by `capture.capture_page`, the self-contained unit of work; this module
launches the browser, hands the pages over (several at once with `concurrency`, each in its own
browser context), retries network failures with backoff, skips pages an earlier run in the same
output already captured completely, and keeps the manifest up to date after every page. It holds
the output folder's lock for the whole run and, first, salvages what a killed run left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import shutil
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archiver.browser import netguard
from archiver.browser.blocking import load_blocker
from archiver.browser.netguard import NetworkAccess
from archiver.capture.article import load_extractors
from archiver.capture.page import BROWSER_REPLACED, capture_page
from archiver.capture.result import PageResult
from archiver.identity import page_id, sha256_bytes
from archiver.options import CaptureJob, CaptureOptions
from archiver.output.completed import completed_pages
from archiver.output.dedup_index import DedupIndex
from archiver.output.interrupted import recover_open_warcs
from archiver.output.locks import lock_output, lock_run
from archiver.output.manifest import RunManifest
from archiver.output.stored import StoredPage
from archiver.profiles.store import ProfileStore
from archiver.run.browsers import BrowserHolder
from archiver.run.seeds import Seed, read_seeds
from archiver.run.slots import LoadingSlots
from archiver.terms import COMPLETE, FAILED
from archiver.times import utc_iso

log = logging.getLogger(__name__)

# Network failures worth another try: the server or the path to it may be back in a moment.
MAX_RETRY_AFTER = 300.0  # seconds: a server that asks for a longer wait is not retried (its refusal is kept)
RETRYABLE = (
    "ERR_CONNECTION_REFUSED",
    "ERR_CONNECTION_RESET",
    "ERR_CONNECTION_CLOSED",
    "ERR_EMPTY_RESPONSE",
    "ERR_TIMED_OUT",
    "ERR_CONNECTION_TIMED_OUT",
    "ERR_NAME_RESOLUTION_FAILED",
    "ERR_NETWORK_CHANGED",
    "ERR_ADDRESS_UNREACHABLE",
    "ERR_INTERNET_DISCONNECTED",
    "ERR_SOCKET_NOT_CONNECTED",
    "ERR_CONNECTION_ABORTED",
    "no response within",
)
BROWSER_ERROR = "browser error:"  # the browser failed under the page (capture.steps): retried in a new one
MAX_RESTARTS = 3  # a page whose browser was replaced before it loaded starts again in the new one, this often


@dataclass(frozen=True)
class RunSettings:
    concurrency: int = 1  # pages captured at once, each in its own browser context
    retries: int = 2  # more attempts for a page that failed on a network error
    retry_backoff: float = 2.0  # seconds before the first retry, doubled for each next one
    resume: bool = True  # skip pages an earlier run in the same output captured completely
    resolve: tuple[tuple[str, str], ...] = ()  # --resolve NAME=IP: what those names resolve to (split horizon)
    private_seeds: bool = True  # False (--refuse-private-seeds): a seed on a private address is refused
    profiles_dir: str | None = None  # --profiles: where --profile NAME is read (default: the user's data folder)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "resolve": dict(self.resolve)}

    def profiles_path(self) -> Path | None:
        return Path(self.profiles_dir) if self.profiles_dir else None


@dataclass
class RunOutcome:
    run_dir: Path
    manifest_path: Path
    results: list[PageResult] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    recovered: list[dict[str, Any]] = field(default_factory=list)

    @property
    def all_complete(self) -> bool:
        return all(result.state == COMPLETE for result in self.results)


@dataclass
class RunHooks:
    """What a front end wants to hear while the run goes (the CLI prints it)."""

    on_start: Callable[[int], None] = lambda total: None
    on_page: Callable[[PageResult], None] = lambda result: None
    on_skip: Callable[[Seed, dict[str, str]], None] = lambda seed, prior: None
    on_retry: Callable[[Seed, str, float], None] = lambda seed, reason, delay: None


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def rejected(seed: Seed) -> PageResult:
    """A seed that cannot be captured (not an http(s) URL, a bad input line): recorded as failed."""
    now = datetime.now(UTC)
    key = sha256_bytes(seed.url.encode("utf-8", "replace"))[:16]
    result = PageResult(
        requested_url=seed.url,
        page_id=key,
        capture_id=f"{now.strftime('%Y%m%dT%H%M%SZ')}-{key}",
        started_at=now,
        ended_at=now,
    )
    result.mark(FAILED, f"{seed.problem} ({seed.origin})")
    return result


class OpenRun:
    """A run folder being written: the output folder held (one run at a time), what a killed run
    left salvaged first, a manifest rewritten after every page, and one browser for its pages.
    `capture_urls` is one such run over a list of seeds; a watcher keeps one open and captures
    pages into it as they come."""

    def __init__(
        self,
        output_root: Path,
        options: CaptureOptions,
        settings: RunSettings,
        browser_path: str | None = None,
        share_output: bool = False,
    ) -> None:
        """`share_output`: other runs may write into the output folder at the same time (as queue
        workers do), each in its own run folder: a watcher keeps one run per set of capture options."""
        self.output_root = output_root
        self.share_output = share_output
        self.options = options
        self.settings = settings
        self.holder = BrowserHolder(browser_path)
        self._slots = LoadingSlots(settings.concurrency)
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> OpenRun:
        stack = self._stack
        await stack.__aenter__()
        try:
            stack.push_async_callback(self.holder.close)
            self._warming = asyncio.ensure_future(asyncio.to_thread(load_extractors))  # while the browser starts
            await self.holder.locate()  # before touching the output: a missing browser is said first
            if self.options.block:
                load_blocker(self.options.block)  # and a filter list that cannot be read
            if self.options.profile:
                ProfileStore(self.settings.profiles_path()).load(self.options.profile)  # and a missing profile
            stack.callback(lock_output(self.output_root, shared=self.share_output).close)
            self.recovered = recover_open_warcs(self.output_root)
            self.done = completed_pages(self.output_root) if self.settings.resume else {}
            self.dedup = DedupIndex.load(self.output_root) if self.options.dedup else None
            self.run_id = new_run_id()
            self.run_dir = self.output_root / self.run_id
            log.info("run %s in %s", self.run_id, self.output_root)
            stack.callback(lock_run(self.run_dir).close)  # recovery by any other run leaves this one alone
            _, info = await self.holder.get()
            self.manifest = RunManifest(
                self.run_dir,
                self.run_id,
                self.options,
                info,
                datetime.now(UTC),
                settings=self.settings.to_dict(),
                recovered=self.recovered,
            )
            self.manifest.write()
            stack.callback(self.manifest.finish)
            self.plan = RunPlan(
                self.run_dir,
                self.run_id,
                self.options,
                self.dedup,
                netguard.network_access(dict(self.settings.resolve), self.settings.private_seeds),
                self.settings.profiles_path(),
            )
        except BaseException:
            await stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._stack.aclose()

    async def capture(self, seed: Seed, hooks: RunHooks | None = None) -> tuple[PageResult, StoredPage]:
        """One page into the run (at most `concurrency` at once): its result and its entry as stored."""
        result = await capture_with_retries(
            self.holder, seed, self.plan, self.settings, hooks or RunHooks(), slots=self._slots
        )
        stored = self.manifest.add_page(result)
        if self.dedup is not None:  # listed in a manifest now: later pages may point at its records
            self.dedup.add_page(stored)
        return result, stored


async def capture_urls(
    seeds: Iterable[Seed | str],
    output_root: Path,
    options: CaptureOptions,
    browser_path: str | None = None,
    settings: RunSettings = RunSettings(),
    hooks: RunHooks | None = None,
) -> RunOutcome:
    """Capture every seed into a new run folder under `output_root`."""
    hooks = hooks or RunHooks()
    checked = [seed if isinstance(seed, Seed) else read_seeds([seed])[0] for seed in seeds]
    async with OpenRun(output_root, options, settings, browser_path) as run:
        outcome = RunOutcome(run.run_dir, run.manifest.path, recovered=run.recovered)
        to_capture = []
        listed: dict[str, Seed] = {}
        for seed in checked:
            first = None if seed.problem else listed.setdefault(page_id(seed.url), seed)
            if first is not None and first is not seed:  # the same page twice: captured once per run
                run.manifest.add_duplicate({"seed": seed.url, "origin": seed.origin, "same_as": first.origin})
                continue
            prior = None if seed.problem else run.done.get(page_id(seed.url))
            if prior:
                outcome.skipped.append({**prior, "seed": seed.url})
                run.manifest.add_skipped({**prior, "seed": seed.url})
                hooks.on_skip(seed, prior)
            else:
                to_capture.append(seed)
        hooks.on_start(len(to_capture))

        async def one(seed: Seed) -> None:
            result, _ = await run.capture(seed, hooks)
            outcome.results.append(result)
            log.info(
                "%s %s: %s%s",
                result.capture_id,
                result.requested_url,
                result.state,
                f" ({result.reason})" if result.reason else "",
            )
            hooks.on_page(result)

        await asyncio.gather(*(one(seed) for seed in to_capture))
    return outcome


@dataclass(frozen=True)
class RunPlan:
    """What every page of a run shares: where it goes, how it is captured, what it dedups against."""

    run_dir: Path
    run_id: str
    options: CaptureOptions
    dedup: DedupIndex | None
    access: NetworkAccess  # how names resolve and connections go (the guard checks each either way)
    profiles_dir: Path | None = None  # this machine's profiles


@contextlib.asynccontextmanager
async def _no_slot() -> AsyncIterator[None]:
    yield None


def _rate_limited(result: PageResult) -> bool:
    """A 429 (or a 503 with Retry-After) that asks for a wait we can make: retried after it."""
    if not any(v.get("verdict") == "rate-limited" for v in result.verdicts):
        return False
    return result.retry_after is None or result.retry_after <= MAX_RETRY_AFTER


async def capture_with_retries(
    holder: BrowserHolder,
    seed: Seed,
    plan: RunPlan,
    settings: RunSettings,
    hooks: RunHooks,
    slots: LoadingSlots | None = None,
) -> PageResult:
    """One page, retried on network failures. With `slots`, each attempt opens its context while
    the pages before it load, and loads in its turn (archiver.run.slots)."""
    if seed.problem:
        return rejected(seed)
    attempts: list[dict[str, str]] = []
    attempt = restarts = 0
    while True:
        result = await _attempt(holder, seed, plan, slots)
        if result.reason == BROWSER_REPLACED and restarts < MAX_RESTARTS:
            # Not loaded at all (its browser was replaced while it waited): no attempt spent on it.
            restarts += 1
            shutil.rmtree(plan.run_dir / result.capture_id, ignore_errors=True)
            continue
        rate_limited = _rate_limited(result)
        retryable = rate_limited or (
            result.state == FAILED and any(code in (result.reason or "") for code in (*RETRYABLE, BROWSER_ERROR))
        )
        if not retryable or attempt == settings.retries:
            result.attempts = attempts
            return result
        # The failed attempt holds only its warcinfo and failure record (a rate-limited one also the
        # server's refusal); the manifest keeps the reason of each attempt.
        attempts.append({"started_at": utc_iso(result.started_at), "reason": result.reason or ""})
        shutil.rmtree(plan.run_dir / result.capture_id, ignore_errors=True)
        delay = settings.retry_backoff * 2**attempt
        if rate_limited and result.retry_after is not None:
            delay = max(delay, result.retry_after)  # the server said how long: at least that
        log.info("retrying %s in %g s: %s", seed.url, delay, result.reason)
        hooks.on_retry(seed, result.reason or "", delay)
        attempt += 1
        await asyncio.sleep(delay)


async def _attempt(holder: BrowserHolder, seed: Seed, plan: RunPlan, slots: LoadingSlots | None) -> PageResult:
    async with slots.slot() if slots else _no_slot() as slot, holder.lease() as (browser, info):

        async def turn() -> bool:
            if slot is not None:
                await slot.turn()
            return not holder.is_lost(browser)

        def loaded(result: PageResult) -> None:
            if _browser_lost(result):  # the next page, loading now, gets a new browser
                holder.lost(browser, result.reason or "the page would not close")
            if slot is not None:
                slot.release()

        result = await capture_page(
            browser,
            info,
            CaptureJob(seed.url, plan.run_dir, plan.run_id, plan.options, plan.profiles_dir),
            plan.dedup,
            plan.access,
            turn=turn,
            loaded=loaded,
        )
        if _browser_lost(result):  # the next attempt, and the next page, get a new browser
            holder.lost(browser, result.reason or "the page would not close")
    return result


def _browser_lost(result: PageResult) -> bool:
    return result.browser_lost or (result.state == FAILED and BROWSER_ERROR in (result.reason or ""))
