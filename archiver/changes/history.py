"""Every stored capture of a page in an output folder, oldest first, and what changed between each."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.changes.compare import Comparison, compare
from archiver.changes.snapshot import snapshot_of
from archiver.identity import page_id
from archiver.output.runs import scan_runs
from archiver.output.stored import StoredPage
from archiver.terms import PageState


@dataclass
class HistoryStep:
    capture_id: str
    captured_at: str
    folder: Path
    state: PageState
    comparison: Comparison | None  # with the capture before it; None for the first

    def to_dict(self) -> dict[str, Any]:
        return {
            "capture_id": self.capture_id,
            "captured_at": self.captured_at,
            "folder": str(self.folder),
            "state": str(self.state),
            "changed": self.comparison.changed if self.comparison else None,
            "summary": self.comparison.edits if self.comparison else [],
        }


def captures_of(url: str, output: Path) -> list[StoredPage]:
    """Every capture of `url` that was not failed, oldest first. A capture is of `url` when it was
    asked for it or landed on it (same canonical URL)."""
    wanted = page_id(url)
    found = [
        page
        for page in scan_runs([output]).pages
        if page.state != PageState.FAILED
        and any(u and page_id(u) == wanted for u in (page.requested_url, page.final_url))
    ]
    return sorted(found, key=lambda page: page.started_at)


def history(url: str, output: Path) -> Iterator[HistoryStep]:
    """The captures of `url`, each compared with the one before (text, fields and photos; the
    screenshots are left to `archiver diff`)."""
    previous = None
    for page in captures_of(url, output):
        snapshot = snapshot_of(page)
        comparison = compare(previous, snapshot, screenshots=False) if previous is not None else None
        yield HistoryStep(page.capture_id, page.started_at, snapshot.folder, page.state, comparison)
        previous = snapshot
