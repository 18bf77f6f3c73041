"""A watcher's state and events, read (never written) when an output folder has `watch/`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from archiver.watch.settings import WATCH_FOLDER
from archiver.watch.state import WatchState

STATE_FILE = "state.sqlite"
T = TypeVar("T")


def _each(folders: list[Path], read: Callable[[Path, WatchState], T]) -> Iterator[T]:
    """`read` over each folder's watcher state, opened read-only; a state file being made right
    now, or damaged, is passed over and the others still answer."""
    for folder in folders:
        path = folder / WATCH_FOLDER / STATE_FILE
        if not path.is_file():
            continue
        try:
            state = WatchState.read_only(path)
        except sqlite3.Error:
            continue
        try:
            yield read(folder, state)
        except sqlite3.Error:
            continue
        finally:
            state.close()


def watched(folders: list[Path]) -> bool:
    return any((folder / WATCH_FOLDER / STATE_FILE).is_file() for folder in folders)


def latest_events(folders: list[Path], limit: int = 50, kinds: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The watchers' newest events first (new, edited, gone, moved, failed...)."""
    wanted = limit if not kinds else limit * 20
    found = [event for events in _each(folders, lambda _, state: state.latest_events(wanted)) for event in events]
    found = [event for event in found if not kinds or event.get("kind") in kinds]
    found.sort(key=lambda event: float(event.get("time_epoch") or 0), reverse=True)
    return found[:limit]


def sources(folders: list[Path]) -> list[dict[str, Any]]:
    """The sources being watched, each with when it was last read and what went wrong."""
    return [
        {**vars(source), "folder": str(folder)}
        for folder, rows in _each(folders, lambda folder, state: (folder, state.sources()))
        for source in rows
    ]


def event_counts(folders: list[Path]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for found in _each(folders, lambda _, state: state.counts()):
        for kind, count in found.items():
            counts[kind] = counts.get(kind, 0) + count
    return counts
