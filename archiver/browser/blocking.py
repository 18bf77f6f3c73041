"""Optional blocking (--block FILE): a filter list in Adblock Plus syntax, matched by Brave's
adblock-rust engine (PyPI `adblock`), enforced by the network guard's proxy, where every
connection of a capture already passes.

The proxy speaks SOCKS5, so it sees the host and port of a connection, not the URLs sent over it:
a rule that names a whole host (`||ads.example^`, with `$third-party` judged against the page's
own site) refuses that host's connections; a rule that names a path, or only some kinds of
request, cannot be told apart from the rest of its host's traffic and is not applied. The page's
own host is never blocked. Each list is read once per process (by path, size and time).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import adblock

from archiver.errors import ArchiverError
from archiver.identity import sha256_file

MAX_LIST_BYTES = 50 << 20  # EasyList and EasyPrivacy together are under 5 MB


class FilterListError(ArchiverError):
    pass


@dataclass(frozen=True)
class Blocker:
    path: str
    sha256: str
    rules: int  # lines that are rules (not comments, not blank)
    engine: Any  # adblock.Engine

    def rule_for(self, host: str, port: int, page_url: str) -> str | None:
        """The rule that refuses a connection to host:port from the page at `page_url`, if any."""
        if host.lower().rstrip(".") == (urlsplit(page_url).hostname or ""):
            return None  # the article itself
        scheme = "https" if port == 443 else "http"
        shown_port = "" if port in (80, 443) else f":{port}"
        found = self.engine.check_network_urls(f"{scheme}://{host}{shown_port}/", page_url, "other")
        if not found.matched or found.exception:
            return None
        return str(found.filter or "a rule of the list")

    def describe(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "rules": self.rules}


def load_blocker(path: str) -> Blocker:
    """The filter list at `path`, compiled (once per process while the file is unchanged)."""
    file = Path(path).expanduser()
    try:
        stat = file.stat()
    except OSError as exc:
        raise FilterListError(f"--block {path}: {exc.strerror or exc}") from None
    if not file.is_file():
        raise FilterListError(f"--block {path}: not a file")
    if stat.st_size > MAX_LIST_BYTES:
        raise FilterListError(f"--block {path}: larger than {MAX_LIST_BYTES >> 20} MB, not a filter list")
    return _compiled(str(file.resolve()), stat.st_size, stat.st_mtime_ns)


@cache
def _compiled(path: str, size: int, mtime_ns: int) -> Blocker:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FilterListError(f"--block {path}: cannot be read as UTF-8 text ({exc})") from None
    rules = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("!", "["))]
    if not rules:
        raise FilterListError(f"--block {path}: holds no rules")
    filters = adblock.FilterSet(debug=True)  # debug: a match names its rule
    filters.add_filter_list(text, format="standard")
    engine = adblock.Engine(filters, optimize=False)
    return Blocker(path, sha256_file(Path(path)), len(rules), engine)
