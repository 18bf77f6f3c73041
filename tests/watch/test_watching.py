"""`archiver watch` against a newsroom that publishes, edits, removes and moves stories while it is
watched (tests/support/newsroom.py), with real Chromium: in-process with the watcher SIGKILLed in
the middle and started again, and through a real redis-server with two real worker processes.

Whatever the route, the same must hold: every story captured once as `new`, found at the first
read of a source after it was published; the edit recorded once as `edited`, naming exactly
headline, text and credit, in events.jsonl, in edits.atom (parsed back with feedparser) and at the
webhook (which refused its first POST); the removal as `gone`, the redirect as `moved`; no article
captured before its ladder step was due nor twice for one step; no event id twice.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest

from archiver.identity import page_id
from tests.support import newsroom
from tests.support.cli import ARCHIVER
from tests.support.fixture_site import ServerThread
from tests.support.queue_support import FAST, RedisServer, WorkerProcess, wait_for
from tests.support.webhook import Webhook

pytestmark = pytest.mark.browser

POLL = 2.0
LADDER = (5.0, 10.0, 20.0)
WATCH_CAP = 600  # seconds: --for, a bound only; each test stops its watcher once all has been seen
SOURCES = ("/feeds/news.rss", "/feeds/news.atom", "/sitemap-news.xml", "/city/")


@pytest.fixture
def newsroom_site() -> Iterator[tuple[newsroom.Newsroom, str]]:
    app = newsroom.Newsroom()
    server = ServerThread(app).start()  # type: ignore[arg-type] - any ASGI application
    yield app, f"http://127.0.0.1:{server.port}"
    server.stop()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook(refuse=1).start()
    yield hook
    hook.stop()


def watcher(origin: str, output: Path, hook: Webhook, run_for: float, log: Path, *more: str) -> subprocess.Popen[bytes]:
    command = [
        *ARCHIVER, "watch", *(origin + path for path in SOURCES), "--output", str(output),
        "--poll", f"{POLL:g}s", "--recheck", ",".join(f"{step:g}s" for step in LADDER), "--for", f"{run_for:.0f}s",
        "--webhook", hook.url, "-j", "2", *FAST, *more,
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log.open("ab"))


def _all_seen(output: Path, hook: Webhook) -> bool:
    """The edit, the removal and the move found, an unchanged re-check made, and each
    announcement received by the webhook: what check_watch looks for."""
    if not (output / "watch" / "events.jsonl").is_file():
        return False
    events = events_of(output)
    kinds = {event["kind"] for event in events}
    announced = {event["id"] for event in events if event["kind"] in ("edited", "gone", "moved")}
    received = {event["id"] for event in hook.received}
    return {"edited", "gone", "moved", "unchanged"} <= kinds and announced <= received


def stop_once_all_seen(run: subprocess.Popen[bytes], output: Path, hook: Webhook, log: Path) -> None:
    """Wait for what the newsroom does to be found (however slow the machine), then stop the
    watcher as a person would, with SIGTERM: it finishes what it is doing and exits 0."""
    try:
        wait_for(lambda: _all_seen(output, hook) or run.poll() is not None, 300, "the edit, removal and move")
    finally:
        if run.poll() is None:
            run.send_signal(signal.SIGTERM)
    assert run.wait(120) == 0, log.read_text()


def events_of(output: Path) -> list[dict[str, Any]]:
    lines = (output / "watch" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]  # every line whole: a kill cuts none short for good


def articles_of(output: Path) -> dict[str, sqlite3.Row]:
    db = sqlite3.connect(output / "watch" / "state.sqlite")
    db.row_factory = sqlite3.Row
    try:
        return {row["key"]: row for row in db.execute("select * from articles")}
    finally:
        db.close()


def story_key(origin: str, number: int) -> str:
    return page_id(origin + newsroom.story_path(number))


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _not_json(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON")


def check_watch(app: newsroom.Newsroom, origin: str, output: Path, hook: Webhook) -> list[dict[str, Any]]:
    events = events_of(output)
    ids = [event["id"] for event in events]
    assert len(ids) == len(set(ids)), f"an event written twice: {Counter(ids).most_common(3)}"
    assert [e for e in events if e["kind"] == "failed"] == []
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_kind.setdefault(event["kind"], []).append(event)

    # every story captured once as new, found at the first read of a source after it was published
    stories = {story_key(origin, n): n for n in newsroom.PUBLISHED}
    assert sorted(e["page_id"] for e in by_kind["new"]) == sorted(stories)
    articles = articles_of(output)
    assert set(articles) == set(stories)  # the RSS feed's utm_ links were the same articles
    reads = sorted(moment for moment, path, _ in app.requests if path in SOURCES)
    for key, number in stories.items():
        first_read_after = next(moment for moment in reads if moment >= app.published_at(number))
        assert articles[key]["first_seen"] <= first_read_after, f"story {number} was not added at its first read"

    # the edit: once, naming exactly headline, text and credit, with its report
    edited = by_kind["edited"]
    assert [e["page_id"] for e in edited] == [story_key(origin, newsroom.EDITED)]
    assert edited[0]["changes"]["what"] == ["headline", "text", "credit"]
    assert epoch(edited[0]["started_at"]) >= app.started + newsroom.EDIT_AT
    assert (output / "watch" / edited[0]["report"]).is_file()
    assert [e["page_id"] for e in by_kind["gone"]] == [story_key(origin, newsroom.GONE)]
    assert by_kind["gone"][0]["status"] == 410
    assert [e["page_id"] for e in by_kind["moved"]] == [story_key(origin, newsroom.MOVED)]
    assert urlsplit(by_kind["moved"][0]["to"]).path == newsroom.MOVED_TO

    # the ladder: no capture before its step was due, none twice for one step
    captures = [e for e in events if e["kind"] != "new"]
    steps = [(e["page_id"], e["changed_at"], e["step"]) for e in captures]
    assert len(steps) == len(set(steps)), "an article captured twice for one step of its ladder"
    for event in captures:
        assert epoch(event["started_at"]) >= event["changed_at"] + LADDER[event["step"]] - 0.01, event
    assert by_kind.get("unchanged"), "no re-capture found its article unchanged"

    # announced three ways: events.jsonl, edits.atom, the webhook (after it refused once)
    announced = {e["id"] for e in events if e["kind"] in ("edited", "gone", "moved")}
    feed = feedparser.parse((output / "watch" / "edits.atom").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert {entry.id.removeprefix("urn:archiver:event:") for entry in feed.entries} == announced
    edited_entry = next(entry for entry in feed.entries if entry.title.startswith("Edited"))
    assert (output / "watch" / edited_entry.link).is_file()  # the link, relative to the feed, opens the report
    assert "headline changed" in edited_entry.summary
    assert hook.refused == 1
    assert {event["id"] for event in hook.received} == announced
    return events


def test_watch_in_process_survives_sigkill(
    newsroom_site: tuple[newsroom.Newsroom, str], webhook: Webhook, tmp_path: Path
) -> None:
    app, origin = newsroom_site
    output, log = tmp_path / "out", tmp_path / "watch.log"
    first = watcher(origin, output, webhook, WATCH_CAP, log)
    third = story_key(origin, newsroom.MOVED)

    def third_story_captured() -> bool:
        return (output / "watch" / "events.jsonl").is_file() and any(e["page_id"] == third for e in events_of(output))

    try:  # killed once the third story is captured: the fourth under way, some events written
        wait_for(third_story_captured, 60, "the third story")
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(30)
    before = {event["id"] for event in events_of(output)}
    second = watcher(origin, output, webhook, WATCH_CAP, log)
    stop_once_all_seen(second, output, webhook, log)
    events = check_watch(app, origin, output, webhook)
    assert before <= {event["id"] for event in events}  # nothing written before the kill was lost

    status = subprocess.run([*ARCHIVER, "watch", "status", "--output", str(output), "--json"],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert status.returncode == 0, status.stderr
    state = json.loads(status.stdout, parse_constant=_not_json)  # strict JSON: no Infinity, no NaN
    assert {source["kind"] for source in state["sources"]} == {"feed", "sitemap", "section-front"}
    assert state["events"]["edited"] == 1 and state["events"]["new"] == len(newsroom.PUBLISHED)


@pytest.mark.redis
def test_watch_through_the_queue_with_two_workers(
    newsroom_site: tuple[newsroom.Newsroom, str], webhook: Webhook, tmp_path: Path
) -> None:
    app, origin = newsroom_site
    output, log = tmp_path / "out", tmp_path / "watch.log"
    redis = RedisServer(tmp_path / "redis").start()
    workers = [WorkerProcess(redis.url, output, tmp_path / f"worker{n}.log") for n in (1, 2)]
    try:
        run = watcher(origin, output, webhook, WATCH_CAP, log, "--redis", redis.url)
        stop_once_all_seen(run, output, webhook, log)
        check_watch(app, origin, output, webhook)
        runs = {event["run_id"] for event in events_of(output)}
        assert len(runs) >= 2, "the two workers did not both capture"
    finally:
        for worker in workers:
            worker.kill()
        redis.stop()
