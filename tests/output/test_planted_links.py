"""Recovery never writes through a link someone planted in a shared output folder: a planted
`.warc.gz.open`, INTERRUPTED.json or SET-ASIDE.json, or a planted interrupted/ folder, leaves the
file it points at as it was, and the recovery says what it left alone."""

from __future__ import annotations

import os
from pathlib import Path

from archiver.output.interrupted import INTERRUPTED, recover_open_warcs
from archiver.output.set_aside import set_aside_capture
from archiver.warc.writer import RollingWarcWriter
from tests.support.warcs import GOOD

RUN = "20261202T090000Z-abc123"
CAPTURE = "20261202T090000Z-" + "0" * 16
PRECIOUS = b"the user's own file, which no recovery may touch\n" * 100


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "elsewhere" / "precious.txt"
    victim.parent.mkdir()
    victim.write_bytes(PRECIOUS)
    return victim


def _capture_dir(output: Path) -> Path:
    folder = output / RUN / CAPTURE
    folder.mkdir(parents=True)
    return folder


def _half_written(folder: Path) -> Path:
    """A capture a killed run left: complete records, and a last one cut short."""
    writer = RollingWarcWriter(folder, CAPTURE, {"software": "test"}, max_bytes=1 << 30)
    writer.write_exchange(GOOD)
    assert writer._fh is not None
    writer._fh.write(b"\x1f\x8b\x08\x00 cut short")
    writer._fh.flush()
    return next(folder.glob("*.warc.gz.open"))


def test_a_planted_open_warc_link_is_left_alone_and_its_target_untouched(tmp_path: Path) -> None:
    output, victim = tmp_path / "out", _victim(tmp_path)
    folder = _capture_dir(output)
    (folder / f"{CAPTURE}-00000.warc.gz.open").symlink_to(victim)
    notes = recover_open_warcs(output)
    assert victim.read_bytes() == PRECIOUS
    assert [note["left_alone"] for note in notes] == [f"{RUN}/{CAPTURE}/{CAPTURE}-00000.warc.gz.open"]
    assert "symbolic link" in notes[0]["why"]


def test_a_planted_note_link_is_not_written_through(tmp_path: Path) -> None:
    output, victim = tmp_path / "out", _victim(tmp_path)
    folder = _capture_dir(output)
    _half_written(folder)
    (folder / "INTERRUPTED.json").symlink_to(victim)
    (note,) = recover_open_warcs(output)
    assert victim.read_bytes() == PRECIOUS
    written = output / note["now"] / "INTERRUPTED.json"
    assert not written.is_symlink() and '"complete_records_kept": 3' in written.read_text()


def test_a_planted_interrupted_folder_link_takes_nothing_out_of_the_output(tmp_path: Path) -> None:
    output = tmp_path / "out"
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = _capture_dir(output)
    _half_written(folder)
    output.joinpath(INTERRUPTED).symlink_to(outside, target_is_directory=True)
    notes = recover_open_warcs(output)
    assert list(outside.iterdir()) == []  # nothing moved through the link
    assert folder.is_dir() and "symbolic link" in notes[0]["why"]


def test_a_planted_set_aside_note_link_is_not_written_through(tmp_path: Path) -> None:
    output, victim = tmp_path / "out", _victim(tmp_path)
    folder = _capture_dir(output)
    (folder / "SET-ASIDE.json").symlink_to(victim)
    note = set_aside_capture(output, output / RUN, CAPTURE, "lost its commit", "job", "https://x/", None)
    assert victim.read_bytes() == PRECIOUS
    assert not (output / note["now"] / "SET-ASIDE.json").is_symlink()


def test_planted_lock_and_manifest_links_are_not_written_through(tmp_path: Path) -> None:
    from archiver.jsonfile import write_json_atomic
    from archiver.output.locks import LOCK_NAME, OutputBusy, lock_output

    output, victim = tmp_path / "out", _victim(tmp_path)
    output.mkdir()
    (output / LOCK_NAME).symlink_to(victim)
    try:
        lock_output(output).close()
    except OutputBusy:
        pass  # refused: equally fine, as long as the target is untouched
    assert victim.read_bytes() == PRECIOUS
    (output / f"manifest.json.{os.getpid()}.tmp").symlink_to(victim)
    write_json_atomic(output / "manifest.json", {"run_id": "x"})
    assert victim.read_bytes() == PRECIOUS and not (output / "manifest.json").is_symlink()
