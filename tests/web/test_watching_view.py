"""The app reads a watcher's state when the folder has one: its sources, events and counts."""

from __future__ import annotations

from pathlib import Path

from archiver.watch.events import make_event
from archiver.watch.state import WatchState
from archiver.web import watching


def test_a_watchers_sources_events_and_counts_are_read_and_a_damaged_one_is_passed_over(tmp_path: Path) -> None:
    watched, damaged = tmp_path / "a", tmp_path / "b"
    state = WatchState(watched / "watch" / "state.sqlite")
    state.read_source("https://news.example/feed.xml", "feed", None, None, 100.0, 200.0, 2)
    state.add_article("k1", "https://news.example/one", "https://news.example/feed.xml", 100.0)
    state.finish("k1", make_event("new", "https://news.example/one", "k1", None, None, now=150.0), state="active")
    state.add_article("k2", "https://news.example/two", "https://news.example/feed.xml", 100.0)
    state.finish("k2", make_event("edited", "https://news.example/two", "k2", None, None, now=160.0), state="active")
    state.close()
    (damaged / "watch").mkdir(parents=True)
    (damaged / "watch" / "state.sqlite").write_bytes(b"not a database" * 100)
    folders = [watched, damaged]
    assert watching.watched(folders)
    assert [event["kind"] for event in watching.latest_events(folders)] == ["edited", "new"]
    assert [event["kind"] for event in watching.latest_events(folders, kinds=("new",))] == ["new"]
    assert [(s["url"], s["folder"]) for s in watching.sources(folders)] == [
        ("https://news.example/feed.xml", str(watched))
    ]
    assert watching.event_counts(folders) == {"new": 1, "edited": 1}
