"""The tests' hooks into archiver, installed in the test process (conftest) and in every archiver
process the tests start (`run_archiver`): archiver itself reads none of these variables.

- The network guard resolves no name through DNS: only the test's own names (ARCHIVER_TEST_RESOLVE,
  "name=ip,..."), literal addresses and localhost, so nothing a test page names leaves the machine.
- ARCHIVER_TEST_CONNECT_MAP ("checked-ip=ip-to-connect,..."): the tests' "public" addresses are
  served on loopback. The policy still sees the checked address; only the socket goes elsewhere.
- ARCHIVER_TEST_FAULT ("capture:<text>", "commit:<text>", "keep:<text>"): a queue worker SIGKILLs
  itself at that point of a page whose URL contains <text>.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping

from archiver.browser import netguard
from archiver.browser.netguard import NetworkAccess, system_lookup
from archiver.queue.worker import Worker

RESOLVE_ENV = "ARCHIVER_TEST_RESOLVE"
CONNECT_MAP_ENV = "ARCHIVER_TEST_CONNECT_MAP"
FAULT_ENV = "ARCHIVER_TEST_FAULT"
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _pairs(variable: str) -> dict[str, str]:
    items = [item.split("=", 1) for item in os.environ.get(variable, "").split(",") if "=" in item]
    return {key.strip().lower(): value.strip() for key, value in items}


async def loopback_lookup(host: str) -> list[str]:
    """Names resolve to nothing, but localhost's."""
    return await system_lookup(host) if host in LOCAL_NAMES else []


def loopback_access(overrides: Mapping[str, str] | None = None, private_seeds: bool = True) -> NetworkAccess:
    """The access every test capture gets: the test's names, no DNS, the connect map."""
    connect_map = _pairs(CONNECT_MAP_ENV)
    return NetworkAccess(
        {**_pairs(RESOLVE_ENV), **(overrides or {})},
        lookup=loopback_lookup,
        connect_to=lambda address: connect_map.get(address, address),
        private_seeds=private_seeds,
    )


def fault_from_environment(point: str, url: str) -> None:
    wanted, _, text = os.environ.get(FAULT_ENV, "").partition(":")
    if wanted == point and text and text in url:
        os.kill(os.getpid(), signal.SIGKILL)


def install() -> None:
    netguard.network_access = loopback_access  # type: ignore[assignment]
    Worker.fault_point = staticmethod(fault_from_environment)  # type: ignore[method-assign]
