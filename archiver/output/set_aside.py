"""Captures taken out of their run, with a note saying why: `<output>/set-aside/<run id>/<capture id>/`.

A queue worker's capture that lost its commit (another attempt of the same job was kept), or that
a dead worker left uncommitted, is not part of any run: it is moved here whole, beside a
SET-ASIDE.json naming the capture that was kept, rather than deleted.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archiver.output.safe_paths import link_on_the_way, real_folder, write_new
from archiver.output.staging import unstage
from archiver.times import utc_iso

SET_ASIDE = "set-aside"
NOTE_NAME = "SET-ASIDE.json"


def set_aside_capture(
    output: Path,
    run_dir: Path,
    capture_id: str,
    why: str,
    job_id: str | None,
    url: str | None,
    kept: dict[str, Any] | None,
) -> dict[str, Any]:
    """Move `<run>/<capture id>/` to `<output>/set-aside/<run id>/<capture id>/`, with SET-ASIDE.json."""
    source = run_dir / capture_id
    target = output / SET_ASIDE / run_dir.name / capture_id
    real_folder(target.parent, output)  # never through a link someone planted in a shared output folder
    if source.is_dir() and link_on_the_way(source, output) is None and not os.path.lexists(target):
        shutil.rmtree(source / ".bodies", ignore_errors=True)  # bodies being streamed: in no record
        shutil.move(str(source), str(target))
    real_folder(target, output)
    note = {
        "set_aside_at": utc_iso(datetime.now(UTC)),
        "was": str(source.relative_to(output)),
        "now": str(target.relative_to(output)),
        "why": why,
        "job_id": job_id,
        "url": url,
        "kept": kept,
    }
    write_new(target / NOTE_NAME, (json.dumps(note, indent=2) + "\n").encode("utf-8"))
    unstage(run_dir, capture_id)
    return note
