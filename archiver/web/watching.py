"""A watcher's state and events, read (never written) when an output folder has `watch/`."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from archiver.watch.settings import WATCH_FOLDER
from archiver.watch.state import WatchState

STATE_FILE = "state.sqlite"


def _state(folder: Path) -> WatchState | None:
    path = folder / WATCH_FOLDER / STATE_FILE
    if not path.is_file():
        return None
    try:
        return WatchState.read_only(path)
    except sqlite3.Error:
        return None


def watched(folders: list[Path]) -> bool:
    return any((folder / WATCH_FOLDER / STATE_FILE).is_file() for folder in folders)


def latest_events(folders: list[Path], limit: int = 50, kinds: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The watchers' newest events first (new, edited, gone, moved, failed...)."""
    found: list[dict[str, Any]] = []
    for folder in folders:
        state = _state(folder)
        if state is None:
            continue
        try:
            events = state.latest_events(limit if not kinds else limit * 20)
        except sqlite3.Error:
            continue  # a watcher's file being made right now, or damaged: the rest still shows
        finally:
            state.close()
        found += [event for event in events if not kinds or event.get("kind") in kinds]
    found.sort(key=lambda event: float(event.get("time_epoch") or 0), reverse=True)
    return found[:limit]


def sources(folders: list[Path]) -> list[dict[str, Any]]:
    """The sources being watched, each with when it was last read and what went wrong."""
    found: list[dict[str, Any]] = []
    for folder in folders:
        state = _state(folder)
        if state is None:
            continue
        try:
            found += [{**vars(source), "folder": str(folder)} for source in state.sources()]
        except sqlite3.Error:
            continue
        finally:
            state.close()
    return found


def event_counts(folders: list[Path]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for folder in folders:
        state = _state(folder)
        if state is None:
            continue
        try:
            for kind, count in state.counts().items():
                counts[kind] = counts.get(kind, 0) + count
        except sqlite3.Error:
            continue
        finally:
            state.close()
    return counts
