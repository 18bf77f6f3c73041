"""Deduplication across captures in one output folder: the same URL with the same bytes is a revisit.

When a page is captured again, a response whose payload is byte-identical (same payload digest) to
the latest earlier capture of the same URL is written as a WARC/1.1 `revisit` record that points at
that original `response` record, never at another revisit. Only captures a manifest lists count
as earlier captures: a revisit never points into a WARC nobody vouched for.

This module knows the records: which ones may be originals, the revisit profile, the payload
digest, and what one capture's revisits need. Which captures count (those a manifest lists) and
the index kept in the output folder are `archiver.output.dedup_index`'s.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archiver.browser.exchange import Body, StoredBody

REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


@dataclass(frozen=True)
class Original:
    """A `response` record a revisit can point at, and the file that holds it."""

    url: str
    digest: str  # WARC-Payload-Digest, e.g. sha256:BASE32
    record_id: str
    date: str  # its WARC-Date
    run_id: str
    warc: str  # the WARC's path inside its run folder, as the manifest lists it
    warc_sha256: str  # the WARC's SHA-256, as the manifest lists it
    size: int  # payload bytes a revisit saves
    offset: int = -1  # where its record starts in the WARC file (to check it is still there)

    def requirement(self) -> dict[str, str]:
        """How a page's manifest entry names the file it depends on."""
        return {"run_id": self.run_id, "path": self.warc, "sha256": self.warc_sha256}


def payload_digest(body: Body) -> str:
    """The WARC-Payload-Digest warcio writes for this body: sha256, base32."""
    digest = hashlib.sha256()
    if isinstance(body, StoredBody):
        with body.open() as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    else:
        digest.update(body)
    return "sha256:" + base64.b32encode(digest.digest()).decode("ascii")


def originals_in(path: Path, run_id: str, listed_as: str, sha256: str) -> Iterator[Original]:
    """The response records of one WARC file a revisit may point at: complete 200s with a body
    (`listed_as` and `sha256`: how the manifest that vouches for the file lists it)."""
    try:
        with path.open("rb") as fh:
            records = ArchiveIterator(fh, ensure_http_headers=False)
            for record in records:
                original = _as_original(record, run_id, listed_as, sha256)
                records.read_to_end(record)  # its offset is known once it was read
                if original is not None:
                    yield replace(original, offset=records.get_record_offset())
    except (OSError, ArchiveLoadFailed, EOFError, ValueError):
        return  # a missing or damaged file offers no originals


def _as_original(record: Any, run_id: str, listed_as: str, sha256: str) -> Original | None:
    headers = record.rec_headers
    if record.rec_type != "response" or record.http_headers is None or headers.get_header("WARC-Truncated"):
        return None
    if record.http_headers.get_statuscode() != "200":
        return None
    size = int(record.http_headers.get_header("Content-Length") or 0)
    digest = headers.get_header("WARC-Payload-Digest")
    if size <= 0 or not digest:
        return None
    return Original(
        url=headers.get_header("WARC-Target-URI"),
        digest=digest,
        record_id=headers.get_header("WARC-Record-ID"),
        date=headers.get_header("WARC-Date"),
        run_id=run_id,
        warc=listed_as,
        warc_sha256=sha256,
        size=size,
    )


def still_holds(path: Path, original: Original) -> bool:
    """Whether the WARC at `path` still has `original`'s record where it was indexed: same record
    id, URL and payload digest. An index is a cache anyone with write access could have edited; a
    revisit must never point at a record that is not there."""
    if original.offset < 0 or path.is_symlink():
        return False
    try:
        with path.open("rb") as fh:
            fh.seek(original.offset)
            record = next(iter(ArchiveIterator(fh, ensure_http_headers=False)))
    except (OSError, ArchiveLoadFailed, EOFError, ValueError, StopIteration):
        return False
    headers = record.rec_headers
    return (
        record.rec_type == "response"
        and headers.get_header("WARC-Record-ID") == original.record_id
        and headers.get_header("WARC-Target-URI") == original.url
        and headers.get_header("WARC-Payload-Digest") == original.digest
    )


class OriginalsIndex:
    """URL -> the latest original response of that URL: what a capture's revisits may point at.
    Filled and kept by the output folder (`archiver.output.dedup_index`); a capture only asks it."""

    def __init__(self) -> None:
        self.latest: dict[str, Original] = {}

    def add(self, original: Original) -> None:
        self.latest[original.url] = original  # added oldest first: the later capture wins

    def has_capture_of(self, url: str) -> bool:
        return url in self.latest

    def find(self, url: str, digest: str) -> Original | None:
        """The original to point a revisit at: the latest capture of `url`, if its bytes were the same."""
        original = self.latest.get(url)
        return original if original is not None and original.digest == digest else None


def requirement_paths(output: Path, requirements: Iterable[dict[str, str]]) -> list[Path]:
    return [output / requirement["run_id"] / requirement["path"] for requirement in requirements]


@dataclass
class DedupTally:
    """One capture's use of the index: how many revisits, the bytes they saved, the files they need."""

    index: OriginalsIndex | None = None  # None: every response is stored whole
    revisits: int = 0
    bytes_saved: int = 0
    requires: dict[str, dict[str, str]] = field(default_factory=dict)

    def noted(self, original: Original) -> None:
        self.revisits += 1
        self.bytes_saved += original.size
        self.requires.setdefault(f"{original.run_id}/{original.warc}", original.requirement())

    def to_dict(self) -> dict[str, Any] | None:
        if self.index is None:
            return None
        return {
            "revisits": self.revisits,
            "bytes_saved": self.bytes_saved,
            "requires": [self.requires[key] for key in sorted(self.requires)],
        }
