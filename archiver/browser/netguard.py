"""Keep a capture of a public page from reaching private networks: the policy.

When the seed is on the public internet, a connection from the page to a private, loopback,
link-local, reserved or otherwise non-global address is refused and recorded: a hostile page must
not pull an intranet (or a cloud metadata endpoint) into an archive. A seed that is itself on such
an address may reach such addresses (archiving your own intranet page is what you asked for), and
so may everything when private addresses are allowed.

Every name is resolved once per capture and every address it resolves to is checked (IPv4 and
IPv6; IPv4 inside IPv6: mapped, NAT64, 6to4, Teredo; decimal, hex and octal IPv4 forms); the
connection goes to the address that was checked. It fails closed: a name that cannot be resolved
is refused, also when it is the seed's own. `archiver.browser.guard_proxy` enforces this where the
browser's connections are made.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from archiver.browser.blocking import Blocker
from archiver.identity import host_and_port

log = logging.getLogger(__name__)

NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries: mapped (::ffff:a.b.c.d), NAT64, 6to4, Teredo."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return None


def address_problem(ip: str) -> str | None:
    """Why `ip` is not a public address, or None when it is."""
    try:
        address: Any = ipaddress.ip_address(ip.strip("[]").split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            problem = address_problem(str(inner))
            return f"{problem} (inside {address})" if problem else None
    for flag, label in (
        ("is_loopback", "loopback"),
        ("is_private", "private"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_unspecified", "unspecified"),
        ("is_reserved", "reserved"),
    ):
        if getattr(address, flag):
            return f"{label} address {address}"
    if not address.is_global:
        return f"non-global address {address}"
    return None


def literal_address(host: str) -> str | None:
    """`host` as an IP address when it is one, in any form a URL may use (0x7f.1, 2130706433, 0177.0.0.1)."""
    host = host.strip("[]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if host and all(part for part in host.split(".")) and all(ch in "0123456789abcdefxABCDEFX." for ch in host):
        try:
            return socket.inet_ntoa(socket.inet_aton(host))  # the classic forms browsers accept too
        except OSError:
            return None
    return None


Lookup = Callable[[str], Awaitable[list[str]]]  # a name -> every address it resolves to ([]: none)


async def system_lookup(host: str) -> list[str]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []  # unresolvable: refused, like everything the guard cannot check
    return sorted({str(info[4][0]).split("%", 1)[0] for info in infos})


def connect_to_checked(address: str) -> str:
    return address


@dataclass(frozen=True)
class NetworkAccess:
    """How a capture's connections find their servers, given to the guard by whoever runs it (never
    read from the environment). `overrides` answer for the names they list (a run's --resolve
    NAME=IP, for split-horizon set-ups: an input to the same check); every other name is asked of
    `lookup` (DNS); the connection goes to `connect_to(address)`, the address that was checked.
    `private_seeds`: a seed that is itself on a private address may reach private addresses (your
    own intranet page); a public service turns it off, and such a seed is refused like any other
    private address."""

    overrides: Mapping[str, str] = field(default_factory=dict)
    lookup: Lookup = system_lookup
    connect_to: Callable[[str], str] = connect_to_checked
    private_seeds: bool = True


def network_access(overrides: Mapping[str, str], private_seeds: bool = True) -> NetworkAccess:
    """The access a run's captures get: DNS, with the run's --resolve overrides. (The one place the
    tests' launcher, tests/support/run_archiver.py, puts its loopback-only resolver instead.)"""
    return NetworkAccess(dict(overrides), private_seeds=private_seeds)


def parse_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """NAME=IP pairs (--resolve) as a mapping; ValueError naming the first that is not one."""
    overrides = {}
    for pair in pairs:
        name, _, ip = pair.partition("=")
        if not name.strip() or literal_address(ip.strip()) is None:
            raise ValueError(f"{pair!r} is not NAME=IP")
        overrides[name.strip().lower().rstrip(".")] = literal_address(ip.strip()) or ""
    return overrides


@dataclass(frozen=True)
class Decision:
    address: str | None  # where to connect, or None
    addresses: tuple[str, ...]  # every address the name resolved to
    reason: str | None = None  # why not
    blocked: bool = False  # refused by the policy (not merely unresolvable with the guard off)
    rule: str | None = None  # refused by this rule of the --block filter list


@dataclass
class NetworkGuard:
    seed: str
    allow_private: bool = False
    access: NetworkAccess = field(default_factory=NetworkAccess)
    blocked: list[dict[str, Any]] = field(default_factory=list)
    active: bool = False  # decided by `start`
    seed_unresolved: bool = False
    blocker: Blocker | None = None  # --block: a filter list's rules for whole hosts
    filtered: list[dict[str, Any]] = field(default_factory=list)  # connections its rules refused
    _lookups: dict[str, asyncio.Future[list[str]]] = field(default_factory=dict)
    _pending: dict[tuple[str, int], asyncio.Future[Decision]] = field(default_factory=dict)
    _decisions: dict[tuple[str, int], Decision] = field(default_factory=dict)  # the ones made

    async def start(self) -> None:
        """Decide whether to guard: unless private addresses are allowed, and unless the seed is
        itself on a private address (and the run lets such seeds be). A seed whose name cannot be
        resolved is guarded (fail closed)."""
        if self.allow_private:
            return
        addresses = await self.resolve(urlsplit(self.seed).hostname or "")
        self.seed_unresolved = not addresses
        public = any(address_problem(ip) is None for ip in addresses)
        self.active = not addresses or public or not self.access.private_seeds

    async def resolve(self, host: str) -> list[str]:
        """Every address `host` resolves to, looked up once per capture: connections opened at the
        same moment share one lookup, so no two of them can see different answers (rebinding)."""
        host = host.lower().strip("[]").rstrip(".")
        if host not in self._lookups:
            self._lookups[host] = asyncio.ensure_future(self._lookup(host))
        return await asyncio.shield(self._lookups[host])

    async def _lookup(self, host: str) -> list[str]:
        override = self.access.overrides.get(host)
        literal = literal_address(host)
        if override:
            return [override]
        if literal:
            return [literal]
        return await self.access.lookup(host)

    async def decide(self, host: str, port: int) -> Decision:
        """Where a connection to host:port may go, decided once per host and port for the capture."""
        key = (host.lower(), port)
        if key not in self._pending:
            self._pending[key] = asyncio.ensure_future(self._decide_once(key, host, port))
        return await asyncio.shield(self._pending[key])

    async def _decide_once(self, key: tuple[str, int], host: str, port: int) -> Decision:
        decision = self._decisions[key] = await self._decide(host, port)
        log.debug("%s:%s -> %s (%s)", host, port, decision.address or "refused", ", ".join(decision.addresses))
        if decision.rule is not None:
            log.info("refused %s:%s: the filter list's rule %s", host, port, decision.rule)
            self.filtered.append({"host": key[0], "port": port, "rule": decision.rule})
        elif decision.blocked:
            log.info("refused %s:%s before connecting: %s", host, port, decision.reason)
            self.blocked.append(
                {
                    "url": f"{host}:{port}",
                    "host": host,
                    "port": port,
                    "addresses": list(decision.addresses),
                    "reason": decision.reason or "",
                    "stage": "before connecting",
                }
            )
        return decision

    async def _decide(self, host: str, port: int) -> Decision:
        rule = self.blocker.rule_for(host, port, self.seed) if self.blocker else None
        if rule is not None:
            return Decision(None, (), f"{host} is blocked by the filter list's rule {rule}", blocked=True, rule=rule)
        addresses = await self.resolve(host)
        if not addresses:
            return Decision(None, (), f"{host} could not be resolved", blocked=self.active)
        if self.active:
            for ip in addresses:
                problem = address_problem(ip)
                if problem:
                    reason = problem if literal_address(host) else f"{host} is a {problem}"
                    return Decision(None, tuple(addresses), reason, blocked=True)
        ordered = sorted(addresses, key=lambda ip: ":" in ip)  # IPv4 first
        return Decision(ordered[0], tuple(addresses))

    def connect_address(self, checked: str) -> str:
        return self.access.connect_to(checked)

    def address_for(self, url: str) -> str | None:
        """The address the connection for `url` went to (for WARC-IP-Address: the browser only
        saw the proxy)."""
        decision = self._decisions.get(host_and_port(url))
        return decision.address if decision else None

    def problem(self, url: str) -> str | None:
        """Why `url` was refused in this capture, if it was."""
        decision = self._decisions.get(host_and_port(url))
        return decision.reason if decision and decision.blocked else None

    def blocking_summary(self, failed_urls: Sequence[str] = ()) -> dict[str, Any] | None:
        """With --block: the list (its path, SHA-256 and size), and each host its rules refused,
        with the requests of the page that it failed."""
        if self.blocker is None:
            return None
        refused = [{**entry, "requests": _failed_at(entry, failed_urls)} for entry in self.filtered]
        return {"list": self.blocker.describe(), "blocked": refused}

    def summary(self, failed_urls: Sequence[str] = ()) -> dict[str, Any]:
        """What was refused: each refused host, with the requests of the page that it failed."""
        entries = []
        for entry in self.blocked:
            entries += [{**entry, "url": url} for url in _failed_at(entry, failed_urls)] or [entry]
        return {
            "active": self.active,
            "allow_private": self.allow_private,
            "blocked": entries,
            **({"seed_unresolved": True} if self.seed_unresolved else {}),
        }


def _failed_at(entry: dict[str, Any], failed_urls: Sequence[str]) -> list[str]:
    """The failed requests that went to the refused host and port of `entry`."""
    if not entry.get("host"):
        return []
    refused = (entry["host"].lower(), entry["port"])
    return [url for url in failed_urls if host_and_port(url) == refused]
