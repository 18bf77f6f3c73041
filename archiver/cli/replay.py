"""`archiver replay` and `archiver qa`: captures served by pywb or ReplayWeb.page, for a person or for checks."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from archiver.cli.common import folders_or_default

ARCHIVE_SUFFIXES = (".wacz", ".warc.gz", ".warc")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--port", type=int, default=8080, show_default=True, help="Port on 127.0.0.1.")
def replay(paths: tuple[Path, ...], port: int) -> None:
    """Serve captures on 127.0.0.1 until Ctrl-C, and print the address of every page.

    Folders (run folders or output folders; default warcs/) are served by pywb, which runs from
    its own environment, created on first use in the cache folder ($ARCHIVER_CACHE, else
    ~/.cache/archiver). Files (a .wacz bundle, a .warc.gz) are served by ReplayWeb.page, the
    player most people open a WACZ with, fetched once from npm into the same cache folder.
    """
    files = [path for path in paths if path.is_file()]
    if files and len(files) != len(paths):
        raise click.UsageError("give either folders of captures (pywb) or .wacz / .warc.gz files (ReplayWeb.page)")
    if files:
        _replay_files(files, port)
    else:
        _replay_folders(folders_or_default(paths), port)


def _replay_folders(folders: list[Path], port: int) -> None:
    import tempfile

    from archiver.output.runs import replayable_pages
    from archiver.replay.pywb import PywbServer, build_collection, ensure_pywb

    pages = [page for _, page in replayable_pages(folders)]
    env = ensure_pywb(lambda message: click.echo(message, err=True))
    with tempfile.TemporaryDirectory(prefix="archiver-replay-") as root:
        build_collection(env, Path(root), [warc for page in pages for warc in page.replay_warcs()])
        with PywbServer(env, Path(root), port) as server:
            for page in pages:
                click.echo(f"{server.url(page.timestamp, page.url)}")
            click.echo(f"pywb serves {len(pages)} page(s) on {server.origin}; Ctrl-C stops it", err=True)
            try:
                server.wait()
            except KeyboardInterrupt:
                click.echo("stopping pywb", err=True)


def _replay_files(files: list[Path], port: int) -> None:
    from archiver.replay.replaywebpage import ReplayWebPageServer, ensure_replaywebpage, wacz_pages

    for path in files:
        if not path.name.endswith(ARCHIVE_SUFFIXES):
            raise click.UsageError(f"{path} is not a .wacz, .warc.gz or .warc file")
    folder = ensure_replaywebpage(lambda message: click.echo(message, err=True))
    with ReplayWebPageServer(folder, files, port) as server:
        for path in files:
            pages = wacz_pages(path) if path.name.endswith(".wacz") else []
            click.echo(server.url(path))  # the archive's own page list
            for page in pages:
                click.echo(server.url(path, page.url, page.timestamp))
        click.echo(f"ReplayWeb.page serves {len(files)} archive(s) on {server.origin}; Ctrl-C stops it", err=True)
        try:
            server.wait()
        except KeyboardInterrupt:
            click.echo("stopping ReplayWeb.page", err=True)


@click.command()
@click.argument("dirs", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--browser", "browser_path", metavar="PATH", help="Chromium executable (as for capture).")
@click.option(
    "--max-misses",
    type=int,
    default=0,
    show_default=True,
    help="Resources pywb could not serve, allowed per page and screen size.",
)
@click.option(
    "--max-left-archive",
    type=int,
    default=0,
    show_default=True,
    help="Requests that tried to reach the live web, allowed per page and screen size.",
)
@click.option(
    "--max-broken",
    type=int,
    default=0,
    show_default=True,
    help="Images and media that did not render, allowed per page and screen size.",
)
@click.option(
    "--min-screenshot-similarity",
    type=float,
    default=0.9,
    show_default=True,
    help="Desktop replay against the capture's full-page screenshot, 0 to 1.",
)
@click.option(
    "--min-text-similarity",
    type=float,
    default=0.9,
    show_default=True,
    help="Replayed text against the captured text, 0 to 1.",
)
def qa(
    dirs: tuple[Path, ...],
    browser_path: str | None,
    max_misses: int,
    max_left_archive: int,
    max_broken: int,
    min_screenshot_similarity: float,
    min_text_similarity: float,
) -> None:
    """Replay every capture under DIRS (default warcs/) in pywb and check it, at desktop and phone size.

    Writes qa.json beside each run's manifest (which lists it with its checksum), prints a table,
    and exits 1 when any page falls below the thresholds.
    """
    from archiver.replay.qa import Thresholds, run_qa

    limits = Thresholds(max_misses, max_left_archive, max_broken, min_screenshot_similarity, min_text_similarity)
    click.echo(f"{'result':<6} {'size':<7} {'misses':>6} {'left':>4} {'broken':>6} {'shot':>6} {'text':>6}  page")
    outcome = asyncio.run(
        run_qa(
            folders_or_default(dirs),
            limits,
            browser_path,
            on_page=lambda page: _report_qa(page, limits),
            log=lambda message: click.echo(message, err=True),
        )
    )
    for report in outcome.reports:
        click.echo(f"qa report: {report}")
    sys.exit(0 if outcome.passed(limits) else 1)


def _report_qa(page: object, limits: object) -> None:
    from archiver.replay.qa import PageQA, Thresholds

    assert isinstance(page, PageQA) and isinstance(limits, Thresholds)
    for result in page.profiles:
        problems = result.problems(limits)
        shot = "-" if result.screenshot_similarity is None else f"{result.screenshot_similarity:.3f}"
        text = "-" if result.text_similarity is None else f"{result.text_similarity:.3f}"
        broken = len(result.broken_images) + len(result.broken_media)
        click.echo(
            f"{'fail' if problems else 'pass':<6} {result.profile:<7} {len(result.misses):>6} "
            f"{len(result.left_archive):>4} {broken:>6} {shot:>6} {text:>6}  {page.page.url}"
        )
        for problem in problems:
            click.echo(f"archiver: qa: {page.page.url} ({result.profile}): {problem}", err=True)
