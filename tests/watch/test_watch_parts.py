"""The watcher's parts without a browser: the ladder, the state, the event log (a kill cutting
events.jsonl short, edits.atom parsed back with feedparser, hostile text in it), the webhook's
retries, Retry-After, and the command line's set-up errors."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path

import feedparser
import pytest

from archiver.output.locks import lock_run
from archiver.watch.durations import BadDuration, parse_duration, parse_ladder
from archiver.watch.events import WEBHOOK_BACKOFF, EventLog, make_event
from archiver.watch.ladder import next_check
from archiver.watch.reading import RATE_LIMIT_PAUSE, retry_after
from archiver.watch.state import WatchState
from tests.support.cli import ARCHIVER
from tests.support.webhook import Webhook

LADDER = (10.0, 60.0, 600.0)


def test_ladder_steps_from_the_last_change_and_skips_what_passed_unseen() -> None:
    assert next_check(LADDER, 1000.0, -1, 1000.0) == (first := next_check(LADDER, 1000.0, -1, 1000.0))
    assert (first.step, first.at) == (0, 1010.0)
    assert (next_check(LADDER, 1000.0, 0, 1010.0).step, next_check(LADDER, 1000.0, 0, 1010.0).at) == (1, 1060.0)
    # the watcher was down past the 60 s step: one check, then the step still ahead, not a catch-up
    late = next_check(LADDER, 1000.0, 0, 1200.0)
    assert (late.step, late.at) == (2, 1600.0)
    assert next_check(LADDER, 1000.0, 2, 1600.0).done(LADDER)


def test_durations() -> None:
    assert parse_duration("90s") == 90 and parse_duration("15m") == 900 and parse_duration("2d") == 172800
    assert parse_ladder("5s, 10s,20s") == (5, 10, 20)
    for bad in ("", "5x", "-3s", "0", "1e9"):
        with pytest.raises(BadDuration):
            parse_duration(bad)
    with pytest.raises(BadDuration):
        parse_ladder("1h,15m")


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = time.time()
    assert retry_after("120", now) == 120
    assert 299 <= retry_after(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 300)), now) <= 301
    assert retry_after(None, now) == retry_after("soon", now) == RATE_LIMIT_PAUSE
    assert retry_after("99999999", now) == 6 * 3600


def _article(state: WatchState, key: str, url: str) -> None:
    assert state.add_article(key, url, "https://news.example/feed", 1000.0)


def _finish(state: WatchState, key: str, kind: str, capture: str, **more: object) -> dict[str, object]:
    event = make_event(kind, f"https://news.example/{key}", key, capture, None, now=time.time(), **more)
    state.finish(key, event, step=0)
    return event


def test_state_knows_aliases_and_every_article_once(tmp_path: Path) -> None:
    state = WatchState(tmp_path / "state.sqlite")
    _article(state, "a", "https://news.example/a")
    assert not state.add_article("a", "https://news.example/a?again", "https://news.example/sitemap.xml", 2000.0)
    state.alias("b", "a")  # the canonical URL of a, before any source listed it
    assert state.known("b") and not state.add_article("b", "https://news.example/b", "x", 3000.0)
    assert [article.key for article in state.due(5000.0, 10)] == ["a"]
    state.start("a", 5000.0)
    assert state.due(5000.0, 10) == [] and [a.key for a in state.under_way()] == ["a"]
    state.close()
    again = WatchState(tmp_path / "state.sqlite")  # a watcher started again sees the same
    assert [a.key for a in again.under_way()] == ["a"] and again.article("a").first_seen == 1000.0  # type: ignore[union-attr]


def test_events_cut_short_by_a_kill_are_written_again_whole_and_once(tmp_path: Path) -> None:
    state = WatchState(tmp_path / "state.sqlite")
    log = EventLog(tmp_path, state)
    for key in ("a", "b", "c"):
        _article(state, key, f"https://news.example/{key}")
    _finish(state, "a", "new", "cap-a")
    log.publish()
    _finish(state, "b", "new", "cap-b")
    _finish(state, "c", "edited", "cap-c", changes={"what": ["headline"], "summary": ["headline changed"]})
    # killed while writing: b's line written, c's cut short, neither noted as written
    pending = [json.dumps(event) for event in state.unwritten()]
    with log.jsonl.open("a") as fh:
        fh.write(pending[0] + "\n" + pending[1][:40])
    EventLog(tmp_path, state).publish()
    lines = log.jsonl.read_text().splitlines()
    ids = [json.loads(line)["id"] for line in lines]  # every line whole
    assert len(ids) == len(set(ids)) == 3


def test_edits_atom_is_valid_and_holds_hostile_text_as_text(tmp_path: Path) -> None:
    state = WatchState(tmp_path / "state.sqlite")
    log = EventLog(tmp_path, state)
    hostile = "https://news.example/a?q=</title><script>alert(1)</script>&x=\x01]]>"
    _article(state, "a", hostile)
    _finish(state, "a", "edited", "cap-a", changes={"what": ["headline"], "summary": ["<b>headline</b> changed"]})
    _article(state, "g", "https://news.example/g")
    _finish(state, "g", "gone", "cap-g", status=410)
    _article(state, "u", "https://news.example/u")
    _finish(state, "u", "unchanged", "cap-u")
    log.publish()
    feed = feedparser.parse(log.atom.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert [entry.title.split(":")[0] for entry in feed.entries] == ["Gone", "Edited"]  # unchanged is not announced
    assert "<script>" not in log.atom.read_text()
    assert "410" in feed.entries[0].summary


def test_the_webhook_is_retried_with_back_off_and_each_event_delivered_once(tmp_path: Path) -> None:
    hook = Webhook(refuse=2).start()
    try:
        state = WatchState(tmp_path / "state.sqlite")
        log = EventLog(tmp_path, state, hook.url)
        _article(state, "a", "https://news.example/a")
        event = _finish(state, "a", "moved", "cap-a", to="https://news.example/elsewhere")
        _article(state, "n", "https://news.example/n")
        _finish(state, "n", "new", "cap-n")  # not announced
        now = time.time()
        asyncio.run(log.deliver(now))
        assert hook.received == [] and hook.refused == 1
        asyncio.run(log.deliver(now + 1))  # too soon: not asked again
        assert hook.refused == 1
        asyncio.run(log.deliver(now + WEBHOOK_BACKOFF[0]))
        assert hook.refused == 2
        asyncio.run(log.deliver(now + WEBHOOK_BACKOFF[0] + WEBHOOK_BACKOFF[1]))
        asyncio.run(log.deliver(now + 86400))
        assert [received["id"] for received in hook.received] == [event["id"]]
        assert "time_epoch" not in hook.received[0]
    finally:
        hook.stop()


def _watch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ARCHIVER, "watch", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["https://news.example/feed", "--poll", "soon"], "is not a duration"),
        (["https://news.example/feed", "--recheck", "1h,5m"], "must not get shorter"),
        ([], "give at least one SOURCE"),
    ],
)
def test_set_up_errors_are_one_line(tmp_path: Path, args: list[str], said: str) -> None:
    result = _watch(*args, "--output", str(tmp_path / "out"))
    assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("toml", "said"),
    [
        ("[[source]\nurl=", "cannot read the sources file"),
        ('[[source]]\nlinks = "a"\n', "has no url"),
        ('[[source]]\nurl = "https://news.example/"\n[source.options]\nsettle_after_load = "x"\n', "capture options"),
        ('[[source]]\nurl = "https://news.example/"\n[source.options]\nno_such = 1\n', "no_such: unknown"),
        ('[[source]]\nurl = "https://news.example/"\npoll = "often"\n', "is not a duration"),
        ('[[source]]\nurl = "https://news.example/"\nkind = "podcast"\n', "kind 'podcast' is none of"),
        ('[[source]]\nurl = "https://news.example/"\noptions = 3\n', "options must be a table"),
        ('[[source]]\nurl = "https://news.example/"\nlinx = "a"\n', "unknown setting(s) linx"),
        ("title = 'no sources'\n", "lists no [[source]]"),
    ],
)
def test_a_bad_sources_file_is_one_line(tmp_path: Path, toml: str, said: str) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(toml)
    result = _watch("--sources", str(sources), "--output", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr


def test_a_second_watcher_on_one_output_is_refused(tmp_path: Path) -> None:
    held = lock_run(tmp_path / "out" / "watch")
    try:
        result = _watch("https://news.example/feed", "--output", str(tmp_path / "out"), "--for", "1s")
    finally:
        held.close()
    assert result.returncode != 0 and "another watcher is watching into" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_of_a_folder_nothing_watches(tmp_path: Path) -> None:
    result = _watch("status", "--output", str(tmp_path))
    assert result.returncode == 2 and "nothing is watched into" in result.stderr
