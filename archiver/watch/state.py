"""What the watcher knows, in SQLite (`<output>/watch/state.sqlite`, WAL): its sources, the articles
they listed, and every event. Every change that must not be lost, or happen twice, is one
transaction: an article is marked as being captured before its capture starts, and its capture's
event is written together with its new schedule, so a watcher killed at any moment and started
again forgets no article and repeats no step (see `watcher` for what it does with a capture that
was under way when it died).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
create table if not exists sources (
    url text primary key, kind text, etag text, last_modified text, last_read real, last_error text,
    errors integer not null default 0, next_read real not null default 0, listed integer not null default 0,
    refused integer not null default 0, last_refused text  -- links its last read refused, and one why
);
create table if not exists articles (
    key text primary key,            -- the page id of the article's URL (archiver.identity.page_id)
    url text not null, source text not null, first_seen real not null,
    state text not null default 'active',   -- active | done | gone | alias
    step integer not null default -1,       -- -1: not captured yet; else the ladder step next due
    changed_at real, next_check real not null,
    last_capture text, last_run text, captures integer not null default 0, edits integer not null default 0,
    failures integer not null default 0,    -- failed captures in a row
    started real, job text                  -- a capture under way: since when, and its queue job
);
create index if not exists due on articles (state, next_check);
create table if not exists aliases (key text primary key, article text not null);
create table if not exists events (
    id text primary key, time real not null, kind text not null, article text not null, body text not null,
    written integer not null default 0, delivered integer not null default 0, attempts integer not null default 0,
    next_attempt real not null default 0
);
create table if not exists hosts (host text primary key, paused_until real not null, why text);
"""


@dataclass(frozen=True)
class Article:
    key: str
    url: str
    source: str
    first_seen: float
    state: str
    step: int
    changed_at: float | None
    next_check: float
    last_capture: str | None
    last_run: str | None
    captures: int
    edits: int
    failures: int
    started: float | None
    job: str | None

    @classmethod
    def of(cls, row: sqlite3.Row) -> Article:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class SourceRow:
    url: str
    kind: str | None
    etag: str | None
    last_modified: str | None
    last_read: float | None
    last_error: str | None
    errors: int
    next_read: float
    listed: int
    refused: int
    last_refused: str | None


