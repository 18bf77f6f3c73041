"""One run at a time per output folder, and each run folder held while it is written.

A run holds an exclusive lock on its output folder (the kernel drops it when the process dies, even
by SIGKILL); queue workers, which share an output folder, hold it shared, and each holds its own run
folder's lock, so that recovery touches only what a dead writer left.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from archiver.errors import ArchiverError

LOCK_NAME = ".archiver.lock"
RUN_LOCK_NAME = ".run.lock"  # held by the run writing a run folder


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
            raise OutputBusy(
                f"an archiver run is writing to {parent}, which holds {output}; use a folder outside it"
            ) from None
    for inner in resolved.rglob(LOCK_NAME):
        if inner.parent != resolved and _held(inner):
            raise OutputBusy(
                f"an archiver run is writing to {inner.parent}, inside {output}; wait for it or use another --output"
            ) from None
    if shared:
        return _hold(
            output / LOCK_NAME,
            f"an archiver capture run is writing to {output}; wait for it or use another --output",
            fcntl.LOCK_SH,
        )
    return _hold(
        output / LOCK_NAME,
        f"another archiver run or worker is writing to {output}; wait for it or use another --output",
    )


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
    # Not truncated on open: a held lock file keeps the pid its holder wrote. Never through a link
    # someone planted under its name (it would truncate the file the link points at).
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise OutputBusy(
            f"cannot hold {path}: {exc.strerror} (a symbolic link planted there is not followed)"
        ) from None
    handle = os.fdopen(fd, "a")
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
