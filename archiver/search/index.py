"""The search index of one output folder: every capture's fields and text in SQLite FTS5.

It lives in the output folder (`search-index.sqlite`; in the user's cache folder when the output
folder cannot be written) and is kept up to date incrementally: `update()` reads again only the
manifests whose size or time changed since it last read them, and indexes only the captures it
has not seen (a capture's state may still change, as when a dead run is amended: its row is
updated, its text is not read again). A file that is missing, damaged or of another schema is
rebuilt from the manifests, never trusted: it is a cache of what the manifests say.

It also answers what the review app lists (articles with their captures, the newest first) and
keeps the comparisons between consecutive captures once they are made (`changes`), so a
timeline's edits are worked out once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from archiver.cache import cache_dir
from archiver.output.runs import find_manifests
from archiver.output.stored import StoredRun, UnreadableManifest
from archiver.search.documents import CaptureDocument, document_of

log = logging.getLogger(__name__)

INDEX_NAME = "search-index.sqlite"
SCHEMA_VERSION = "1"
MARK_START, MARK_END = "\x02", "\x03"  # snippet markers: control characters no indexed text holds
TEXT_COLUMNS = ("headline", "authors", "text", "captions", "credits")
MAX_QUERY_TERMS = 32
SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE manifests(path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL,
                       run_id TEXT, started_at TEXT, pages INTEGER, unreadable TEXT);
CREATE TABLE captures(id INTEGER PRIMARY KEY, capture_id TEXT NOT NULL UNIQUE, page_id TEXT NOT NULL,
                      run_id TEXT NOT NULL, manifest TEXT NOT NULL, url TEXT NOT NULL, site TEXT NOT NULL,
                      captured_at TEXT NOT NULL, state TEXT NOT NULL, headline TEXT NOT NULL,
                      authors TEXT NOT NULL, published TEXT NOT NULL, photos INTEGER NOT NULL,
                      warnings INTEGER NOT NULL);
CREATE INDEX captures_by_page ON captures(page_id, captured_at);
CREATE INDEX captures_by_time ON captures(captured_at);
CREATE INDEX captures_by_manifest ON captures(manifest);
CREATE VIRTUAL TABLE texts USING fts5({", ".join(TEXT_COLUMNS)}, tokenize="unicode61 remove_diacritics 2");
CREATE TABLE changes(old TEXT NOT NULL, new TEXT NOT NULL, changed INTEGER NOT NULL, summary TEXT NOT NULL,
                     PRIMARY KEY(old, new));
"""
CAPTURE_COLUMNS = (
    "capture_id, page_id, run_id, url, site, captured_at, state, headline, authors, published, photos, warnings"
)


@dataclass(frozen=True)
class IndexedCapture:
    capture_id: str
    page_id: str
    run_id: str
    url: str
    site: str
    captured_at: str
    state: str
    headline: str
    authors: str
    published: str
    photos: int
    warnings: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ArticleRow:
    """An article (one page id) as listed: its newest capture, and how many it has."""

    latest: IndexedCapture
    captures: int
    first_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "page_id": self.latest.page_id,
            "url": self.latest.url,
            "site": self.latest.site,
            "headline": self.latest.headline,
            "authors": self.latest.authors,
            "state": self.latest.state,
            "captures": self.captures,
            "first_captured_at": self.first_at,
            "last_captured_at": self.latest.captured_at,
            "latest_capture_id": self.latest.capture_id,
        }


@dataclass(frozen=True)
class Hit:
    capture: IndexedCapture
    snippet: str  # with MARK_START / MARK_END around the matched words
    rank: float  # FTS5's bm25: lower is better

    def to_dict(self) -> dict[str, Any]:
        return {**self.capture.to_dict(), "snippet": self.snippet.replace(MARK_START, "«").replace(MARK_END, "»")}


@dataclass(frozen=True)
class Filters:
    site: str | None = None
    since: str | None = None  # captured at or after (an ISO date or time)
    until: str | None = None  # captured before the end of (an ISO date or time)
    state: str | None = None

    def where(self) -> tuple[str, list[str]]:
        clauses, values = [], []
        if self.site:
            clauses.append("c.site = ?")
            values.append(self.site.lower().removeprefix("www."))
        if self.since:
            clauses.append("c.captured_at >= ?")
            values.append(self.since)
        if self.until:
            clauses.append("c.captured_at < ?")
            values.append(_end_of(self.until))
        if self.state:
            clauses.append("c.state = ?")
            values.append(self.state)
        return (" AND " + " AND ".join(clauses) if clauses else ""), values


NO_FILTERS = Filters()


def _end_of(moment: str) -> str:
    """The first ISO text after every time within `moment` ("2026-12-02" -> after that whole day)."""
    return moment + "\uffff"


def index_path(output: Path) -> Path:
    """Where the index of `output` lives: in it, or in the cache folder when it cannot be written."""
    if os.access(output, os.W_OK):
        return output / INDEX_NAME
    name = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / "search" / f"{name}.sqlite"


