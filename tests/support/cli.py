"""Running the real command line from tests (with the tests' hooks: tests/support/run_archiver.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

ARCHIVER = [sys.executable, "-m", "tests.support.run_archiver"]
# Quick settling, generous bounds: a loaded machine makes a test slower, never makes it fail. The
# pages whose point is a bound (/slow-headers: 30 s before any byte) exceed it by far.
FAST = [
    "--navigation-timeout",
    "10",
    "--settle",
    "0.5",
    "--network-quiet",
    "0.2",
    "--behaviour-timeout",
    "60",
    "--retries",
    "0",
]


_HELD_PORTS: list[socket.socket] = []


def refused_port() -> int:
    """A port where connections are refused: bound, never listening, and held for the whole test
    session (a port merely closed again may be handed to the next server, e.g. a guard's proxy)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    _HELD_PORTS.append(probe)
    return probe.getsockname()[1]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ARCHIVER, *args], capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
    )
