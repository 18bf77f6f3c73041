"""The output folder's deduplication index: for each URL, its latest original response in the
captures the manifests list, so a re-capture can store what did not change as revisits.

Only captures a manifest lists (and that did not fail) count: a revisit never points into a WARC
nobody vouched for. The index lives in `<output>/.dedup-index.json`. It is a cache: the WARC files
the manifests list are the truth, and the index is rebuilt from them when it is missing,
unreadable, or names a file that is no longer listed with the same checksum.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from archiver.jsonfile import write_json_atomic
from archiver.output.runs import scan_runs
from archiver.output.stored import RUN_ID, StoredPage, UnreadableManifest, inside_path
from archiver.terms import FileRole, PageState
from archiver.warc.dedup import Original, OriginalsIndex, originals_in, still_holds

INDEX_NAME = ".dedup-index.json"
INDEX_VERSION = 2  # 2: each original's offset, so that it is checked before a revisit points at it

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListedWarc:
    run_id: str
    run_dir: Path
    path: str  # inside the run folder
    sha256: str
    started_at: str  # of the page that wrote it: later captures win

    @property
    def key(self) -> str:
        return f"{self.run_id}/{self.path}"


def page_warcs(page: StoredPage) -> list[ListedWarc]:
    """The WARC files a page's entry vouches for (none for a failed page)."""
    if page.state == PageState.FAILED:
        return []
    return [
        ListedWarc(page.run_id, page.run_dir, f.path, f.sha256, page.started_at)
        for f in page.files
        if f.role == FileRole.WARC
    ]


def listed_warcs(output: Path) -> list[ListedWarc]:
    """Every WARC file a readable manifest in `output` lists for a page that was not failed, oldest page first."""
    found = [warc for page in scan_runs([output]).pages for warc in page_warcs(page)]
    return sorted(found, key=lambda warc: warc.started_at)


class DedupIndex(OriginalsIndex):
    """The originals of an output folder's listed captures, kept in its index file."""

    def __init__(self, output: Path) -> None:
        super().__init__()
        self.output = output
        self.indexed: dict[str, str] = {}  # "<run id>/<path>" -> SHA-256 of every WARC indexed
        self._checked: set[str] = set()  # record ids found where the index says they are

    @classmethod
    def load(cls, output: Path) -> DedupIndex:
        """The index of `output`, brought up to date with what its manifests list now."""
        index = cls._read_cache(output) or cls(output)
        listed = listed_warcs(output)
        current = {warc.key: warc.sha256 for warc in listed}
        if any(current.get(key) != sha for key, sha in index.indexed.items()):
            log.info("dedup index of %s rebuilt: a listed WARC was removed or replaced", output)
            index = cls(output)  # a file was removed or replaced: start again from the WARCs
        new = [warc for warc in listed if warc.key not in index.indexed]
        for warc in new:
            index.add_warc(warc)
        if new or not (output / INDEX_NAME).exists():
            index.save()
        return index

    @classmethod
    def _read_cache(cls, output: Path) -> DedupIndex | None:
        try:
            data = json.loads((output / INDEX_NAME).read_text(encoding="utf-8"))
            if data.get("version") != INDEX_VERSION:
                return None
            index = cls(output)
            index.indexed = {str(k): str(v) for k, v in data["indexed"].items()}
            index.latest = {url: Original(**entry) for url, entry in data["latest"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing or unreadable: rebuilt from the WARCs
        if not all(index._plausible(url, original) for url, original in index.latest.items()):
            log.warning("dedup index of %s rebuilt: it names originals its files cannot hold", output)
            return None
        return index

    def _plausible(self, url: str, original: Original) -> bool:
        """An entry of the cache as the index itself would have written it (ids, paths, its file indexed)."""
        try:
            inside_path(original.warc, "the dedup index")
        except UnreadableManifest:
            return False
        return (
            original.url == url
            and isinstance(original.offset, int)
            and bool(RUN_ID.match(original.run_id))
            and self.indexed.get(f"{original.run_id}/{original.warc}") == original.warc_sha256
        )

    def find(self, url: str, digest: str) -> Original | None:
        """The original to point a revisit at, once it is checked to be in its file (a damaged or
        edited index, or a WARC changed since, yields no revisit: the response is stored whole)."""
        original = super().find(url, digest)
        if original is None or original.record_id in self._checked:
            return original
        if not still_holds(self.output / original.run_id / original.warc, original):
            log.warning("dedup index: %s is not where the index says; stored whole", original.record_id)
            self.latest.pop(url, None)
            return None
        self._checked.add(original.record_id)
        return original

    def add_warc(self, warc: ListedWarc) -> None:
        for original in originals_in(warc.run_dir / warc.path, warc.run_id, warc.path, warc.sha256):
            self.add(original)  # files come oldest first: the later capture wins
        self.indexed[warc.key] = warc.sha256

    def add_page(self, page: StoredPage) -> None:
        """A page that has just reached its manifest: its responses become originals for later pages."""
        warcs = [warc for warc in page_warcs(page) if warc.key not in self.indexed]
        for warc in warcs:
            self.add_warc(warc)
        if warcs:
            self.save()

    def save(self) -> None:
        write_json_atomic(
            self.output / INDEX_NAME,
            {
                "version": INDEX_VERSION,
                "about": "archiver's deduplication index: a cache, rebuilt from the WARC files the manifests list",
                "indexed": self.indexed,
                "latest": {url: asdict(original) for url, original in sorted(self.latest.items())},
            },
        )
