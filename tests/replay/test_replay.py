"""Replay in real pywb on 127.0.0.1: every record comes back as stored, and QA sees holes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from archiver.identity import sha256_file
from archiver.output.manifest import load_schema
from archiver.replay.pywb import PywbServer, build_collection, ensure_pywb
from archiver.replay.qa import Thresholds, run_qa
from archiver.run.batch import RunOutcome
from archiver.warc.lint import lint_paths
from tests.support.cli import ARCHIVER
from tests.support.replay_http import fetch, timestamp
from tests.support.warcs import Record, records_of, rewrite_warc

pytestmark = [pytest.mark.browser, pytest.mark.pywb]


@pytest.fixture(scope="module")
def served(article_capture: RunOutcome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PywbServer]:
    root = tmp_path_factory.mktemp("pywb")
    build_collection(ensure_pywb(), root, list(article_capture.run_dir.rglob("*.warc.gz")), framed=False)
    with PywbServer(ensure_pywb(), root) as server:
        yield server


@pytest.fixture(scope="module")
def records(article_capture: RunOutcome) -> list[Record]:
    return records_of(article_capture.run_dir)


def test_every_response_replays_raw_with_its_status_and_payload(served: PywbServer, records: list[Record]) -> None:
    checked = 0
    for index, record in enumerate(records):
        if record.type != "response":
            continue
        request = records[index + 1]
        assert request.type == "request" and request.uri == record.uri
        body = request.payload if request.http.protocol in ("POST", "PUT") else None
        headers = {"Content-Type": request.http.get_header("Content-Type")} if body else {}
        status, payload = fetch(served.url(timestamp(record), record.uri, "id_"), body, headers)
        assert (status, payload) == (record.status, record.payload), record.uri
        checked += 1
    assert checked >= 35


def test_every_resource_replays_raw(served: PywbServer, records: list[Record]) -> None:
    resources = [r for r in records if r.type == "resource"]
    assert {r.uri.split(":")[1] for r in resources} == {"view", "fullPage", "dom", "text"}
    for record in resources:
        assert fetch(served.url(timestamp(record), record.uri, "id_")) == (200, record.payload), record.uri


def test_html_page_replays_rewritten(served: PywbServer, records: list[Record]) -> None:
    page = next(r for r in records if r.type == "response" and r.uri.endswith("/article"))
    status, body = fetch(served.url(timestamp(page), page.uri, "mp_"), follow=True)  # to the exact second
    assert status == 200
    assert b"Fixture article: everything loads late" in body
    assert b"wombat" in body  # pywb's client-side rewriting was injected


def _copy_run(outcome: RunOutcome, target: Path) -> Path:
    shutil.copytree(outcome.run_dir, target)
    return target


def _qa(run_dir: Path) -> dict:
    import asyncio

    asyncio.run(run_qa([run_dir], Thresholds()))
    return json.loads((run_dir / "qa.json").read_text())


def test_qa_passes_at_both_sizes_and_is_listed_in_the_manifest(article_capture: RunOutcome, tmp_path: Path) -> None:
    run_dir = _copy_run(article_capture, tmp_path / "run")
    report = _qa(run_dir)
    (page,) = report["pages"]
    assert [p["profile"] for p in page["profiles"]] == ["desktop", "phone"]
    for profile in page["profiles"]:
        assert profile["misses"] == [], profile["profile"]
        assert profile["left_archive"] == [], profile["profile"]
        assert profile["broken_images"] == [] and profile["broken_media"] == [], profile["profile"]
        assert profile["text_similarity"] >= 0.95, profile["profile"]
        assert profile["requests"] > 20
    assert page["profiles"][0]["screenshot_similarity"] >= 0.95
    assert report["passed"] is True
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["qa"]["sha256"] == sha256_file(run_dir / "qa.json")
    assert manifest["qa"]["passed"] is True
    jsonschema.Draft202012Validator(load_schema()).validate(manifest)


def _without(run_dir: Path, change) -> None:
    for warc in run_dir.rglob("*.warc.gz"):
        changed = warc.with_name("changed.tmp")
        rewrite_warc(warc, changed, change)
        os.replace(changed, warc)


def test_qa_reports_an_image_removed_from_the_archive(article_capture: RunOutcome, tmp_path: Path) -> None:
    run_dir = _copy_run(article_capture, tmp_path / "run")
    _without(run_dir, lambda kind, uri, http, payload: None if uri.endswith("/img/io-swap.jpg") else (http, payload))
    result = subprocess.run([*ARCHIVER, "qa", str(run_dir)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "resource(s) missing from the archive" in result.stderr
    report = json.loads((run_dir / "qa.json").read_text())
    for profile in report["pages"][0]["profiles"]:
        assert [m["url"].rsplit("/", 1)[1] for m in profile["misses"]] == ["io-swap.jpg"], profile["profile"]
        assert [u.rsplit("/", 1)[1] for u in profile["broken_images"]] == ["io-swap.jpg"], profile["profile"]


def test_a_stale_content_encoding_is_caught(article_capture: RunOutcome, tmp_path: Path) -> None:
    run_dir = _copy_run(article_capture, tmp_path / "run")

    def claim_gzip(kind, uri, http, payload):  # type: ignore[no-untyped-def]
        if kind == "response" and uri.endswith("/img/lead.jpg"):
            http.headers.insert(0, ("Content-Encoding", "gzip"))
        return http, payload

    _without(run_dir, claim_gzip)
    assert {issue.rule for issue in lint_paths([run_dir])} == {"stale-content-encoding"}
    report = _qa(run_dir)
    for profile in report["pages"][0]["profiles"]:
        assert [u.rsplit("/", 1)[1] for u in profile["broken_images"]] == ["lead.jpg"], profile["profile"]
    assert report["passed"] is False


def test_replay_command_serves_until_interrupted(article_capture: RunOutcome) -> None:
    from archiver.replay.pywb import free_port

    port = free_port()
    process = subprocess.Popen(
        [*ARCHIVER, "replay", str(article_capture.run_dir), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith(f"http://127.0.0.1:{port}/archiver/") and line.endswith("/article")
        status, body = fetch(line, follow=True)  # framed replay: pywb's banner page around the capture
        assert status == 200 and b"/article" in body
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
