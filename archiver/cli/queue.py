"""`archiver queue add|status` and `archiver worker`: pages through Redis to workers on many machines."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import click

from archiver.cli.capture_options import capture_flags, pop_capture_options
from archiver.cli.common import (
    SetupError,
    browser_option,
    concurrency_option,
    input_option,
    output_option,
    profiles_option,
    refuse_private_seeds_option,
    resolve_option,
    retries_option,
    safe_json,
    say,
)

redis_option = click.option(
    "--redis",
    "redis_url",
    envvar="ARCHIVER_REDIS",
    required=True,
    metavar="URL",
    help="The queue's Redis, e.g. redis://queue-host:6379/0 (6.2 or newer). Env: ARCHIVER_REDIS.",
)


def _connect(redis_url: str) -> Any:
    from archiver.queue.broker import Broker

    return Broker.connect(redis_url)


@click.group()
def queue() -> None:
    """Queue pages for `archiver worker`s, and see how the queue stands."""


@queue.command("add")
@click.argument("urls", nargs=-1)
@input_option
@click.option(
    "--recapture", is_flag=True, help="Capture even pages the worker's --output already holds a complete capture of."
)
@click.option("--json", "as_json", is_flag=True, help="Print what was queued as JSON.")
@redis_option
@capture_flags
def queue_add(
    urls: tuple[str, ...], inputs: tuple[str, ...], recapture: bool, as_json: bool, redis_url: str, **flags: Any
) -> None:
    """Queue each URL with these capture options; a page already pending is not queued twice.

    Exit status: 0 when every URL was queued (or was pending already); 1 when a line was not a URL
    (the others are queued); 2 for a usage error or a Redis that cannot be reached.
    """
    options = pop_capture_options(flags)
    if not urls and not inputs:
        raise click.UsageError("give at least one URL or an --input file")
    from archiver.queue.broker import REDIS_DOWN
    from archiver.queue.enqueue import enqueue
    from archiver.run.seeds import read_seeds

    seeds = read_seeds(urls, inputs)
    broker = _connect(redis_url)
    try:
        report = enqueue(broker, seeds, options, recapture)
    except REDIS_DOWN as exc:
        raise SetupError(
            f"Redis stopped answering while queueing: {exc}; run the same command again "
            "(pages already queued are not queued twice)"
        ) from None
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    for item in report.rejected:
        click.echo(f"archiver: not queued: {item['origin']}: {item['url']}: {item['problem']}", err=True)
    if not as_json:
        for item in report.already_pending:
            click.echo(f"pending  {item['url']} (already queued as job {item['job_id']})")
        click.echo(
            f"queued {len(report.queued)} page(s); {len(report.already_pending)} already pending; "
            f"{len(report.rejected)} rejected"
        )
    sys.exit(1 if report.rejected else 0)


@queue.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the whole status as JSON.")
@redis_option
def queue_status(as_json: bool, redis_url: str) -> None:
    """Queued, running (by which worker, since when), done, failed (with reasons), retried."""
    from archiver.queue.broker import REDIS_DOWN
    from archiver.queue.status import read_status, render_text

    broker = _connect(redis_url)
    try:
        status = read_status(broker)
    except REDIS_DOWN as exc:
        raise SetupError(f"Redis stopped answering: {exc}") from None
    if as_json:
        say(safe_json(status.to_dict()))
    else:
        for line in render_text(status):
            say(line)


@click.command()
@redis_option
@output_option("Folder for this worker's run folder(s); other workers may share it.")
@concurrency_option
@click.option(
    "--until-empty", is_flag=True, help="Exit once nothing is queued or running anywhere (otherwise wait for work)."
)
@click.option(
    "--lease",
    type=click.FloatRange(2, None),
    default=60.0,
    show_default=True,
    help="Seconds without this worker's heartbeat (every lease/4) after which another worker takes "
    "over its page. Give every worker of a queue the same value.",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(1, 100),
    default=3,
    show_default=True,
    help="Times a page is handed to a worker that then dies or freezes, before it is recorded as failed.",
)
@retries_option
@browser_option
@resolve_option
@refuse_private_seeds_option
@click.option(
    "--allow-private",
    is_flag=True,
    help="Let this worker's captures reach private, loopback and link-local addresses when a job asks "
    "(queue add --allow-private). Off by default: such a job is refused, whatever it says.",
)
@profiles_option
@click.option(
    "--profile",
    metavar="NAME",
    help="Capture the jobs that name no profile with browser profile NAME (this worker's own copy, "
    "in --profiles); a job that names one always uses that one.",
)
def worker(
    redis_url: str,
    output: Path,
    concurrency: int,
    until_empty: bool,
    lease: float,
    max_attempts: int,
    retries: int,
    browser_path: str | None,
    resolve: tuple[tuple[str, str], ...],
    refuse_private_seeds: bool,
    allow_private: bool,
    profiles_dir: str | None,
    profile: str | None,
) -> None:
    """Capture queued pages, exactly as `archiver capture` would, into a run folder of its own in --output.

    Each page is recorded once: if two attempts finish (a worker froze past its lease and another
    took the page over), the first to commit is kept and the other is moved to <output>/set-aside/.
    SIGTERM or Ctrl-C: finish the pages in progress, then stop; a second one stops at once.

    Exit status: 0 when it stopped as asked; 2 for a set-up error (Redis unreachable at start, no
    browser, --output used by a `capture` run).
    """
    from archiver.queue.broker import display_url
    from archiver.queue.worker import Worker, WorkerSettings

    broker = _connect(redis_url)
    settings = WorkerSettings(
        output=output,
        concurrency=concurrency,
        until_empty=until_empty,
        lease=lease,
        max_attempts=max_attempts,
        retries=retries,
        browser_path=browser_path,
        resolve=resolve,
        private_seeds=not refuse_private_seeds,
        allow_private=allow_private,
        profiles_dir=profiles_dir,
        profile=profile,
    )
    if profile:
        from archiver.profiles.store import ProfileStore

        ProfileStore(Path(profiles_dir) if profiles_dir else None).load(profile)  # a missing one: one line
    agent = Worker(broker, settings, say=lambda line: say(line, err=True))
    click.echo(f"archiver worker {agent.id}: output {output}, queue {display_url(broker.url)}", err=True)
    tally = asyncio.run(agent.run())  # a failure to write ends it with one line (cli.common)
    click.echo(
        f"archiver worker {agent.id}: stopped: {tally.kept} kept, {tally.skipped} skipped, "
        f"{tally.failed} failed, {tally.set_aside} set aside; runs: "
        f"{', '.join(str(p) for p in tally.run_dirs) or 'none'}",
        err=True,
    )
