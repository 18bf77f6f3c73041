"""What a watcher is asked to do: its sources, how often to read them, its ladder, where captures run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from archiver.options import CaptureOptions
from archiver.run.batch import RunSettings
from archiver.watch import ladder as ladders

KINDS = ("feed", "json-feed", "sitemap", "sitemap-index", "section-front")  # what a source can be
WATCH_FOLDER = "watch"  # under the output folder: state.sqlite, events.jsonl, edits.atom, reports/


@dataclass(frozen=True)
class WatchedSource:
    url: str
    links: str | None = None  # CSS selector of a section front's article links
    poll: float | None = None  # seconds; None: the watcher's --poll
    options: CaptureOptions | None = None  # None: the watcher's capture options
    kind: str | None = None  # what it must serve (KINDS); None: whatever it serves


@dataclass(frozen=True)
class WatchSettings:
    output: Path
    sources: tuple[WatchedSource, ...]
    options: CaptureOptions = field(default_factory=CaptureOptions)
    poll: float = 600.0
    ladder: tuple[float, ...] = ladders.DEFAULT
    run_for: float | None = None  # seconds, then exit; None: until SIGTERM
    concurrency: int = 1  # in-process captures at once
    per_host: int = 2  # captures at once per host
    webhook: str | None = None
    redis_url: str | None = None
    browser_path: str | None = None
    run_settings: RunSettings = field(default_factory=lambda: RunSettings(resume=False))

    @property
    def folder(self) -> Path:
        return self.output / WATCH_FOLDER

    def options_for(self, source_url: str) -> CaptureOptions:
        for source in self.sources:
            if source.url == source_url and source.options is not None:
                return source.options
        return self.options

    def poll_for(self, source: WatchedSource) -> float:
        return source.poll or self.poll
