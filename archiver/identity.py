"""Stable identities and content hashes.

A page's identity (`page_id`) depends only on its canonical URL, so the same article captured
on different days, on different machines, gets the same id and its captures can be compared.
A capture's identity (`capture_id`) adds the time, so every capture is unique.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from archiver.errors import InvalidURL

SEED_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def validate_seed(url: str) -> str:
    """Return the URL stripped of surrounding space, or raise InvalidURL saying why it is not one."""
    url = url.strip()
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF for ch in url):
        raise InvalidURL(f"not a valid URL: {printable(url)} (it holds control characters or bytes that are not text)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise InvalidURL(f"not a valid URL: {url!r} ({exc})") from None
    if parts.scheme.lower() not in SEED_SCHEMES:
        raise InvalidURL(f"not an http(s) URL: {url!r} (only http and https pages can be captured)")
    if not parts.hostname:
        raise InvalidURL(f"URL has no host: {url!r}")
    if parts.username is not None or parts.password is not None:
        raise InvalidURL(
            f"the URL carries credentials (user:password@): refused, so that they are written "
            f"nowhere ({without_credentials(url)})"
        )
    return url


def without_credentials(url: str) -> str:
    """The URL with any user:password@ taken out (for saying which URL was refused)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url.strip()
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[1], parts.path, parts.query, parts.fragment))


# user:password@ after a scheme, anywhere in a text (an argument such as --redis=redis://:secret@host)
_CREDENTIALS_IN_TEXT = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]*@")


def credentials_taken_out(text: str) -> str:
    """`text` with the user:password@ of every URL in it taken out (for the command line a manifest records)."""
    return _CREDENTIALS_IN_TEXT.sub(r"\1", text)


def printable(text: str) -> str:
    """`text` safe to print and to write as UTF-8: control characters and undecodable bytes escaped."""
    return repr(text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))


def strip_fragment(url: str) -> str:
    """The URL without its #fragment: fragments never reach the server, so never name a record."""
    return url.split("#", 1)[0]


def host_and_port(url: str) -> tuple[str, int]:
    """(lower-case host, port) a connection for `url` goes to: the scheme's default port when none is
    given, 0 for a scheme without one."""
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 0)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, '/' for an empty path."""
    parts = urlsplit(strip_fragment(url.strip()))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def page_id(url: str) -> str:
    """Stable id of the page at `url`: the same for every capture of the same canonical URL."""
    return sha256_bytes(canonical_url(url).encode("utf-8"))[:16]


def capture_id(url: str, when: datetime) -> str:
    """Unique id of one capture: UTC time (sortable) and the page id."""
    stamp = when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{page_id(url)}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def labelled_sha256(data: bytes) -> str:
    """ "sha256:<hex>", the form WACZ datapackages use."""
    return "sha256:" + sha256_bytes(data)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
