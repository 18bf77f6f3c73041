"""The output folder's dedup index: built from what the manifests list, kept as a cache."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from archiver.output.dedup_index import INDEX_NAME, DedupIndex
from archiver.terms import PageState
from tests.support.stored_runs import stored_run
from tests.support.warcs import GOOD

CSS = replace(GOOD, target_uri="http://example.org/a.css")
NEWER_CSS = replace(CSS, response_body=b"b{} ")


def test_the_latest_listed_capture_of_a_url_is_its_original(tmp_path: Path) -> None:
    first, _ = stored_run(tmp_path, exchanges=[CSS], started=datetime(2026, 12, 1, tzinfo=UTC))
    second, _ = stored_run(tmp_path, exchanges=[NEWER_CSS], started=datetime(2026, 12, 2, tzinfo=UTC))
    original = DedupIndex.load(tmp_path).latest["http://example.org/a.css"]
    assert original.run_id == second.run_id and original.size == 4
    assert (tmp_path / INDEX_NAME).is_file()


def test_a_failed_page_and_an_unreadable_manifest_vouch_for_nothing(tmp_path: Path) -> None:
    stored_run(tmp_path, state=PageState.FAILED, exchanges=[CSS], started=datetime(2026, 12, 1, tzinfo=UTC))
    broken, _ = stored_run(tmp_path, exchanges=[NEWER_CSS], started=datetime(2026, 12, 2, tzinfo=UTC))
    broken.path.write_text('{"run_id": "../x"}')
    assert DedupIndex.load(tmp_path).latest == {}


def test_the_index_is_rebuilt_when_a_file_it_indexed_is_no_longer_the_one_listed(tmp_path: Path) -> None:
    stored_run(tmp_path, exchanges=[CSS])
    expected = DedupIndex.load(tmp_path).latest
    data = json.loads((tmp_path / INDEX_NAME).read_text())
    data["indexed"] = dict.fromkeys(data["indexed"], "0" * 64)
    data["latest"] = {}
    (tmp_path / INDEX_NAME).write_text(json.dumps(data))
    assert DedupIndex.load(tmp_path).latest == expected


def test_a_poisoned_index_never_yields_a_revisit_that_points_at_nothing(tmp_path: Path) -> None:
    stored_run(tmp_path, exchanges=[CSS])
    good = DedupIndex.load(tmp_path)
    original = good.latest["http://example.org/a.css"]
    data = json.loads((tmp_path / INDEX_NAME).read_text())
    data["latest"]["http://example.org/a.css"]["record_id"] = "<urn:uuid:00000000-0000-0000-0000-000000000000>"
    (tmp_path / INDEX_NAME).write_text(json.dumps(data))
    poisoned = DedupIndex.load(tmp_path)
    assert poisoned.find("http://example.org/a.css", original.digest) is None  # stored whole instead


def test_an_index_naming_files_outside_the_output_is_rebuilt(tmp_path: Path) -> None:
    stored_run(tmp_path, exchanges=[CSS])
    expected = DedupIndex.load(tmp_path).latest
    data = json.loads((tmp_path / INDEX_NAME).read_text())
    data["latest"]["http://example.org/a.css"]["run_id"] = "../../elsewhere"
    (tmp_path / INDEX_NAME).write_text(json.dumps(data))
    assert DedupIndex.load(tmp_path).latest == expected
