"""A bundle of some captures of its runs (an article's life, a search's results): it holds those
pages, their manifests as written, and says which; verify checks exactly those. Its pages carry
their text for ReplayWeb.page's search, within what ReplayWeb.page reads."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archiver.evidence.bundle import MAX_PAGES_TEXT, BundleError, BundleOptions, build_bundle
from archiver.evidence.verify import EXIT_UNSIGNED, FAIL, VerifyOptions, verdict, verify_bundle
from archiver.output.manifest import RunManifest
from archiver.terms import FileRole
from tests.support.stored_runs import stored_run


def _runs(output: Path, texts: list[str]) -> list[str]:
    """One run per text, each a page whose visible text is that text; their capture ids."""
    ids = []
    for n, text in enumerate(texts):
        manifest, result = stored_run(
            output,
            started=datetime(2026, 12, 1 + n, 9, 0, tzinfo=UTC),
            url=f"https://news.example/story-{n}",
            warc_prefix=f"story-{n}",
        )
        folder = manifest.run_dir / result.capture_id
        (folder / "text.txt").write_text(text, encoding="utf-8")
        _add_file(manifest, result, folder / "text.txt")
        ids.append(result.capture_id)
    return ids


def _add_file(manifest: RunManifest, result: object, path: Path) -> None:
    from archiver.capture.result import ArtifactFile

    result.files.append(ArtifactFile(path, FileRole.TEXT))  # type: ignore[attr-defined]
    manifest.pages.clear()
    manifest.add_page(result)  # type: ignore[arg-type]
    manifest.write()


def _member(bundle: Path, name: str) -> bytes:
    with zipfile.ZipFile(bundle) as archive:
        return archive.read(name)


def test_a_bundle_of_one_capture_holds_it_alone_and_verifies(tmp_path: Path) -> None:
    output = tmp_path / "out"
    ids = _runs(output, ["The first story's words.", "The second story's words."])
    bundle = tmp_path / "one.wacz"
    outcome = build_bundle([output], bundle, BundleOptions(), captures={ids[1]})
    assert outcome.pages == 1
    checks = verify_bundle(bundle, VerifyOptions())
    assert [c for c in checks if c.status == FAIL] == []
    assert verdict(checks).status == EXIT_UNSIGNED
    assert json.loads(_member(bundle, "manifests/selection.json")) == {"captures": [ids[1]]}
    pages = [json.loads(line) for line in _member(bundle, "pages/pages.jsonl").splitlines()[1:]]
    assert [(p["id"], p["text"]) for p in pages] == [(ids[1], "The second story's words.")]
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    assert not any(ids[0] in name for name in names)  # nothing of the other capture
    run_dir = next(p for p in output.iterdir() if ids[1] in {q.name for q in p.iterdir()})
    assert _member(bundle, f"manifests/{run_dir.name}.json") == (run_dir / "manifest.json").read_bytes()


def test_a_selection_naming_a_capture_no_manifest_lists_fails_verify(tmp_path: Path) -> None:
    output = tmp_path / "out"
    ids = _runs(output, ["words"])
    bundle = tmp_path / "one.wacz"
    build_bundle([output], bundle, BundleOptions(), captures={ids[0]})
    forged = tmp_path / "forged.wacz"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(forged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "manifests/selection.json":
                data = json.dumps({"captures": [ids[0], "20261231T000000Z-0123456789abcdef"]}).encode()
            target.writestr(item, data)
    assert verdict(verify_bundle(forged, VerifyOptions())).status == 1


def test_asking_for_a_capture_that_is_not_there_is_one_clear_error(tmp_path: Path) -> None:
    output = tmp_path / "out"
    _runs(output, ["words"])
    with pytest.raises(BundleError, match="no capture 20261231T000000Z-0123456789abcdef"):
        build_bundle([output], tmp_path / "x.wacz", BundleOptions(), captures={"20261231T000000Z-0123456789abcdef"})
    assert not (tmp_path / "x.wacz").exists()


def test_page_texts_together_stay_within_what_replaywebpage_reads(tmp_path: Path) -> None:
    output = tmp_path / "out"
    long = " ".join(["wörd"] * 150_000)  # 750,000 bytes each
    ids = _runs(output, [long, long, "a short one"])
    bundle = tmp_path / "all.wacz"
    build_bundle([output], bundle, BundleOptions())
    pages = {p["id"]: p for p in map(json.loads, _member(bundle, "pages/pages.jsonl").splitlines()[1:])}
    total = sum(len(p.get("text", "").encode("utf-8")) for p in pages.values())
    assert total <= MAX_PAGES_TEXT
    assert pages[ids[2]]["text"] == "a short one"
    assert all(pages[i]["text"].startswith("wörd wörd") and pages[i]["text"].endswith("wörd") for i in ids[:2])
    assert [c for c in verify_bundle(bundle, VerifyOptions()) if c.status == FAIL] == []
