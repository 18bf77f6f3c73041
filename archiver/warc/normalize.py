"""Turn a browser-seen exchange into the request and response a WARC reader can replay.

The rules (see README, "WARC normalization"), each enforced again by `archiver.warc.lint`:
- status line always HTTP/1.1 with a reason phrase; the real protocol goes to WARC-Protocol;
- the body is stored decoded, so Content-Encoding and Transfer-Encoding become X-Orig-*;
- HTTP Content-Length equals the stored bytes (the original kept as X-Orig-Content-Length);
- one header line per header, duplicates kept, no HTTP/2 pseudo-headers;
- no #fragment in target URIs; requests carry Host and, with a body, a true Content-Length.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit

from archiver.browser.exchange import Body, Exchange, Headers, StoredBody, body_length
from archiver.identity import strip_fragment

HTTP_LINE_PROTOCOL = "HTTP/1.1"
CODING_HEADERS = ("content-encoding", "transfer-encoding")
ORIG_PREFIX = "X-Orig-"

# Playwright's names for the protocol -> the ALPN ids WARC-Protocol uses
_PROTOCOL_IDS = {"http/2.0": "h2", "http/1.1": "http/1.1", "http/1.0": "http/1.0", "h2": "h2", "h3": "h3"}


@dataclass
class NormalizedExchange:
    target_uri: str
    warc_date: str
    protocols: list[str]  # for WARC-Protocol, e.g. ["h2", "tls/1.3"]
    ip_address: str | None
    response_status_line: str  # "200 OK" (the protocol is always HTTP/1.1)
    response_headers: Headers
    response_body: Body
    request_line: str  # "GET /path?q HTTP/1.1"
    request_headers: Headers
    request_body: bytes
    truncated: str | None = None  # WARC-Truncated: "length" when the body was cut at the size cap


def normalize(exchange: Exchange) -> NormalizedExchange:
    request, response = exchange.request, exchange.response
    request_body = request.body or b""
    return NormalizedExchange(
        target_uri=strip_fragment(request.url),
        warc_date=warc_date(exchange),
        protocols=warc_protocols(response.http_version, response.tls_protocol),
        ip_address=response.server_ip,
        response_status_line=status_line(response.status, response.reason),
        response_headers=response_headers(response.headers, body_length(response.body)),
        response_body=response.body,
        request_line=request_line(request.method, request.url),
        request_headers=request_headers(request.headers, request.url, request_body),
        request_body=request_body,
        truncated="length" if isinstance(response.body, StoredBody) and response.body.truncated else None,
    )


def warc_date(exchange: Exchange) -> str:
    """ISO 8601 UTC with microseconds: one date for the response and its request."""
    return exchange.started_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def warc_protocols(http_version: str, tls_protocol: str | None) -> list[str]:
    """WARC-Protocol values: the HTTP protocol's ALPN id, then the TLS version ("TLS 1.3" -> "tls/1.3")."""
    name = http_version.strip().lower()
    protocols = [_PROTOCOL_IDS.get(name, name)]
    if tls_protocol:
        tls = tls_protocol.strip().lower().replace(" ", "/")
        if tls.startswith("tls/") or tls.startswith("ssl/") or tls.startswith("quic"):
            protocols.append(tls)
    return protocols


def status_line(status: int, reason: str) -> str:
    """'<code> <reason>', with the standard reason where the wire had none (HTTP/2 has none)."""
    reason = " ".join(reason.split())
    if not reason:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
    return f"{status} {reason}"


def split_header_lines(headers: Headers) -> Headers:
    """One line per header: drop pseudo-headers, split values Chromium joined with newlines."""
    lines: Headers = []
    for name, value in headers:
        name = name.strip()
        if not name or name.startswith(":"):
            continue
        for part in value.replace("\r", "\n").split("\n"):
            if part.strip() or "\n" not in value:
                lines.append((name, part.strip()))
    return lines


def response_headers(headers: Headers, body_length: int) -> Headers:
    """Headers for a decoded body of `body_length` bytes."""
    out: Headers = []
    original_length: str | None = None
    for name, value in split_header_lines(headers):
        lower = name.lower()
        if lower in CODING_HEADERS:
            out.append((ORIG_PREFIX + name, value))
        elif lower == "content-length":
            original_length = value
        else:
            out.append((name, value))
    if original_length is not None and original_length != str(body_length):
        out.append((ORIG_PREFIX + "Content-Length", original_length))
    out.append(("Content-Length", str(body_length)))
    return out


def request_line(method: str, url: str) -> str:
    parts = urlsplit(strip_fragment(url))
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return f"{method.upper()} {target} {HTTP_LINE_PROTOCOL}"


def request_headers(headers: Headers, url: str, body: bytes) -> Headers:
    """Wire headers of the request; Host from HTTP/2's :authority or the URL; a true Content-Length."""
    authority = next((v for k, v in headers if k.lower() == ":authority"), None)
    lines = split_header_lines(headers)
    had_length = any(k.lower() == "content-length" for k, _ in lines)
    out = [(k, v) for k, v in lines if k.lower() != "content-length"]
    if not any(k.lower() == "host" for k, _ in out):
        out.insert(0, ("Host", authority or urlsplit(url).netloc))
    if body or had_length:
        out.append(("Content-Length", str(len(body))))
    return out
