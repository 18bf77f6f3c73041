"""Replay from the review app: ReplayWeb.page (the npm package `archiver replay` already uses,
nothing from a CDN) on a port of its own, so a captured page's scripts run on an origin other
than the app's and can never read it.

Each capture is replayed from a WACZ of that capture alone (with the earlier WARCs its revisits
point at), made with `archiver bundle`'s code the first time it is asked for, in a temporary
folder (never in the output folder), and kept there while the server runs.
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlencode

from archiver.errors import ArchiverError
from archiver.evidence.bundle import BundleOptions, build_bundle
from archiver.replay.pywb import ReplayError
from archiver.replay.replaywebpage import ARCHIVE_PREFIX, ReplayWebPageServer, ensure_replaywebpage
from archiver.web.catalog import Catalog

log = logging.getLogger(__name__)

ARCHIVE_NAME = re.compile(r"^(\d{8}T\d{6}Z-[0-9a-f]{16})\.wacz$")


class ReplayOrigin:
    """A context manager: the replay server, or None as `server` when ReplayWeb.page is not there."""

    def __init__(self, catalog: Catalog, port: int = 0) -> None:
        self.catalog = catalog
        self.port = port
        self.problem: str | None = None
        self.server: ReplayWebPageServer | None = None
        self._scratch = tempfile.TemporaryDirectory(prefix="archiver-serve-replay-")
        self._lock = threading.Lock()

    def __enter__(self) -> ReplayOrigin:
        try:
            folder = ensure_replaywebpage()
        except ReplayError as exc:
            self.problem = str(exc)  # the app still works; its replay page says why not
            return self
        self.server = ReplayWebPageServer(folder, [], self.port, resolve=self._archive)
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.stop()
        self._scratch.cleanup()

    @property
    def origin(self) -> str | None:
        return self.server.origin if self.server else None

    def address(self, capture_id: str, url: str, timestamp: str) -> str | None:
        """Where ReplayWeb.page shows this capture at its own time."""
        if self.server is None:
            return None
        source = f"{self.server.origin}{ARCHIVE_PREFIX}{capture_id}.wacz"
        return f"{self.server.origin}/?" + urlencode({"source": source, "url": url, "ts": timestamp})

    def _archive(self, name: str) -> Path | None:
        match = ARCHIVE_NAME.match(name)
        if match is None:
            return None
        path = Path(self._scratch.name) / name
        with self._lock:  # ReplayWeb.page asks for many ranges at once; the bundle is made once
            if path.is_file():
                return path
            found = self.catalog.find(match.group(1))
            if found is None or not found.page.replayable:
                return None
            try:
                build_bundle([found.run.run_dir], path, BundleOptions(), captures={found.page.capture_id})
            except ArchiverError as exc:  # an earlier WARC its revisits need is gone, say
                log.warning("capture %s cannot be replayed: %s", found.page.capture_id, exc)
                return None
        return path
