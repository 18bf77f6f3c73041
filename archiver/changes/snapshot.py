"""One stored capture of a page, read back for comparison: never the live site.

A capture is named by its folder (`<output>/<run id>/<capture id>`) or by its capture id under an
output folder. What is compared comes from what the capture stored: the manifest entry (the
article's fields, its photos with captions and credits), the DOM (the article's text), the WARC
(the photos' bytes, through revisits to the earlier capture that holds them) and the full-page
screenshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archiver.changes.photos import Photo
from archiver.errors import ArchiverError
from archiver.metadata.extract import stored_html
from archiver.output.runs import scan_runs
from archiver.output.stored import MANIFEST_NAME, StoredImage, StoredPage, StoredRun
from archiver.terms import FileRole, PageState
from archiver.warc.lookup import WarcLookup

# The article's fields a reader would see changed, by the manifest's name for them.
FIELDS = {
    "headline": "headline",
    "description": "standfirst",
    "authors": "authors",
    "published": "published",
    "modified": "modified",
    "canonical_url": "canonical URL",
}


class CaptureNotFound(ArchiverError):
    pass


@dataclass
class Snapshot:
    page: StoredPage  # the page's manifest entry, read back
    fields: dict[str, Any] = field(default_factory=dict)  # FIELDS' values, as plain text or lists
    html: str = ""  # the rendered DOM, else the document as served
    photos: list[Photo] = field(default_factory=list)

    @property
    def capture_id(self) -> str:
        return self.page.capture_id

    @property
    def url(self) -> str:
        return self.page.url

    @property
    def captured_at(self) -> str:
        return self.page.started_at

    @property
    def folder(self) -> Path:
        return self.page.folder

    def file(self, role: FileRole) -> Path | None:
        return self.page.file(role)


def find_capture(reference: str, output: Path) -> StoredPage:
    """The capture a capture folder or a capture id under `output` names."""
    folder = Path(reference)
    if folder.is_dir() and (folder.parent / MANIFEST_NAME).is_file():
        found = StoredRun.read(folder.parent / MANIFEST_NAME).page(folder.name)
        if found is not None:
            return found
        raise CaptureNotFound(f"{folder} is not a capture its run's manifest lists")
    scan = scan_runs([output])
    found = next((page for page in scan.pages if page.capture_id == reference), None)
    if found is not None:
        return found
    scan.raise_if_unreadable()  # it may be in the manifest that could not be read
    raise CaptureNotFound(
        f"no capture {reference!r}: give a capture folder (<output>/<run>/<capture id>) "
        f"or the id of a capture under {output}"
    )


def load_snapshot(reference: str, output: Path) -> Snapshot:
    return snapshot_of(find_capture(reference, output))


def snapshot_of(page: StoredPage) -> Snapshot:
    if page.state == PageState.FAILED:
        raise CaptureNotFound(f"capture {page.capture_id} failed ({page.reason}): nothing to compare")
    snapshot = Snapshot(page)
    snapshot.fields = {name: page.article.plain(name) for name in FIELDS}
    lookup = _lookup(page)
    snapshot.html = page_html(page, lookup)
    snapshot.photos = [_photo(image, lookup) for image in page.images]
    return snapshot


def _lookup(page: StoredPage) -> WarcLookup:
    return WarcLookup([w for w in page.warcs if w.is_file()], [w for w in page.required_warcs() if w.is_file()])


def page_html(page: StoredPage, lookup: WarcLookup | None = None) -> str:
    """The capture's rendered DOM, else the document as served (read from its WARC files)."""
    dom = page.file(FileRole.DOM)
    if dom is not None:
        return dom.read_text(encoding="utf-8", errors="replace")
    return stored_html(lookup or _lookup(page), page.url)


def _photo(image: StoredImage, lookup: WarcLookup) -> Photo:
    return Photo(
        url=image.url,
        is_lead=image.is_lead,
        caption=image.caption or "",
        credits=[credit.value for credit in image.credits],
        data=lookup.payload(image.url),
    )
