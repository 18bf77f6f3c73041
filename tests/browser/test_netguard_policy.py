"""The network guard's policy on its own: every form of a private address is recognized, names
resolve once, and what cannot be checked is refused."""

from __future__ import annotations

import asyncio

import pytest

from archiver.browser.netguard import NetworkGuard, address_problem, literal_address
from tests.support.hooks import loopback_access


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1",
        "10.0.0.7",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
        "2001:0:4136:e378:8000:63bf:80ff:fffe",
        "0.0.0.0",
        "100.64.0.1",
        "fc00::1",
        "224.0.0.1",
    ],
)
def test_every_form_of_a_private_address_is_recognized(ip: str) -> None:
    assert address_problem(ip) is not None


@pytest.mark.parametrize("ip", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "64:ff9b::5db8:d822"])
def test_public_addresses_pass(ip: str) -> None:
    assert address_problem(ip) is None


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "0177.0.0.1", "127.1", "[::1]"])
def test_the_numeric_forms_of_an_address_are_addresses(host: str) -> None:
    assert literal_address(host) in ("127.0.0.1", "::1")


def test_a_name_is_resolved_once_and_refused_when_it_cannot_be() -> None:
    access = loopback_access({"public.test": "93.184.216.34", "intranet.test": "10.0.0.7"})

    async def check() -> None:
        guard = NetworkGuard("http://public.test/", access=access)
        await guard.start()
        assert guard.active
        decisions = await asyncio.gather(*(guard.decide("intranet.test", 80) for _ in range(5)))
        assert all(d.address is None and d.blocked for d in decisions)
        assert len(guard.blocked) == 1  # five connections at once: one decision, one record
        assert (await guard.decide("public.test", 443)).address == "93.184.216.34"
        unknown = await guard.decide("nowhere.test", 80)
        assert unknown.address is None and unknown.blocked and "could not be resolved" in (unknown.reason or "")

    asyncio.run(check())


def test_an_unresolvable_seed_turns_the_guard_on() -> None:
    async def check() -> None:
        guard = NetworkGuard("http://nowhere.test/", access=loopback_access())
        await guard.start()
        assert guard.active and guard.seed_unresolved
        assert (await guard.decide("localhost", 80)).blocked  # so nothing private is reached through it

    asyncio.run(check())
