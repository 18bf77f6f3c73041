"""Bundles from the review app: a signed WACZ of some captures, made in a temporary folder (never
in the output folder) with `archiver bundle`'s code; and `archiver verify`'s verdict on each
bundle someone dropped into an output folder.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.evidence.bundle import BundleOptions, build_bundle
from archiver.evidence.verify import VerifyOptions, verdict, verify_bundle
from archiver.web.catalog import Catalog

MAX_BUNDLED = 500  # captures in one bundle made from the app (a search's results, an article's life)


@dataclass(frozen=True)
class MadeBundle:
    path: Path
    folder: tempfile.TemporaryDirectory[str]  # removed once the bundle is sent
    pages: int


def make_bundle(catalog: Catalog, capture_ids: list[str], options: BundleOptions, name: str) -> MadeBundle:
    """A bundle of these captures (and the earlier WARCs their revisits need)."""
    located = [found for capture_id in capture_ids[:MAX_BUNDLED] if (found := catalog.find(capture_id))]
    runs = sorted({found.run.run_dir for found in located})
    folder = tempfile.TemporaryDirectory(prefix="archiver-serve-bundle-")
    path = Path(folder.name) / name
    try:
        outcome = build_bundle(runs, path, options, captures={found.page.capture_id for found in located})
    except BaseException:
        folder.cleanup()
        raise
    return MadeBundle(path, folder, outcome.pages)


@dataclass(frozen=True)
class DroppedBundle:
    path: Path
    size: int
    status: int
    line: str
    checks: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.path.name, "size": self.size, "status": self.status, "verdict": self.line,
                "checks": self.checks}  # fmt: skip


class Verdicts:
    """`archiver verify` on the *.wacz files at the top of each output folder, each worked out
    once per version of the file (a bundle is read whole to check it)."""

    def __init__(self, folders: list[Path], options: VerifyOptions) -> None:
        self.folders = folders
        self.options = options
        self._known: dict[tuple[Path, int, int], DroppedBundle] = {}
        self._lock = threading.Lock()

    def all(self) -> list[DroppedBundle]:
        return [self._verdict(path) for folder in self.folders for path in sorted(folder.glob("*.wacz"))]

    def _verdict(self, path: Path) -> DroppedBundle:
        stat = path.stat()
        key = (path, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if key not in self._known:
                checks = verify_bundle(path, self.options)
                found = verdict(checks)
                self._known[key] = DroppedBundle(path, stat.st_size, found.status, found.line, [str(c) for c in checks])
            return self._known[key]
