"""Reading WARC files back in tests, with warcio."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from archiver.warc.normalize import NormalizedExchange
from archiver.warc.writer import RollingWarcWriter


@dataclass
class Record:
    file: Path
    index: int
    type: str
    uri: str
    headers: StatusAndHeaders  # WARC headers
    http: StatusAndHeaders | None
    payload: bytes  # as stored, after the HTTP headers

    def warc(self, name: str) -> str | None:
        return self.headers.get_header(name)

    def http_all(self, name: str) -> list[str]:
        return [v for k, v in (self.http.headers if self.http else []) if k.lower() == name.lower()]

    @property
    def status(self) -> int | None:
        return int(self.http.get_statuscode()) if self.http and self.type == "response" else None


def read_records(path: Path) -> list[Record]:
    records = []
    with path.open("rb") as fh:
        for index, record in enumerate(ArchiveIterator(fh, ensure_http_headers=False)):
            http = record.http_headers if record.rec_type in ("response", "request") else None
            records.append(
                Record(
                    path,
                    index,
                    record.rec_type,
                    record.rec_headers.get_header("WARC-Target-URI") or "",
                    record.rec_headers,
                    http,
                    record.raw_stream.read(),
                )
            )
    return records


def records_of(run_dir: Path) -> list[Record]:
    return [r for path in sorted(run_dir.rglob("*.warc.gz")) for r in read_records(path)]


def responses(records: list[Record]) -> dict[str, list[Record]]:
    by_url: dict[str, list[Record]] = {}
    for record in records:
        if record.type == "response":
            by_url.setdefault(record.uri, []).append(record)
    return by_url


def rewrite_warc(source: Path, target: Path, change) -> None:
    """Copy a WARC record by record; `change(record)` returns None to drop it, or (http_headers, payload)."""
    from io import BytesIO

    from archiver.warc.writer import _Sha256WARCWriter

    with source.open("rb") as fh, target.open("wb") as out:
        writer = _Sha256WARCWriter(out, gzip=True, warc_version="1.1")
        for record in ArchiveIterator(fh, ensure_http_headers=False):
            http = record.http_headers if record.rec_type in ("response", "request") else None
            payload = record.raw_stream.read()
            changed = change(record.rec_type, record.rec_headers.get_header("WARC-Target-URI") or "", http, payload)
            if changed is None:
                continue
            http, payload = changed
            headers = [
                (k, v)
                for k, v in record.rec_headers.headers
                if k not in ("WARC-Block-Digest", "WARC-Payload-Digest", "Content-Length")
            ]
            warc_headers = StatusAndHeaders("", headers, protocol=record.rec_headers.protocol)
            new = writer.create_warc_record(
                "",
                record.rec_type,
                payload=BytesIO(payload),
                length=len(payload),
                warc_headers=warc_headers,
                http_headers=http,
                warc_content_type=record.content_type,
            )
            writer.write_record(new)


# A well-formed exchange, and a WARC file of such exchanges written by the real writer.
GOOD = NormalizedExchange(
    target_uri="http://example.org/a.css",
    warc_date="2026-11-26T12:00:00.000001Z",
    protocols=["http/1.1"],
    ip_address="192.0.2.1",
    response_status_line="200 OK",
    response_headers=[("Content-Type", "text/css"), ("X-Orig-Content-Encoding", "gzip"), ("Content-Length", "4")],
    response_body=b"a{} ",
    request_line="GET /a.css HTTP/1.1",
    request_headers=[("Host", "example.org")],
    request_body=b"",
)


def write_warc(tmp_path: Path, *exchanges: NormalizedExchange) -> Path:
    writer = RollingWarcWriter(tmp_path, "t", {"software": "test"}, max_bytes=1 << 30)
    for exchange in exchanges:
        writer.write_exchange(exchange)
    (path,) = writer.close()
    return path
