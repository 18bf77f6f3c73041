"""Where the network guard is enforced: a SOCKS5 proxy on 127.0.0.1 for one capture's browser
context, through which every connection the browser opens passes.

Chromium sends SOCKS5 proxies the host name (it resolves nothing itself), so this is the one place
a name is resolved: once, every address checked against the capture's policy (`NetworkGuard`),
and the connection made to the address that was checked (no second lookup, so no DNS rebinding).
Navigations, redirect hops, subresources, fetch/XHR, iframes, WebSockets, EventSource, workers,
prefetch and large-body reloads all come through here. What the policy refuses gets a SOCKS
"not allowed" answer and never a connection; a proxy that is not running refuses everything.
Only CONNECT is spoken (no UDP: QUIC is off in the browser), without authentication, on loopback.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import struct
from contextlib import suppress

from archiver.browser.netguard import NetworkGuard
from archiver.identity import host_and_port

SOCKS_VERSION = 5
NO_AUTH, NO_ACCEPTABLE_METHOD = 0x00, 0xFF
CONNECT = 0x01
ATYP_IPV4, ATYP_DOMAIN, ATYP_IPV6 = 0x01, 0x03, 0x04
SUCCEEDED, GENERAL_FAILURE, NOT_ALLOWED, HOST_UNREACHABLE, REFUSED = 0x00, 0x01, 0x02, 0x04, 0x05
COMMAND_NOT_SUPPORTED, ADDRESS_TYPE_NOT_SUPPORTED = 0x07, 0x08
RELAY_CHUNK = 1 << 16
HANDSHAKE_TIMEOUT = 10.0
CONNECT_TIMEOUT = 30.0


class GuardProxy:
    """A SOCKS5 server on 127.0.0.1 that lets a browser context reach what `guard` allows."""

    def __init__(self, guard: NetworkGuard) -> None:
        self.guard = guard
        self.connections = 0
        self.failures: dict[tuple[str, int], str] = {}  # host, port -> Chromium's name for what went wrong
        self.last_failure: tuple[str, int] | None = None
        self._server: asyncio.base_events.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()  # both ends of every connection being relayed

    @property
    def address(self) -> str:
        """The proxy for Playwright's `proxy={"server": ...}`."""
        assert self._server is not None
        return f"socks5://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def start(self) -> GuardProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with suppress(Exception):
                await self._server.wait_closed()
        for writer in list(self._open):  # ends the relays (a cancelled handler is logged by asyncio)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._open.add(writer)
        try:
            target = await asyncio.wait_for(self._handshake(reader, writer), HANDSHAKE_TIMEOUT)
            if target is not None:
                await self._connect_and_relay(reader, writer, *target)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            self._open.discard(writer)
            writer.close()

    async def _handshake(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[str, int] | None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        if version != SOCKS_VERSION or NO_AUTH not in methods:
            writer.write(bytes([SOCKS_VERSION, NO_ACCEPTABLE_METHOD]))
            return None
        writer.write(bytes([SOCKS_VERSION, NO_AUTH]))
        version, command, _, address_type = await reader.readexactly(4)
        if address_type == ATYP_IPV4:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif address_type == ATYP_IPV6:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        elif address_type == ATYP_DOMAIN:
            (length,) = await reader.readexactly(1)
            host = (await reader.readexactly(length)).decode("ascii", errors="replace")  # Chromium sends punycode
        else:
            await self._reply(writer, ADDRESS_TYPE_NOT_SUPPORTED)
            return None
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if command != CONNECT:
            await self._reply(writer, COMMAND_NOT_SUPPORTED)
            return None
        return host, port

    async def _connect_and_relay(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, port: int
    ) -> None:
        decision = await self.guard.decide(host, port)
        if decision.address is None:
            refused = decision.rule is not None or decision.addresses
            self._failed(host, port, "ERR_BLOCKED_BY_CLIENT" if refused else "ERR_NAME_NOT_RESOLVED")
            await self._reply(writer, NOT_ALLOWED if decision.blocked else HOST_UNREACHABLE)
            return
        try:
            upstream_reader, upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(self.guard.connect_address(decision.address), port), CONNECT_TIMEOUT
            )
        except TimeoutError:
            self._failed(host, port, "ERR_CONNECTION_TIMED_OUT")
            await self._reply(writer, HOST_UNREACHABLE)
            return
        except OSError as exc:
            self._failed(
                host,
                port,
                "ERR_CONNECTION_REFUSED" if isinstance(exc, ConnectionRefusedError) else "ERR_ADDRESS_UNREACHABLE",
            )
            await self._reply(writer, REFUSED)
            return
        self.connections += 1
        self._open.add(upstream_writer)
        try:
            await self._reply(writer, SUCCEEDED)
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        finally:
            self._open.discard(upstream_writer)
            upstream_writer.close()

    def _failed(self, host: str, port: int, code: str) -> None:
        self.failures[(host.lower(), port)] = code
        self.last_failure = (host.lower(), port)

    def failure(self, url: str | None) -> str | None:
        """Chromium's name (ERR_...) for why the connection for `url` failed at the proxy; with no
        URL (Playwright names the first URL of a redirect chain), the last failure."""
        if url and host_and_port(url) in self.failures:
            return self.failures[host_and_port(url)]
        return self.failures[self.last_failure] if self.last_failure else None

    @staticmethod
    async def _reply(writer: asyncio.StreamWriter, code: int) -> None:
        writer.write(bytes([SOCKS_VERSION, code, 0, ATYP_IPV4]) + socket.inet_aton("0.0.0.0") + b"\0\0")
        await writer.drain()


async def _pipe(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(RELAY_CHUNK):
            target.write(data)
            await target.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with suppress(Exception):
            target.write_eof()
