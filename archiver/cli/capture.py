"""`archiver capture` and `archiver serve-sample`: pages in, a run folder out."""

from __future__ import annotations

import asyncio
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from archiver.cli.capture_options import capture_flags, pop_capture_options
from archiver.cli.common import (
    browser_option,
    concurrency_option,
    input_option,
    output_option,
    profiles_option,
    refuse_private_seeds_option,
    resolve_option,
    retries_option,
)


@click.command()
@click.argument("urls", nargs=-1)
@input_option
@output_option("Folder for the run folders (each run gets <output>/<run id>/).")
@click.option("--sample", is_flag=True, help="Also capture the bundled sample news article, served on 127.0.0.1.")
@concurrency_option
@retries_option
@click.option(
    "--recapture",
    is_flag=True,
    help="Capture every URL again, even when an earlier run in --output captured it completely. "
    "What has not changed since is stored as revisit records (see --no-dedup).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a machine-readable summary on stdout at the end (the per-page lines go to stderr).",
)
@browser_option
@resolve_option
@refuse_private_seeds_option
@profiles_option
@capture_flags
def capture(
    urls: tuple[str, ...],
    inputs: tuple[str, ...],
    output: Path,
    sample: bool,
    concurrency: int,
    retries: int,
    recapture: bool,
    as_json: bool,
    browser_path: str | None,
    resolve: tuple[tuple[str, str], ...],
    refuse_private_seeds: bool,
    profiles_dir: str | None,
    **flags: Any,
) -> None:
    """Capture each URL: WARC files, screenshots and the DOM, and a manifest.json for the run.

    Pages an earlier run in the same --output captured completely are skipped (see --recapture);
    captures a killed run left half-written are first set aside in <output>/interrupted/.

    Exit status: 0 when every page was captured completely (an HTTP error page such as a 404 is
    captured, with a warning); 1 when any page is partial or failed; 2 for a usage or set-up error.
    """
    options = pop_capture_options(flags)
    if not urls and not inputs and not sample:
        raise click.UsageError("give at least one URL, an --input file, or --sample for the bundled sample article")
    from archiver.run.batch import RunSettings, capture_urls  # imported here: `archiver --help` stays fast
    from archiver.run.progress import Reporter
    from archiver.run.seeds import read_seeds

    reporter = Reporter(as_json)
    settings = RunSettings(
        concurrency=concurrency,
        retries=retries,
        resume=not recapture,
        resolve=resolve,
        private_seeds=not refuse_private_seeds,
        profiles_dir=profiles_dir,
    )
    with ExitStack() as stack:
        seeds = read_seeds(urls, inputs)
        if sample:
            from archiver.sample import serve_sample

            seeds += read_seeds([stack.enter_context(serve_sample())])
        if not seeds:
            raise click.UsageError("no URL to capture: the input held none (blank lines and comments only)")
        # A full disk or a read-only folder ends it with one line (cli.common): what was finished
        # stays in its manifest.
        outcome = asyncio.run(capture_urls(seeds, output, options, browser_path, settings, reporter.hooks()))
    reporter.finish(outcome)
    sys.exit(0 if outcome.all_complete else 1)


@click.command("serve-sample")
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
