"""Pages captured but not yet committed: `<run>/.staged/<capture id>.json`, the entry and its job.

A queue worker stages a page (its manifest entry, checksums included) before the commit decides
whether it is kept, so whoever comes next can settle it: the winner's entry joins the manifest,
a loser's capture is set aside.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archiver.jsonfile import write_json_atomic

STAGED = ".staged"


def staged_path(run_dir: Path, capture_id: str) -> Path:
    return run_dir / STAGED / f"{capture_id}.json"


def stage(run_dir: Path, job_id: str, entry: dict[str, Any]) -> None:
    path = staged_path(run_dir, str(entry["capture_id"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, {"job_id": job_id, "entry": entry})


def unstage(run_dir: Path, capture_id: str) -> None:
    staged_path(run_dir, capture_id).unlink(missing_ok=True)


def staged_files(run_dir: Path) -> list[Path]:
    return sorted((run_dir / STAGED).glob("*.json"))


def read_staged(path: Path) -> tuple[str, dict[str, Any]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return str(data["job_id"]), dict(data["entry"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # cut short by a crash while written: its capture is settled as unstaged
