"""After a crash: no WARC left half-written in an output folder.

The next run finds the `.warc.gz.open` files a dead run left, keeps every complete record of each
(cutting off a half-written last one, `archiver.warc.salvage`), and sets the capture aside, with a
note, in `<output>/interrupted/`: its page never reached a manifest, so it is not a capture anyone
vouched for. A file whose run folder is still held by a live writer is left alone.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archiver.output.locks import RUN_LOCK_NAME, try_lock_run
from archiver.output.set_aside import SET_ASIDE
from archiver.times import utc_iso
from archiver.warc.salvage import complete_length
from archiver.warc.writer import OPEN_SUFFIX

INTERRUPTED = "interrupted"


def recover_open_warcs(output: Path) -> list[dict[str, Any]]:
    """Salvage every `.warc.gz.open` under `output` into `output/interrupted/`; say what was done."""
    notes = []
    for open_file in sorted(output.rglob("*" + OPEN_SUFFIX)):
        if {INTERRUPTED, SET_ASIDE} & set(open_file.relative_to(output).parts):
            continue
        run_lock = try_lock_run(open_file.parent.parent)
        if run_lock is None and (open_file.parent.parent / RUN_LOCK_NAME).is_file():
            continue  # its writer is alive (a worker, or a run in a folder inside this one): not ours to touch
        try:
            if open_file.exists():  # another worker's recovery may have moved it meanwhile
                notes.append(_set_aside(output, open_file))
        finally:
            if run_lock is not None:
                run_lock.close()
    return notes


def _set_aside(output: Path, open_file: Path) -> dict[str, Any]:
    capture_dir = open_file.parent
    run_dir = capture_dir.parent
    target = output / INTERRUPTED / run_dir.name / capture_dir.name
    target.parent.mkdir(parents=True, exist_ok=True)
    size = open_file.stat().st_size
    good_end, records = complete_length(open_file)
    with open_file.open("r+b") as fh:
        fh.truncate(good_end)
    closed = open_file.with_name(open_file.name[: -len(OPEN_SUFFIX)])
    if records:
        os.replace(open_file, closed)
    else:
        open_file.unlink()  # not even its warcinfo was complete: nothing left to keep
    shutil.rmtree(capture_dir / ".bodies", ignore_errors=True)  # bodies being streamed: in no record
    shutil.move(str(capture_dir), str(target))
    note = {
        "set_aside_at": utc_iso(datetime.now(UTC)),
        "was": str(capture_dir.relative_to(output)),
        "now": str(target.relative_to(output)),
        "warc": closed.name if records else None,
        "complete_records_kept": records,
        "bytes_cut_off": size - good_end,
        "why": "the run writing this capture stopped before finishing it (killed or crashed); the page is "
        "not in any manifest. Complete records were kept; a half-written last record was cut off.",
    }
    (target / "INTERRUPTED.json").write_text(json.dumps(note, indent=2) + "\n")
    return note
