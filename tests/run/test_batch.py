"""Batches that survive failures, guard the network, and bound every page."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from archiver.profiles.store import user_redaction_key
from archiver.times import parse_iso
from archiver.warc.lint import lint_paths
from archiver.warc.redact import Redactor
from tests.support.cli import ARCHIVER, refused_port
from tests.support.fixture_site import big_body_piece
from tests.support.warcs import records_of, responses

pytestmark = pytest.mark.browser

QUICK = ["--settle", "0.3", "--network-quiet", "0.2", "--navigation-timeout", "60"]
WARCIO = str(Path(sys.executable).with_name("warcio"))


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ARCHIVER, "capture", *args],
        capture_output=True,
        text=True,
        timeout=600,
        input=stdin,
        env={**os.environ, **(env or {})},
    )


def manifests(output: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(output.glob("*/manifest.json"))]


def all_warcs_valid(output: Path) -> None:
    files = [str(p) for p in output.rglob("*.warc.gz")]
    assert files
    assert subprocess.run([WARCIO, "check", *files], capture_output=True).returncode == 0
    assert [str(i) for i in lint_paths([output])] == []
    assert list(output.rglob("*.open")) == []


def test_input_files_comments_stdin_and_a_bad_line(site, tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(
        f"# today's list\n\n{site.url('/embed/widget.html')}  # the widget\nnot a url at all\n"
        f"{site.url('/photo.jpg')}\n"
    )
    result = run(
        "--input",
        str(listing),
        "--input",
        "-",
        "--output",
        str(tmp_path / "out"),
        *QUICK,
        stdin=f"# from stdin\n{site.url('/cms/no-credit')}\n",
    )
    assert result.returncode == 1  # one line could not be captured
    (bad,) = [line for line in result.stderr.splitlines() if "line 4" in line]
    assert "more than one word" in bad and str(listing) in bad
    (manifest,) = manifests(tmp_path / "out")
    states = {page["requested_url"]: page["state"] for page in manifest["pages"]}
    assert states == {
        site.url("/embed/widget.html"): "complete",
        site.url("/photo.jpg"): "complete",
        site.url("/cms/no-credit"): "complete",
        "not a url at all": "failed",
    }


def test_concurrent_pages_share_nothing(site, tmp_path: Path) -> None:
    urls = [site.url(f"/set-cookie/{n}") for n in range(4)]
    result = run(*urls, "--concurrency", "4", "--output", str(tmp_path), *QUICK, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["complete"] == 4
    for page in summary["pages"]:
        n = page["url"].rsplit("/", 1)[1]
        warcs = [Path(f) for f in page["files"] if f.endswith(".warc.gz")]
        requests = [r for w in warcs for r in records_of(w.parent) if r.type == "request"]
        cookies = {r.http.get_header("Cookie") for r in requests if r.http.get_header("Cookie")}
        # its own cookie only (an isolated context), as the user's key hashes it
        assert cookies == {f"page={Redactor(user_redaction_key()).marker(n)}"}, (n, cookies)


def test_network_failures_are_retried_with_backoff(tmp_path: Path) -> None:
    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>Back</title><p>back online</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    class FlakyServer(ThreadingHTTPServer):
        """Resets every connection of the first moment (as a server restarting would), then serves."""

        first_reset: float | None = None

        def verify_request(self, request, client_address):  # type: ignore[no-untyped-def]
            now = time.monotonic()
            if self.first_reset is None or now < self.first_reset + 0.5:
                self.first_reset = self.first_reset or now
                request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return False  # closed at once, with a reset
            return True

    server = FlakyServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = run(
            f"http://127.0.0.1:{server.server_address[1]}/story", "--output", str(tmp_path), *QUICK, "--retries", "2"
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert "retrying in 2s" in result.stderr
    (manifest,) = manifests(tmp_path)
    (page,) = manifest["pages"]
    assert page["state"] == "complete" and page["title"] == "Back"
    (attempt,) = page["attempts"]  # the reset connection: ERR_CONNECTION_RESET or ERR_SOCKET_NOT_CONNECTED
    assert "net::ERR_" in attempt["reason"] and attempt["reason"] in result.stderr


def test_a_second_run_skips_what_is_complete(site, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{refused_port()}/down"
    first = run(site.url("/embed/widget.html"), dead, "--output", str(tmp_path), *QUICK, "--retries", "0")
    assert first.returncode == 1
    second = run(site.url("/embed/widget.html"), dead, "--output", str(tmp_path), *QUICK, "--retries", "0")
    assert "skipped" in second.stdout and site.url("/embed/widget.html") in second.stdout
    latest = manifests(tmp_path)[-1]
    assert [s["seed"] for s in latest["skipped"]] == [site.url("/embed/widget.html")]
    assert [p["requested_url"] for p in latest["pages"]] == [dead]  # the failed one is tried again
    third = run(site.url("/embed/widget.html"), "--recapture", "--output", str(tmp_path), *QUICK)
    assert third.returncode == 0 and manifests(tmp_path)[-1]["pages"][0]["state"] == "complete"


def test_a_killed_run_resumes_with_nothing_lost_or_corrupt(site, tmp_path: Path) -> None:
    fast, slow = site.url("/embed/widget.html"), site.url("/endless")
    command = [*ARCHIVER, "capture", fast, slow, "--output", str(tmp_path), "--settle", "0.3", "--network-quiet", "0.2"]
    endless = ["--max-scroll-steps", "100000", "--behaviour-timeout", "120"]
    process = subprocess.Popen(
        command + endless, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            done = [p for m in manifests(tmp_path) for p in m["pages"]]
            if done and list(tmp_path.rglob("*.warc.gz.open")):
                time.sleep(1.0)  # let the slow page write a few records
                break
            time.sleep(0.2)
        else:
            pytest.fail("the first page never finished while the second was being written")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert list(tmp_path.rglob("*.warc.gz.open"))  # the kill left a WARC half-written

    again = subprocess.run(command + ["--max-scroll-steps", "5"], capture_output=True, text=True, timeout=300)
    assert "set aside" in again.stderr
    latest = manifests(tmp_path)[-1]
    assert [s["seed"] for s in latest["skipped"]] == [fast]
    assert [p["requested_url"] for p in latest["pages"]] == [slow]
    (note,) = latest["recovered"]
    assert note["complete_records_kept"] >= 1
    kept = tmp_path / note["now"]
    assert (kept / "INTERRUPTED.json").is_file() and list(kept.glob("*.warc.gz"))
    all_warcs_valid(tmp_path)


def test_a_public_page_cannot_reach_private_addresses(site, tmp_path: Path) -> None:
    env = {
        "ARCHIVER_TEST_RESOLVE": "public.test=93.184.216.34,rebind.test=10.0.0.7",
        "ARCHIVER_TEST_CONNECT_MAP": "93.184.216.34=127.0.0.1",
    }
    seed = f"http://public.test:{site.port}/guarded"
    result = run(seed, "--output", str(tmp_path / "guarded"), *QUICK, env=env)
    assert result.returncode == 0, result.stderr
    (manifest,) = manifests(tmp_path / "guarded")
    (page,) = manifest["pages"]
    guard = page["network_guard"]
    assert guard["active"] is True
    blocked = {entry["url"]: entry["reason"] for entry in guard["blocked"]}
    assert "loopback" in blocked[f"http://127.0.0.1:{site.port}/img/lead.jpg"]
    assert "loopback" in blocked[f"http://localhost:{site.port}/img/late.jpg"]
    assert "private address 10.0.0.7" in blocked[f"http://rebind.test:{site.port}/img/noscript.jpg"]
    assert f"http://127.0.0.1:{site.port}/img/lead.jpg?via=redirect" in blocked  # a redirect does not get around it
    stored = responses(records_of(tmp_path / "guarded"))
    assert [r.status for r in stored[f"http://public.test:{site.port}/img/frag.jpg"]] == [200]
    assert not [url for url in stored if "127.0.0.1" in url or "localhost" in url or "rebind.test" in url]

    allowed = run(seed, "--output", str(tmp_path / "allowed"), *QUICK, "--allow-private", env=env)
    assert allowed.returncode == 0
    (page,) = manifests(tmp_path / "allowed")[0]["pages"]
    assert page["network_guard"]["blocked"] == [] and page["network_guard"]["allow_private"] is True
    assert f"http://127.0.0.1:{site.port}/img/lead.jpg" in responses(records_of(tmp_path / "allowed"))

    private_seed = run(site.url("/guarded"), "--output", str(tmp_path / "intranet"), *QUICK)
    (page,) = manifests(tmp_path / "intranet")[0]["pages"]
    assert page["network_guard"]["active"] is False  # archiving one's own intranet page is allowed
    assert private_seed.returncode == 0


def test_file_names_never_leave_the_output_folder(site, tmp_path: Path) -> None:
    nasty = site.url("/../../etc/passwd/%2e%2e/x?name=../../../tmp/evil&f=..%2f..%2f")
    run(nasty, "--output", str(tmp_path / "out"), *QUICK)
    root = (tmp_path / "out").resolve()
    written = [p.resolve() for p in tmp_path.rglob("*") if p.is_file()]
    assert written and all(root in p.parents for p in written)
    (page,) = manifests(tmp_path / "out")[0]["pages"]
    assert all(".." not in f["path"] for f in page["files"])


def test_huge_bodies_are_streamed_and_cut_at_the_cap(site, tmp_path: Path) -> None:
    import hashlib

    result = run(site.url("/big-page"), "--output", str(tmp_path), *QUICK, "--max-body-size", "20M")
    assert result.returncode == 0, result.stderr
    by_url = responses(records_of(tmp_path))
    (cut,) = by_url[site.url("/big?mb=30")]
    assert cut.warc("WARC-Truncated") == "length"
    assert len(cut.payload) == 20 << 20 and cut.payload == big_body_piece(0, 20 << 20)
    assert cut.http.get_header("Content-Length") == str(20 << 20)
    assert cut.http.get_header("X-Orig-Content-Length") == str(30 << 20)
    (whole,) = by_url[site.url("/big?mb=12")]
    assert whole.warc("WARC-Truncated") is None
    assert hashlib.sha256(whole.payload).digest() == hashlib.sha256(big_body_piece(0, 12 << 20)).digest()
    (page,) = manifests(tmp_path)[0]["pages"]
    sizes = {
        body["url"].rsplit("=", 1)[1]: (body["size"], body["stored"], body["truncated"])
        for body in page["large_bodies"]
    }
    assert sizes == {"30": (30 << 20, 20 << 20, True), "12": (12 << 20, 12 << 20, False)}
    assert any("stored cut at" in warning for warning in page["warnings"])
    assert list(tmp_path.rglob(".bodies")) == []  # the streamed copies are gone once in the WARC
    all_warcs_valid(tmp_path)


def test_dialogs_are_dismissed_and_recorded(site, tmp_path: Path) -> None:
    result = run(site.url("/dialogs"), "--output", str(tmp_path), *QUICK)
    assert result.returncode == 0, result.stderr
    (page,) = manifests(tmp_path)[0]["pages"]
    assert [(d["type"], d["message"]) for d in page["dialogs"]][:2] == [
        ("alert", "Subscribe now!"),
        ("confirm", "Accept all cookies?"),
    ]


def test_a_redirect_loop_ends_recorded(site, tmp_path: Path) -> None:
    result = run(site.url("/loop"), "--output", str(tmp_path), *QUICK, "--retries", "0")
    assert result.returncode == 1
    (page,) = manifests(tmp_path)[0]["pages"]
    assert page["state"] == "failed" and "redirect loop" in page["reason"]
    assert all(r.status == 302 for r in responses(records_of(tmp_path))[site.url("/loop")])
    all_warcs_valid(tmp_path)


def test_endless_infinite_scroll_is_bounded(site, tmp_path: Path) -> None:
    result = run(site.url("/endless"), "--output", str(tmp_path), *QUICK, "--max-scroll-steps", "12")
    assert result.returncode == 0, result.stderr
    (page,) = manifests(tmp_path)[0]["pages"]
    assert page["behaviours"]["scroll"]["stopped_by"] == "max_steps"
    assert page["behaviours"]["scroll"]["steps"] == 12
    assert "scrolling stopped after 12 steps" in result.stderr


def test_a_page_out_of_time_is_saved_as_partial(site, tmp_path: Path) -> None:
    result = run(
        site.url("/endless"),
        "--output",
        str(tmp_path),
        *QUICK,
        "--page-timeout",
        "20",
        "--max-scroll-steps",
        "100000",
        "--behaviour-timeout",
        "100",
    )
    assert result.returncode == 1
    (page,) = manifests(tmp_path)[0]["pages"]
    assert page["state"] == "partial" and "ran out of time (20s)" in page["reason"]
    roles = {f["role"] for f in page["files"]}
    assert {"warc", "screenshot_viewport", "screenshot_full_page", "dom"} <= roles
    for entry in page["files"]:
        assert (tmp_path / manifests(tmp_path)[0]["run_id"] / entry["path"]).stat().st_size == entry["size"]
    all_warcs_valid(tmp_path)


def _hold(path: Path):
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "w")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def test_an_output_inside_or_around_one_in_use_is_refused(site, tmp_path: Path) -> None:
    with _hold(tmp_path / "outer" / "inner" / ".archiver.lock"):  # a run writing to outer/inner
        result = run(site.url("/embed/widget.html"), "--output", str(tmp_path / "outer"), *QUICK)
        assert result.returncode == 2 and "inside" in result.stderr and "Traceback" not in result.stderr
    with _hold(tmp_path / "busy" / ".archiver.lock"):  # a run writing to busy/
        result = run(site.url("/embed/widget.html"), "--output", str(tmp_path / "busy" / "nested"), *QUICK)
        assert result.returncode == 2 and "which holds" in result.stderr


def test_recovery_leaves_the_files_of_a_live_writer_alone(site, tmp_path: Path) -> None:
    live = tmp_path / "out" / "elsewhere" / "20260101T000000Z-abcdef"
    open_warc = live / "20260101T000000Z-0123456789abcdef" / "x-00000.warc.gz.open"
    open_warc.parent.mkdir(parents=True)
    open_warc.write_bytes(b"being written")
    with _hold(live / ".run.lock"):  # its writer is alive
        result = run(site.url("/embed/widget.html"), "--output", str(tmp_path / "out"), *QUICK)
        assert result.returncode == 0, result.stderr
        assert open_warc.read_bytes() == b"being written"
        assert not (tmp_path / "out" / "interrupted").exists()
    result = run(site.url("/embed/widget.html"), "--output", str(tmp_path / "out"), *QUICK, "--recapture")
    assert not open_warc.exists() and (tmp_path / "out" / "interrupted").exists()  # its writer died: set aside


def test_one_page_at_a_time_overlaps_opening_and_finishing_and_keeps_each_page_whole(site, tmp_path: Path) -> None:
    urls = [site.url(f"/set-cookie/{n}") for n in range(3)]
    result = run(*urls, "--output", str(tmp_path), *QUICK)
    assert result.returncode == 0, result.stderr
    (manifest,) = manifests(tmp_path)
    pages = {page["requested_url"]: page for page in manifest["pages"]}
    assert set(pages) == set(urls)
    for earlier, later in zip(urls, urls[1:], strict=False):
        # the later page's context was opened while the earlier one was still being captured ...
        assert parse_iso(pages[later]["started_at"]) < parse_iso(pages[earlier]["ended_at"]), (earlier, later)
        # ... and it waited for its turn to load, on the record
        assert "wait_for_turn" in [step["name"] for step in pages[later]["steps"]]
    for url, page in pages.items():
        n = url.rsplit("/", 1)[1]
        responses_of_page = {
            r.uri for r in records_of(tmp_path / manifest["run_id"] / page["capture_id"]) if r.type == "response"
        }
        assert url in responses_of_page and site.url(f"/img/lead.jpg?for={n}") in responses_of_page
        assert not any(u.endswith(f"for={m}") for u in responses_of_page for m in range(3) if str(m) != n)
    all_warcs_valid(tmp_path)
