"""What a dead worker left is settled without ever reaching out of the output folder: a staged
entry or a run folder planted to name a folder elsewhere moves nothing in."""

from __future__ import annotations

from pathlib import Path

from archiver.output.locks import RUN_LOCK_NAME
from archiver.output.staging import stage
from archiver.queue.settle import settle_dead_runs
from tests.support.stored_runs import stored_run


def test_a_staged_entry_naming_a_folder_outside_the_output_moves_nothing(tmp_path: Path) -> None:
    output = tmp_path / "out"
    manifest, result = stored_run(output)
    (manifest.run_dir / RUN_LOCK_NAME).write_text("")  # its worker is gone: the lock is free
    outside = tmp_path / "home" / "precious"
    outside.mkdir(parents=True)
    (outside / "thesis.txt").write_text("years of work")
    entry = dict(manifest.entry_of(result).entry)
    entry["capture_id"] = "../../home/precious"
    stage(manifest.run_dir, "job-1", {**entry, "capture_id": "20261202T090000Z-1111111111111111"})
    staged = next((manifest.run_dir / ".staged").glob("*.json"))
    staged.write_text(staged.read_text().replace("20261202T090000Z-1111111111111111", "../../home/precious"))
    settle_dead_runs(output, lambda job_id: None)
    assert (outside / "thesis.txt").read_text() == "years of work"
    assert not any(path.name == "precious" for path in output.rglob("*"))


def test_a_run_folder_that_is_a_link_is_left_alone(tmp_path: Path) -> None:
    output, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    manifest, _ = stored_run(elsewhere)
    (manifest.run_dir / RUN_LOCK_NAME).write_text("")
    unlisted = manifest.run_dir / "20261202T100000Z-2222222222222222"  # a capture no manifest lists
    unlisted.mkdir()
    (unlisted / "notes.txt").write_text("someone else's")
    output.mkdir()
    (output / manifest.run_dir.name).symlink_to(manifest.run_dir, target_is_directory=True)
    settle_dead_runs(output, lambda job_id: None)
    assert (unlisted / "notes.txt").read_text() == "someone else's"  # not moved into the output
    assert not (output / "set-aside").exists()
