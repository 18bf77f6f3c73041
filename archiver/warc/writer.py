"""Write WARC/1.1 files with warcio: gzip per record, SHA-256 digests, a warcinfo record first.

A file is named `<prefix>-<n>.warc.gz.open` while it is written and renamed without `.open` when
closed, so a reader (or a resumed run) can tell finished files from interrupted ones. Past
`max_bytes` the next record group starts a new file, with its own warcinfo.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from archiver.browser.exchange import StoredBody, body_length
from archiver.warc.normalize import HTTP_LINE_PROTOCOL, NormalizedExchange

if TYPE_CHECKING:
    from archiver.warc.dedup import Original

DIGEST_ALGORITHM = "sha256"  # one algorithm for every WARC digest the project writes
OPEN_SUFFIX = ".open"


class _Sha256WARCWriter(WARCWriter):
    """warcio's writer with SHA-256 digests and no payload digest on metadata records (WARC 1.1)."""

    NO_PAYLOAD_DIGEST_TYPES = ("warcinfo", "revisit", "metadata")

    @staticmethod
    def _create_digester() -> Digester:
        return Digester(DIGEST_ALGORITHM)


class _WireHeaders(StatusAndHeaders):
    """HTTP headers written as the bytes they came as. Chromium hands header values over decoded
    as ISO-8859-1, byte for byte, so encoding them so gives the wire's bytes back (a UTF-8 URL in a
    Link header stays UTF-8). warcio would percent-encode such a value (RFC 8187), or fail on some,
    which lost the page's own document. A value beyond ISO-8859-1 is written in UTF-8."""

    def to_ascii_bytes(self, filter_func: Any = None) -> bytes:
        text = self.to_str(filter_func)
        try:
            return text.encode("latin-1") + b"\r\n"
        except UnicodeEncodeError:
            return text.encode("utf-8", "surrogateescape") + b"\r\n"


