"""Captures the tests make in their own process: the fixture sites' addresses, quick options, a run."""

from __future__ import annotations

import asyncio
from pathlib import Path

from archiver.options import CaptureOptions
from archiver.run.batch import RunOutcome, RunSettings, capture_urls
from tests.support.fixture_site import ServerThread

# Quick but faithful: the fixture's timer fires 1.5 s after load.
TEST_OPTIONS = CaptureOptions(network_quiet=0.3, settle_after_load=2.0, navigation_timeout=60.0, behaviour_timeout=90.0)


class Site:
    def __init__(self, server: ServerThread, scheme: str) -> None:
        self.server = server
        self.app = server.app
        self.scheme = scheme
        self.port = server.port

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"


def run_capture(
    urls: list[str], output: Path, options: CaptureOptions = TEST_OPTIONS, settings: RunSettings | None = None
) -> RunOutcome:
    return asyncio.run(capture_urls(urls, output, options, settings=settings or RunSettings()))
