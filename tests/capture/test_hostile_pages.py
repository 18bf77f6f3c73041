"""Pages that fight their capture (issue: hostile pages): each promise still holds, and the innocent
page after a hostile one is captured complete."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from archiver.options import CaptureOptions
from archiver.run.batch import RunSettings
from tests.support.captures import TEST_OPTIONS, Site, run_capture
from tests.support.cli import run_cli
from tests.support.warcs import records_of

pytestmark = pytest.mark.browser


def _pages(run_dir: Path) -> list[dict]:
    return json.loads((run_dir / "manifest.json").read_text())["pages"]


def test_a_page_that_rewrites_its_own_address_keeps_its_record(site: Site, tmp_path: Path) -> None:
    url = site.url("/hostile-pages/history-rewrite")
    outcome = run_capture([url], tmp_path)
    (page,) = _pages(outcome.run_dir)
    assert page["state"] == "complete", page["reason"]
    assert page["final_url"] == url  # the document loaded, not an address the page only pushed
    assert page["content_hashes"]["document_sha256"]
    assert page["article"]["fields"]["headline"]["value"] == "Council approves the harbour plan"
    assert [author["value"] for author in page["article"]["fields"]["authors"]] == ["Jane Doe"]
    resources = {r.uri for r in records_of(outcome.run_dir) if r.type == "resource"}
    assert {f"urn:dom:{url}", f"urn:view:{url}", f"urn:fullPage:{url}"} <= resources
    pushed = site.url("/stories/council-approves-harbour-plan")
    assert any(pushed in note and "history" in note for note in page["notes"]), page["notes"]


def test_the_innocent_page_after_one_that_will_not_close_is_captured_complete(site: Site, tmp_path: Path) -> None:
    # A page timeout the innocent page never needs, even on a loaded machine; the flood page uses it up.
    options = CaptureOptions(**{**TEST_OPTIONS.to_dict(), "page_timeout": 30.0, "settle_after_load": 1.0})
    flood, innocent = site.url("/hostile-pages/pushstate-flood"), site.url("/embed/widget.html")
    outcome = run_capture([flood, innocent], tmp_path, options, RunSettings(retries=0))
    pages = {page["requested_url"]: page for page in _pages(outcome.run_dir)}
    assert pages[flood]["state"] in ("partial", "failed")
    assert pages[innocent]["state"] == "complete", (pages[innocent]["reason"], pages[flood]["warnings"])
    assert any("hung its browser" in warning for warning in pages[flood]["warnings"])  # found out, not waited on


def test_a_public_service_can_refuse_seeds_on_private_addresses(site: Site, tmp_path: Path) -> None:
    intranet = site.url("/embed/widget.html")  # 127.0.0.1: an address a public service must not fetch
    outcome = run_capture([intranet], tmp_path, settings=RunSettings(retries=0, private_seeds=False))
    (page,) = _pages(outcome.run_dir)
    assert page["state"] == "failed" and "blocked by the network guard" in page["reason"], page["reason"]
    assert page["network_guard"]["active"] and page["network_guard"]["blocked"]
    assert json.loads((outcome.run_dir / "manifest.json").read_text())["run_settings"]["private_seeds"] is False


def test_page_text_reaches_the_terminal_escaped(site: Site, tmp_path: Path) -> None:
    outcome = run_capture([site.url("/hostile-pages/escapes")], tmp_path)
    (page,) = _pages(outcome.run_dir)
    assert "\\u001b" in json.dumps(page)  # stored as the page had it (escaped in JSON)
    capture_id = page["capture_id"]
    for command in (
        ["show", str(tmp_path)],
        ["diff", capture_id, capture_id, "--output", str(tmp_path)],
        ["history", page["requested_url"], "--output", str(tmp_path)],
    ):
        result = run_cli(*command)
        assert "Traceback" not in result.stderr, result.stderr
        assert "\x1b" not in result.stdout + result.stderr, command
    shown = run_cli("show", str(tmp_path)).stdout
    assert "Breaking\\x1b[2J\\x1b[H news" in shown


def test_webrtc_sends_no_udp_around_the_network_guard(site: Site, tmp_path: Path) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    options = CaptureOptions(**{**TEST_OPTIONS.to_dict(), "settle_after_load": 3.0})
    outcome = run_capture([site.url(f"/hostile-pages/webrtc?udp={port}")], tmp_path, options)
    received = []
    try:
        while True:
            received.append(listener.recvfrom(2048))
    except TimeoutError:
        pass
    finally:
        listener.close()
    assert _pages(outcome.run_dir)[0]["state"] == "complete"
    assert received == []  # not one datagram: every connection a capture makes goes through the guard


@pytest.mark.parametrize("kind", ["img", "script", "css", "fetch"])
def test_a_gzip_bomb_loaded_by_the_page_is_stored_cut_never_empty_and_the_browser_lives(
    site: Site, tmp_path: Path, kind: str
) -> None:
    options = CaptureOptions(**{**TEST_OPTIONS.to_dict(), "max_body_size": 5 << 20, "settle_after_load": 1.0})
    page_url, innocent = site.url(f"/hostile-pages/one-bomb?as={kind}"), site.url("/embed/widget.html")
    outcome = run_capture([page_url, innocent], tmp_path, options, RunSettings(retries=0))
    pages = {page["requested_url"]: page for page in _pages(outcome.run_dir)}
    assert pages[page_url]["state"] == "complete", (pages[page_url]["reason"], pages[page_url]["warnings"])
    assert pages[innocent]["state"] == "complete"
    bombs = [r for r in records_of(outcome.run_dir) if r.type == "response" and "/bomb.txt" in r.uri]
    assert bombs and all(len(r.payload) == 5 << 20 and r.warc("WARC-Truncated") == "length" for r in bombs)
    assert any("stored cut at 5242880 bytes" in warning for warning in pages[page_url]["warnings"])


def test_a_page_that_blocks_its_renderer_while_parsing_keeps_its_own_document(site: Site, tmp_path: Path) -> None:
    options = CaptureOptions(**{**TEST_OPTIONS.to_dict(), "page_timeout": 12.0, "navigation_timeout": 6.0})
    url = site.url("/hostile-pages/blocks-while-parsing")
    outcome = run_capture([url, site.url("/embed/widget.html")], tmp_path, options, RunSettings(retries=0))
    blocked, after = _pages(outcome.run_dir)
    assert blocked["state"] == "partial" and after["state"] == "complete"
    assert blocked["content_hashes"].get("document_sha256"), blocked["warnings"]
    (document,) = [r for r in records_of(outcome.run_dir) if r.type == "response" and r.uri == url]
    assert b"This paragraph arrived before the script." in document.payload
    assert any("own document" in note for note in blocked["notes"])
    assert not any("still loading" in warning for warning in blocked["warnings"])  # it is stored after all
