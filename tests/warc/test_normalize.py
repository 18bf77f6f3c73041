"""The WARC normalization rules, one function at a time."""

from __future__ import annotations

from datetime import UTC, datetime

from archiver.browser.exchange import Exchange, RecordedRequest, RecordedResponse
from archiver.warc.normalize import (
    normalize,
    request_headers,
    request_line,
    response_headers,
    status_line,
    warc_protocols,
)


def test_status_line_fills_the_reason_http2_leaves_out() -> None:
    assert status_line(200, "") == "200 OK"
    assert status_line(404, "") == "404 Not Found"
    assert status_line(299, "") == "299 Unknown"
    assert status_line(200, "Fine  Thanks") == "200 Fine Thanks"


def test_protocols_name_alpn_ids_and_tls() -> None:
    assert warc_protocols("HTTP/2.0", "TLS 1.3") == ["h2", "tls/1.3"]
    assert warc_protocols("HTTP/1.1", None) == ["http/1.1"]
    assert warc_protocols("h3", "QUIC") == ["h3", "quic"]


def test_decoded_body_headers() -> None:
    headers = [
        (":status", "200"),
        ("content-encoding", "gzip"),
        ("Transfer-Encoding", "chunked"),
        ("Content-Length", "120"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
    ]
    assert response_headers(headers, 300) == [
        ("X-Orig-content-encoding", "gzip"),
        ("X-Orig-Transfer-Encoding", "chunked"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("X-Orig-Content-Length", "120"),
        ("Content-Length", "300"),
    ]


def test_matching_content_length_is_not_duplicated() -> None:
    assert response_headers([("Content-Length", "5")], 5) == [("Content-Length", "5")]


def test_headers_joined_with_newlines_become_lines_again() -> None:
    assert response_headers([("set-cookie", "a=1\nb=2")], 0) == [
        ("set-cookie", "a=1"),
        ("set-cookie", "b=2"),
        ("Content-Length", "0"),
    ]


def test_request_line_drops_the_fragment_keeps_the_query() -> None:
    assert request_line("get", "https://example.org/a/b?x=1&y=2#top") == "GET /a/b?x=1&y=2 HTTP/1.1"
    assert request_line("GET", "https://example.org") == "GET / HTTP/1.1"


def test_http2_request_gets_a_host_and_a_true_length() -> None:
    headers = [(":method", "POST"), (":authority", "example.org"), (":path", "/api"), ("content-length", "99")]
    assert request_headers(headers, "https://example.org/api", b"abc") == [
        ("Host", "example.org"),
        ("Content-Length", "3"),
    ]


def test_empty_post_keeps_its_zero_length() -> None:
    assert request_headers([("Host", "h"), ("Content-Length", "0")], "http://h/", b"") == [
        ("Host", "h"),
        ("Content-Length", "0"),
    ]


def test_normalize_an_exchange() -> None:
    exchange = Exchange(
        request=RecordedRequest("GET", "http://example.org/img.jpg#frag", [("Host", "example.org")]),
        response=RecordedResponse(
            200,
            "",
            [("content-type", "image/jpeg")],
            b"\xff\xd8",
            http_version="HTTP/2.0",
            server_ip="192.0.2.1",
            tls_protocol="TLS 1.3",
        ),
        started_at=datetime(2026, 11, 26, 12, 0, 0, 123456, tzinfo=UTC),
    )
    normalized = normalize(exchange)
    assert normalized.target_uri == "http://example.org/img.jpg"
    assert normalized.warc_date == "2026-11-26T12:00:00.123456Z"
    assert normalized.response_status_line == "200 OK"
    assert normalized.protocols == ["h2", "tls/1.3"]
    assert normalized.ip_address == "192.0.2.1"
    assert normalized.response_headers[-1] == ("Content-Length", "2")
