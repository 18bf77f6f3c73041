"""Finding what was captured: the runs under some folders (each a folder with a manifest.json),
read through `StoredRun`, with the manifests that could not be read said rather than crashed on."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archiver.errors import ArchiverError
from archiver.output.stored import MANIFEST_NAME, StoredPage, StoredRun, UnreadableManifest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Unreadable:
    path: Path
    reason: str


@dataclass
class RunScan:
    runs: list[StoredRun] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)

    @property
    def pages(self) -> list[StoredPage]:
        return [page for run in self.runs for page in run.pages]

    def raise_if_unreadable(self) -> None:
        """For a command that must not go on with some of the runs it was pointed at left out."""
        if self.unreadable:
            first = self.unreadable[0]
            more = f" (and {len(self.unreadable) - 1} more)" if len(self.unreadable) > 1 else ""
            raise UnreadableManifest(f"{first.reason}{more}")


def find_manifests(paths: Iterable[Path]) -> list[Path]:
    """manifest.json files named, in the folders named, or in their run folders one level down."""
    found: list[Path] = []
    for path in paths:
        if path.is_file() and path.name == MANIFEST_NAME:
            found.append(path)
        elif (path / MANIFEST_NAME).is_file():
            found.append(path / MANIFEST_NAME)
        elif path.is_dir():
            found.extend(sorted(path.glob(f"*/{MANIFEST_NAME}")))
    return found


def scan_runs(paths: Iterable[Path]) -> RunScan:
    """Every run found under `paths`, oldest folder name first; unreadable manifests are listed apart."""
    scan = RunScan()
    for manifest_path in find_manifests(paths):
        try:
            scan.runs.append(StoredRun.read(manifest_path))
        except UnreadableManifest as exc:
            log.warning("unreadable manifest left out: %s", exc)
            scan.unreadable.append(Unreadable(manifest_path, str(exc)))
    return scan


def replayable_pages(paths: Iterable[Path]) -> list[tuple[StoredRun, StoredPage]]:
    """Every page with something to replay (a WARC and a final URL) in the runs found under `paths`,
    with its run; a manifest that cannot be read is an error here (the user named it)."""
    paths = list(paths)
    scan = scan_runs(paths)
    if not scan.runs and not scan.unreadable:
        raise ArchiverError(f"no {MANIFEST_NAME} found in {', '.join(str(p) for p in paths)}")
    scan.raise_if_unreadable()
    return [(run, page) for run in scan.runs for page in run.pages if page.replayable]
