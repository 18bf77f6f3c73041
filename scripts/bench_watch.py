"""`./scripts/bench --watch`: the watcher's own cost, without captures.

5,000 articles listed by five RSS feeds and five news sitemaps (each article in one of each, so
every article is listed twice) served by a separate process on 127.0.0.1; the watcher reads them,
schedules every article and records its first capture through a stub that returns at once (the
benchmark's only stub: a capture's own cost is `./scripts/bench`'s). Reports wall time, the
watcher's CPU per article scheduled, its peak memory, and the sizes of state.sqlite and
events.jsonl. Writes the table to bench-watch.md (or the path given).
"""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from archiver.options import CaptureOptions
from archiver.output.stored import StoredPage
from archiver.run.batch import RunSettings
from archiver.watch import watcher as watcher_module
from archiver.watch.settings import WatchedSource, WatchSettings
from archiver.watch.watcher import Watcher
from tests.support import hooks

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = 5_000
FEEDS = 5

SERVER = r"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
ARTICLES, FEEDS = int(sys.argv[1]), int(sys.argv[2])
PER = ARTICLES // FEEDS
def link(n): return f"http://127.0.0.1:{PORT}/news/2026/12/{n:05d}/a-story-about-item-{n}"
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        part, kind = int(self.path.rsplit("-", 1)[1].split(".")[0]), self.path.rsplit(".", 1)[1]
        numbers = range(part * PER, (part + 1) * PER)
        if self.headers.get("If-None-Match") == '"1"':
            self.send_response(304); self.send_header("ETag", '"1"'); self.end_headers(); return
        if kind == "rss":
            items = "".join(f"<item><title>Story {n}</title><link>{link(n)}</link></item>" for n in numbers)
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
        else:
            urls = "".join(f"<url><loc>{link(n)}</loc><lastmod>2026-12-02</lastmod></url>" for n in numbers)
            body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        data = body.encode()
        self.send_response(200); self.send_header("Content-Type", "application/xml"); self.send_header("ETag", '"1"')
        self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def log_message(self, *a): pass
server = ThreadingHTTPServer(("127.0.0.1", 0), H)
PORT = server.server_address[1]
print(PORT, flush=True)
server.serve_forever()
"""


class StubCaptures:
    """Returns a complete page at once; nothing is fetched, nothing written but the watcher's own."""

    def __init__(self, settings: WatchSettings) -> None:
        self.run_dir = settings.output / "20261202T000000Z-bench00"
        self.count = 0

    async def __aenter__(self) -> StubCaptures:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        return None

    async def capture(self, url: str, options: CaptureOptions) -> StoredPage:
        from archiver.identity import page_id

        self.count += 1
        key = page_id(url)
        entry = {
            "page_id": key,
            "capture_id": f"20261202T000000Z-{key}",
            "requested_url": url,
            "state": "complete",
            "status": 200,
            "started_at": "2026-12-02T00:00:00Z",
            "article": {"headline": f"Story {self.count}"},
        }
        return StoredPage.from_entry(self.run_dir, self.run_dir.name, entry)


async def watch(settings: WatchSettings) -> tuple[float, Watcher]:
    watcher = Watcher(settings)
    started = time.monotonic()
    task = asyncio.ensure_future(watcher.run())
    done_at = None
    while not task.done():
        await asyncio.sleep(0.2)
        state = getattr(watcher, "state", None)
        if done_at is None and state is not None and state.counts().get("new", 0) >= ARTICLES:
            done_at = time.monotonic()
            watcher.stopping = True
    await task
    return (done_at or time.monotonic()) - started, watcher


def main() -> None:
    hooks.install()
    report_path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench-watch.md"
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(ARTICLES), str(FEEDS)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        origin = f"http://127.0.0.1:{port}"
        sources = tuple(WatchedSource(f"{origin}/feed-{n}.rss") for n in range(FEEDS)) + tuple(
            WatchedSource(f"{origin}/sitemap-{n}.xml") for n in range(FEEDS)
        )
        output = Path(tempfile.mkdtemp(prefix="archiver-bench-watch-"))
        settings = WatchSettings(
            output=output, sources=sources, poll=5.0, ladder=(3600.0,), concurrency=32, per_host=32,
            run_settings=RunSettings(resume=False),
        )  # fmt: skip
        watcher_module.InProcess = StubCaptures  # type: ignore[misc,assignment]
        before = resource.getrusage(resource.RUSAGE_SELF)
        wall, _ = asyncio.run(watch(settings))
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        folder = settings.folder
        sqlite_bytes = sum(p.stat().st_size for p in folder.glob("state.sqlite*"))
        lines = [
            f"# archiver watch benchmark ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores)",
            "",
            f"{ARTICLES} articles in {FEEDS} RSS feeds and {FEEDS} sitemaps (each article listed twice), "
            "first captures through a stub that returns at once.",
            "",
            "| measure | value |",
            "| --- | ---: |",
            f"| wall time until every article was scheduled and recorded | {wall:.1f} s |",
            f"| watcher CPU (user + system) | {cpu:.1f} s |",
            f"| CPU per article scheduled | {cpu / ARTICLES * 1000:.2f} ms |",
            f"| peak memory (max RSS of the process) | {after.ru_maxrss / 1024:.0f} MB |",
            f"| state.sqlite (with its WAL) | {sqlite_bytes / 1e6:.1f} MB |",
            f"| events.jsonl | {(folder / 'events.jsonl').stat().st_size / 1e6:.1f} MB |",
        ]
        text = "\n".join(lines) + "\n"
        print(text)
        report_path.write_text(text)
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
