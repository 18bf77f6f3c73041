"""Where a finished capture goes once the commit has decided: kept in its run's manifest, or set aside.

A worker captures into its own run folder, then *stages* the page (its manifest entry, checksums
included, written beside the run; `archiver.output.staging`) before the commit, so that whatever
happens next can be settled by anyone: the winning attempt's entry reaches the manifest, a losing
one's files are moved to `<output>/set-aside/` with a note saying which attempt was kept.

`CaptureStore` is the whole interface a worker writes through: a store in object storage would
implement the same three steps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from archiver.capture.result import PageResult
from archiver.output.manifest import RunManifest
from archiver.output.set_aside import set_aside_capture
from archiver.output.staging import stage, unstage
from archiver.output.stored import StoredPage


class CaptureStore(Protocol):
    def stage(self, job_id: str, result: PageResult) -> StoredPage:
        """Make the page's manifest entry and keep it until the commit; return it."""

    def keep(self, page: StoredPage) -> None:
        """The commit was won: the page joins the run's manifest."""

    def set_aside(self, page: StoredPage, job_id: str, why: str, kept: dict[str, Any] | None) -> dict[str, Any]:
        """The commit was lost: move the capture's files out of the run, noted; return the note."""


class RunFolderStore:
    """A run folder on a (possibly shared) filesystem, with its manifest."""

    def __init__(self, output: Path, manifest: RunManifest) -> None:
        self.output = output
        self.manifest = manifest

    def stage(self, job_id: str, result: PageResult) -> StoredPage:
        page = self.manifest.entry_of(result)
        stage(self.manifest.run_dir, job_id, dict(page.entry))
        return page

    def keep(self, page: StoredPage) -> None:
        self.manifest.add_entry(page)
        unstage(self.manifest.run_dir, page.capture_id)

    def set_aside(self, page: StoredPage, job_id: str, why: str, kept: dict[str, Any] | None) -> dict[str, Any]:
        note = set_aside_capture(
            self.output, self.manifest.run_dir, page.capture_id, why, job_id, page.requested_url, kept
        )
        self.manifest.add_set_aside(note)
        return note
