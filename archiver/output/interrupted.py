"""After a crash: no WARC left half-written in an output folder.

The next run finds the `.warc.gz.open` files a dead run left, keeps every complete record of each
(cutting off a half-written last one, `archiver.warc.salvage`), and sets the capture aside, with a
note, in `<output>/interrupted/`: its page never reached a manifest, so it is not a capture anyone
vouched for. A file whose run folder is still held by a live writer is left alone.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archiver.output.locks import RUN_LOCK_NAME, try_lock_run
from archiver.output.safe_paths import PlantedLink, link_on_the_way, open_regular, real_folder, write_new
from archiver.output.set_aside import SET_ASIDE
from archiver.times import utc_iso
from archiver.warc.salvage import complete_length
from archiver.warc.writer import OPEN_SUFFIX

INTERRUPTED = "interrupted"

log = logging.getLogger(__name__)


def recover_open_warcs(output: Path) -> list[dict[str, Any]]:
    """Salvage every `.warc.gz.open` under `output` into `output/interrupted/`; say what was done,
    and what was left alone (a symbolic link planted where a half-written file would be)."""
    notes = []
    for open_file in _open_warcs(output):
        run_dir = open_file.parent.parent
        planted = link_on_the_way(open_file, output)
        if planted is not None or not open_file.is_file():
            notes.append(_left_alone(output, open_file, f"{planted or open_file} is a symbolic link or not a file"))
            continue
        run_lock = try_lock_run(run_dir)
        if run_lock is None and (run_dir / RUN_LOCK_NAME).is_file():
            continue  # its writer is alive (a worker, or a run in a folder inside this one): not ours to touch
        try:
            if open_file.exists():  # another worker's recovery may have moved it meanwhile
                notes.append(_set_aside(output, open_file))
        except PlantedLink as exc:
            notes.append(_left_alone(output, open_file, str(exc)))
        finally:
            if run_lock is not None:
                run_lock.close()
    return notes


def _open_warcs(output: Path) -> list[Path]:
    """The `.open` WARC files of the run folders under `output` (links to folders not followed)."""
    found = []
    for folder, subfolders, names in os.walk(output, followlinks=False):
        if Path(folder) == output:
            subfolders[:] = [name for name in subfolders if name not in (INTERRUPTED, SET_ASIDE)]
        found += [Path(folder) / name for name in names if name.endswith(OPEN_SUFFIX)]
    return sorted(found)


def _left_alone(output: Path, open_file: Path, why: str) -> dict[str, Any]:
    log.warning("left alone: %s", why)
    return {
        "set_aside_at": utc_iso(datetime.now(UTC)),
        "left_alone": str(open_file.relative_to(output)),
        "now": None,
        "why": f"not touched: {why}; a recovery never writes, cuts or moves through a link",
    }


def _set_aside(output: Path, open_file: Path) -> dict[str, Any]:
    capture_dir = open_file.parent
    run_dir = capture_dir.parent
    target = output / INTERRUPTED / run_dir.name / capture_dir.name
    real_folder(target.parent, output)
    if os.path.lexists(target):
        raise PlantedLink(f"{target} is there already; nothing is moved over it")
    with os.fdopen(open_regular(open_file, os.O_RDWR), "r+b") as fh:  # the file itself, not a link to another
        size = os.fstat(fh.fileno()).st_size
        good_end, records = complete_length(fh)
        fh.truncate(good_end)
    closed = open_file.with_name(open_file.name[: -len(OPEN_SUFFIX)])
    if records:
        os.replace(open_file, closed)  # a link planted under the closed name is replaced, not followed
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
    write_new(target / "INTERRUPTED.json", (json.dumps(note, indent=2) + "\n").encode("utf-8"))
    return note
