"""`archiver watch` and `archiver watch status`: sources watched, articles captured and re-captured."""

from __future__ import annotations

import asyncio
import math
import time
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from archiver.cli.capture_options import capture_flags, pop_capture_options
from archiver.cli.common import (
    SetupError,
    browser_option,
    concurrency_option,
    output_option,
    profiles_option,
    refuse_private_seeds_option,
    resolve_option,
    retries_option,
    safe_json,
    say,
)
from archiver.options import CaptureOptions, option_problem


class _SourcesFirst(click.Group):
    """`archiver watch SOURCE...` runs the watcher; `archiver watch status` shows where it stands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = ["start", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_SourcesFirst)
def watch() -> None:
    """Watch news sources (feeds, sitemaps, section fronts): capture every new article, re-capture
    each on an age-aware ladder, and record every edit. `archiver watch status` shows the state."""


@watch.command("start")
@click.argument("sources", nargs=-1)
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A TOML file of sources ([[source]] url, links, poll, [source.options]).",
)
@output_option("The output folder: captures go in its run folders, the watcher's state in <output>/watch/.")
@click.option("--poll", default="10m", show_default=True, help="How often each source is read (90s, 15m, 3h, 2d).")
@click.option(
    "--recheck",
    default="15m,1h,3h,1d,3d,7d,30d",
    show_default=True,
    help="The re-capture ladder: an article is captured again when its time since it last changed "
    "passes each step; an edit restarts it.",
)
@click.option("--for", "run_for", default=None, help="Run this long, then exit 0 (default: until SIGTERM or Ctrl-C).")
@click.option(
    "--links",
    default=None,
    metavar="CSS",
    help="Section fronts: the article links are the elements this selects (default: same-site links "
    "shaped like articles, outside the page's navigation).",
)
@click.option("--per-host", type=click.IntRange(1, 32), default=2, show_default=True, help="Captures at once per host.")
@click.option("--webhook", metavar="URL", help="POST each edited, gone and moved event here as JSON (retried).")
@click.option(
    "--redis",
    "redis_url",
    envvar="ARCHIVER_REDIS",
    metavar="URL",
    help="Capture through the queue: `archiver worker`s on this Redis capture into the same --output.",
)
@concurrency_option
@retries_option
@browser_option
@resolve_option
@refuse_private_seeds_option
@profiles_option
@capture_flags
def start(
    sources: tuple[str, ...],
    sources_file: Path | None,
    output: Path,
    poll: str,
    recheck: str,
    run_for: str | None,
    links: str | None,
    per_host: int,
    webhook: str | None,
    redis_url: str | None,
    concurrency: int,
    retries: int,
    browser_path: str | None,
    resolve: tuple[tuple[str, str], ...],
    refuse_private_seeds: bool,
    profiles_dir: str | None,
    **flags: Any,
) -> None:
    """Watch each SOURCE (a feed, a sitemap or a section front: its kind is found from what it serves).

    Events go to <output>/watch/events.jsonl, edits also to <output>/watch/edits.atom (with an HTML
    diff report for each) and to --webhook. Exit status 0 when it stopped as asked; 2 for a set-up
    error (a bad duration, an unreadable --sources file, another watcher on --output).

    `archiver watch status --output DIR` shows where a watcher stands (`archiver watch start` is
    `archiver watch`). The README's "Watching sources" says what each event means.
    """
    from archiver.run.batch import RunSettings
    from archiver.watch.durations import parse_duration, parse_ladder
    from archiver.watch.settings import WatchedSource, WatchSettings
    from archiver.watch.watcher import Watcher

    options = pop_capture_options(flags)
    watched = [WatchedSource(url, links) for url in sources]
    if sources_file is not None:
        watched += _read_sources_file(sources_file, options)
    if not watched:
        raise click.UsageError("give at least one SOURCE or a --sources file")
    settings = WatchSettings(
        output=output,
        sources=tuple(watched),
        options=options,
        poll=parse_duration(poll),
        ladder=parse_ladder(recheck),
        run_for=parse_duration(run_for) if run_for else None,
        concurrency=concurrency,
        per_host=per_host,
        webhook=webhook,
        redis_url=redis_url,
        browser_path=browser_path,
        run_settings=RunSettings(
            concurrency=concurrency,
            retries=retries,
            resume=False,
            resolve=resolve,
            private_seeds=not refuse_private_seeds,
            profiles_dir=profiles_dir,
        ),
    )
    say(f"archiver watch: {len(watched)} source(s) into {output}", err=True)
    counts = asyncio.run(Watcher(settings).run())
    say("archiver watch: stopped; events so far: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()), err=True)


def _read_sources_file(path: Path, defaults: CaptureOptions) -> list[Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SetupError(f"cannot read the sources file {path}: {exc}") from None
    entries = data.get("source", [])
    if not isinstance(entries, list) or not entries:
        raise SetupError(f"{path} lists no [[source]]")
    return [_source_entry(entry, f"{path} source {number}", defaults) for number, entry in enumerate(entries, 1)]


def _source_entry(entry: Any, where: str, defaults: CaptureOptions) -> Any:
    from archiver.watch.durations import parse_duration
    from archiver.watch.settings import KINDS, WatchedSource

    if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
        raise SetupError(f"{where} has no url")
    unknown = set(entry) - {"url", "links", "poll", "kind", "options"}
    if unknown:
        raise SetupError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    links, kind, poll, options = entry.get("links"), entry.get("kind"), entry.get("poll"), entry.get("options", {})
    if links is not None and not isinstance(links, str):
        raise SetupError(f"{where}: links must be a CSS selector")
    if kind is not None and kind not in KINDS:
        raise SetupError(f"{where}: kind {kind!r} is none of {', '.join(KINDS)}")
    if not isinstance(options, dict):
        raise SetupError(f"{where}: options must be a table of capture options")
    problems = [
        problem
        for name, value in options.items()
        if (problem := option_problem(name, value) if name in defaults.to_dict() else f"{name}: unknown")
    ]
    if problems:
        raise SetupError(f"{where}: capture options: {'; '.join(problems)}")
    return WatchedSource(
        entry["url"],
        links,
        parse_duration(str(poll)) if poll is not None else None,
        replace(defaults, **options) if options else None,
        kind,
    )


@watch.command("status")
@output_option("The output folder whose watcher's state is shown.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole state as JSON.")
def status(output: Path, as_json: bool) -> None:
    """Each source (kind, last read, articles, errors) and the articles due next, with edits counted."""
    from archiver.watch.events import KINDS
    from archiver.watch.settings import WATCH_FOLDER
    from archiver.watch.state import WatchState

    path = output / WATCH_FOLDER / "state.sqlite"
    if not path.is_file():
        raise SetupError(f"nothing is watched into {output} (no {path})")
    now = time.time()
    state = WatchState.read_only(path)
    try:
        sources, articles, hosts = state.sources(), state.articles(), state.paused_hosts(now)
        counts = state.counts()
    finally:
        state.close()
    events = {kind: counts.get(kind, 0) for kind in KINDS}
    if as_json:
        say(
            safe_json(
                {
                    "sources": [vars(s) for s in sources],
                    "events": events,
                    "paused_hosts": [{"host": h, "until": u, "why": w} for h, u, w in hosts],
                    "articles": [_article_json(a) for a in articles],
                }
            )
        )
        return
    under_way = sum(1 for a in articles if a.started is not None)
    say(
        f"watching into {output}: {len(articles)} article(s), {under_way} being captured; "
        + ", ".join(f"{n} {k}" for k, n in events.items())
    )
    for source in sources:
        read = f"{now - source.last_read:.0f} s ago" if source.last_read else "never"
        error = f"; error: {source.last_error} ({source.errors} in a row)" if source.last_error else ""
        refused = f"; {source.refused} link(s) refused, e.g. {source.last_refused}" if source.refused else ""
        say(f"  source  {source.url}  {source.kind or '?'}, read {read}, {source.listed} listed{refused}{error}")
    for host, until, why in hosts:
        say(f"  paused  {host} for {until - now:.0f} s more ({why})")
    due = sorted((a for a in articles if a.state == "active" and a.started is None), key=lambda a: a.next_check)
    for article in due[:20]:
        when = "now" if article.next_check <= now else f"in {article.next_check - now:.0f} s"
        say(f"  due {when:>8}  {article.url}  ({article.captures} capture(s), {article.edits} edit(s))")
    if len(due) > 20:
        say(f"  ... and {len(due) - 20} more")


def _article_json(article: Any) -> dict[str, Any]:
    """An article as JSON: a done article's next check is never (null), not Infinity, which JSON lacks."""
    data = dict(vars(article))
    if not math.isfinite(data["next_check"]):
        data["next_check"] = None
    return data
