"""Deduplication across captures in one output folder: the same URL with the same bytes is a revisit.

When a page is captured again, a response whose payload is byte-identical (same payload digest) to
the latest earlier capture of the same URL is written as a WARC/1.1 `revisit` record that points at
that original `response` record, never at another revisit. Only captures a manifest lists count
as earlier captures: a revisit never points into a WARC nobody vouched for.

The index (URL -> its latest original) lives in `<output>/.dedup-index.json`. It is a cache: the
WARC files the manifests list are the truth, and the index is rebuilt from them when it is missing,
unreadable, or names a file that is no longer listed with the same checksum.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archiver.capture.exchange import Body, StoredBody
from archiver.jsonfile import MANIFEST_NAME, write_json_atomic

INDEX_NAME = ".dedup-index.json"
INDEX_VERSION = 1
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


def listed_warcs(output: Path) -> list[ListedWarc]:
    """Every WARC file a manifest in `output` lists for a page that was not failed, oldest page first."""
    found = []
    for manifest_path in sorted(output.glob(f"*/{MANIFEST_NAME}")):
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # being replaced right now, or damaged: it vouches for nothing
        for page in manifest.get("pages", []):
            found.extend(_page_warcs(manifest_path.parent, manifest.get("run_id", ""), page))
    return sorted(found, key=lambda warc: warc.started_at)


def _page_warcs(run_dir: Path, run_id: str, page: dict[str, Any]) -> list[ListedWarc]:
    if page.get("state") == "failed":
        return []
    return [ListedWarc(run_id, run_dir, f["path"], f["sha256"], page.get("started_at", ""))
            for f in page.get("files", []) if f.get("role") == "warc"]


def originals_in(warc: ListedWarc) -> Iterable[Original]:
    """The response records of one WARC a revisit may point at: complete 200s with a body."""
    try:
        with (warc.run_dir / warc.path).open("rb") as fh:
            for record in ArchiveIterator(fh, ensure_http_headers=False):
                original = _as_original(record, warc)
                if original is not None:
                    yield original
    except (OSError, ArchiveLoadFailed, EOFError, ValueError):
        return  # a missing or damaged file offers no originals


def _as_original(record: Any, warc: ListedWarc) -> Original | None:
    headers = record.rec_headers
    if record.rec_type != "response" or record.http_headers is None or headers.get_header("WARC-Truncated"):
        return None
    if record.http_headers.get_statuscode() != "200":
        return None
    size = int(record.http_headers.get_header("Content-Length") or 0)
    digest = headers.get_header("WARC-Payload-Digest")
    if size <= 0 or not digest:
        return None
    return Original(url=headers.get_header("WARC-Target-URI"), digest=digest,
                    record_id=headers.get_header("WARC-Record-ID"), date=headers.get_header("WARC-Date"),
                    run_id=warc.run_id, warc=warc.path, warc_sha256=warc.sha256, size=size)


class DedupIndex:
    """URL -> the latest original response of that URL in an output folder's listed captures."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.latest: dict[str, Original] = {}
        self.indexed: dict[str, str] = {}  # "<run id>/<path>" -> SHA-256 of every WARC indexed

    @classmethod
    def load(cls, output: Path) -> "DedupIndex":
        """The index of `output`, brought up to date with what its manifests list now."""
        index = cls._read_cache(output) or cls(output)
        listed = listed_warcs(output)
        current = {warc.key: warc.sha256 for warc in listed}
        if any(current.get(key) != sha for key, sha in index.indexed.items()):
            index = cls(output)  # a file was removed or replaced: start again from the WARCs
        new = [warc for warc in listed if warc.key not in index.indexed]
        for warc in new:
            index.add_warc(warc)
        if new or not (output / INDEX_NAME).exists():
            index.save()
        return index

    @classmethod
    def _read_cache(cls, output: Path) -> "DedupIndex | None":
        try:
            data = json.loads((output / INDEX_NAME).read_text(encoding="utf-8"))
            if data.get("version") != INDEX_VERSION:
                return None
            index = cls(output)
            index.indexed = {str(k): str(v) for k, v in data["indexed"].items()}
            index.latest = {url: Original(**entry) for url, entry in data["latest"].items()}
            return index
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing or unreadable: rebuilt from the WARCs

    def add_warc(self, warc: ListedWarc) -> None:
        for original in originals_in(warc):
            self.latest[original.url] = original  # files come oldest first: the later capture wins
        self.indexed[warc.key] = warc.sha256

    def add_page(self, run_dir: Path, run_id: str, page: dict[str, Any]) -> None:
        """A page that has just reached its manifest: its responses become originals for later pages."""
        warcs = [warc for warc in _page_warcs(run_dir, run_id, page) if warc.key not in self.indexed]
        for warc in warcs:
            self.add_warc(warc)
        if warcs:
            self.save()

    def has_capture_of(self, url: str) -> bool:
        return url in self.latest

    def find(self, url: str, digest: str) -> Original | None:
        """The original to point a revisit at: the latest capture of `url`, if its bytes were the same."""
        original = self.latest.get(url)
        return original if original is not None and original.digest == digest else None

    def save(self) -> None:
        write_json_atomic(self.output / INDEX_NAME, {
            "version": INDEX_VERSION,
            "about": "archiver's deduplication index: a cache, rebuilt from the WARC files the manifests list",
            "indexed": self.indexed,
            "latest": {url: asdict(original) for url, original in sorted(self.latest.items())},
        })


def required_warcs(output: Path, page: dict[str, Any]) -> list[Path]:
    """The WARC files of earlier captures that hold the originals a page's revisits point at."""
    return requirement_paths(output, (page.get("dedup") or {}).get("requires", []))


def requirement_paths(output: Path, requirements: Iterable[dict[str, str]]) -> list[Path]:
    return [output / requirement["run_id"] / requirement["path"] for requirement in requirements]


@dataclass
class DedupTally:
    """One capture's use of the index: how many revisits, the bytes they saved, the files they need."""

    index: DedupIndex | None = None  # None: every response is stored whole
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
        return {"revisits": self.revisits, "bytes_saved": self.bytes_saved,
                "requires": [self.requires[key] for key in sorted(self.requires)]}
