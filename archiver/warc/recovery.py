"""After a crash: one run at a time per output folder, and no WARC left half-written.

A run holds an exclusive lock on its output folder (the kernel drops it when the process dies, even
by SIGKILL); queue workers, which share an output folder, hold it shared, and each holds its own run
folder's lock. The next run finds the `.warc.gz.open` files the dead run left, keeps every complete
record of each (cutting off a half-written last one), and sets the capture aside, with a note, in
`<output>/interrupted/`: its page never reached a manifest, so it is not a capture anyone vouched for.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from archiver.errors import ArchiverError
from archiver.times import utc_iso
from archiver.warc.writer import OPEN_SUFFIX

LOCK_NAME = ".archiver.lock"
RUN_LOCK_NAME = ".run.lock"  # held by the run writing a run folder
INTERRUPTED = "interrupted"
SET_ASIDE = "set-aside"  # a queue worker's captures that were not kept (see archiver.queue.store)
HEAD_BYTES = 1 << 16  # WARC headers of one record fit in this


class OutputBusy(ArchiverError):
    pass


def lock_output(output: Path, shared: bool = False) -> IO[str]:
    """Hold the output folder for this run; raises OutputBusy when another run holds it, or holds
    a folder around it or inside it (the outer run's recovery would take the inner run's files).
    `shared`: several queue workers may hold it together, but not alongside a `capture` run."""
    output.mkdir(parents=True, exist_ok=True)
    resolved = output.resolve()
    for parent in resolved.parents:
        if _held(parent / LOCK_NAME):
            raise OutputBusy(f"an archiver run is writing to {parent}, which holds {output}; "
                             "use a folder outside it") from None
    for inner in resolved.rglob(LOCK_NAME):
        if inner.parent != resolved and _held(inner):
            raise OutputBusy(f"an archiver run is writing to {inner.parent}, inside {output}; "
                             "wait for it or use another --output") from None
    if shared:
        return _hold(output / LOCK_NAME, f"an archiver capture run is writing to {output}; wait for it or "
                                         "use another --output", fcntl.LOCK_SH)
    return _hold(output / LOCK_NAME, f"another archiver run or worker is writing to {output}; wait for it or "
                                     "use another --output")


def lock_run(run_dir: Path) -> IO[str]:
    """Hold a run folder while its captures are written: recovery leaves a held run's files alone."""
    run_dir.mkdir(parents=True, exist_ok=True)
    return _hold(run_dir / RUN_LOCK_NAME, f"{run_dir} is being written by another run")


def try_lock_run(run_dir: Path) -> IO[str] | None:
    """Hold a run folder whose writer is gone (to settle what it left); None while its writer lives."""
    if not (run_dir / RUN_LOCK_NAME).is_file():
        return None
    try:
        return _hold(run_dir / RUN_LOCK_NAME, "")
    except (OutputBusy, OSError):
        return None


def _hold(path: Path, busy: str, mode: int = fcntl.LOCK_EX) -> IO[str]:
    handle = open(path, "a")  # not "w": a held lock file keeps the pid its holder wrote
    try:
        fcntl.flock(handle, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise OutputBusy(busy) from None
    if mode == fcntl.LOCK_EX:
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
    return handle


def _held(path: Path) -> bool:
    """Whether a live process holds the lock file at `path` (the kernel drops it when the process dies)."""
    if not path.is_file():
        return False  # never create a lock file where no run made one
    try:
        with open(path) as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(handle, fcntl.LOCK_UN)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def complete_length(path: Path) -> tuple[int, int]:
    """(bytes up to the end of the last complete record, number of complete records).

    Each record is its own gzip member: a record is complete when its member ends (gzip trailer
    read) and holds exactly the WARC headers, the Content-Length bytes they announce, and CRLF CRLF.
    """
    good_end, records = 0, 0
    with path.open("rb") as fh:
        while True:
            member = _gzip_member(fh, good_end)
            if member is None or not _whole_record(member[1], member[2]):
                return good_end, records
            good_end, records = member[0], records + 1


def _gzip_member(fh: IO[bytes], offset: int) -> tuple[int, bytes, int] | None:
    """(end offset, first bytes, decompressed size) of the gzip member at `offset`; None if cut short."""
    fh.seek(offset)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    consumed, size, head = 0, 0, b""
    while True:
        data = fh.read(1 << 16)
        if not data:
            return None
        try:
            out = inflater.decompress(data)
        except zlib.error:
            return None
        if len(head) < HEAD_BYTES:
            head += out[: HEAD_BYTES - len(head)]
        size += len(out)
        if inflater.eof:
            return offset + consumed + len(data) - len(inflater.unused_data), head, size
        consumed += len(data)


def _whole_record(head: bytes, size: int) -> bool:
    header_end = head.find(b"\r\n\r\n")
    if not head.startswith(b"WARC/") or header_end < 0:
        return False
    for line in head[:header_end].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return size == header_end + 4 + int(value.strip()) + 4
    return False


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
        "set_aside_at": utc_iso(datetime.now(timezone.utc)),
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
