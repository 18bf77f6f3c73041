"""Secret header values become keyed hashes before a record is written (archiver.warc.redact)."""

from __future__ import annotations

import re

from archiver.warc.normalize import NormalizedExchange
from archiver.warc.redact import MARK, Redactor, key_id

KEY = b"k" * 32
HASH = re.escape(MARK) + "[0-9a-f]{16}"


def _exchange(request: list[tuple[str, str]], response: list[tuple[str, str]]) -> NormalizedExchange:
    return NormalizedExchange(
        target_uri="https://news.test/a",
        warc_date="2026-12-03T00:00:00.000000Z",
        protocols=["http/1.1"],
        ip_address=None,
        response_status_line="200 OK",
        response_headers=response,
        response_body=b"body",
        request_line="GET /a HTTP/1.1",
        request_headers=request,
        request_body=b"",
    )


def test_cookie_names_schemes_and_attributes_stay_and_each_value_is_hashed() -> None:
    redactor = Redactor(KEY)
    out = redactor.redact(
        _exchange(
            [("Host", "news.test"), ("Cookie", "sid=s3cret; theme=dark"), ("authorization", "Bearer tok-123")],
            [("Set-Cookie", "sid=s3cret; Path=/; HttpOnly"), ("Content-Type", "text/html")],
        )
    )
    request = dict(out.request_headers)
    assert re.fullmatch(f"sid={HASH}; theme={HASH}", request["Cookie"])
    assert re.fullmatch(f"Bearer {HASH}", request["authorization"]) and request["Host"] == "news.test"
    set_cookie = dict(out.response_headers)["Set-Cookie"]
    assert re.fullmatch(f"sid={HASH}; Path=/; HttpOnly", set_cookie)
    assert set_cookie.split(";")[0] == request["Cookie"].split(";")[0]  # the same value, the same hash
    assert "s3cret" not in repr(out) and "tok-123" not in repr(out) and "dark" not in request["Cookie"]
    assert out.response_body == b"body"  # bodies are never changed
    assert redactor.summary() == {
        "redacted": True,
        "key_id": key_id(KEY),
        "headers": {"Authorization": 1, "Cookie": 1, "Set-Cookie": 1},
    }


def test_another_key_gives_other_hashes() -> None:
    exchange = _exchange([("Cookie", "sid=s3cret")], [])
    first = Redactor(KEY).redact(exchange)
    other = Redactor(b"o" * 32).redact(exchange)
    assert first.request_headers != other.request_headers and key_id(KEY) != key_id(b"o" * 32)
    assert Redactor(KEY).redact(exchange) == first  # the same key, the same hash


def test_keep_secrets_writes_them_as_sent_and_counts_them() -> None:
    redactor = Redactor(KEY, keep=True)
    exchange = _exchange([("Cookie", "sid=s3cret"), ("X-API-Key", "abc")], [("Set-Cookie", "a=1")])
    assert redactor.redact(exchange) == exchange
    assert redactor.summary() == {"redacted": False, "kept": {"Cookie": 1, "Set-Cookie": 1, "X-API-Key": 1}}


def test_a_nameless_cookie_and_a_bare_authorization_are_hashed_whole() -> None:
    out = Redactor(KEY).redact(_exchange([("Cookie", "justavalue"), ("Authorization", "token")], []))
    assert all(re.fullmatch(HASH, value) for _, value in out.request_headers)
