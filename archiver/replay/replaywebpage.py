"""ReplayWeb.page, the client most people open a WACZ with, served locally on 127.0.0.1.

Its files (`ui.js`, `sw.js`) come from the npm package `replaywebpage`, fetched once with
`npm pack` into the cache folder and checked against a pinned SHA-512. A small static server
answers HEAD and Range requests (wabac.js reads a WACZ by ranges) and serves:

    /                     a page holding <replay-web-page source=... url=...>, from its query string
    /ui.js, /replay/sw.js ReplayWeb.page itself (the service worker's scope is /replay/)
    /archives/<name>      the WACZ or WARC files being looked at
"""

from __future__ import annotations

import io
import itertools
import json
import mimetypes
import re
import sys
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, unquote, urlencode

from archiver.errors import ArchiverError
from archiver.npm import NpmPackage, ensure_package
from archiver.replay.pywb import ReplayError

RWP_VERSION = "2.5.3"
# dist.integrity of replaywebpage@2.5.3 in the npm registry: a tarball that differs is refused.
RWP_INTEGRITY = "sha512-nCj2PSON3BxeSJKE8AsYPyULv0XPZKJWfy4l9PyQre9SqwLZ+WKZVs/sfLqPOQ4GrH+0YkjbwOhr8cSTH08gsQ=="
REPLAYWEBPAGE = NpmPackage("replaywebpage", RWP_VERSION, RWP_INTEGRITY, ("ui.js", "sw.js"), "ReplayWeb.page")
ARCHIVE_PREFIX = "/archives/"
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
COPY_CHUNK = 1 << 16
MAX_LISTED_PAGES = 1000  # addresses printed for one WACZ; its own page list shows them all

INDEX_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>archiver: ReplayWeb.page</title>
<script src="/ui.js"></script>
<style>html,body{width:100%;height:100%;margin:0}replay-web-page{display:block;width:100%;height:100%}</style>
</head><body><script>
// <replay-web-page> from the query string: source (required), url, ts, embed. Its service worker
// is registered, and waited for, first: ReplayWeb.page itself retries only briefly when its app
// loads before the worker is active, and a first visit would then show nothing.
const params = new URLSearchParams(location.search);
async function workerActive() {
  const registration = await navigator.serviceWorker.register("/replay/sw.js?serveIndex=1", {scope: "/replay/"});
  const worker = registration.installing || registration.waiting || registration.active;
  while (worker && worker.state !== "activated") {
    await new Promise((resolve) => worker.addEventListener("statechange", resolve, {once: true}));
  }
}
function showPlayer() {
  const player = document.createElement("replay-web-page");
  player.setAttribute("replaybase", "/replay/");
  for (const name of ["source", "url", "ts", "embed"]) {
    if (params.get(name)) player.setAttribute(name, params.get(name));
  }
  document.body.appendChild(player);
}
workerActive().catch((error) => console.error("archiver: service worker:", error)).finally(showPlayer);
</script></body></html>
"""


def ensure_replaywebpage(log: Callable[[str], None] = lambda message: None) -> Path:
    """The folder holding ReplayWeb.page's ui.js and sw.js, fetched once (under a lock) with npm."""
    return ensure_package(REPLAYWEBPAGE, log)


@dataclass(frozen=True)
class ArchivedPage:
    url: str
    timestamp: str  # 14 digits, as replay URLs take it


def wacz_pages(path: Path) -> list[ArchivedPage]:
    """The pages a WACZ lists (pages/pages.jsonl), to print their addresses."""
    try:
        with zipfile.ZipFile(path) as archive:
            if "pages/pages.jsonl" not in archive.namelist():
                return []
            with archive.open("pages/pages.jsonl") as lines:
                entries = [json.loads(line) for line in itertools.islice(lines, MAX_LISTED_PAGES + 1) if line.strip()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReplayError(f"{path} is not a readable WACZ: {exc}") from None
    return [
        ArchivedPage(entry["url"], "".join(ch for ch in str(entry.get("ts", "")) if ch.isdigit())[:14])
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("url"), str)
    ]


@dataclass(frozen=True)
class ServedArchive:
    name: str  # as served, under /archives/
    path: Path


