"""A watcher given sources that are hostile or broken records one clear error (or refusal) for
each, on the source, and goes on: entity expansion, a body that is no source, a sitemap index that
lists itself and fans out to 10,000 sitemaps, links that are not http, carry credentials or lead
to private addresses from a public source (the network guard decides), a 429 with Retry-After,
a source that does not answer. Nothing is captured, nothing is lost, the watcher exits 0.

The sources' names are "public" (ARCHIVER_TEST_RESOLVE) and served on loopback (the connect map)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import ARCHIVER
from tests.watch.test_sources import BILLION_LAUGHS

pytestmark = pytest.mark.browser  # the watcher finds its browser before it starts (none is launched)

NEWS, BUSY = "93.184.216.34", "93.184.216.35"
FAN_OUT = 10_000


class _Sources(BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_GET(self) -> None:
        self.paths.append(self.path)
        port = self.server.server_address[1]
        status, kind, body, more = 200, "application/xml", b"", {}
        if self.path == "/bomb.xml":
            body = BILLION_LAUGHS
        elif self.path == "/binary":
            kind, body = "application/octet-stream", bytes(range(256)) * 64
        elif self.path == "/index.xml":
            own = f"<sitemap><loc>http://news.example:{port}/index.xml</loc></sitemap>"
            body = (
                '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + own
                + "".join(f"<sitemap><loc>/sm/{n}.xml</loc></sitemap>" for n in range(FAN_OUT)) + "</sitemapindex>"
            ).encode()  # fmt: skip
        elif self.path.startswith("/sm/"):
            body = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
        elif self.path.split("?")[0] == "/feed.rss":
            links = [
                "javascript:alert(1)",
                "ftp://news.example/2026/12/story",
                f"http://user:secret@news.example:{port}/2026/12/with-a-password",
                f"http://127.0.0.1:{port}/2026/12/on-loopback",
                "http://10.1.2.3/2026/12/on-the-office-network",
            ]
            items = "".join(f"<item><title>x</title><link>{link}</link></item>" for link in links)
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
        elif self.path == "/busy.rss":
            status, more = 429, {"Retry-After": "120"}
        else:
            status = 404
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in more.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def sources_server() -> Iterator[tuple[int, list[str]]]:
    _Sources.paths = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sources)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Sources.paths
    server.shutdown()
    server.server_close()


def test_hostile_and_broken_sources_are_recorded_and_the_watcher_goes_on(
    sources_server: tuple[int, list[str]], tmp_path: Path
) -> None:
    port, paths = sources_server
    sources = {
        "bomb": f"http://news.example:{port}/bomb.xml",
        "binary": f"http://news.example:{port}/binary",
        "index": f"http://news.example:{port}/index.xml",
        "feed": f"http://news.example:{port}/feed.rss",
        "busy": f"http://busy.example:{port}/busy.rss",
        "closed": "http://news.example:1/feed.rss",
    }
    env = {
        **os.environ,
        "ARCHIVER_TEST_RESOLVE": f"news.example={NEWS},busy.example={BUSY}",
        "ARCHIVER_TEST_CONNECT_MAP": f"{NEWS}=127.0.0.1,{BUSY}=127.0.0.1",
    }
    output = tmp_path / "out"
    wrong_kind = f"http://news.example:{port}/feed.rss?as=sitemap"  # the feed, said to be a sitemap
    settings = tmp_path / "sources.toml"
    settings.write_text(f'[[source]]\nurl = "{wrong_kind}"\nkind = "sitemap"\n')
    run = subprocess.run(
        [*ARCHIVER, "watch", *sources.values(), "--sources", str(settings), "--output", str(output),
         "--poll", "1s", "--for", "4s"],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    status = subprocess.run([*ARCHIVER, "watch", "status", "--output", str(output), "--json"],
                            capture_output=True, text=True, timeout=60, env=env)  # fmt: skip
    state = json.loads(status.stdout)
    by_url = {source["url"]: source for source in state["sources"]}
    assert "declares XML entities" in by_url[sources["bomb"]]["last_error"]
    assert "that is no feed, sitemap or HTML page" in by_url[sources["binary"]]["last_error"]
    assert "HTTP 429" in by_url[sources["busy"]]["last_error"]
    assert [host["host"] for host in state["paused_hosts"]] == ["busy.example"]
    assert by_url[sources["closed"]]["last_error"] and by_url[sources["closed"]]["errors"] >= 1
    feed = by_url[sources["feed"]]
    assert feed["last_error"] is None and feed["refused"] == 5, feed
    assert by_url[sources["index"]]["last_error"] is None
    assert "serves a feed, not the sitemap its settings name" in by_url[wrong_kind]["last_error"]
    index_reads = paths.count("/index.xml")
    assert 1 <= index_reads and sum(path.startswith("/sm/") for path in paths) <= 50 * index_reads
    assert paths.count("/busy.rss") == 1  # its host asked for two minutes' rest
    assert state["articles"] == []  # nothing hostile became an article
    events = output / "watch" / "events.jsonl"
    assert not events.exists() or events.read_text() == ""
