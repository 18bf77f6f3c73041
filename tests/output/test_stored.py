"""Stored runs are read back through one checked reader: what the writer writes reads back whole,
and a manifest that is damaged, edited or planted is refused in one line, never crashed on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from archiver.options import CaptureOptions
from archiver.output.manifest import RunManifest
from archiver.output.runs import scan_runs
from archiver.output.stored import StoredRun, UnreadableManifest
from archiver.terms import FileRole, PageState
from tests.support.stored_runs import URL, stored_run


def _edit(manifest: RunManifest, change: Any) -> None:
    data = json.loads(manifest.path.read_text())
    change(data)
    manifest.path.write_text(json.dumps(data))


def test_what_the_writer_writes_reads_back_typed(tmp_path: Path) -> None:
    manifest, result = stored_run(tmp_path)
    run = StoredRun.read(manifest.path)
    (page,) = run.pages
    assert (run.run_id, run.browser_version, run.capture_options()) == (manifest.run_id, "156.0", CaptureOptions())
    assert (page.capture_id, page.page_id, page.url, page.state) == (
        result.capture_id,
        result.page_id,
        URL,
        PageState.COMPLETE,
    )
    assert page.warcs == [manifest.run_dir / result.capture_id / "x-00000.warc.gz"]
    assert page.file(FileRole.VIEWPORT) == manifest.run_dir / result.capture_id / "viewport.png"
    assert page.headline == "Council votes" and page.article.text("authors") == "Jane Doe"
    assert [(c.value, c.source) for c in page.images[0].credits] == [("Ann Lee", "caption (Photo Credit: ...)")]
    assert page.locator() == {"run_id": run.run_id, "capture_id": page.capture_id, "url": URL}


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda m: m["pages"][0]["files"][0].update(path="../../../etc/hostname"), "outside its run folder"),
        (lambda m: m["pages"][0]["files"][0].update(path="/etc/hostname"), "outside its run folder"),
        (lambda m: m["pages"][0].update(capture_id="../elsewhere"), "not a capture id"),
        (lambda m: m.update(run_id="../../home"), "not a run id"),
        (lambda m: m["pages"][0].update(state="done"), "not complete, partial or failed"),
        (lambda m: m["pages"][0]["files"][0].update(sha256="abc"), "not a SHA-256"),
        (
            lambda m: m["pages"][0].update(
                dedup={"revisits": 1, "bytes_saved": 1, "requires": [{"run_id": "..", "path": "a", "sha256": "0" * 64}]}
            ),
            "not a run id",
        ),
        (lambda m: m["pages"][0].update(images="many"), "not a list"),
        (lambda m: m.update(pages=[7]), "not a JSON object"),
    ],
)
def test_a_planted_or_damaged_manifest_is_refused_saying_where(tmp_path: Path, change: Any, said: str) -> None:
    manifest, _ = stored_run(tmp_path)
    _edit(manifest, change)
    with pytest.raises(UnreadableManifest, match=said):
        StoredRun.read(manifest.path)


@pytest.mark.parametrize(
    "content", [b"{not json", b"\xff\xfe not text", b"[" * 100_000 + b"]" * 100_000, b"[]", b'{"run_id": 5}']
)
def test_a_manifest_that_is_not_one_is_refused_not_crashed_on(tmp_path: Path, content: bytes) -> None:
    manifest, _ = stored_run(tmp_path)
    manifest.path.write_bytes(content)
    with pytest.raises(UnreadableManifest):
        StoredRun.read(manifest.path)


def test_a_scan_reports_the_unreadable_manifest_and_reads_the_others(tmp_path: Path) -> None:
    good, _ = stored_run(tmp_path / "one")
    bad, _ = stored_run(tmp_path / "two")
    bad.path.write_text('{"pages": "nothing"}')
    scan = scan_runs([good.run_dir, bad.run_dir])
    assert [run.run_id for run in scan.runs] == [good.run_id]
    assert [entry.path for entry in scan.unreadable] == [bad.path]
    with pytest.raises(UnreadableManifest):
        scan.raise_if_unreadable()


def test_pages_are_told_apart_by_state(tmp_path: Path) -> None:
    manifest, _ = stored_run(tmp_path, PageState.PARTIAL)
    run = StoredRun.read(manifest.path)
    assert run.pages_in([PageState.COMPLETE]) == []
    assert [page.reason for page in run.pages_in([PageState.PARTIAL])] == ["it did not finish"]


@pytest.mark.parametrize(
    "argument",
    ["redis://:hunter2@queue:6379/0", "--redis=redis://worker:hunter2@queue/0", "https://ann:hunter2@intranet/x"],
)
def test_no_password_on_the_command_line_reaches_the_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argument: str
) -> None:
    monkeypatch.setattr("sys.argv", ["archiver", "worker", argument, "--output", "out"])
    manifest, _ = stored_run(tmp_path)
    manifest.write()
    written = manifest.path.read_text()
    assert "hunter2" not in written
    assert "queue" in written or "intranet" in written  # the rest of the address is kept


def test_a_file_reached_through_a_planted_link_is_not_the_captures(tmp_path: Path) -> None:
    manifest, result = stored_run(tmp_path / "out")
    victim = tmp_path / "secret.png"
    victim.write_bytes(b"someone else's file")
    shot = manifest.run_dir / result.capture_id / "viewport.png"
    shot.unlink()
    shot.symlink_to(victim)
    (page,) = StoredRun.read(manifest.path).pages
    assert page.file(FileRole.VIEWPORT) is None and page.files_with_role(FileRole.VIEWPORT) == []
    assert page.warcs  # the capture's own files are still its own
