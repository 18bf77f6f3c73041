"""The command line end to end: the bundled sample, rollover, tall pages, lint, finding a browser."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from archiver.browser import launch as browser_module
from archiver.browser.launch import find_browser
from archiver.errors import BrowserNotFound
from archiver.warc.lint import lint_paths
from tests.support.cli import ARCHIVER, run_cli
from tests.support.warcs import read_records

pytestmark = pytest.mark.browser

Image.MAX_IMAGE_PIXELS = None  # the capped screenshot is large on purpose


def _only_run_dir(output: Path) -> Path:
    (run_dir,) = [p for p in output.iterdir() if p.is_dir()]
    return run_dir


def test_sample_capture_rolls_over_and_prints_where_files_are(tmp_path: Path) -> None:
    result = run_cli(
        "capture",
        "--sample",
        "--output",
        str(tmp_path),
        "--warc-max-size",
        "40K",
        "--operator",
        "Test Desk",
        "--settle",
        "1.5",
        "--network-quiet",
        "0.3",
    )
    assert result.returncode == 0, result.stderr
    run_dir = _only_run_dir(tmp_path)
    assert f"manifest: {run_dir / 'manifest.json'}" in result.stdout
    manifest = json.loads((run_dir / "manifest.json").read_text())
    (page,) = manifest["pages"]
    assert page["state"] == "complete"
    assert page["title"].startswith("Azerbaijan to open embassy in Israel")
    warcs = [f for f in page["files"] if f["role"] == "warc"]
    assert len(warcs) >= 3  # rolled over at 40 KiB
    for entry in page["files"]:
        assert str(run_dir / entry["path"]) in result.stdout  # every file is printed
    for entry in warcs:
        records = read_records(run_dir / entry["path"])
        assert records[0].type == "warcinfo"
        assert b"operator: Test Desk" in records[0].payload
        assert records[0].warc("WARC-Filename") == Path(entry["path"]).name
        assert {r.warc("WARC-Warcinfo-ID") for r in records[1:]} == {records[0].warc("WARC-Record-ID")}
    assert [str(i) for i in lint_paths([run_dir])] == []  # no pair split across files
    uris = {r.uri for entry in warcs for r in read_records(run_dir / entry["path"])}
    for path in ("/api/popular.json", "/api/ticker.json", "/media/popular-3.jpg", "/media/lead-600.webp"):
        assert any(uri.endswith(path) for uri in uris), path


def test_a_very_tall_page_is_captured_with_a_capped_screenshot(site, tmp_path: Path) -> None:
    result = run_cli(
        "capture",
        "--output",
        str(tmp_path),
        "--scroll-step",
        "5000",
        "--settle",
        "0",
        "--network-quiet",
        "0.2",
        site.url("/tall?height=40000"),
    )
    assert result.returncode == 0, result.stderr
    run_dir = _only_run_dir(tmp_path)
    (page,) = json.loads((run_dir / "manifest.json").read_text())["pages"]
    shot = page["screenshots"]["full_page"]
    assert (shot["capped"], shot["page_height"], shot["height"]) == (True, 40000, 16384)
    image = Image.open(run_dir / shot["path"])
    assert image.size == (1280, 16384)
    assert "capped at 16384px" in result.stderr


def test_lint_command_reports_problems_and_exit_status(tmp_path: Path) -> None:
    from dataclasses import replace

    from tests.support.warcs import GOOD, write_warc

    good = write_warc(tmp_path / "good", GOOD)
    write_warc(tmp_path / "bad", replace(GOOD, ip_address=None))
    ok = subprocess.run([*ARCHIVER, "lint", str(good)], capture_output=True, text=True)
    assert ok.returncode == 0 and "0 problem(s)" in ok.stdout
    failed = subprocess.run([*ARCHIVER, "lint", str(tmp_path)], capture_output=True, text=True)
    assert failed.returncode == 1
    assert "ip-address" in failed.stdout and "1 problem(s)" in failed.stdout


def test_help_lists_the_commands() -> None:
    result = subprocess.run([*ARCHIVER, "--help"], capture_output=True, text=True)
    for command in ("capture", "lint", "serve-sample"):
        assert command in result.stdout


def _fake_playwright(path: str) -> SimpleNamespace:
    return SimpleNamespace(chromium=SimpleNamespace(executable_path=path))


def test_no_browser_anywhere_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHIVER_BROWSER", raising=False)
    monkeypatch.setattr(browser_module.shutil, "which", lambda name: None)
    with pytest.raises(BrowserNotFound, match="apt-get install chromium"):
        find_browser(_fake_playwright("/nonexistent/chrome"))


def test_browser_choice_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bundled, explicit, from_env = (tmp_path / name for name in ("bundled", "explicit", "env"))
    for path in (bundled, explicit, from_env):
        path.write_text("")
    monkeypatch.setattr(browser_module.shutil, "which", lambda name: None)
    monkeypatch.setenv("ARCHIVER_BROWSER", str(from_env))
    assert find_browser(_fake_playwright(str(bundled)), str(explicit)) == str(explicit)
    assert find_browser(_fake_playwright(str(bundled))) == str(from_env)
    monkeypatch.delenv("ARCHIVER_BROWSER")
    assert find_browser(_fake_playwright(str(bundled))) == str(bundled)
