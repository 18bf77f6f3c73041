"""`archiver diff` and `archiver history`: what changed in an article between stored captures."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from archiver.cli.common import SetupError, output_option, safe_json, say
from archiver.terms import PageState

EXIT_SAME, EXIT_CHANGED = 0, 1


@click.command()
@click.argument("old")
@click.argument("new")
@output_option("Where to look up OLD and NEW when they are capture ids.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the comparison as JSON (old and new value of each change)."
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write a self-contained HTML report (fields, marked text, photos, screenshot diff).",
)
def diff(old: str, new: str, output: Path, as_json: bool, html_path: Path | None) -> None:
    """Compare two captures of an article, from what they stored (never the live page).

    OLD and NEW are capture folders (<output>/<run id>/<capture id>) or capture ids under --output.
    Reported: headline, standfirst, authors, dates and canonical URL; the article text word by
    word, with page furniture, clock times and share counts left out; photos added, removed or
    replaced (a re-encoded copy of the same picture is told apart), captions and credits; and how
    much of the full-page screenshot changed.

    Exit status: 0 when nothing was edited, 1 when something was, 2 on error.
    """
    from archiver.changes.compare import compare
    from archiver.changes.snapshot import load_snapshot

    comparison = compare(load_snapshot(old, output), load_snapshot(new, output))
    if html_path is not None:
        from archiver.changes.html_report import render_html

        html_path.write_text(render_html(comparison), encoding="utf-8")
    if as_json:
        say(safe_json(comparison.to_dict()))
    else:
        _print_comparison(comparison)
    if html_path is not None:
        say(f"report: {html_path}", err=True)
    sys.exit(EXIT_CHANGED if comparison.changed else EXIT_SAME)


def _print_comparison(comparison: Any) -> None:
    old, new = comparison.old, comparison.new
    say(f"{new.url}")
    say(f"  before: {old.capture_id} ({old.captured_at})")
    say(f"  after:  {new.capture_id} ({new.captured_at})")
    if not comparison.changed:
        say("no edits")
    for change in comparison.fields:
        say(f"{change.label} changed:")
        say(f"  - {_shown(change.old)}")
        say(f"  + {_shown(change.new)}")
    text = comparison.text
    if text.changed:
        say(f"text: {len(text.changes)} change(s), {text.words_removed} word(s) removed, {text.words_added} added:")
        for change in text.changes:
            before, after = " ".join(change.context_before.split()), " ".join(change.context_after.split())
            say(f"  ...{before} [-{' '.join(change.old.split())}-]{{+{' '.join(change.new.split())}+}} {after}...")
    for change in comparison.photos:
        say(("" if change.is_edit else "(not an edit) ") + change.describe())
    if text.noise:
        kinds = sorted({item["kind"] for item in text.noise})
        say(f"left out as noise: {len(text.noise)} ({', '.join(kinds)})")
    if comparison.screenshot is not None:
        say(f"full-page screenshot: {comparison.screenshot.changed_fraction:.1%} of pixels differ")


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "(none)"
    return ", ".join(value) if isinstance(value, list) else str(value)


@click.command()
@click.argument("url")
@output_option("The output folder whose captures are listed.")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
def history(url: str, output: Path, as_json: bool) -> None:
    """List the captures of URL under --output, oldest first, each with what changed since the one before.

    Use `archiver diff` on two of the listed capture ids for the whole comparison.
    """
    from archiver.changes.history import history as page_history

    steps = []
    for step in page_history(url, output):
        steps.append(step)
        if not as_json:
            say(f"{step.captured_at}  {step.capture_id}  {_history_line(step)}")
    if not steps:
        raise SetupError(f"no capture of {url} under {output}")
    if as_json:
        say(safe_json({"url": url, "captures": [step.to_dict() for step in steps]}))


def _history_line(step: Any) -> str:
    state = "" if step.state == PageState.COMPLETE else f"[{step.state}] "
    if step.comparison is None:
        return state + "first capture"
    return state + ("; ".join(step.comparison.edits) if step.comparison.changed else "no edits")
