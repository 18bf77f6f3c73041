"""Where a finished capture goes once the commit has decided: kept in its run's manifest, or set aside.

A worker captures into its own run folder, then *stages* the page (its manifest entry, checksums
included, written beside the run) before the commit, so that whatever happens next can be settled
by anyone: the winning attempt's entry reaches the manifest, a losing one's files are moved to
`<output>/set-aside/` with a note saying which attempt was kept.

`CaptureStore` is the whole interface a worker writes through: a store in object storage would
implement the same three steps.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from archiver.capture.result import PageResult
from archiver.jsonfile import write_json_atomic
from archiver.run.manifest import RunManifest
from archiver.times import utc_iso
from archiver.warc import recovery

STAGED = ".staged"  # <run>/.staged/<capture id>.json: captured, not yet committed
SET_ASIDE = recovery.SET_ASIDE  # <output>/set-aside/<run id>/<capture id>/


class CaptureStore(Protocol):
    def stage(self, job_id: str, result: PageResult) -> dict[str, Any]:
        """Make the page's manifest entry and keep it until the commit; return it."""

    def keep(self, entry: dict[str, Any]) -> None:
        """The commit was won: the page joins the run's manifest."""

    def set_aside(self, entry: dict[str, Any], job_id: str, why: str, kept: dict[str, Any] | None) -> dict[str, Any]:
        """The commit was lost: move the capture's files out of the run, noted; return the note."""


class RunFolderStore:
    """A run folder on a (possibly shared) filesystem, with its manifest."""

    def __init__(self, output: Path, manifest: RunManifest) -> None:
        self.output = output
        self.manifest = manifest

    def stage(self, job_id: str, result: PageResult) -> dict[str, Any]:
        entry = result.manifest_entry(self.manifest.run_dir)
        write_json_atomic(staged_path(self.manifest.run_dir, entry["capture_id"]), {"job_id": job_id, "entry": entry})
        return entry

    def keep(self, entry: dict[str, Any]) -> None:
        self.manifest.add_entry(entry)
        staged_path(self.manifest.run_dir, entry["capture_id"]).unlink(missing_ok=True)

    def set_aside(self, entry: dict[str, Any], job_id: str, why: str, kept: dict[str, Any] | None) -> dict[str, Any]:
        note = set_aside_capture(self.output, self.manifest.run_dir, entry["capture_id"], why, job_id,
                                 entry.get("requested_url"), kept)
        self.manifest.add_set_aside(note)
        return note


def staged_path(run_dir: Path, capture_id: str) -> Path:
    path = run_dir / STAGED / f"{capture_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def read_staged(path: Path) -> tuple[str, dict[str, Any]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return str(data["job_id"]), dict(data["entry"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # cut short by a crash while written: its capture is settled as unstaged


def set_aside_capture(output: Path, run_dir: Path, capture_id: str, why: str, job_id: str | None,
                      url: str | None, kept: dict[str, Any] | None) -> dict[str, Any]:
    """Move `<run>/<capture id>/` to `<output>/set-aside/<run id>/<capture id>/`, with SET-ASIDE.json."""
    source = run_dir / capture_id
    target = output / SET_ASIDE / run_dir.name / capture_id
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.exists():
        shutil.rmtree(source / ".bodies", ignore_errors=True)  # bodies being streamed: in no record
        shutil.move(str(source), str(target))
    target.mkdir(parents=True, exist_ok=True)
    note = {"set_aside_at": utc_iso(datetime.now(timezone.utc)), "was": str(source.relative_to(output)),
            "now": str(target.relative_to(output)), "why": why, "job_id": job_id, "url": url, "kept": kept}
    (target / "SET-ASIDE.json").write_text(json.dumps(note, indent=2) + "\n", encoding="utf-8")
    (run_dir / STAGED / f"{capture_id}.json").unlink(missing_ok=True)
    return note
