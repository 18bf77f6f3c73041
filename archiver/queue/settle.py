"""What a dead worker left in a shared output folder, settled by the next worker that looks.

A worker killed mid-capture leaves a `.open` WARC: `archiver.output.interrupted` cuts it to its last complete
record and sets it aside, as after a killed `capture`. A worker killed after capturing leaves a
*staged* page: if its commit had won (the outcome in Redis names this very capture), the page is
added to its run's manifest, as the worker would have done; otherwise the capture is set aside,
since another attempt captures (or captured) the page. A capture folder in neither state is set
aside too. A run folder is touched only while its lock is free (its worker is gone), and held
while it is settled, so two workers never settle the same run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archiver.output.interrupted import INTERRUPTED, recover_open_warcs
from archiver.output.locks import RUN_LOCK_NAME, try_lock_run
from archiver.output.manifest import amend_manifest
from archiver.output.set_aside import SET_ASIDE, set_aside_capture
from archiver.output.staging import read_staged, staged_files, unstage
from archiver.output.stored import CAPTURE_ID, MANIFEST_NAME, StoredPage, StoredRun, UnreadableManifest

log = logging.getLogger(__name__)
OutcomeOf = Callable[[str], "dict[str, Any] | None"]  # job id -> its recorded outcome (from Redis)


@dataclass
class Settled:
    """What settling an output folder did, by kind (each kind is recorded in its own place)."""

    interrupted: list[dict[str, Any]] = field(default_factory=list)  # .open WARCs cut and set aside
    set_aside: list[dict[str, Any]] = field(default_factory=list)  # captures no commit kept
    committed: list[dict[str, str]] = field(default_factory=list)  # won commits added to their manifest


def settle_dead_runs(output: Path, outcome_of: OutcomeOf) -> Settled:
    """Settle every run folder in `output` whose worker is gone."""
    settled = Settled(interrupted=recover_open_warcs(output))
    for run_dir in sorted(path for path in output.iterdir() if (path / RUN_LOCK_NAME).is_file()):
        if run_dir.is_symlink():
            log.warning("left alone: %s is a symbolic link, not a run folder of this output", run_dir)
            continue
        if run_dir.name in (INTERRUPTED, SET_ASIDE) or not (run_dir / MANIFEST_NAME).is_file():
            continue
        lock = try_lock_run(run_dir)
        if lock is None:
            continue  # its worker is alive
        try:
            _settle_run(output, run_dir, outcome_of, settled)
        finally:
            lock.close()
    return settled


def _settle_run(output: Path, run_dir: Path, outcome_of: OutcomeOf, settled: Settled) -> None:
    try:
        run = StoredRun.read(run_dir / MANIFEST_NAME)
    except UnreadableManifest as exc:
        log.warning("left alone: %s", exc)  # nothing to settle against; its files stay where they are
        return
    listed = run.capture_ids
    committed: list[StoredPage] = []
    notes: list[dict[str, Any]] = []
    for staged in staged_files(run_dir):
        page = _staged_page(run, staged)
        if page is None:
            staged.unlink()
            continue
        job_id, entry = page
        outcome = outcome_of(job_id)
        if _names(outcome, run_dir.name, entry.capture_id):
            committed.append(entry)  # the commit was won: finish what the worker began
            listed.add(entry.capture_id)
            continue
        why = "its worker stopped after capturing and before committing; the job was " + (
            "committed by another attempt" if outcome else "handed to another attempt"
        )
        notes.append(
            set_aside_capture(output, run_dir, entry.capture_id, why, job_id, entry.requested_url, _kept(outcome))
        )
    for capture_dir in sorted(path for path in run_dir.iterdir() if path.is_dir() and CAPTURE_ID.match(path.name)):
        if capture_dir.name not in listed:
            notes.append(
                set_aside_capture(
                    output,
                    run_dir,
                    capture_dir.name,
                    "its worker stopped before this capture was staged; it is in no manifest",
                    None,
                    None,
                    None,
                )
            )
    if committed or notes:
        amend_manifest(run, committed, notes)
    for entry in committed:
        unstage(run_dir, entry.capture_id)
    settled.set_aside.extend(notes)
    settled.committed.extend({"run_id": run_dir.name, "capture_id": entry.capture_id} for entry in committed)


def _staged_page(run: StoredRun, path: Path) -> tuple[str, StoredPage] | None:
    """A staged entry, checked like a manifest's (a planted one naming paths outside is refused)."""
    read = read_staged(path)
    if read is None:
        return None
    job_id, entry = read
    try:
        return job_id, StoredPage.from_entry(run.run_dir, run.run_id, entry, str(path))
    except UnreadableManifest as exc:
        log.warning("staged entry refused: %s", exc)
        return None


def _names(outcome: dict[str, Any] | None, run_id: str, capture_id: str) -> bool:
    return outcome is not None and outcome.get("run_id") == run_id and outcome.get("capture_id") == capture_id


def _kept(outcome: dict[str, Any] | None) -> dict[str, Any] | None:
    if not outcome:
        return None
    return {key: outcome.get(key) for key in ("run_id", "capture_id", "worker")}
