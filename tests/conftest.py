"""Fixtures: local sites on 127.0.0.1 (HTTP/1.1 and HTTPS with HTTP/2), and captures of them.

Chromium is started with host-resolver rules that map every name but localhost to "not found",
so nothing a test page does can reach beyond this machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from archiver.options import CaptureOptions
from archiver.run.batch import RunOutcome
from tests.support import hooks
from tests.support.captures import TEST_OPTIONS, Site, run_capture
from tests.support.fixture_site import FixtureApp, ServerThread
from tests.support.tls_ca import ServerCertificate, make_server_certificate
from tests.support.tsa import LocalTsa, start_tsa

# public.test and rebind.test reach this machine too: the network-guard tests say what they "are".
LOOPBACK_ONLY = (
    '--host-resolver-rules="MAP public.test 127.0.0.1, MAP rebind.test 127.0.0.1, '
    'MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"'
)
os.environ["ARCHIVER_BROWSER_ARGS"] = (os.environ.get("ARCHIVER_BROWSER_ARGS", "") + " " + LOOPBACK_ONLY).strip()
# The network guard's proxy resolves every name the browser asks for: here only the tests' own
# names and literal addresses, never through DNS, so nothing a test page names leaves the machine
# (tests/support/hooks.py); the archiver processes the tests start get the same hooks.
hooks.install()
ROOT = Path(__file__).resolve().parent.parent
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    app = FixtureApp()
    server = ServerThread(app).start()
    # The embed comes from another site (localhost vs 127.0.0.1): an out-of-process iframe.
    app.embed_origin = f"http://localhost:{server.port}"
    yield Site(server, "http")
    server.stop()


@pytest.fixture(scope="session")
def server_certificate(tmp_path_factory: pytest.TempPathFactory) -> ServerCertificate:
    return make_server_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def tls_site(server_certificate: ServerCertificate) -> Iterator[Site]:
    app = FixtureApp()
    server = ServerThread(app, server_certificate.certfile, server_certificate.keyfile).start()
    app.embed_origin = f"https://127.0.0.1:{server.port}"
    yield Site(server, "https")
    server.stop()


@pytest.fixture(scope="session")
def article_capture(site: Site, tmp_path_factory: pytest.TempPathFactory) -> RunOutcome:
    """One capture of the fixture article over HTTP/1.1, entered through its redirect."""
    return run_capture([site.url("/go/article")], tmp_path_factory.mktemp("article"))


@pytest.fixture(scope="session")
def tls_capture(tls_site: Site, tmp_path_factory: pytest.TempPathFactory) -> RunOutcome:
    """One capture of the fixture article over HTTPS and HTTP/2, from a server with a test CA."""
    options = CaptureOptions(**{**TEST_OPTIONS.to_dict(), "ignore_https_errors": True})
    return run_capture([tls_site.url("/article", host="localhost")], tmp_path_factory.mktemp("tls-article"), options)


@pytest.fixture(scope="session")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTsa]:
    """A real RFC 3161 time-stamping authority on 127.0.0.1 (openssl ts), with its own test CA."""
    server = start_tsa(tmp_path_factory.mktemp("tsa"))
    yield server
    server.stop()
