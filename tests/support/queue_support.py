"""A real redis-server and real `archiver worker` processes, for the queue's tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archiver.queue.broker import Broker
from archiver.replay.pywb import free_port
from tests.support.cli import ARCHIVER

# Quick captures of the small queue pages (the same options `capture` is compared with).
FAST = ["--settle", "0.5", "--network-quiet", "0.3", "--navigation-timeout", "60", "--max-scroll-steps", "5"]


SLACK = 4  # every wait may take this many times what an idle 2-core machine needs


def wait_for(condition: Callable[[], Any], within: float, what: str) -> Any:
    """Poll until `condition` is truthy; a bound on waiting, not a timed assertion: it is stretched
    by SLACK, so a loaded machine makes the wait longer, never the test fail."""
    within *= SLACK
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting {within:g} s for {what}")


class RedisServer:
    """Debian's redis-server on 127.0.0.1, its data (append-only file) in `folder`, so it can restart."""

    def __init__(self, folder: Path) -> None:
        assert shutil.which("redis-server"), "redis-server is missing: ./scripts/test installs it"
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--protected-mode",
                "yes",
            ],
            stdout=(self.folder / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for(self._answers, 20, "redis-server to answer")
        return self

    def _answers(self) -> bool:
        try:
            return Broker.connect(self.url) is not None
        except Exception:  # noqa: BLE001 - not up yet, in whatever way: asked again
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis flushes its append-only file and exits
            self.process.wait(20)
        self.process = None

    def broker(self) -> Broker:
        return Broker.connect(self.url)


class WorkerProcess:
    def __init__(self, redis_url: str, output: Path, log: Path, *args: str, fault: str | None = None) -> None:
        env = {**os.environ, "ARCHIVER_REDIS": redis_url}
        env.pop("ARCHIVER_TEST_FAULT", None)
        if fault:
            env["ARCHIVER_TEST_FAULT"] = fault
        self.log = log
        self.process = subprocess.Popen(
            [*ARCHIVER, "worker", "--output", str(output), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def signal(self, signum: int) -> None:
        os.kill(self.process.pid, signum)

    def wait(self, within: float = 120) -> int:
        return self.process.wait(within)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)

    def said(self) -> str:
        return self.log.read_text(errors="replace")


def queue_add(redis_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ARCHIVER, "queue", "add", "--redis", redis_url, *FAST, *args], capture_output=True, text=True, timeout=60
    )


def outcomes(broker: Broker) -> dict[str, dict[str, Any]]:
    return {job: json.loads(text) for job, text in broker.client.hgetall(broker.key("outcomes")).items()}


def running(broker: Broker) -> dict[str, str]:
    """stream entry -> the worker capturing it."""
    return {
        p["message_id"]: p["consumer"]
        for p in broker.client.xpending_range(broker.key("jobs"), "workers", "-", "+", 100)
    }


def manifest_pages(output: Path) -> list[tuple[Path, dict[str, Any]]]:
    """(run folder, page entry) for every page every manifest in `output` lists."""
    pages = []
    for manifest in sorted(output.glob("*/manifest.json")):
        for page in json.loads(manifest.read_text())["pages"]:
            pages.append((manifest.parent, page))
    return pages


def listed_urls(output: Path) -> list[str]:
    return sorted(page["requested_url"] for _, page in manifest_pages(output))