class RollingWarcWriter:
    def __init__(
        self, directory: Path, prefix: str, warcinfo: dict[str, str], max_bytes: int, page_id: str | None = None
    ) -> None:
        self.directory = directory
        self.prefix = prefix
        self.warcinfo = warcinfo
        self.max_bytes = max_bytes
        self.page_id = page_id
        self.files: list[Path] = []  # closed files, in order
        self.records_written = 0
        self._sequence = 0
        self._fh: BinaryIO | None = None
        self._writer: _Sha256WARCWriter | None = None
        self._path: Path | None = None
        self._warcinfo_id = ""
        directory.mkdir(parents=True, exist_ok=True)

    # -- files --------------------------------------------------------------------------------

    def _open_next(self) -> None:
        name = f"{self.prefix}-{self._sequence:05d}.warc.gz"
        self._sequence += 1
        self._path = self.directory / (name + OPEN_SUFFIX)
        self._fh = open(self._path, "xb")
        self._writer = _Sha256WARCWriter(self._fh, gzip=True, warc_version="1.1")
        record = self._writer.create_warcinfo_record(name, self.warcinfo)
        self._warcinfo_id = record.rec_headers.get_header("WARC-Record-ID")
        self._writer.write_record(record)
        self.records_written += 1

    def _writer_with_room(self) -> _Sha256WARCWriter:
        if self._fh is not None and self._fh.tell() >= self.max_bytes:
            self._close_current()
        if self._fh is None:
            self._open_next()
        assert self._writer is not None
        return self._writer

    def _close_current(self) -> None:
        if self._fh is None or self._path is None:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        final = self._path.with_name(self._path.name[: -len(OPEN_SUFFIX)])
        os.replace(self._path, final)
        self.files.append(final)
        self._fh = self._writer = self._path = None

    def close(self) -> list[Path]:
        """Close the current file (writing one with only its warcinfo if nothing else came)."""
        if self._fh is None and not self.files:
            self._open_next()
        self._close_current()
        return list(self.files)

    # -- records ------------------------------------------------------------------------------

    def _common_headers(self, date: str | None = None) -> dict[str, str]:
        headers = {"WARC-Warcinfo-ID": self._warcinfo_id}
        if date:
            headers["WARC-Date"] = date
        if self.page_id:
            headers["WARC-Page-ID"] = self.page_id
        return headers

    def write_exchange(self, exchange: NormalizedExchange, extra: dict[str, str] | None = None) -> str:
        """Write the response, then its request (WARC-Concurrent-To the response). Returns the response's id."""
        writer = self._writer_with_room()
        response_headers = self._response_headers(exchange)
        if exchange.truncated:
            response_headers["WARC-Truncated"] = exchange.truncated
        response_headers.update(extra or {})
        body = exchange.response_body
        with body.open() if isinstance(body, StoredBody) else BytesIO(body) as payload:
            response = writer.create_warc_record(
                exchange.target_uri,
                "response",
                payload=payload,
                length=body_length(body),
                http_headers=_WireHeaders(
                    exchange.response_status_line, exchange.response_headers, protocol=HTTP_LINE_PROTOCOL
                ),
                warc_headers_dict=response_headers,
            )
            _add_protocols(response, exchange)
            writer.write_request_response_pair(self._request_record(writer, exchange), response)
        self.records_written += 2
        return response.rec_headers.get_header("WARC-Record-ID")

    def write_revisit(self, exchange: NormalizedExchange, original: Original) -> str:
        """The response as a `revisit` of `original` (identical payload digest): its HTTP headers,
        no body, and where the body is. Then its request, as for a response. Returns the revisit's id."""
        writer = self._writer_with_room()
        headers = self._response_headers(exchange)
        headers["WARC-Refers-To"] = original.record_id
        revisit = writer.create_revisit_record(
            exchange.target_uri,
            original.digest,
            original.url,
            original.date,
            http_headers=_WireHeaders(
                exchange.response_status_line, exchange.response_headers, protocol=HTTP_LINE_PROTOCOL
            ),
            warc_headers_dict=headers,
        )
        _add_protocols(revisit, exchange)
        writer.write_request_response_pair(self._request_record(writer, exchange), revisit)
        self.records_written += 2
        return revisit.rec_headers.get_header("WARC-Record-ID")

    def _response_headers(self, exchange: NormalizedExchange) -> dict[str, str]:
        """The WARC headers a response and a revisit share: date, warcinfo, page, server address."""
        headers = self._common_headers(exchange.warc_date)
        if exchange.ip_address:
            headers["WARC-IP-Address"] = exchange.ip_address
        return headers

    def _request_record(self, writer: _Sha256WARCWriter, exchange: NormalizedExchange) -> Any:
        return writer.create_warc_record(
            exchange.target_uri,
            "request",
            payload=BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            http_headers=_WireHeaders(exchange.request_line, exchange.request_headers, is_http_request=True),
            warc_headers_dict=self._common_headers(exchange.warc_date),
        )

    def write_resource(
        self,
        uri: str,
        content_type: str,
        payload: bytes | Path,
        concurrent_to: str | None = None,
        date: str | None = None,
    ) -> str:
        """A `resource` record (screenshot, DOM, certificate chain, attachment) under a non-http URI;
        a payload given as a file is streamed from it."""
        writer = self._writer_with_room()
        headers = self._common_headers(date)
        if concurrent_to:
            headers["WARC-Concurrent-To"] = concurrent_to
        length = payload.stat().st_size if isinstance(payload, Path) else len(payload)
        with payload.open("rb") if isinstance(payload, Path) else BytesIO(payload) as stream:
            record = writer.create_warc_record(
                uri,
                "resource",
                payload=stream,
                length=length,
                warc_content_type=content_type,
                warc_headers_dict=headers,
            )
            writer.write_record(record)
        self.records_written += 1
        return record.rec_headers.get_header("WARC-Record-ID")

    def write_metadata(
        self, uri: str, fields: Iterable[tuple[str, str]], refers_to: str | None = None, date: str | None = None
    ) -> str:
        """A `metadata` record of application/warc-fields: machine-readable facts about the capture."""
        writer = self._writer_with_room()
        headers = self._common_headers(date)
        if refers_to:
            headers["WARC-Refers-To"] = refers_to
        body = "".join(f"{name}: {_one_line(value)}\r\n" for name, value in fields).encode("utf-8")
        record = writer.create_warc_record(
            uri,
            "metadata",
            payload=BytesIO(body),
            length=len(body),
            warc_content_type="application/warc-fields",
            warc_headers_dict=headers,
        )
        writer.write_record(record)
        self.records_written += 1
        return record.rec_headers.get_header("WARC-Record-ID")


def _add_protocols(record: Any, exchange: NormalizedExchange) -> None:
    for protocol in exchange.protocols:  # a repeatable field: one line per protocol
        record.rec_headers.add_header("WARC-Protocol", protocol)


def _one_line(value: str) -> str:
    return " ".join(str(value).split())
