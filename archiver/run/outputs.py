"""Finding what was captured: runs (folders with a manifest.json) and their pages, for replay and QA."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from archiver.errors import ArchiverError
from archiver.run.manifest import MANIFEST_NAME
from archiver.warc.dedup import required_warcs


@dataclass
class CapturedPage:
    run_dir: Path
    entry: dict[str, Any]  # the page's manifest entry
    options: dict[str, Any]  # the run's capture options

    @property
    def url(self) -> str:
        return self.entry["final_url"] or self.entry["requested_url"]

    @property
    def capture_id(self) -> str:
        return self.entry["capture_id"]

    @property
    def timestamp(self) -> str:
        """14-digit timestamp (pywb's) of the capture's start: every record of it is at or after."""
        return "".join(ch for ch in self.entry["started_at"] if ch.isdigit())[:14]

    def files(self, role: str) -> list[Path]:
        return [self.run_dir / f["path"] for f in self.entry["files"] if f["role"] == role]

    def replay_warcs(self) -> list[Path]:
        """The capture's WARC files and the earlier captures' files its revisits point at: what a
        replay tool needs to show this capture whole."""
        originals = [path for path in required_warcs(self.run_dir.parent, self.entry) if path.is_file()]
        return self.files("warc") + originals  # one deleted since: its revisits show up as misses


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


def load_pages(paths: Iterable[Path]) -> list[CapturedPage]:
    """Every page with something to replay (a WARC and a final URL) in the runs found under `paths`."""
    paths = list(paths)
    manifests = find_manifests(paths)
    if not manifests:
        raise ArchiverError(f"no {MANIFEST_NAME} found in {', '.join(str(p) for p in paths)}")
    pages = []
    for manifest_path in manifests:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for entry in manifest["pages"]:
            page = CapturedPage(manifest_path.parent, entry, manifest["options"])
            if entry.get("final_url") and page.files("warc"):
                pages.append(page)
    return pages
