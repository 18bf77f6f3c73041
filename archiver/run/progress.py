"""What a capture run tells the person watching: a progress bar on a terminal, plain lines otherwise,
and, on request, one machine-readable JSON summary at the end."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from archiver.capture.result import PageResult
from archiver.run.batch import RunHooks, RunOutcome
from archiver.run.seeds import Seed
from archiver.terms import COMPLETE, FAILED, PageState


def page_line(result: PageResult) -> str:
    """The one line a captured page gets: state, HTTP status, URL."""
    status = result.status if result.status is not None else "-"
    return f"{result.state:<8} {status!s:>3}  {result.requested_url}"


def skip_line(url: str, prior: dict[str, str]) -> str:
    return f"skipped  ---  {url} (complete in run {prior['run_id']})"


class Reporter:
    def __init__(self, as_json: bool = False, stream: TextIO | None = None) -> None:
        self.as_json = as_json
        # With --json, stdout carries only the summary: the per-page lines go to stderr.
        self.out = stream or (sys.stderr if as_json else sys.stdout)
        self.progress: Any = None
        self.task: Any = None

    def hooks(self) -> RunHooks:
        return RunHooks(on_start=self.start, on_page=self.page, on_skip=self.skip, on_retry=self.retry)

    def start(self, total: int) -> None:
        if total and sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("capturing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
            )
            self.task = self.progress.add_task("pages", total=total)
            self.progress.start()

    def _line(self, text: str, err: bool = False) -> None:
        target = sys.stderr if err else self.out
        if self.progress is not None:
            self.progress.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=target, flush=True)

    def page(self, result: PageResult) -> None:
        """One line per page; at most one more on stderr, for a page that needs a look."""
        self._line(page_line(result))
        problems = [result.reason] if result.state != COMPLETE and result.reason else []
        problems += result.warnings
        if problems:
            label = result.state if result.state != COMPLETE else "warning"
            self._line(f"archiver: {label}: {result.requested_url}: {'; '.join(problems)}", err=True)
        if self.progress is not None:
            self.progress.advance(self.task)

    def skip(self, seed: Seed, prior: dict[str, str]) -> None:
        self._line(skip_line(seed.url, prior))

    def retry(self, seed: Seed, reason: str, delay: float) -> None:
        self._line(f"archiver: retrying in {delay:g}s: {seed.url}: {reason}", err=True)

    def finish(self, outcome: RunOutcome) -> None:
        if self.progress is not None:
            self.progress.stop()
        for note in outcome.recovered:
            if note.get("left_alone"):
                self._line(f"archiver: left alone: {note['left_alone']}: {note['why']}", err=True)
                continue
            self._line(
                f"archiver: a capture interrupted in an earlier run was set aside in {note['now']} "
                f"({note['complete_records_kept']} complete records kept)",
                err=True,
            )
        if self.as_json:
            print(json.dumps(summary(outcome), indent=2), flush=True)
            return
        for result in outcome.results:
            if result.state == FAILED and not result.files:
                continue
            for artifact in result.files:
                self._line(f"  {artifact.role:<21} {artifact.path}")
        done = sum(r.state == COMPLETE for r in outcome.results)
        skipped = f", {len(outcome.skipped)} skipped (already complete)" if outcome.skipped else ""
        self._line(f"{done}/{len(outcome.results)} pages complete{skipped}; manifest: {outcome.manifest_path}")


def summary(outcome: RunOutcome) -> dict[str, Any]:
    states = [r.state for r in outcome.results]
    return {
        "run_dir": str(outcome.run_dir),
        "manifest": str(outcome.manifest_path),
        **{state.value: states.count(state) for state in PageState},
        "skipped": outcome.skipped,
        "recovered": outcome.recovered,
        "pages": [
            {
                "url": r.requested_url,
                "final_url": r.final_url,
                "state": str(r.state),
                "status": r.status,
                "reason": r.reason,
                "capture_id": r.capture_id,
                "files": [str(f.path) for f in r.files],
            }
            for r in outcome.results
        ],
    }
