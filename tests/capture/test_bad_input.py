"""Bad input through the command line: one clear line each, everything recorded, nothing lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from archiver.output.manifest import load_schema
from archiver.warc.lint import lint_paths
from tests.support.cli import ARCHIVER, FAST, refused_port, run_cli
from tests.support.fixture_site import ZIP_BYTES
from tests.support.warcs import records_of, responses

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def bad_run(site, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path, dict]:
    output = tmp_path_factory.mktemp("bad")
    urls = {
        "missing": site.url("/missing"),
        "broken": site.url("/broken"),
        "refused": f"http://127.0.0.1:{refused_port()}/story",
        "dns": "http://no-such-host.invalid/story",
        "slow": site.url("/slow-headers"),
        "stalled": site.url("/stalled-body"),
        "pdf": site.url("/doc.pdf"),
        "download": site.url("/download.zip"),
        "image": site.url("/photo.jpg"),
        "scheme": "ftp://127.0.0.1/file.txt",
        "good": site.url("/embed/widget.html"),
    }
    result = run_cli("capture", "--output", str(output), *FAST, "--concurrency", "4", *urls.values())
    (run_dir,) = [p for p in output.iterdir() if p.is_dir()]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    by_url = {page["requested_url"]: page for page in manifest["pages"]}  # captured 4 at once: in any order
    pages = {key: by_url[url] for key, url in urls.items()}
    return result, run_dir, {"urls": urls, "pages": pages, "manifest": manifest}


def test_exit_status_is_nonzero_and_no_traceback(bad_run) -> None:
    result, _, _ = bad_run
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_one_clear_stderr_line_per_bad_url(bad_run) -> None:
    result, _, info = bad_run
    lines = result.stderr.strip().splitlines()
    urls = info["urls"]
    for key, expected in (
        ("refused", "connection refused"),
        ("dns", "DNS lookup failed"),
        ("slow", "no response within 10s"),
        ("stalled", "did not finish loading"),
        ("scheme", "not an http(s) URL"),
    ):
        (line,) = [line for line in lines if urls[key] in line]
        assert expected in line, line
    for key, status in (("missing", "404"), ("broken", "500")):
        (line,) = [line for line in lines if urls[key] in line]
        assert f"HTTP {status}" in line
    assert not [line for line in lines if urls["good"] in line], lines


def test_every_url_is_in_the_manifest_with_its_state(bad_run) -> None:
    _, _, info = bad_run
    pages = info["pages"]
    assert len(info["manifest"]["pages"]) == len(info["urls"])
    states = {key: (page["state"], page["status"]) for key, page in pages.items()}
    assert states == {
        "missing": ("complete", 404),
        "broken": ("complete", 500),
        "refused": ("failed", None),
        "dns": ("failed", None),
        "slow": ("failed", None),
        "stalled": ("partial", 200),
        "pdf": ("complete", 200),
        "download": ("complete", 200),
        "image": ("complete", 200),
        "scheme": ("failed", None),
        "good": ("complete", 200),
    }
    assert "ERR_CONNECTION_REFUSED" in pages["refused"]["reason"]
    assert "ERR_NAME_NOT_RESOLVED" in pages["dns"]["reason"]
    jsonschema.Draft202012Validator(load_schema()).validate(info["manifest"])


def test_http_error_pages_are_captures_with_their_status(bad_run) -> None:
    _, run_dir, info = bad_run
    by_url = responses(records_of(run_dir))
    assert [r.status for r in by_url[info["urls"]["missing"]]] == [404]
    assert b"404: no such story" in by_url[info["urls"]["missing"]][0].payload
    assert [r.status for r in by_url[info["urls"]["broken"]]] == [500]


def test_pdf_target_is_stored_as_the_file_itself(bad_run, site) -> None:
    _, run_dir, info = bad_run
    (pdf,) = responses(records_of(run_dir))[info["urls"]["pdf"]]
    assert pdf.status == 200
    assert pdf.payload.startswith(b"%PDF-1.4")
    assert pdf.http.get_header("Content-Type") == "application/pdf"
    assert any("fetched again" in note for note in info["pages"]["pdf"]["notes"])


def test_download_target_is_stored_as_the_file_itself(bad_run) -> None:
    _, run_dir, info = bad_run
    (download,) = responses(records_of(run_dir))[info["urls"]["download"]]
    assert (download.status, download.payload) == (200, ZIP_BYTES)
    assert download.http.get_header("Content-Disposition") == 'attachment; filename="data.zip"'
    assert any("loaded again by the browser" in note for note in info["pages"]["download"]["notes"])


def test_image_target_is_stored(bad_run, site) -> None:
    _, run_dir, info = bad_run
    (image,) = responses(records_of(run_dir))[info["urls"]["image"]]
    assert image.payload == site.app.images["lead.jpg"]


def test_failed_pages_still_leave_valid_warcs_that_say_so(bad_run) -> None:
    _, run_dir, info = bad_run
    for key in ("refused", "dns", "slow"):
        page = info["pages"][key]
        (warc,) = [f for f in page["files"] if f["role"] == "warc"]
        records = records_of((run_dir / warc["path"]).parent)
        assert [r.type for r in records] == ["warcinfo", "metadata"]
        fields = dict(line.split(": ", 1) for line in records[1].payload.decode().strip().splitlines())
        assert fields["state"] == "failed"
        assert fields["reason"] == page["reason"]
    assert info["pages"]["scheme"]["files"] == []  # never attempted: nothing to store


def test_all_warcs_of_the_run_pass_check_and_lint(bad_run) -> None:
    _, run_dir, _ = bad_run
    files = [str(p) for p in run_dir.rglob("*.warc.gz")]
    check = subprocess.run([str(Path(sys.executable).with_name("warcio")), "check", *files], capture_output=True)
    assert check.returncode == 0
    assert [str(issue) for issue in lint_paths([run_dir])] == []
    assert list(run_dir.rglob("*.open")) == []


def test_missing_browser_is_one_line_with_the_way_out(tmp_path: Path) -> None:
    result = run_cli(
        "capture",
        "--output",
        str(tmp_path),
        "http://127.0.0.1:9/",
        env={"ARCHIVER_BROWSER": str(tmp_path / "no-such-chromium")},
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "ARCHIVER_BROWSER" in line and "no-such-chromium" in line
    assert list(tmp_path.iterdir()) == []  # nothing half-made


def test_no_url_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("capture", "--output", str(tmp_path))
    assert result.returncode == 2
    assert "give at least one URL" in result.stderr


def test_a_page_that_navigates_itself_to_a_failing_address_is_partial_and_says_so(site, tmp_path: Path) -> None:
    result = run_cli("capture", "--output", str(tmp_path), *FAST, "--settle", "5", site.url("/runaway"))
    assert result.returncode == 1
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    (page,) = json.loads((run_dir / "manifest.json").read_text())["pages"]
    assert page["state"] == "partial" and "navigated itself" in page["reason"]
    assert any("navigated itself away" in warning for warning in page["warnings"])
    assert page["final_url"] == site.url("/runaway")  # not Chromium's error page
    roles = {f["role"] for f in page["files"]}
    assert "dom" not in roles and "screenshot_full_page" not in roles  # the error page is not stored as the page's
    assert "screenshot_viewport" in roles, (page["warnings"], page["steps"])  # what the reader saw at load is
    assert page["content_hashes"]["document_sha256"]  # and the document as served
    assert "navigated itself" in result.stderr


def test_a_page_whose_script_spins_is_partial_and_the_batch_goes_on(site, tmp_path: Path) -> None:
    result = run_cli(
        "capture",
        "--output",
        str(tmp_path),
        *FAST,
        "--page-timeout",
        "10",
        "--settle",
        "1",
        site.url("/spin"),
        site.url("/embed/widget.html"),
    )
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    # the next page loads while the spinning one finishes: the manifest lists them as they end
    pages = {page["requested_url"]: page for page in json.loads((run_dir / "manifest.json").read_text())["pages"]}
    spin, after = pages[site.url("/spin")], pages[site.url("/embed/widget.html")]
    assert spin["state"] == "partial" and after["state"] == "complete", (spin["reason"], after["reason"])
    assert spin["content_hashes"]["document_sha256"]  # what was captured before it stopped answering is kept
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert not lint_paths([run_dir])


def test_a_non_ascii_response_header_is_stored_as_it_came(site, tmp_path: Path) -> None:
    result = run_cli("capture", "--output", str(tmp_path), *FAST, site.url("/odd-header"))
    assert result.returncode == 0, result.stderr
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    (page,) = json.loads((run_dir / "manifest.json").read_text())["pages"]
    assert page["state"] == "complete" and page["content_hashes"]["document_sha256"]
    (document,) = responses(records_of(run_dir))[site.url("/odd-header")]
    assert document.http.get_header("Link") == "</fonts/caf\u00e9.woff2>; rel=preload; as=font"
    check = subprocess.run(
        [str(Path(sys.executable).with_name("warcio")), "check", *map(str, run_dir.rglob("*.warc.gz"))],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_gzip_bomb_is_stored_cut_and_marked_never_as_an_empty_200(site, tmp_path: Path) -> None:
    result = run_cli("capture", "--output", str(tmp_path), *FAST, "--max-body-size", "5M", site.url("/bomb-page"))
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    (page,) = json.loads((run_dir / "manifest.json").read_text())["pages"]
    (bomb,) = responses(records_of(run_dir))[site.url("/bomb.txt")]
    assert bomb.warc("WARC-Truncated") == "length" and len(bomb.payload) == 5 << 20
    assert (
        bomb.http.get_header("Content-Length") == str(5 << 20)
        and bomb.http.get_header("X-Orig-Content-Encoding") == "gzip"
    )
    assert any("stored cut at" in warning and "bomb.txt" in warning for warning in page["warnings"])
    assert "bomb.txt" in result.stderr


def test_a_huge_download_is_streamed_and_cut_at_the_cap(site, tmp_path: Path) -> None:
    result = run_cli(
        "capture",
        "--output",
        str(tmp_path),
        *FAST,
        "--max-body-size",
        "20M",
        site.url("/big-download?mb=600"),
        site.url("/embed/widget.html"),
    )
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    download, after = json.loads((run_dir / "manifest.json").read_text())["pages"]
    (record,) = responses(records_of(run_dir))[site.url("/big-download?mb=600")]
    assert record.warc("WARC-Truncated") == "length" and len(record.payload) == 20 << 20
    assert download["large_bodies"] == [
        {"url": site.url("/big-download?mb=600"), "size": 600 << 20, "stored": 20 << 20, "truncated": True}
    ]
    assert any("stored cut at" in warning for warning in download["warnings"])
    assert after["state"] == "complete"  # the driver survived: the next page of the batch is captured
    assert "Traceback" not in result.stderr


def _only_page(output: Path) -> tuple[Path, dict, dict]:
    (run_dir,) = [p for p in output.iterdir() if p.is_dir()]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    jsonschema.validate(manifest, load_schema())
    return run_dir, manifest, manifest["pages"][0] if manifest["pages"] else {}


def test_a_dialog_loop_is_counted_not_recorded_thousands_of_times(site, tmp_path: Path) -> None:
    run_cli("capture", "--output", str(tmp_path), *FAST, "--settle", "2", site.url("/dialog-loop"))
    _, _, page = _only_page(tmp_path)
    assert len(page["dialogs"]) == 50
    assert any("dialogs were dismissed; the first 50 are recorded" in warning for warning in page["warnings"])


def test_a_resource_still_loading_at_the_end_is_said(site, tmp_path: Path) -> None:
    run_cli("capture", "--output", str(tmp_path), *FAST, "--settle", "1", site.url("/drip-page"))
    _, _, page = _only_page(tmp_path)
    assert page["counts"]["unfinished_requests"] == 1
    assert any("still loading when the capture ended" in w and "/stalled-body" in w for w in page["warnings"])


def test_the_same_page_listed_twice_is_captured_once(site, tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{site.url('/embed/widget.html')}\n{site.url('/embed/widget.html#again')}\n")
    result = run_cli("capture", "--output", str(tmp_path / "out"), *FAST, "--input", str(urls))
    _, manifest, _ = _only_page(tmp_path / "out")
    assert result.returncode == 0 and len(manifest["pages"]) == 1
    assert manifest["duplicates"] == [
        {"seed": site.url("/embed/widget.html#again"), "origin": f"{urls} line 2", "same_as": f"{urls} line 1"}
    ]


def test_control_characters_and_undecodable_arguments_are_refused_in_one_line(site, tmp_path: Path) -> None:
    bad = [b"\x01" + site.url("/embed/widget.html").encode(), site.url("/embed/widget.html").encode() + b"\xff"]
    result = subprocess.run(
        [*(part.encode() for part in ARCHIVER), b"capture", b"--output", str(tmp_path).encode(), *bad],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    _, manifest, _ = _only_page(tmp_path)
    assert [page["state"] for page in manifest["pages"]] == ["failed", "failed"]
    assert all("control characters or bytes that are not text" in page["reason"] for page in manifest["pages"])


def test_an_input_with_no_url_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n\n")
    result = run_cli("capture", "--output", str(tmp_path / "out"), "--input", str(empty))
    assert result.returncode == 2 and "no URL to capture" in result.stderr and "Traceback" not in result.stderr


def test_bytes_that_are_not_text_on_stdin_fail_their_line_and_the_rest_is_captured(site, tmp_path: Path) -> None:
    good = site.url("/embed/widget.html")
    result = subprocess.run(
        [*ARCHIVER, "capture", "--output", str(tmp_path), *FAST, "--input", "-"],
        input=b"http://127.0.0.1/\xff\xfe\n" + good.encode() + b"\n",
        capture_output=True,
        timeout=300,
    )
    assert b"Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    _, manifest, _ = _only_page(tmp_path)
    states = {page["requested_url"]: page["state"] for page in manifest["pages"]}
    assert states == {"http://127.0.0.1/\\xff\\xfe": "failed", good: "complete"}
