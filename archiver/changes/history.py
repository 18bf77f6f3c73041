"""Every stored capture of a page in an output folder, oldest first, and what changed between each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from archiver.changes.compare import Comparison, compare
from archiver.changes.snapshot import load_snapshot
from archiver.identity import page_id
from archiver.jsonfile import MANIFEST_NAME


@dataclass
class HistoryStep:
    capture_id: str
    captured_at: str
    folder: Path
    state: str
    comparison: Comparison | None  # with the capture before it; None for the first

    def to_dict(self) -> dict[str, Any]:
        return {"capture_id": self.capture_id, "captured_at": self.captured_at, "folder": str(self.folder),
                "state": self.state, "changed": self.comparison.changed if self.comparison else None,
                "summary": self.comparison.edits if self.comparison else []}


def captures_of(url: str, output: Path) -> list[tuple[Path, dict[str, Any]]]:
    """(run folder, manifest entry) of every capture of `url` that was not failed, oldest first.
    A capture is of `url` when it was asked for it or landed on it (same canonical URL)."""
    wanted = page_id(url)
    found = []
    for manifest_path in sorted(output.glob(f"*/{MANIFEST_NAME}")):
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for page in manifest.get("pages", []):
            urls = [page.get("requested_url"), page.get("final_url")]
            if page.get("state") != "failed" and any(u and page_id(u) == wanted for u in urls):
                found.append((manifest_path.parent, page))
    return sorted(found, key=lambda item: item[1]["started_at"])


def history(url: str, output: Path) -> Iterator[HistoryStep]:
    """The captures of `url`, each compared with the one before (text, fields and photos; the
    screenshots are left to `archiver diff`)."""
    previous = None
    for run_dir, entry in captures_of(url, output):
        snapshot = load_snapshot(str(run_dir / entry["capture_id"]), output)
        comparison = compare(previous, snapshot, screenshots=False) if previous is not None else None
        yield HistoryStep(entry["capture_id"], entry["started_at"], snapshot.folder, entry["state"], comparison)
        previous = snapshot
