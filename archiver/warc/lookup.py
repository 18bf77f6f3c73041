"""Read responses back out of WARC files by URL, without holding the files in memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archiver.identity import strip_fragment


@dataclass(frozen=True)
class StoredResponse:
    path: Path
    offset: int
    status: int
    content_type: str


class WarcLookup:
    """An index of the response records in some WARC files: URL -> where its last complete copy is.

    A `revisit` record (deduplicated: the same bytes as an earlier capture) counts as its URL's
    copy when the original it points at is in `originals`, the earlier captures' WARC files."""

    def __init__(self, paths: Iterable[Path], originals: Iterable[Path] = ()) -> None:
        self._responses: dict[str, StoredResponse] = {}
        self._by_id: dict[str, StoredResponse] = {}
        self._revisits: dict[str, tuple[str, str]] = {}  # URL -> (original's record id, content type)
        for path in originals:
            self._index(path, by_url=False)
        for path in paths:
            self._index(path, by_url=True)
        for url, (record_id, content_type) in self._revisits.items():
            found = self._by_id.get(record_id)
            if found is not None and url not in self._responses:
                self._responses[url] = StoredResponse(found.path, found.offset, found.status, content_type)

    def _index(self, path: Path, by_url: bool) -> None:
        with path.open("rb") as fh:
            iterator = ArchiveIterator(fh, ensure_http_headers=False)
            for record in iterator:
                if record.rec_type not in ("response", "revisit") or record.http_headers is None:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                status = int(record.http_headers.get_statuscode() or 0)
                content_type = record.http_headers.get_header("Content-Type") or ""
                if record.rec_type == "revisit":
                    if by_url:
                        self._revisits[url] = (record.rec_headers.get_header("WARC-Refers-To") or "", content_type)
                    continue
                stored = StoredResponse(path, iterator.get_record_offset(), status, content_type)
                self._by_id[record.rec_headers.get_header("WARC-Record-ID") or ""] = stored
                if by_url and (status != 206 or url not in self._responses):
                    self._responses[url] = stored

    def __contains__(self, url: str) -> bool:
        return strip_fragment(url) in self._responses

    def find(self, url: str) -> StoredResponse | None:
        return self._responses.get(strip_fragment(url))

    def payload(self, url: str) -> bytes | None:
        """The stored body of `url` (decoded, as the archive keeps it), or None if it was not captured."""
        stored = self.find(url)
        if stored is None:
            return None
        with stored.path.open("rb") as fh:
            fh.seek(stored.offset)
            record = next(iter(ArchiveIterator(fh, ensure_http_headers=False)))
            return record.raw_stream.read()
