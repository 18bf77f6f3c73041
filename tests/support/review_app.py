"""`archiver serve`'s app run in the test process on a free loopback port, with real uvicorn."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from archiver.evidence.bundle import BundleOptions
from archiver.evidence.verify import VerifyOptions
from archiver.web.app import AppContext, build_app
from archiver.web.bundles import Verdicts
from archiver.web.catalog import Catalog
from archiver.web.replay import ReplayOrigin


@contextmanager
def running_app(folders: list[Path], token: str | None = None, replay: bool = False) -> Iterator[tuple[str, Catalog]]:
    """The app over `folders`, indexed once before it answers; yields its address and catalog."""
    catalog = Catalog(folders)
    catalog.refresh()
    catalog.start()
    origin = ReplayOrigin(catalog).__enter__() if replay else None
    context = AppContext(catalog, origin, BundleOptions(), Verdicts(folders, VerifyOptions()))
    server = uvicorn.Server(uvicorn.Config(build_app(context, token), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:  # no deadline: a slow machine only makes this slower
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", catalog
    finally:
        server.should_exit = True
        thread.join()
        if origin is not None:
            origin.__exit__()
        catalog.stop()


def raw_get(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET `path` exactly as written (no client normalizes its dots or its escapes)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()