class WatchState:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("pragma journal_mode=wal")
        self.db.execute("pragma synchronous=full")  # a committed event survives a killed process and a crash
        self.db.executescript(SCHEMA)

    @classmethod
    def read_only(cls, path: Path) -> WatchState:
        state = cls.__new__(cls)
        state.path = path
        state.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        state.db.row_factory = sqlite3.Row
        return state

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("begin immediate")
        try:
            yield self.db
        except BaseException:
            self.db.execute("rollback")
            raise
        self.db.execute("commit")

    # -- sources --------------------------------------------------------------------------------

    def source(self, url: str) -> SourceRow | None:
        row = self.db.execute("select * from sources where url = ?", (url,)).fetchone()
        return SourceRow(**dict(row)) if row else None

    def sources(self) -> list[SourceRow]:
        return [SourceRow(**dict(row)) for row in self.db.execute("select * from sources order by url")]

    def read_source(
        self,
        url: str,
        kind: str,
        etag: str | None,
        last_modified: str | None,
        now: float,
        next_read: float,
        listed: int,
    ) -> None:
        self.db.execute(
            "insert into sources (url, kind, etag, last_modified, last_read, last_error, errors, next_read, listed) "
            "values (?, ?, ?, ?, ?, null, 0, ?, ?) on conflict (url) do update set kind = excluded.kind, "
            "etag = excluded.etag, last_modified = excluded.last_modified, last_read = excluded.last_read, "
            "last_error = null, errors = 0, next_read = excluded.next_read, listed = excluded.listed",
            (url, kind, etag, last_modified, now, next_read, listed),
        )

    def source_failed(self, url: str, error: str, next_read: float) -> None:
        self.db.execute(
            "insert into sources (url, last_error, errors, next_read) values (?, ?, 1, ?) on conflict (url) do "
            "update set last_error = excluded.last_error, errors = errors + 1, next_read = excluded.next_read",
            (url, error[:500], next_read),
        )

    def source_refused(self, url: str, count: int, example: str) -> None:
        self.db.execute("update sources set refused = ?, last_refused = ? where url = ?", (count, example[:500], url))

    # -- articles --------------------------------------------------------------------------------

    def add_article(self, key: str, url: str, source: str, now: float) -> bool:
        """A listed article not seen before (by its key or as an alias): due at once. True when new."""
        if self.db.execute("select 1 from aliases where key = ?", (key,)).fetchone():
            return False
        cursor = self.db.execute(
            "insert or ignore into articles (key, url, source, first_seen, next_check) values (?, ?, ?, ?, ?)",
            (key, url, source, now, now),
        )
        return cursor.rowcount == 1

    def known(self, key: str) -> bool:
        """An article, or another URL of one."""
        return bool(
            self.db.execute(
                "select 1 from articles where key = ? union all select 1 from aliases where key = ?", (key, key)
            ).fetchone()
        )

    def article(self, key: str) -> Article | None:
        row = self.db.execute("select * from articles where key = ?", (key,)).fetchone()
        return Article.of(row) if row else None

    def articles(self) -> list[Article]:
        return [Article.of(row) for row in self.db.execute("select * from articles order by first_seen, key")]

    def due(self, now: float, limit: int) -> list[Article]:
        rows = self.db.execute(
            "select * from articles where state = 'active' and started is null and next_check <= ? "
            "order by step < 0 desc, next_check limit ?",
            (now, limit),
        )
        return [Article.of(row) for row in rows]

    def under_way(self) -> list[Article]:
        return [Article.of(row) for row in self.db.execute("select * from articles where started is not null")]

    def start(self, key: str, now: float, job: str | None = None) -> None:
        self.db.execute("update articles set started = ?, job = ? where key = ?", (now, job, key))

    def not_started(self, key: str) -> None:
        """A capture that never reached its end (the watcher died before it began, or it was lost)."""
        self.db.execute("update articles set started = null, job = null where key = ?", (key,))

    def finish(self, key: str, event: dict[str, Any], **schedule: Any) -> None:
        """The capture's event and the article's new schedule, in one transaction."""
        columns = ", ".join(f"{name} = ?" for name in schedule)
        with self.transaction() as db:
            db.execute(
                "insert or ignore into events (id, time, kind, article, body) values (?, ?, ?, ?, ?)",
                (event["id"], event["time_epoch"], event["kind"], key, json.dumps(event, ensure_ascii=False)),
            )
            db.execute(
                f"update articles set {columns}, started = null, job = null where key = ?",
                (*schedule.values(), key),
            )

    def alias(self, key: str, article: str, capture_id: str | None = None, run_id: str | None = None) -> None:
        """`key` (another URL of the same article) is `article`'s: it is not captured on its own. The
        capture that showed it (when `key` was being watched) stays recorded on its row."""
        with self.transaction() as db:
            db.execute("insert or ignore into aliases (key, article) values (?, ?)", (key, article))
            db.execute(
                "update articles set state = 'alias', started = null, job = null, captures = captures + ?, "
                "last_capture = coalesce(?, last_capture), last_run = coalesce(?, last_run) where key = ?",
                (int(capture_id is not None), capture_id, run_id, key),
            )

    # -- hosts ----------------------------------------------------------------------------------

    def pause_host(self, host: str, until: float, why: str) -> None:
        self.db.execute(
            "insert into hosts (host, paused_until, why) values (?, ?, ?) on conflict (host) do update set "
            "paused_until = excluded.paused_until, why = excluded.why",
            (host, until, why),
        )

    def paused_hosts(self, now: float) -> list[tuple[str, float, str]]:
        rows = self.db.execute("select host, paused_until, why from hosts where paused_until > ? order by host", (now,))
        return [(row[0], float(row[1]), row[2] or "") for row in rows]

    def paused_until(self, host: str) -> float:
        row = self.db.execute("select paused_until from hosts where host = ?", (host,)).fetchone()
        return float(row[0]) if row else 0.0

    # -- events ---------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Events of each kind."""
        return {row[0]: int(row[1]) for row in self.db.execute("select kind, count(*) from events group by kind")}

    def events(self, kinds: tuple[str, ...] | None = None, limit: int = 100_000) -> list[dict[str, Any]]:
        query, arguments = "select body from events", []
        if kinds:
            query += f" where kind in ({', '.join('?' for _ in kinds)})"
            arguments = list(kinds)
        rows = self.db.execute(query + " order by time, id limit ?", (*arguments, limit))
        return [json.loads(row[0]) for row in rows]

    def latest_events(self, limit: int, before: float | None = None) -> list[dict[str, Any]]:
        """The newest events first (before the time `before`, for the next page of them)."""
        rows = self.db.execute(
            "select body from events where time < ? order by time desc, id desc limit ?",
            (before if before is not None else float("inf"), limit),
        )
        return [json.loads(row[0]) for row in rows]

    def unwritten(self) -> list[dict[str, Any]]:
        return [
            json.loads(row[0]) for row in self.db.execute("select body from events where written = 0 order by time")
        ]

    def written(self, ids: list[str]) -> None:
        with self.transaction() as db:
            db.executemany("update events set written = 1 where id = ?", [(event_id,) for event_id in ids])

    def undelivered(self, kinds: tuple[str, ...], now: float) -> list[tuple[dict[str, Any], int]]:
        rows = self.db.execute(
            f"select body, attempts from events where delivered = 0 and next_attempt <= ? and kind in "
            f"({', '.join('?' for _ in kinds)}) order by time",
            (now, *kinds),
        )
        return [(json.loads(row[0]), int(row[1])) for row in rows]

    def delivered(self, event_id: str) -> None:
        self.db.execute("update events set delivered = 1 where id = ?", (event_id,))

    def delivery_failed(self, event_id: str, next_attempt: float) -> None:
        self.db.execute(
            "update events set attempts = attempts + 1, next_attempt = ? where id = ?", (next_attempt, event_id)
        )
