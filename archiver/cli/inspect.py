"""`archiver lint` and `archiver show`: look at what a capture stored, without replaying it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archiver.cli.common import folders_or_default, say


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def lint(paths: tuple[Path, ...]) -> None:
    """Check WARC files (or every WARC under a folder) against the normalization rules.

    Prints one line per problem; exit status 1 when there is any.
    """
    from archiver.warc.lint import lint_paths, warc_files

    files = warc_files(paths)
    if not files:
        raise click.ClickException("no WARC files found")
    issues = lint_paths(files)
    for issue in issues:
        click.echo(str(issue))
    click.echo(f"{len(files)} WARC file(s), {len(issues)} problem(s)")
    sys.exit(1 if issues else 0)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def show(paths: tuple[Path, ...]) -> None:
    """A readable summary of the runs in PATHS (run folders, folders of runs, or manifest.json files;
    default warcs/): per page its title, byline, dates, URL, state, lead image and its credit,
    counts, and where its files are."""
    from archiver.output.runs import scan_runs
    from archiver.run.summary import run_summary

    scan = scan_runs(folders_or_default(paths))
    if not scan.runs and not scan.unreadable:
        raise click.ClickException("no manifest.json found")
    for index, run in enumerate(scan.runs):
        if index:
            click.echo()
        say("\n".join(run_summary(run)))
    for unreadable in scan.unreadable:
        say(f"archiver: left out: {unreadable.reason}", err=True)
    if scan.unreadable:
        sys.exit(1)
