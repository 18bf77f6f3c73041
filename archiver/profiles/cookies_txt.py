"""A Netscape cookies.txt (as curl, wget and browsers' export extensions write it) as the cookies
of a Playwright storage state.

Seven tab-separated fields per line: domain, include-subdomains, path, secure, expiry, name,
value; `#HttpOnly_` before the domain marks an HttpOnly cookie; other `#` lines are comments.
"""

from __future__ import annotations

from typing import Any

HTTPONLY_PREFIX = "#HttpOnly_"
FIELDS = 7


class CookiesTxtError(ValueError):
    pass


def parse_cookies_txt(text: str) -> list[dict[str, Any]]:
    cookies = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        http_only = line.startswith(HTTPONLY_PREFIX)
        if http_only:
            line = line[len(HTTPONLY_PREFIX) :]
        elif not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != FIELDS:
            raise CookiesTxtError(f"line {number} is not a cookies.txt line (7 fields, tab-separated)")
        cookies.append(_cookie(parts, http_only, number))
    if not cookies:
        raise CookiesTxtError("it holds no cookies")
    return cookies


def _cookie(parts: list[str], http_only: bool, number: int) -> dict[str, Any]:
    domain, subdomains, path, secure, expiry, name, value = parts
    if not domain or not name:
        raise CookiesTxtError(f"line {number} has no domain or no name")
    try:
        expires = float(expiry)
    except ValueError:
        raise CookiesTxtError(f"line {number}: its expiry {expiry!r} is not a number") from None
    # Playwright: a leading dot makes a domain cookie (sent to subdomains too)
    if subdomains.upper() == "TRUE" and not domain.startswith("."):
        domain = "." + domain
    return {
        "name": name,
        "value": value,
        "domain": domain,
        "path": path or "/",
        "expires": expires if expires > 0 else -1,  # 0: a session cookie
        "httpOnly": http_only,
        "secure": secure.upper() == "TRUE",
        "sameSite": "Lax",
    }
