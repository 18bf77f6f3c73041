"""Reading WARC files back in tests, with warcio."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders


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
            records.append(Record(path, index, record.rec_type, record.rec_headers.get_header("WARC-Target-URI") or "",
                                  record.rec_headers, http, record.raw_stream.read()))
    return records


def records_of(run_dir: Path) -> list[Record]:
    return [r for path in sorted(run_dir.rglob("*.warc.gz")) for r in read_records(path)]


def responses(records: list[Record]) -> dict[str, list[Record]]:
    by_url: dict[str, list[Record]] = {}
    for record in records:
        if record.type == "response":
            by_url.setdefault(record.uri, []).append(record)
    return by_url
