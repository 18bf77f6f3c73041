"""The WARC lint catches each broken rule, and passes what the writer makes."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.warc.lint import lint_paths, lint_stream
from archiver.warc.writer import _Sha256WARCWriter
from tests.support.warcs import GOOD, write_warc


def _rules(path: Path) -> list[str]:
    return [issue.rule for issue in lint_paths([path])]


def test_what_the_writer_makes_is_clean(tmp_path: Path) -> None:
    assert _rules(write_warc(tmp_path, GOOD)) == []


@pytest.mark.parametrize(
    "change, rule",
    [
        ({"response_headers": [("Content-Encoding", "gzip"), ("Content-Length", "4")]}, "stale-content-encoding"),
        ({"response_headers": [("Transfer-Encoding", "chunked"), ("Content-Length", "4")]}, "transfer-encoding"),
        ({"response_headers": [("Content-Length", "40")]}, "content-length"),
        ({"response_headers": []}, "content-length"),
        ({"response_headers": [(":status", "200"), ("Content-Length", "4")]}, "pseudo-header"),
        ({"response_headers": [("Set-Cookie", "a=1\nb=2"), ("Content-Length", "4")]}, "header-lines"),
        ({"response_status_line": "200"}, "reason-phrase"),
        ({"ip_address": None}, "ip-address"),
        ({"protocols": []}, "protocol"),
        ({"target_uri": "http://example.org/a.css#x"}, "fragment"),
        ({"request_headers": [("Host", "example.org"), ("Accept-Encoding", "gzip, br, zstd")]}, "zstd"),
        (
            {"request_line": "POST /a.css HTTP/1.1", "request_body": b"x=1", "request_headers": [("Host", "e")]},
            "request-content-length",
        ),
        (
            {
                "response_status_line": "206 Partial Content",
                "response_headers": [("Content-Range", "bytes 0-3/100"), ("Content-Length", "4")],
            },
            "partial-only",
        ),
    ],
)
def test_each_broken_rule_is_caught(tmp_path: Path, change: dict, rule: str) -> None:
    assert rule in _rules(write_warc(tmp_path, replace(GOOD, **change)))


def test_stale_gzip_is_told_apart_from_real_gzip(tmp_path: Path) -> None:
    import gzip

    body = gzip.compress(b"a{} ")
    real = replace(
        GOOD, response_body=body, response_headers=[("Content-Encoding", "gzip"), ("Content-Length", str(len(body)))]
    )
    assert _rules(write_warc(tmp_path, real)) == []


def test_a_whole_entity_206_is_a_complete_copy(tmp_path: Path) -> None:
    whole = replace(
        GOOD,
        response_status_line="206 Partial Content",
        response_headers=[("Content-Range", "bytes 0-3/4"), ("Content-Length", "4")],
    )
    assert _rules(write_warc(tmp_path, whole)) == []


def _raw_warc(
    records: list[tuple[str, str, StatusAndHeaders | None, bytes, dict[str, str]]],
    writer_class: type = _Sha256WARCWriter,
    version: str = "1.1",
) -> BytesIO:
    out = BytesIO()
    writer = writer_class(out, gzip=True, warc_version=version)
    for record_type, uri, http, payload, headers in records:
        if record_type == "warcinfo":
            writer.write_record(writer.create_warcinfo_record("x.warc.gz", {"software": "test"}))
            continue
        writer.write_record(
            writer.create_warc_record(
                uri,
                record_type,
                payload=BytesIO(payload),
                length=len(payload),
                http_headers=http,
                warc_headers_dict=headers,
                warc_content_type="image/png" if http is None else "",
            )
        )
    out.seek(0)
    return out


def _response(protocol: str = "HTTP/1.1") -> StatusAndHeaders:
    return StatusAndHeaders("200 OK", [("Content-Length", "2")], protocol=protocol)


IP = {"WARC-IP-Address": "192.0.2.1", "WARC-Protocol": "h2"}


def test_http2_status_line_is_caught() -> None:
    stream = _raw_warc([("warcinfo", "", None, b"", {}), ("response", "http://e.org/", _response("HTTP/2"), b"ok", IP)])
    assert [i.rule for i in lint_stream(stream, "x")] == ["status-line-protocol"]


def test_resource_under_an_http_uri_is_caught() -> None:
    stream = _raw_warc([("warcinfo", "", None, b"", {}), ("resource", "http://e.org/", None, b"png", {})])
    assert [i.rule for i in lint_stream(stream, "x")] == ["shadowing-resource"]


def test_warcinfo_must_come_first_and_version_must_be_1_1() -> None:
    stream = _raw_warc([("response", "http://e.org/", _response(), b"ok", IP)], version="1.0")
    assert sorted(i.rule for i in lint_stream(stream, "x")) == ["warc-version", "warcinfo-first"]


def test_other_digest_algorithms_are_caught() -> None:
    stream = _raw_warc(
        [("warcinfo", "", None, b"", {}), ("response", "http://e.org/", _response(), b"ok", IP)],
        writer_class=WARCWriter,
    )
    assert {i.rule for i in lint_stream(stream, "x")} == {"digest-algorithm"}


def test_a_request_must_follow_its_response() -> None:
    request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "e.org")], is_http_request=True)
    stream = _raw_warc(
        [
            ("warcinfo", "", None, b"", {}),
            ("request", "http://e.org/", request, b"", {}),
            ("response", "http://e.org/", _response(), b"ok", IP),
        ]
    )
    assert [i.rule for i in lint_stream(stream, "x")] == ["request-pairing"]
