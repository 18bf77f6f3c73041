"""The network guard where connections are made: a public page reaches no private address by any
route, nothing a private server says reaches any output file, and the guard fails closed.

"public.test" is a public name here: the guard is told it resolves to 93.184.216.34 (a global
address), and a test-only connect map sends that address's connections to 127.0.0.1, where the
fixture site serves it. The "private server" is another server on 127.0.0.1 that counts every
connection it accepts and answers everything with a secret.
"""

from __future__ import annotations

import gzip
import json
import secrets
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.cli import FAST, run_cli
from tests.support.warcs import records_of

pytestmark = pytest.mark.browser

PUBLIC_IP = "93.184.216.34"


class PrivateServer(ThreadingHTTPServer):
    """Answers every request with its secret, and counts every connection it accepts."""

    def __init__(self) -> None:
        self.secret = "PRIVATE-SECRET-" + secrets.token_hex(8)
        self.connections = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = server.secret.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    def get_request(self) -> tuple[socket.socket, object]:
        self.connections += 1
        return super().get_request()


@pytest.fixture()
def private() -> Iterator[PrivateServer]:
    server = PrivateServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def guarded_env(site) -> dict[str, str]:
    return {
        "ARCHIVER_TEST_RESOLVE": f"public.test={PUBLIC_IP},intranet.test=10.0.0.7",
        "ARCHIVER_TEST_CONNECT_MAP": f"{PUBLIC_IP}=127.0.0.1",
    }


def capture(site, output: Path, *urls: str, extra: tuple[str, ...] = ()) -> tuple[object, list[dict]]:
    result = run_cli("capture", "--output", str(output), *FAST, "--settle", "2", *extra, *urls, env=guarded_env(site))
    (run_dir,) = [p for p in output.iterdir() if p.is_dir()]
    return result, json.loads((run_dir / "manifest.json").read_text())["pages"]


def everything_written(output: Path) -> bytes:
    """Every byte under `output`, WARC members decompressed."""
    found = b""
    for path in output.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += gzip.decompress(data) if path.name.endswith(".gz") else data
    return found


def test_a_public_page_reaches_the_private_server_by_no_route(site, private: PrivateServer, tmp_path: Path) -> None:
    seed = f"http://public.test:{site.port}/hostile?p={private.server_address[1]}"
    result, (page,) = capture(site, tmp_path, seed)
    assert private.connections == 0, "the private server was connected to"
    assert private.secret.encode() not in everything_written(tmp_path)
    assert page["state"] == "complete", page["reason"]
    guard = page["network_guard"]
    assert guard["active"] is True
    reasons = " ".join(entry["reason"] for entry in guard["blocked"])
    assert "loopback address 127.0.0.1" in reasons and "intranet.test is a private address 10.0.0.7" in reasons
    blocked_urls = {entry["url"] for entry in guard["blocked"]}
    p = private.server_address[1]
    assert f"http://127.0.0.1:{p}/image.png" in blocked_urls  # a redirect hop of an image
    assert f"http://127.0.0.1:{p}/data" in blocked_urls  # a redirect hop of fetch
    dom = next(tmp_path.rglob("dom.html")).read_text()
    assert "fetch-blocked" in dom and "ws-blocked" in dom and "events-blocked" in dom and "worker-blocked" in dom
    public = [r for r in records_of(tmp_path) if r.type == "response"]
    assert public and all(r.warc("WARC-IP-Address") == PUBLIC_IP for r in public)  # where the proxy connected


@pytest.mark.parametrize("route", ["redir", "meta-refresh-private", "js-location-private"])
def test_a_page_whose_own_document_goes_private_is_not_stored_from_there(
    site, private: PrivateServer, route: str, tmp_path: Path
) -> None:
    p = private.server_address[1]
    seed = (
        f"http://public.test:{site.port}/redir?to=http://127.0.0.1:{p}/seed"
        if route == "redir"
        else f"http://public.test:{site.port}/{route}?p={p}"
    )
    result, (page,) = capture(site, tmp_path, seed)
    assert private.connections == 0
    assert private.secret.encode() not in everything_written(tmp_path)
    assert page["state"] in ("failed", "partial"), page
    if route == "redir":  # the seed itself redirects there: nothing of the page to keep
        assert page["state"] == "failed" and "network guard" in page["reason"] and "loopback" in page["reason"]
    else:  # the page loaded, then sent itself there: kept as it was, not what it went to
        assert page["state"] == "partial" and "network guard" in page["reason"]
        assert "dom" not in {f["role"] for f in page["files"]}
    assert "Traceback" not in result.stderr


def test_an_unresolvable_seed_fails_closed(site, private: PrivateServer, tmp_path: Path) -> None:
    result, (page,) = capture(site, tmp_path, f"http://nowhere.test:{private.server_address[1]}/")
    assert private.connections == 0
    assert page["state"] == "failed" and "could not be resolved" in page["reason"]
    assert page["network_guard"]["active"] is True
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_private_seeds_and_allow_private_still_reach_private_addresses(
    site, private: PrivateServer, tmp_path: Path
) -> None:
    p = private.server_address[1]
    _, (page,) = capture(site, tmp_path / "intranet", f"http://127.0.0.1:{p}/own-intranet-page")
    assert page["state"] == "complete" and page["network_guard"]["active"] is False
    _, (page,) = capture(
        site, tmp_path / "allowed", f"http://public.test:{site.port}/hostile?p={p}", extra=("--allow-private",)
    )
    assert page["network_guard"]["blocked"] == [] and private.connections > 0


def test_credentials_in_a_seed_are_refused_and_never_written(site, tmp_path: Path) -> None:
    result, (page,) = capture(site, tmp_path, f"http://reader:hunter2@public.test:{site.port}/article")
    assert page["state"] == "failed" and "credentials" in page["reason"]
    assert b"hunter2" not in everything_written(tmp_path)
    assert "hunter2" not in result.stdout + result.stderr
