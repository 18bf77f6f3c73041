"""Keep a capture of a public page from reaching private networks.

When the seed is on the public internet, a request from the page to a private, loopback,
link-local, reserved or otherwise non-global address (by its literal IP, or by what its host name
resolves to) is blocked and recorded: a hostile page must not pull an intranet into an archive.
A seed that is itself on such an address is allowed to reach it (archiving your own intranet page
is what you asked for), and so is everything when private addresses are allowed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# For tests and split-horizon set-ups: "name=ip,name=ip" decides what those names count as.
RESOLVE_OVERRIDES_ENV = "ARCHIVER_RESOLVE_OVERRIDES"


def address_problem(ip: str) -> str | None:
    """Why `ip` is not a public address, or None when it is."""
    try:
        address = ipaddress.ip_address(ip.strip("[]"))
    except ValueError:
        return "not an IP address"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for flag, label in (("is_loopback", "loopback"), ("is_private", "private"), ("is_link_local", "link-local"),
                        ("is_multicast", "multicast"), ("is_unspecified", "unspecified"), ("is_reserved", "reserved")):
        if getattr(address, flag):
            return f"{label} address {address}"
    if not address.is_global:
        return f"non-global address {address}"
    return None


def resolve_overrides() -> dict[str, str]:
    pairs = [item.split("=", 1) for item in os.environ.get(RESOLVE_OVERRIDES_ENV, "").split(",") if "=" in item]
    return {name.strip().lower(): ip.strip() for name, ip in pairs}


@dataclass
class NetworkGuard:
    seed: str
    allow_private: bool = False
    blocked: list[dict[str, str]] = field(default_factory=list)
    _cache: dict[str, list[str]] = field(default_factory=dict)
    active: bool = False  # decided by `start`

    async def start(self) -> None:
        """Decide whether to guard: only when private addresses are not allowed and the seed is public."""
        if self.allow_private:
            return
        host = urlsplit(self.seed).hostname or ""
        addresses = await self.resolve(host)
        self.active = bool(addresses) and all(address_problem(ip) is None for ip in addresses)

    async def resolve(self, host: str) -> list[str]:
        host = host.lower().strip("[]")
        if host in self._cache:
            return self._cache[host]
        override = resolve_overrides().get(host)
        if override:
            found = [override]
        else:
            try:
                ipaddress.ip_address(host)
                found = [host]
            except ValueError:
                try:
                    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
                    found = sorted({str(info[4][0]) for info in infos})
                except OSError:
                    found = []  # unresolvable: the browser's own lookup will fail the same way
        self._cache[host] = found
        return found

    async def problem(self, url: str) -> str | None:
        """Why a request to `url` must not go out, or None."""
        if not self.active:
            return None
        host = urlsplit(url).hostname or ""
        for ip in await self.resolve(host):
            problem = address_problem(ip)
            if problem:
                return f"{host} is a {problem}" if host != ip else f"{problem}"
        return None

    def note(self, url: str, reason: str, stage: str) -> None:
        self.blocked.append({"url": url, "reason": reason, "stage": stage})

    def summary(self) -> dict[str, Any]:
        return {"active": self.active, "allow_private": self.allow_private, "blocked": self.blocked}
