"""Queue entries nobody on the team wrote: no job can widen a worker's network guard, and a
malformed entry fails alone, never every worker (a real redis-server, real worker processes)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from archiver.options import CaptureOptions
from archiver.queue.jobs import QueuedJob
from tests.support.queue_support import (
    ARCHIVER,
    RedisServer,
    WorkerProcess,
    listed_urls,
    manifest_pages,
    outcomes,
    queue_add,
)

pytestmark = [pytest.mark.browser, pytest.mark.redis]


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def test_a_job_cannot_switch_the_network_guard_off(site, redis_server, tmp_path: Path) -> None:
    url = site.url("/queue/story-1")
    assert queue_add(redis_server.url, "--allow-private", url).returncode == 0
    worker = WorkerProcess(redis_server.url, tmp_path / "out", tmp_path / "w.log", "--until-empty")
    assert worker.wait() == 0, worker.said()
    (refused,) = outcomes(redis_server.broker()).values()
    assert refused["state"] == "failed" and "allow_private" in refused["reason"], refused
    assert listed_urls(tmp_path / "out") == []  # nothing was captured
    # A worker whose own policy allows it captures the same job.
    assert queue_add(redis_server.url, "--allow-private", "--recapture", url).returncode == 0
    allowed = WorkerProcess(redis_server.url, tmp_path / "out", tmp_path / "a.log", "--until-empty", "--allow-private")
    assert allowed.wait() == 0, allowed.said()
    assert listed_urls(tmp_path / "out") == [url]


def test_one_malformed_entry_fails_alone_and_the_valid_jobs_behind_it_are_captured(
    site, redis_server, tmp_path: Path
) -> None:
    broker = redis_server.broker()
    stream = broker.key("jobs")
    written_by_hand = redis.Redis.from_url(redis_server.url)  # bytes, as anyone who can reach the queue writes
    deep = b"[" * 30_000 + b"]" * 30_000  # nests deeper than any parser's stack, under the size bound
    written_by_hand.xadd(stream, {b"job": deep, b"page": b"deep"})
    written_by_hand.xadd(stream, {b"job": b'{"format": 1, "url": "\xff\xfe not text"}', b"page": b"\xff"})
    written_by_hand.xadd(stream, {b"job": b"x" * 200_000, b"page": b"huge"})
    escape = QueuedJob.new(site.url("/queue/story-2") + "?\x1b]0;owned\x07", CaptureOptions())
    broker.add(escape.page_key, escape.job_id, escape.to_json())
    url = site.url("/queue/story-1")
    assert queue_add(redis_server.url, url).returncode == 0

    worker = WorkerProcess(redis_server.url, tmp_path / "out", tmp_path / "w.log", "--until-empty")
    assert worker.wait() == 0, worker.said()
    assert "Traceback" not in worker.said()
    assert "\x1b" not in worker.said()  # the entry's escape sequence is shown, never sent to the terminal
    complete = [page["requested_url"] for _, page in manifest_pages(tmp_path / "out") if page["state"] == "complete"]
    assert complete == [url]
    failed = sorted(o["reason"] for o in outcomes(broker).values() if o["state"] == "failed")
    assert len(failed) == 4, failed
    assert any("nested too deep" in reason for reason in failed)
    assert any("not UTF-8" in reason for reason in failed)
    assert any("200000 bytes" in reason for reason in failed)
    assert any("control characters" in reason for reason in failed)

    status = subprocess.run(
        [*ARCHIVER, "queue", "status", "--redis", redis_server.url], capture_output=True, text=True, timeout=60
    )
    assert status.returncode == 0 and "Traceback" not in status.stderr, status.stderr
    assert "\x1b" not in status.stdout and "\\x1b" in status.stdout
    as_json = subprocess.run(
        [*ARCHIVER, "queue", "status", "--redis", redis_server.url, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(as_json.stdout)["counts"]["failed"] == 4