def fts_query(text: str) -> str | None:
    """The person's words as an FTS5 query: every word (or "quoted phrase") must be there. Each is
    quoted, so FTS5's own syntax (NEAR, column filters, a stray quote) is never a syntax error."""
    terms = [phrase or word for phrase, word in re.findall(r'"([^"]+)"|(\S+)', text)][:MAX_QUERY_TERMS]
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms if re.search(r"\w", term)]
    return " ".join(quoted) or None


class SearchIndex:
    """The index of one output folder (a context manager; one writer, any number of readers)."""

    def __init__(self, output: Path, path: Path | None = None) -> None:
        self.output = output
        self.path = path or index_path(output)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._ensure()

    # -- the file ----------------------------------------------------------------------------------

    def _ensure(self) -> None:
        """Open the file, and rebuild it when it is missing, damaged or of another schema."""
        try:
            with closing(self._connect()) as db:
                if self._sound(db):
                    return
        except sqlite3.DatabaseError as exc:
            log.warning("search index %s is damaged (%s): rebuilding it", self.path, exc)
        self._remove()
        with closing(self._connect()) as db:
            db.executescript(SCHEMA)
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            db.commit()

    def _sound(self, db: sqlite3.Connection) -> bool:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            return False
        version = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if version is None or version[0] != SCHEMA_VERSION:
            return False
        return bool(db.execute("PRAGMA quick_check").fetchone()[0] == "ok")

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA busy_timeout=30000")
        return db

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = self._connect()
        try:
            yield db
        finally:
            db.close()

    # -- keeping it up to date ---------------------------------------------------------------------

    def update(self) -> int:
        """Index what landed since the last update; the number of captures newly indexed. A file
        damaged under a running server is rebuilt and indexed anew."""
        try:
            return self._update()
        except sqlite3.DatabaseError as exc:
            log.warning("search index %s failed (%s): rebuilding it", self.path, exc)
            self._remove()
            self._ensure()
            return self._update()

    def _update(self) -> int:
        added = 0
        with self._db() as db:
            known = {row[0]: (row[1], row[2]) for row in db.execute("SELECT path, mtime_ns, size FROM manifests")}
            present = set()
            for manifest in find_manifests([self.output]):
                key = str(manifest.relative_to(self.output))
                present.add(key)
                try:
                    stat = manifest.stat()
                except OSError:
                    continue
                if known.get(key) == (stat.st_mtime_ns, stat.st_size):
                    continue
                added += self._read_manifest(db, manifest, key, stat.st_mtime_ns, stat.st_size)
            for gone in set(known) - present:  # a run folder deleted: its captures are no longer there
                self._forget(db, gone)
                db.execute("DELETE FROM manifests WHERE path = ?", (gone,))
                db.commit()
        return added

    def _read_manifest(self, db: sqlite3.Connection, manifest: Path, key: str, mtime_ns: int, size: int) -> int:
        try:
            run = StoredRun.read(manifest)
        except UnreadableManifest as exc:
            db.execute(
                "INSERT OR REPLACE INTO manifests VALUES (?, ?, ?, NULL, NULL, 0, ?)", (key, mtime_ns, size, str(exc))
            )
            db.commit()
            return 0
        indexed = {
            row[0]: row[1] for row in db.execute("SELECT capture_id, state FROM captures WHERE manifest = ?", (key,))
        }
        added = 0
        for page in run.pages:
            if page.capture_id not in indexed:
                self._insert(db, document_of(page), key)
                added += 1
                db.commit()  # each capture is searchable as soon as it is indexed
            elif indexed[page.capture_id] != str(page.state):
                db.execute("UPDATE captures SET state = ? WHERE capture_id = ?", (str(page.state), page.capture_id))
        db.execute(
            "INSERT OR REPLACE INTO manifests VALUES (?, ?, ?, ?, ?, ?, NULL)",
            (key, mtime_ns, size, run.run_id, run.started_at, len(run.pages)),
        )
        db.commit()
        return added

    def _insert(self, db: sqlite3.Connection, doc: CaptureDocument, manifest: str) -> None:
        cursor = db.execute(
            f"INSERT OR IGNORE INTO captures(manifest, {CAPTURE_COLUMNS}) VALUES (?{', ?' * 12})",
            (manifest, doc.capture_id, doc.page_id, doc.run_id, doc.url, doc.site, doc.captured_at, doc.state,
             doc.headline, doc.authors, doc.published, doc.photos, doc.warnings),
        )  # fmt: skip
        if cursor.rowcount:
            db.execute(
                f"INSERT INTO texts(rowid, {', '.join(TEXT_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
                (cursor.lastrowid, doc.headline, doc.authors, doc.text, doc.captions, doc.credits),
            )

    def _forget(self, db: sqlite3.Connection, manifest: str) -> None:
        ids = [row[0] for row in db.execute("SELECT id FROM captures WHERE manifest = ?", (manifest,))]
        db.executemany("DELETE FROM texts WHERE rowid = ?", [(i,) for i in ids])
        db.execute("DELETE FROM captures WHERE manifest = ?", (manifest,))

    # -- what it answers ---------------------------------------------------------------------------

    def search(self, query: str, filters: Filters = NO_FILTERS, limit: int = 20, offset: int = 0) -> list[Hit]:
        """Captures whose text, headline, authors, captions or credits hold every word, best first."""
        match = fts_query(query)
        if match is None:
            return []
        where, values = filters.where()
        sql = (
            f"SELECT {_prefixed(CAPTURE_COLUMNS)}, snippet(texts, -1, ?, ?, '…', 14), rank FROM texts "
            f"JOIN captures c ON c.id = texts.rowid WHERE texts MATCH ?{where} ORDER BY rank LIMIT ? OFFSET ?"
        )
        with self._db() as db:
            rows = db.execute(sql, [MARK_START, MARK_END, match, *values, limit, offset]).fetchall()
        return [Hit(IndexedCapture(*row[:12]), row[12], row[13]) for row in rows]

    def articles(self, filters: Filters = NO_FILTERS, limit: int = 50, offset: int = 0) -> list[ArticleRow]:
        """Articles (page ids) with their newest capture, the most recently captured first."""
        where, values = filters.where()
        sql = (
            f"SELECT {_prefixed(CAPTURE_COLUMNS)}, g.n, g.first FROM captures c JOIN "
            "(SELECT page_id, MAX(captured_at) AS last, MIN(captured_at) AS first, COUNT(*) AS n FROM captures "
            "GROUP BY page_id) g ON c.page_id = g.page_id AND c.captured_at = g.last "
            f"WHERE 1{where} GROUP BY c.page_id ORDER BY c.captured_at DESC LIMIT ? OFFSET ?"
        )
        with self._db() as db:
            rows = db.execute(sql, [*values, limit, offset]).fetchall()
        return [ArticleRow(IndexedCapture(*row[:12]), row[12], row[13]) for row in rows]

    def captures_of(self, page_id: str) -> list[IndexedCapture]:
        with self._db() as db:
            rows = db.execute(
                f"SELECT {CAPTURE_COLUMNS} FROM captures WHERE page_id = ? ORDER BY captured_at", (page_id,)
            ).fetchall()
        return [IndexedCapture(*row) for row in rows]

    def capture(self, capture_id: str) -> tuple[IndexedCapture, Path] | None:
        """A capture and its run's manifest."""
        with self._db() as db:
            row = db.execute(
                f"SELECT {CAPTURE_COLUMNS}, manifest FROM captures WHERE capture_id = ?", (capture_id,)
            ).fetchone()
        return (IndexedCapture(*row[:12]), self.output / row[12]) if row else None

    def recent(self, states: tuple[str, ...], limit: int = 20) -> list[IndexedCapture]:
        marks = ", ".join("?" * len(states))
        with self._db() as db:
            rows = db.execute(
                f"SELECT {CAPTURE_COLUMNS} FROM captures WHERE state IN ({marks}) ORDER BY captured_at DESC LIMIT ?",
                (*states, limit),
            ).fetchall()
        return [IndexedCapture(*row) for row in rows]

    def runs(self) -> list[dict[str, Any]]:
        with self._db() as db:
            rows = db.execute(
                "SELECT path, run_id, started_at, pages, unreadable FROM manifests ORDER BY started_at DESC"
            ).fetchall()
        return [
            dict(zip(("manifest", "run_id", "started_at", "pages", "unreadable"), row, strict=True)) for row in rows
        ]

    def run_manifest(self, run_id: str) -> Path | None:
        with self._db() as db:
            row = db.execute("SELECT path FROM manifests WHERE run_id = ?", (run_id,)).fetchone()
        return self.output / row[0] if row else None

    def totals(self) -> dict[str, int]:
        with self._db() as db:
            captures, articles = db.execute("SELECT COUNT(*), COUNT(DISTINCT page_id) FROM captures").fetchone()
            states = dict(db.execute("SELECT state, COUNT(*) FROM captures GROUP BY state").fetchall())
            runs = db.execute("SELECT COUNT(*) FROM manifests WHERE unreadable IS NULL").fetchone()[0]
        return {"captures": captures, "articles": articles, "runs": runs, **{str(k): v for k, v in states.items()}}

    # -- comparisons, kept once made ---------------------------------------------------------------

    def known_change(self, old: str, new: str) -> tuple[bool, list[str]] | None:
        with self._db() as db:
            row = db.execute("SELECT changed, summary FROM changes WHERE old = ? AND new = ?", (old, new)).fetchone()
        return (bool(row[0]), json.loads(row[1])) if row else None

    def keep_change(self, old: str, new: str, changed: bool, summary: list[str]) -> None:
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO changes VALUES (?, ?, ?, ?)", (old, new, int(changed), json.dumps(summary))
            )
            db.commit()


def _prefixed(columns: str) -> str:
    return ", ".join("c." + name.strip() for name in columns.split(","))
