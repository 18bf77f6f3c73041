"""One stored capture of a page, read back for comparison: never the live site.

A capture is named by its folder (`<output>/<run id>/<capture id>`) or by its capture id under an
output folder. What is compared comes from what the capture stored: the manifest entry (the
article's fields, its photos with captions and credits), the DOM (the article's text), the WARC
(the photos' bytes, through revisits to the earlier capture that holds them) and the full-page
screenshot.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archiver.changes.photos import Photo
from archiver.errors import ArchiverError
from archiver.jsonfile import MANIFEST_NAME
from archiver.metadata.extract import stored_html
from archiver.warc.dedup import required_warcs
from archiver.warc.lookup import WarcLookup

# The article's fields a reader would see changed, by the manifest's name for them.
FIELDS = {"headline": "headline", "description": "standfirst", "authors": "authors", "published": "published",
          "modified": "modified", "canonical_url": "canonical URL"}


class CaptureNotFound(ArchiverError):
    pass


@dataclass
class Snapshot:
    run_dir: Path
    entry: dict[str, Any]  # the page's manifest entry
    fields: dict[str, Any] = field(default_factory=dict)  # FIELDS' values, as plain text or lists
    html: str = ""  # the rendered DOM, else the document as served
    photos: list[Photo] = field(default_factory=list)

    @property
    def capture_id(self) -> str:
        return self.entry["capture_id"]

    @property
    def url(self) -> str:
        return self.entry.get("final_url") or self.entry["requested_url"]

    @property
    def captured_at(self) -> str:
        return self.entry["started_at"]

    @property
    def folder(self) -> Path:
        return self.run_dir / self.capture_id

    def file(self, role: str) -> Path | None:
        paths = [self.run_dir / f["path"] for f in self.entry.get("files", []) if f["role"] == role]
        return paths[0] if paths and paths[0].is_file() else None


def find_capture(reference: str, output: Path) -> tuple[Path, dict[str, Any]]:
    """(run folder, manifest entry) of a capture folder or a capture id under `output`."""
    folder = Path(reference)
    if folder.is_dir() and (folder.parent / MANIFEST_NAME).is_file():
        found = _entry(folder.parent, folder.name)
        if found is not None:
            return folder.parent, found
        raise CaptureNotFound(f"{folder} is not a capture its run's manifest lists")
    for manifest_path in sorted(output.glob(f"*/{MANIFEST_NAME}")):
        found = _entry(manifest_path.parent, reference)
        if found is not None:
            return manifest_path.parent, found
    raise CaptureNotFound(f"no capture {reference!r}: give a capture folder (<output>/<run>/<capture id>) "
                          f"or the id of a capture under {output}")


def _entry(run_dir: Path, capture_id: str) -> dict[str, Any] | None:
    try:
        manifest = json.loads((run_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CaptureNotFound(f"{run_dir / MANIFEST_NAME} is unreadable: {exc}") from None
    return next((page for page in manifest.get("pages", []) if page.get("capture_id") == capture_id), None)


def load_snapshot(reference: str, output: Path) -> Snapshot:
    run_dir, entry = find_capture(reference, output)
    if entry.get("state") == "failed":
        raise CaptureNotFound(f"capture {entry['capture_id']} failed ({entry.get('reason')}): nothing to compare")
    snapshot = Snapshot(run_dir, entry)
    article = (entry.get("article") or {}).get("fields", {})
    snapshot.fields = {name: _plain(article.get(name)) for name in FIELDS}
    warcs = [run_dir / f["path"] for f in entry.get("files", []) if f["role"] == "warc"]
    lookup = WarcLookup([w for w in warcs if w.is_file()],
                        [w for w in required_warcs(run_dir.parent, entry) if w.is_file()])
    snapshot.html = _html(snapshot, lookup)
    snapshot.photos = [_photo(image, lookup) for image in entry.get("images", [])]
    return snapshot


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [item["value"] for item in value]
    return value["value"] if isinstance(value, dict) else None


def _html(snapshot: Snapshot, lookup: WarcLookup) -> str:
    dom = snapshot.file("dom")
    if dom is not None:
        return dom.read_text(encoding="utf-8", errors="replace")
    return stored_html(lookup, snapshot.url)  # the document as served


def _photo(image: dict[str, Any], lookup: WarcLookup) -> Photo:
    return Photo(url=image["url"], is_lead=bool(image.get("is_lead")), caption=image.get("caption") or "",
                 credits=[credit["value"] for credit in image.get("credits", [])],
                 data=lookup.payload(image["url"]))
