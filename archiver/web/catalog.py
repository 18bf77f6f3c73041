"""What the review app knows of its output folders: their search indexes, kept up to date in the
background, the runs and captures they hold, read back through `output.stored`, and the edits
between an article's captures (worked out once, kept in the index).

Several folders are served as one: each keeps its own index, and the lists are merged.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from archiver.changes.compare import compare
from archiver.changes.snapshot import snapshot_of
from archiver.errors import ArchiverError
from archiver.output.stored import CAPTURE_ID, PAGE_ID, RUN_ID, StoredPage, StoredRun, UnreadableManifest
from archiver.search.index import NO_FILTERS, ArticleRow, Filters, Hit, IndexedCapture, SearchIndex
from archiver.terms import PageState

log = logging.getLogger(__name__)

REFRESH_SECONDS = 2.0  # how soon a capture that landed is listed
RUNS_KEPT = 64  # manifests kept parsed


@dataclass(frozen=True)
class Located:
    """A capture found: the folder's index, its row, its run and its manifest entry."""

    index: SearchIndex
    row: IndexedCapture
    run: StoredRun
    page: StoredPage


@dataclass(frozen=True)
class TimelineMark:
    capture: IndexedCapture
    changed: bool | None  # since the capture before it that is not failed; None: the first, or failed
    summary: list[str]


class Catalog:
    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders
        self.indexes = [SearchIndex(folder) for folder in folders]
        self._runs: OrderedDict[tuple[Path, int, int], StoredRun] = OrderedDict()
        self._runs_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- keeping up ----------------------------------------------------------------------------------

    def refresh(self) -> int:
        return sum(index.update() for index in self.indexes)

    def start(self) -> None:
        """Index what is there, then keep indexing what lands, in a thread of its own."""
        self._thread = threading.Thread(target=self._keep_up, name="archiver-indexer", daemon=True)
        self._thread.start()

    def _keep_up(self) -> None:
        while not self._stop.is_set():
            try:
                added = self.refresh()
                if added:
                    log.info("indexed %d capture(s)", added)
            except (OSError, ArchiverError) as exc:  # a folder gone or unreadable: said, tried again
                log.warning("indexing failed: %s", exc)
            self._stop.wait(REFRESH_SECONDS)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    # -- lists -------------------------------------------------------------------------------------

    def articles(self, filters: Filters = NO_FILTERS, limit: int = 50, offset: int = 0) -> list[ArticleRow]:
        rows = [row for index in self.indexes for row in index.articles(filters, limit + offset)]
        rows.sort(key=lambda row: row.latest.captured_at, reverse=True)
        return rows[offset : offset + limit]

    def search(self, query: str, filters: Filters = NO_FILTERS, limit: int = 20, offset: int = 0) -> list[Hit]:
        hits = [hit for index in self.indexes for hit in index.search(query, filters, limit + offset)]
        hits.sort(key=lambda hit: hit.rank)
        return hits[offset : offset + limit]

    def recent(self, states: tuple[str, ...], limit: int = 20) -> list[IndexedCapture]:
        rows = [row for index in self.indexes for row in index.recent(states, limit)]
        return sorted(rows, key=lambda row: row.captured_at, reverse=True)[:limit]

    def totals(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for index in self.indexes:
            for key, value in index.totals().items():
                totals[key] = totals.get(key, 0) + value
        return totals

    def runs(self) -> list[dict[str, object]]:
        runs = [{**run, "folder": str(index.output)} for index in self.indexes for run in index.runs()]
        return sorted(runs, key=lambda run: str(run["started_at"] or ""), reverse=True)

    # -- one article, one capture, one run ---------------------------------------------------------

    def captures_of(self, page_id: str) -> list[IndexedCapture]:
        if not PAGE_ID.match(page_id):
            return []
        rows = [row for index in self.indexes for row in index.captures_of(page_id)]
        return sorted(rows, key=lambda row: row.captured_at)

    def find(self, capture_id: str) -> Located | None:
        """The capture with this id, read from its run's manifest (None: no such capture)."""
        if not CAPTURE_ID.match(capture_id):
            return None
        for index in self.indexes:
            found = index.capture(capture_id)
            if found is None:
                continue
            row, manifest = found
            run = self._run(manifest)
            page = run.page(capture_id) if run else None
            if run is not None and page is not None:
                return Located(index, row, run, page)
        return None

    def run(self, run_id: str) -> StoredRun | None:
        if not RUN_ID.match(run_id):
            return None
        for index in self.indexes:
            manifest = index.run_manifest(run_id)
            if manifest is not None:
                return self._run(manifest)
        return None

    def _run(self, manifest: Path) -> StoredRun | None:
        """The run, parsed once per version of its manifest."""
        try:
            stat = manifest.stat()
        except OSError:
            return None
        key = (manifest, stat.st_mtime_ns, stat.st_size)
        with self._runs_lock:
            if key in self._runs:
                self._runs.move_to_end(key)
                return self._runs[key]
        try:
            run = StoredRun.read(manifest)
        except UnreadableManifest as exc:
            log.warning("%s", exc)
            return None
        with self._runs_lock:
            self._runs[key] = run
            while len(self._runs) > RUNS_KEPT:
                self._runs.popitem(last=False)
        return run

    def timeline(self, page_id: str) -> list[TimelineMark]:
        """The article's captures, oldest first, each with what changed since the one before."""
        marks: list[TimelineMark] = []
        previous: IndexedCapture | None = None
        for row in self.captures_of(page_id):
            if row.state == PageState.FAILED:
                marks.append(TimelineMark(row, None, []))
                continue
            changed, summary = self._change(previous, row) if previous else (None, [])
            marks.append(TimelineMark(row, changed, summary))
            previous = row
        return marks

    def _change(self, old: IndexedCapture, new: IndexedCapture) -> tuple[bool | None, list[str]]:
        located = self.find(new.capture_id)
        if located is None:
            return None, []
        known = located.index.known_change(old.capture_id, new.capture_id)
        if known is not None:
            return known
        before = self.find(old.capture_id)
        if before is None:
            return None, []
        try:
            comparison = compare(snapshot_of(before.page), snapshot_of(located.page), screenshots=False)
        except (ArchiverError, OSError) as exc:
            return None, [f"could not be compared: {exc}"]
        located.index.keep_change(old.capture_id, new.capture_id, comparison.changed, comparison.edits)
        return comparison.changed, comparison.edits