class ReplayWebPageServer:
    """ReplayWeb.page and some archives on 127.0.0.1:`port` (0: any free port); a context manager."""

    def __init__(
        self,
        rwp_folder: Path,
        archives: list[Path],
        port: int = 0,
        resolve: Callable[[str], Path | None] | None = None,
    ) -> None:
        """`archives` are served by their names; `resolve` answers for any other name (None: not
        found), for a server whose archives are made when first asked for (`archiver serve`)."""
        self.archives = _served_names(archives)
        named = {a.name: a.path for a in self.archives}
        handler = _handler(rwp_folder, lambda name: named.get(name) or (resolve(name) if resolve else None))
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="archiver-rwp", daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def source(self, archive: Path) -> str:
        """The source URL ReplayWeb.page loads `archive` from."""
        name = next(a.name for a in self.archives if a.path == archive.resolve())
        return f"{self.origin}{ARCHIVE_PREFIX}{quote(name)}"

    def url(self, archive: Path, page_url: str | None = None, ts: str | None = None, embed: str | None = None) -> str:
        """The address that shows `archive` (at `page_url`, as of `ts`) in ReplayWeb.page."""
        query = {"source": self.source(archive), "url": page_url, "ts": ts, "embed": embed}
        return f"{self.origin}/?" + urlencode({k: v for k, v in query.items() if v})

    def __enter__(self) -> ReplayWebPageServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait(self) -> None:
        self._thread.join()


def _served_names(archives: list[Path]) -> list[ServedArchive]:
    served, taken = [], set()
    for path in archives:
        name, number = path.name, 1
        while name in taken:  # two files of the same name from different folders
            number += 1
            name = f"{number}-{path.name}"
        taken.add(name)
        served.append(ServedArchive(name, path.resolve()))
    return served


def _handler(rwp_folder: Path, archive: Callable[[str], Path | None]) -> type[BaseHTTPRequestHandler]:
    files = {"/ui.js": rwp_folder / "ui.js", "/replay/sw.js": rwp_folder / "sw.js"}

    class Handler(BaseHTTPRequestHandler):
        server_version = "archiver-replaywebpage/1"
        protocol_version = "HTTP/1.1"

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def _answer(self, send_body: bool) -> None:
            path = self.path.split("?", 1)[0]
            if path in ("/", "/index.html"):
                self._whole(INDEX_HTML.encode("utf-8"), "text/html; charset=utf-8", send_body)
            elif path in files:
                self._file(files[path], "application/javascript", send_body)
            elif path.startswith(ARCHIVE_PREFIX) and (target := archive(unquote(path[len(ARCHIVE_PREFIX) :]))):
                self._file(target, mimetypes.guess_type(target.name)[0] or "application/octet-stream", send_body)
            else:
                self._whole(b"not found\n", "text/plain", send_body, status=404)

        def _whole(self, body: bytes, content_type: str, send_body: bool, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def _file(self, path: Path, content_type: str, send_body: bool) -> None:
            size = path.stat().st_size
            start, end = 0, size - 1
            wanted = RANGE.match(self.headers.get("Range", "").strip())
            if wanted:
                first, last = wanted.groups()
                if first == "":  # a suffix range: the last N bytes (where a zip's directory is)
                    start = max(0, size - int(last or 0))
                else:
                    start, end = int(first), min(int(last), size - 1) if last else size - 1
                if start >= size or start > end:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            self.send_response(206 if wanted else 200)
            self.send_header("Content-Type", content_type)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(end - start + 1))
            if wanted:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if send_body:
                with path.open("rb") as fh:
                    try:
                        _copy_range(fh, self.wfile, start, end - start + 1)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the reader had enough (wabac.js cancels reads it no longer needs)

        def log_message(self, format: str, *args: object) -> None:  # quiet: a browser asks for many ranges
            pass

    return Handler


def _copy_range(source: BinaryIO, target: io.BufferedIOBase, start: int, length: int) -> None:
    source.seek(start)
    while length > 0:
        block = source.read(min(COPY_CHUNK, length))
        if not block:
            return
        target.write(block)
        length -= len(block)


if __name__ == "__main__":  # python -m archiver.replay.replaywebpage: fetch it now (scripts/test does)
    try:
        print(ensure_replaywebpage(lambda message: print(message, file=sys.stderr)))
    except ArchiverError as exc:
        print(f"archiver: {exc}", file=sys.stderr)
        sys.exit(2)
