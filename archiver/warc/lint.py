"""Check WARC files against the normalization rules the project promises.

`warcio check` verifies digests only: it passes HTTP/2 status lines, stale encodings and wrong
lengths, each of which breaks replay somewhere. This lint checks those rules, record by record.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from archiver.warc.dedup import REVISIT_PROFILE
from archiver.warc.writer import DIGEST_ALGORITHM

TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
HTTP_LINE_PROTOCOLS = ("HTTP/1.1", "HTTP/1.0")
FULL_RANGE = re.compile(r"bytes\s+0-(\d+)/(\d+)")
CHUNK = 1 << 16


@dataclass(frozen=True)
class LintIssue:
    path: str
    offset: int
    target: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}@{self.offset} {self.rule} {self.target}: {self.message}"


def warc_files(paths: Iterable[Path]) -> list[Path]:
    """The WARC files named, or found under the folders named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.name.endswith((".warc.gz", ".warc"))))
        else:
            found.append(path)
    return found


def lint_paths(paths: Iterable[Path]) -> list[LintIssue]:
    issues: list[LintIssue] = []
    for path in warc_files(paths):
        with path.open("rb") as fh:
            issues.extend(lint_stream(fh, str(path)))
    return issues


def lint_stream(stream: IO[bytes], name: str) -> list[LintIssue]:
    linter = _Linter(name)
    iterator = ArchiveIterator(stream, check_digests=False, ensure_http_headers=False)
    for index, record in enumerate(iterator):
        found = len(linter.issues)
        linter.check(record, index)
        # The offset is known only once the record was read (warcio reads to its end to tell it).
        offset = iterator.get_record_offset()
        linter.issues[found:] = [replace(issue, offset=offset) for issue in linter.issues[found:]]
    linter.finish()
    return linter.issues


