"""The command line: a thin layer over archiver.run, archiver.lint and archiver.sample."""

from __future__ import annotations

import asyncio
import re
import sys
from contextlib import ExitStack
from pathlib import Path

import click

from archiver import __version__
from archiver.result import COMPLETE, FAILED, PageResult
from archiver.errors import ArchiverError
from archiver.options import CaptureOptions

DEFAULTS = CaptureOptions()


class SetupError(click.ClickException):
    """The run could not start (no browser, ...): exit status 2, like a usage error."""

    exit_code = 2
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
VIEWPORT = re.compile(r"^(\d+)x(\d+)$")


def parse_size(value: str) -> int:
    match = SIZE.match(value)
    if not match:
        raise click.BadParameter(f"{value!r} is not a size such as 500M or 1G")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * 1024 ** " kmgt".index(unit or " "))


def parse_viewport(value: str) -> tuple[int, int]:
    match = VIEWPORT.match(value.strip())
    if not match:
        raise click.BadParameter(f"{value!r} is not WIDTHxHEIGHT, e.g. 1280x800")
    return int(match.group(1)), int(match.group(2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archiver")
def main() -> None:
    """Capture news articles faithfully: Chromium renders each page with everything it loads
    as a reader scrolls, every HTTP exchange goes into WARC/1.1 files, with screenshots and a
    manifest of checksums."""


@main.command()
@click.argument("urls", nargs=-1)
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("warcs"),
              show_default=True, help="Folder for the run folders (each run gets <output>/<run id>/).")
@click.option("--sample", is_flag=True, help="Also capture the bundled sample news article, served on 127.0.0.1.")
@click.option("--browser", "browser_path", metavar="PATH",
              help="Chromium executable (default: Playwright's, else the system's). Env: ARCHIVER_BROWSER.")
@click.option("--viewport", default=f"{DEFAULTS.viewport_width}x{DEFAULTS.viewport_height}", show_default=True,
              help="Browser window size, WIDTHxHEIGHT.")
@click.option("--device-scale-factor", type=float, default=DEFAULTS.device_scale_factor, show_default=True,
              help="Device pixel ratio (2 for a high-DPI screen).")
@click.option("--user-agent", default=None, help="User-Agent to send (default: the browser's, without 'Headless').")
@click.option("--operator", default=None, help="Who runs the capture; written into every WARC's warcinfo.")
@click.option("--ignore-https-errors", is_flag=True, help="Capture sites whose certificate the browser rejects.")
@click.option("--navigation-timeout", type=float, default=DEFAULTS.navigation_timeout, show_default=True,
              help="Seconds to wait for the page's load event.")
@click.option("--behaviour-timeout", type=float, default=DEFAULTS.behaviour_timeout, show_default=True,
              help="Seconds for scrolling, waiting and autofetch together; past it the capture is 'partial'.")
@click.option("--settle", type=float, default=DEFAULTS.settle_after_load, show_default=True,
              help="Stay at least this many seconds after load, for content that arrives on a timer.")
@click.option("--network-quiet", type=float, default=DEFAULTS.network_quiet, show_default=True,
              help="Seconds without network activity that count as 'quiet'.")
@click.option("--scroll-step", type=int, default=DEFAULTS.scroll_step, show_default=True,
              help="Pixels per scroll step (0: half the viewport height).")
@click.option("--max-scroll-steps", type=int, default=DEFAULTS.max_scroll_steps, show_default=True,
              help="Stop scrolling after this many steps (bounds endless infinite scroll).")
@click.option("--no-autofetch", is_flag=True,
              help="Do not fetch srcset/<picture>/data-src/noscript images the page did not load itself.")
@click.option("--max-screenshot-height", type=int, default=DEFAULTS.max_screenshot_height, show_default=True,
              help="Cut full-page screenshots of taller pages here (recorded as capped).")
@click.option("--warc-max-size", default="1G", show_default=True,
              help="Start a new WARC file past this size (e.g. 500M, 1G).")
def capture(urls: tuple[str, ...], output: Path, sample: bool, browser_path: str | None, viewport: str,
            device_scale_factor: float, user_agent: str | None, operator: str | None, ignore_https_errors: bool,
            navigation_timeout: float, behaviour_timeout: float, settle: float, network_quiet: float,
            scroll_step: int, max_scroll_steps: int, no_autofetch: bool, max_screenshot_height: int,
            warc_max_size: str) -> None:
    """Capture each URL: WARC files, screenshots and the DOM, and a manifest.json for the run.

    Exit status: 0 when every page was captured completely (an HTTP error page such as a 404 is
    captured, with a warning); 1 when any page is partial or failed; 2 for a usage or set-up error.
    """
    width, height = parse_viewport(viewport)
    options = CaptureOptions(
        viewport_width=width, viewport_height=height, device_scale_factor=device_scale_factor,
        user_agent=user_agent, operator=operator, ignore_https_errors=ignore_https_errors,
        navigation_timeout=navigation_timeout, behaviour_timeout=behaviour_timeout, settle_after_load=settle,
        network_quiet=network_quiet, scroll_step=scroll_step, max_scroll_steps=max_scroll_steps,
        autofetch=not no_autofetch, max_screenshot_height=max_screenshot_height,
        warc_max_size=parse_size(warc_max_size),
    )
    if not urls and not sample:
        raise click.UsageError("give at least one URL, or --sample for the bundled sample article")
    from archiver.run import capture_urls  # imported here: `archiver --help` stays fast

    with ExitStack() as stack:
        seeds = list(urls)
        if sample:
            from archiver.sample import serve_sample

            seeds.append(stack.enter_context(serve_sample()))
        try:
            outcome = asyncio.run(capture_urls(seeds, output, options, browser_path, on_page=_report_page))
        except ArchiverError as exc:
            raise SetupError(str(exc)) from None
    _report_run(outcome)
    sys.exit(0 if outcome.all_complete else 1)


def _report_page(result: PageResult) -> None:
    """One line per page on stdout; at most one line on stderr, for a page that needs a look."""
    status = result.status if result.status is not None else "-"
    click.echo(f"{result.state:<8} {status!s:>3}  {result.requested_url}")
    problems = [result.reason] if result.state != COMPLETE and result.reason else []
    problems += result.warnings
    if problems:
        label = result.state if result.state != COMPLETE else "warning"
        click.echo(f"archiver: {label}: {result.requested_url}: {'; '.join(problems)}", err=True)


def _report_run(outcome: object) -> None:
    from archiver.run import RunOutcome

    assert isinstance(outcome, RunOutcome)
    for result in outcome.results:
        if result.state == FAILED and not result.files:
            continue
        for artifact in result.files:
            click.echo(f"  {artifact.role:<21} {artifact.path}")
    done = sum(r.state == COMPLETE for r in outcome.results)
    click.echo(f"{done}/{len(outcome.results)} pages complete; manifest: {outcome.manifest_path}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def lint(paths: tuple[Path, ...]) -> None:
    """Check WARC files (or every WARC under a folder) against the normalization rules.

    Prints one line per problem; exit status 1 when there is any.
    """
    from archiver.lint import lint_paths, warc_files

    files = warc_files(paths)
    if not files:
        raise click.ClickException("no WARC files found")
    issues = lint_paths(files)
    for issue in issues:
        click.echo(str(issue))
    click.echo(f"{len(files)} WARC file(s), {len(issues)} problem(s)")
    sys.exit(1 if issues else 0)


@main.command("serve-sample")
@click.option("--port", type=int, default=0, help="Port on 127.0.0.1 (default: any free port).")
def serve_sample_command(port: int) -> None:
    """Serve the bundled sample news article on 127.0.0.1 until Ctrl-C."""
    from archiver.sample import serve_sample

    with serve_sample(port) as url:
        click.echo(f"sample article at {url} (Ctrl-C stops)")
        try:
            while True:
                asyncio.run(asyncio.sleep(3600))
        except KeyboardInterrupt:
            pass


def _replay_dirs(dirs: tuple[Path, ...]) -> list[Path]:
    return list(dirs) or [Path("warcs")]


@main.command()
@click.argument("dirs", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--port", type=int, default=8080, show_default=True, help="Port on 127.0.0.1.")
def replay(dirs: tuple[Path, ...], port: int) -> None:
    """Serve the captures under DIRS (default warcs/) in pywb on 127.0.0.1 until Ctrl-C.

    pywb runs from its own environment, created on first use in the cache folder
    ($ARCHIVER_CACHE, else ~/.cache/archiver). Prints the address of every captured page.
    """
    import tempfile

    from archiver.captures import load_pages
    from archiver.pywb import PywbServer, build_collection, ensure_pywb

    try:
        pages = load_pages(_replay_dirs(dirs))
        env = ensure_pywb(lambda message: click.echo(message, err=True))
        with tempfile.TemporaryDirectory(prefix="archiver-replay-") as root:
            build_collection(env, Path(root), [warc for page in pages for warc in page.files("warc")])
            with PywbServer(env, Path(root), port) as server:
                for page in pages:
                    click.echo(f"{server.url(page.timestamp, page.url)}")
                click.echo(f"pywb serves {len(pages)} page(s) on {server.origin}; Ctrl-C stops it", err=True)
                try:
                    server.wait()
                except KeyboardInterrupt:
                    click.echo("stopping pywb", err=True)
    except ArchiverError as exc:
        raise SetupError(str(exc)) from None


@main.command()
@click.argument("dirs", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--browser", "browser_path", metavar="PATH", help="Chromium executable (as for capture).")
@click.option("--max-misses", type=int, default=0, show_default=True,
              help="Resources pywb could not serve, allowed per page and screen size.")
@click.option("--max-left-archive", type=int, default=0, show_default=True,
              help="Requests that tried to reach the live web, allowed per page and screen size.")
@click.option("--max-broken", type=int, default=0, show_default=True,
              help="Images and media that did not render, allowed per page and screen size.")
@click.option("--min-screenshot-similarity", type=float, default=0.9, show_default=True,
              help="Desktop replay against the capture's full-page screenshot, 0 to 1.")
@click.option("--min-text-similarity", type=float, default=0.9, show_default=True,
              help="Replayed text against the captured text, 0 to 1.")
def qa(dirs: tuple[Path, ...], browser_path: str | None, max_misses: int, max_left_archive: int, max_broken: int,
       min_screenshot_similarity: float, min_text_similarity: float) -> None:
    """Replay every capture under DIRS (default warcs/) in pywb and check it, at desktop and phone size.

    Writes qa.json beside each run's manifest (which lists it with its checksum), prints a table,
    and exits 1 when any page falls below the thresholds.
    """
    from archiver.qa import Thresholds, run_qa

    limits = Thresholds(max_misses, max_left_archive, max_broken, min_screenshot_similarity, min_text_similarity)
    click.echo(f"{'result':<6} {'size':<7} {'misses':>6} {'left':>4} {'broken':>6} {'shot':>6} {'text':>6}  page")
    try:
        outcome = asyncio.run(run_qa(_replay_dirs(dirs), limits, browser_path,
                                     on_page=lambda page: _report_qa(page, limits),
                                     log=lambda message: click.echo(message, err=True)))
    except ArchiverError as exc:
        raise SetupError(str(exc)) from None
    for report in outcome.reports:
        click.echo(f"qa report: {report}")
    sys.exit(0 if outcome.passed(limits) else 1)


def _report_qa(page: object, limits: object) -> None:
    from archiver.qa import PageQA, Thresholds

    assert isinstance(page, PageQA) and isinstance(limits, Thresholds)
    for result in page.profiles:
        problems = result.problems(limits)
        shot = "-" if result.screenshot_similarity is None else f"{result.screenshot_similarity:.3f}"
        text = "-" if result.text_similarity is None else f"{result.text_similarity:.3f}"
        broken = len(result.broken_images) + len(result.broken_media)
        click.echo(f"{'fail' if problems else 'pass':<6} {result.profile:<7} {len(result.misses):>6} "
                   f"{len(result.left_archive):>4} {broken:>6} {shot:>6} {text:>6}  {page.page.url}")
        for problem in problems:
            click.echo(f"archiver: qa: {page.page.url} ({result.profile}): {problem}", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def show(paths: tuple[Path, ...]) -> None:
    """A readable summary of the runs in PATHS (run folders, folders of runs, or manifest.json files;
    default warcs/): per page its title, byline, dates, URL, state, lead image and its credit,
    counts, and where its files are."""
    from archiver.captures import find_manifests
    from archiver.show import run_summary

    manifests = find_manifests(_replay_dirs(paths))
    if not manifests:
        raise click.ClickException("no manifest.json found")
    for index, manifest in enumerate(manifests):
        if index:
            click.echo()
        click.echo("\n".join(run_summary(manifest)))
