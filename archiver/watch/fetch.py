"""Reading a source (a feed, a sitemap, a section front) over HTTP, as carefully as a capture:
every address checked by the network guard's policy before connecting (redirect hops too), the
connection made to the address checked, the body bounded in size before and after decoding, and
a conditional GET (ETag, Last-Modified) so an unchanged source costs one small answer."""

from __future__ import annotations

import asyncio
import http.client
import socket
import ssl
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from archiver.browser.netguard import NetworkAccess, NetworkGuard
from archiver.errors import ArchiverError
from archiver.identity import host_and_port, validate_seed
from archiver.versions import __version__

MAX_SOURCE_BYTES = 20 << 20  # decoded: a sitemap may hold 50,000 URLs; past this it is no honest source
MAX_REDIRECTS = 5
TIMEOUT = 30.0
USER_AGENT = f"archiver/{__version__} (watching sources; +https://archiver.invalid/)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml, text/xml, "
    "text/html;q=0.8, */*;q=0.5"
)


class SourceUnreadable(ArchiverError):
    """A source that could not be read this time (refused, unreachable, too large, not decodable)."""


@dataclass(frozen=True)
class Fetched:
    url: str  # where the answer came from, after redirects
    status: int  # 304: unchanged since the ETag / Last-Modified given
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""


async def fetch(
    url: str,
    access: NetworkAccess,
    allow_private: bool = False,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_SOURCE_BYTES,
) -> Fetched:
    """GET `url`, following redirects, each hop's address checked first."""
    guard = NetworkGuard(url, allow_private, access)
    await guard.start()
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for _ in range(MAX_REDIRECTS + 1):
        try:
            validate_seed(url)
        except ArchiverError as exc:
            raise SourceUnreadable(str(exc)) from None
        host, port = host_and_port(url)
        decision = await guard.decide(host, port)
        if decision.address is None:
            what = "refused by the network guard" if decision.blocked else "not reachable"
            raise SourceUnreadable(f"{what}: {decision.reason}")
        address = access.connect_to(decision.address)
        answer = await asyncio.to_thread(_get, url, address, headers, max_bytes)
        if answer.status in (301, 302, 303, 307, 308) and answer.headers.get("location"):
            url = urljoin(url, answer.headers["location"])
            continue
        return answer
    raise SourceUnreadable(f"more than {MAX_REDIRECTS} redirects")


class _Connection(http.client.HTTPConnection):
    """A connection to the address the guard checked, whatever the name says."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _TlsConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        plain = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(plain, server_hostname=self.host)  # type: ignore[attr-defined]


def _get(url: str, address: str, headers: dict[str, str], max_bytes: int) -> Fetched:
    parts = urlsplit(url)
    host, port = host_and_port(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kind = _TlsConnection if parts.scheme == "https" else _Connection
    connection = kind(host, port, address, TIMEOUT)
    try:
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        raw = response.read(max_bytes + 1)
        answer_headers = {name.lower(): value for name, value in response.getheaders()}
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        raise SourceUnreadable(f"{type(exc).__name__}: {exc}") from None
    finally:
        connection.close()
    if len(raw) > max_bytes:
        raise SourceUnreadable(f"larger than {max_bytes} bytes")
    body = _decoded(raw, answer_headers.get("content-encoding", ""), max_bytes)
    return Fetched(url, response.status, answer_headers, body)


def _decoded(raw: bytes, encoding: str, max_bytes: int) -> bytes:
    """The body without its gzip coding (or a .gz file's), cut off past `max_bytes`: a small gzip
    bomb must not become a large allocation."""
    if "gzip" not in encoding.lower() and not raw.startswith(b"\x1f\x8b"):
        return raw
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise SourceUnreadable(f"its gzip coding is damaged: {exc}") from None
    if len(body) > max_bytes or inflater.unconsumed_tail:
        raise SourceUnreadable(f"larger than {max_bytes} bytes once decoded")
    return body