class _Linter:
    def __init__(self, name: str) -> None:
        self.name = name
        self.issues: list[LintIssue] = []
        self.previous: tuple[str, str | None] | None = None  # (type, record id) of the last record
        self.complete_urls: set[str] = set()
        self.partial_urls: dict[str, int] = defaultdict(int)

    def problem(self, record: ArcWarcRecord, rule: str, message: str) -> None:
        target = (
            record.rec_headers.get_header("WARC-Target-URI") or record.rec_headers.get_header("WARC-Filename") or ""
        )
        self.issues.append(LintIssue(self.name, -1, target, rule, message))

    def check(self, record: ArcWarcRecord, index: int) -> None:
        headers = record.rec_headers
        if headers.protocol != "WARC/1.1":
            self.problem(record, "warc-version", f"{headers.protocol} instead of WARC/1.1")
        if index == 0 and record.rec_type != "warcinfo":
            self.problem(record, "warcinfo-first", f"the file starts with a {record.rec_type} record")
        self._check_digests(record)
        target = headers.get_header("WARC-Target-URI") or ""
        if "#" in target:
            self.problem(record, "fragment", "WARC-Target-URI carries a #fragment")
        is_http = target.startswith(("http://", "https://"))
        if record.rec_type in ("resource",) and is_http:
            self.problem(
                record,
                "shadowing-resource",
                "a resource record under an http(s) URI shadows the page in replay; use urn:...",
            )
        payload = _Payload(record.raw_stream)
        if record.rec_type == "response" and is_http:
            self._check_response(record, payload, target)
        elif record.rec_type == "revisit" and is_http:
            self._check_revisit(record, payload, target)
        elif record.rec_type == "request" and is_http:
            self._check_request(record, payload)
        payload.drain()
        self.previous = (record.rec_type, headers.get_header("WARC-Record-ID"))

    def _check_digests(self, record: ArcWarcRecord) -> None:
        for name in ("WARC-Block-Digest", "WARC-Payload-Digest"):
            value = record.rec_headers.get_header(name)
            if value and not value.lower().startswith(DIGEST_ALGORITHM + ":"):
                self.problem(record, "digest-algorithm", f"{name} is not {DIGEST_ALGORITHM}: {value}")
        if record.rec_type == "metadata" and record.rec_headers.get_header("WARC-Payload-Digest"):
            self.problem(record, "metadata-payload-digest", "WARC 1.1 metadata records have no payload digest")

    def _check_http_block(self, record: ArcWarcRecord) -> bool:
        http = record.http_headers
        if http is None:
            self.problem(record, "http-headers", "no HTTP header block")
            return False
        line_protocol = (
            http.protocol if record.rec_type in ("response", "revisit") else http.statusline.rsplit(" ", 1)[-1]
        )
        if line_protocol not in HTTP_LINE_PROTOCOLS:
            self.problem(
                record,
                "status-line-protocol",
                f"HTTP line says {line_protocol!r}; write HTTP/1.1 and put the real protocol in WARC-Protocol",
            )
        for name, value in http.headers:
            if name.startswith(":") or not name:  # ":status: 200" parses as name "" and value "status: 200"
                self.problem(
                    record, "pseudo-header", f"HTTP/2 pseudo-header :{value.split(':')[0]} in the header block"
                )
            elif not TOKEN.match(name):
                self.problem(record, "header-name", f"{name!r} is not a header name (a merged or broken header?)")
        if http.total_len and http.total_len != len(http.to_str()) + 2:
            self.problem(
                record, "header-lines", "the header block has lines that are not headers (a merged or folded header?)"
            )
        return True

    def _check_response(self, record: ArcWarcRecord, payload: _Payload, target: str) -> None:
        headers = record.rec_headers
        if not headers.get_header("WARC-IP-Address"):
            self.problem(record, "ip-address", "no WARC-IP-Address")
        if not headers.get_header("WARC-Protocol"):
            self.problem(record, "protocol", "no WARC-Protocol")
        if not self._check_http_block(record):
            return
        http = record.http_headers
        if not http.statusline.strip().partition(" ")[2].strip():
            self.problem(record, "reason-phrase", f"status line {http.statusline!r} has no reason phrase")
        status = http.get_statuscode()
        encoding = (http.get_header("Content-Encoding") or "").strip().lower()
        body = payload.read_all() if encoding and encoding != "identity" else None
        if http.get_header("Transfer-Encoding"):
            self.problem(
                record,
                "transfer-encoding",
                "Transfer-Encoding kept on a stored body (rename it X-Orig-Transfer-Encoding)",
            )
        if body is not None and not _is_encoded(body, encoding):
            self.problem(
                record,
                "stale-content-encoding",
                f"Content-Encoding: {encoding} but the stored body does not decode as {encoding}",
            )
        orig_encoding = (http.get_header("X-Orig-Content-Encoding") or "").strip().lower()
        if (
            not encoding
            and orig_encoding in ("gzip", "x-gzip")
            and payload.head.startswith(b"\x1f\x8b")
            and "gzip" not in (http.get_header("Content-Type") or "")
        ):
            self.problem(record, "still-encoded", "marked decoded (X-Orig-Content-Encoding) but still gzip")
        length = http.get_header("Content-Length")
        size = payload.size()
        if length is None:
            self.problem(record, "content-length", f"no Content-Length (stored body is {size} bytes)")
        elif length.strip() != str(size):
            self.problem(record, "content-length", f"Content-Length {length} but {size} bytes stored")
        if status == "206":
            match = FULL_RANGE.match(http.get_header("Content-Range") or "")
            if not (match and int(match.group(1)) + 1 == int(match.group(2))):
                self.partial_urls[target] += 1
                return
        self.complete_urls.add(target)

    def _check_revisit(self, record: ArcWarcRecord, payload: _Payload, target: str) -> None:
        """A deduplicated response: its headers, no body, and which original has the body."""
        headers = record.rec_headers
        if headers.get_header("WARC-Profile") != REVISIT_PROFILE:
            self.problem(record, "revisit-profile", f"a revisit whose profile is not {REVISIT_PROFILE}")
        for name in ("WARC-Refers-To", "WARC-Refers-To-Target-URI", "WARC-Refers-To-Date", "WARC-Payload-Digest"):
            if not headers.get_header(name):
                self.problem(record, "revisit-refers-to", f"a revisit without {name}: replay cannot find its body")
        if headers.get_header("WARC-Refers-To-Target-URI") not in (None, target):
            self.problem(record, "revisit-other-url", "a revisit of another URL (pywb cannot replay those)")
        if payload.size():
            self.problem(record, "revisit-body", f"a revisit that stores {payload.size()} bytes of body")
        if self._check_http_block(record):
            self.complete_urls.add(target)

    def _check_request(self, record: ArcWarcRecord, payload: _Payload) -> None:
        previous_type, previous_id = self.previous or ("", None)
        if (
            previous_type not in ("response", "revisit")
            or record.rec_headers.get_header("WARC-Concurrent-To") != previous_id
        ):
            self.problem(
                record, "request-pairing", "a request record must follow its response, WARC-Concurrent-To that response"
            )
        if not self._check_http_block(record):
            return
        http = record.http_headers
        size = payload.size()
        length = http.get_header("Content-Length")
        if size and length is None:
            self.problem(record, "request-content-length", f"request body of {size} bytes without Content-Length")
        elif length is not None and length.strip() != str(size):
            self.problem(record, "request-content-length", f"Content-Length {length} but {size} bytes stored")
        if "zstd" in (http.get_header("Accept-Encoding") or "").lower():
            self.problem(record, "zstd", "Accept-Encoding offers zstd, which replay tools cannot decode")

    def finish(self) -> None:
        for url, pieces in self.partial_urls.items():
            if url not in self.complete_urls:
                self.issues.append(
                    LintIssue(
                        self.name, -1, url, "partial-only", f"{pieces} partial (206) record(s) and no complete copy"
                    )
                )


class _Payload:
    """A record's payload, read once: its size always, its bytes only when a rule needs them."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._read = 0
        self._buffer: bytearray | None = None
        self.head = b""
        self._done = False

    def _chunks(self) -> Iterator[bytes]:
        while not self._done:
            chunk = self._stream.read(CHUNK)
            if not chunk:
                self._done = True
                return
            if not self.head:
                self.head = chunk[:16]
            self._read += len(chunk)
            yield chunk

    def read_all(self) -> bytes:
        self._buffer = bytearray()
        for chunk in self._chunks():
            self._buffer += chunk
        return bytes(self._buffer)

    def size(self) -> int:
        for _ in self._chunks():
            pass
        return self._read

    def drain(self) -> None:
        self.size()


def _is_encoded(body: bytes, encoding: str) -> bool:
    """Whether `body` really is in `encoding`, i.e. a reader decoding it would succeed."""
    try:
        if encoding in ("gzip", "x-gzip"):
            zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body[:CHUNK])
            return True
        if encoding == "deflate":
            try:
                zlib.decompressobj().decompress(body[:CHUNK])
            except zlib.error:
                zlib.decompressobj(-zlib.MAX_WBITS).decompress(body[:CHUNK])
            return True
        if encoding == "br":
            import brotli  # a test dependency: this project never stores brotli bodies itself

            brotli.decompress(body)
            return True
    except Exception:  # noqa: BLE001 - zlib.error, brotli.error, ImportError: not decodable here
        return False
    return False  # an encoding no replay tool decodes (zstd, compress...) is as bad as a stale one
