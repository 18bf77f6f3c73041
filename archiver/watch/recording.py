"""What one capture of a watched article means, recorded as one event together with the article's
new schedule (one transaction, `WatchState.finish`):

- `new`: its first capture; the ladder starts;
- `unchanged` / `edited`: a re-capture compared with the capture before (the `changes` package);
  an edit restarts the ladder and gets an HTML diff report;
- `gone`: it answered 404 or 410 (the earlier captures are the evidence); it is not checked again;
- `moved`: it now redirects to another article's address; not checked again;
- `failed`: the capture failed (the reason given); tried again after the ladder's first step,
  given up after MAX_FAILURES in a row; a 429 or 503 pauses the host instead and is not counted.

Each capture event names the ladder step it was due for and the change it counts from, so
anyone can check from events.jsonl alone that no article was captured more often than its ladder.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from archiver.changes.compare import Comparison, compare
from archiver.changes.html_report import render_html
from archiver.changes.screens import compare_screenshots
from archiver.changes.snapshot import CaptureNotFound, snapshot_of
from archiver.errors import ArchiverError
from archiver.identity import page_id
from archiver.output.stored import StoredPage
from archiver.terms import FileRole, PageState
from archiver.watch import ladder as ladders
from archiver.watch.captures import read_page
from archiver.watch.events import EventLog, make_event
from archiver.watch.reading import RATE_LIMITED, host_of, retry_after
from archiver.watch.state import Article, WatchState
from archiver.watch.urls import article_url

log = logging.getLogger(__name__)

GONE = (404, 410)
MAX_FAILURES = 3  # failed captures in a row before an article is given up


class Recorder:
    def __init__(self, output: Path, ladder: tuple[float, ...], state: WatchState, events: EventLog) -> None:
        self.output = output
        self.ladder = ladder
        self.state = state
        self.events = events

    async def record(self, article: Article, page: StoredPage) -> None:
        now = time.time()
        if page.state == PageState.FAILED:
            self.failed(article, page.reason or "the capture failed", page)
        elif page.status in RATE_LIMITED:
            self._rate_limited(article, page, now)
        elif page.status in GONE:
            self._finished(article, page, "gone", now, status=page.status)
        elif (previous := self._previous(article)) is None:
            self._first(article, page, now)
        elif article_url(page.url) != article_url(previous.url) and not self._same_article(page, article):
            self._finished(article, page, "moved", now, to=page.url)
        else:
            await self._recaptured(article, previous, page, now)

    def _previous(self, article: Article) -> StoredPage | None:
        return read_page(self.output, article.last_run, article.last_capture) if article.last_capture else None

    @staticmethod
    def _same_article(page: StoredPage, article: Article) -> bool:
        """A redirect to the article's own canonical address is not a move (http to https, a slug)."""
        canonical = page.article.text("canonical_url")
        return canonical is not None and page_id(article_url(canonical)) == article.key

    def _event(self, kind: str, article: Article, page: StoredPage | None, now: float, **more: Any) -> dict[str, Any]:
        return make_event(
            kind,
            article.url,
            article.key,
            page.capture_id if page else None,
            article.last_capture,
            now=now,
            run_id=page.run_id if page else None,
            started_at=page.started_at if page else None,
            **more,
        )

    def _captured(self, article: Article, page: StoredPage) -> dict[str, Any]:
        return {
            "last_capture": page.capture_id,
            "last_run": page.run_id,
            "captures": article.captures + 1,
            "failures": 0,
        }

    def _finished(self, article: Article, page: StoredPage, kind: str, now: float, **more: Any) -> None:
        event = self._event(kind, article, page, now, step=article.step, changed_at=article.changed_at, **more)
        state = "gone" if kind == "gone" else "done"
        self.state.finish(article.key, event, state=state, **self._captured(article, page))

    def _first(self, article: Article, page: StoredPage, now: float) -> None:
        if self._join_canonical(article, page):
            return
        upcoming = ladders.next_check(self.ladder, now, -1, now)
        event = self._event(
            "new", article, page, now, step=None, changed_at=None, state=str(page.state), headline=page.headline
        )
        self._schedule(article, page, event, upcoming, changed_at=now)

    def _join_canonical(self, article: Article, page: StoredPage) -> bool:
        """The page's rel=canonical joins its URLs: True when the article was already watched under it."""
        canonical = page.article.text("canonical_url")
        if not canonical:
            return False
        other = page_id(article_url(canonical))
        if other == article.key:
            return False
        if self.state.article(other) is not None:
            log.info("%s is %s, watched already: recorded as another address of it", article.url, canonical)
            self.state.alias(article.key, other, page.capture_id, page.run_id)
            return True
        self.state.alias(other, article.key)  # when a source lists the canonical URL, it is this article
        return False

    async def _recaptured(self, article: Article, previous: StoredPage, page: StoredPage, now: float) -> None:
        try:
            comparison = await asyncio.to_thread(_compare, previous, page)
        except (CaptureNotFound, ArchiverError, OSError) as exc:
            self.failed(article, f"could not compare with the capture before: {exc}", page)
            return
        edited = comparison.changed
        changed_at = now if edited else (article.changed_at or now)
        upcoming = ladders.next_check(self.ladder, changed_at, -1 if edited else article.step, now)
        event = self._event(
            "edited" if edited else "unchanged",
            article,
            page,
            now,
            step=article.step,
            changed_at=article.changed_at,
            changes=_changes(comparison) if edited else None,
        )
        if edited:
            report = self.events.report_path(event)
            await asyncio.to_thread(_write_report, comparison, previous, page, report)
            event["report"] = str(report.relative_to(self.events.folder))
        self._schedule(article, page, event, upcoming, changed_at=changed_at, edits=article.edits + int(edited))

    def _schedule(
        self, article: Article, page: StoredPage, event: dict[str, Any], upcoming: ladders.Next, **more: Any
    ) -> None:
        """The capture's event, and the article's next step on the ladder (done after the last)."""
        self.state.finish(
            article.key,
            event,
            state="done" if upcoming.done(self.ladder) else "active",
            step=upcoming.step,
            next_check=upcoming.at,
            **more,
            **self._captured(article, page),
        )

    def _rate_limited(self, article: Article, page: StoredPage, now: float) -> None:
        pause = retry_after(None, now)  # the manifest keeps no Retry-After: a minute
        host = host_of(article.url)
        self.state.pause_host(host, now + pause, f"HTTP {page.status} on {article.url}")
        reason = f"rate limited: HTTP {page.status}; {host} is left alone for {pause:.0f} s"
        event = self._event(
            "failed", article, page, now, reason=reason, step=article.step, changed_at=article.changed_at
        )
        self.state.finish(article.key, event, next_check=now + pause)  # not the article's fault: not counted

    def failed(self, article: Article, reason: str, page: StoredPage | None = None) -> None:
        now = time.time()
        failures = article.failures + 1
        gave_up = failures >= MAX_FAILURES
        event = self._event(
            "failed",
            article,
            page,
            now,
            reason=reason[:500],
            attempt=article.captures + failures,
            step=article.step,
            changed_at=article.changed_at,
            given_up=gave_up,
        )
        self.state.finish(
            article.key,
            event,
            state="done" if gave_up else "active",
            next_check=now + self.ladder[0],
            failures=failures,
        )


def _compare(previous: StoredPage, page: StoredPage) -> Comparison:
    return compare(snapshot_of(previous), snapshot_of(page), screenshots=False)


def _write_report(comparison: Comparison, previous: StoredPage, page: StoredPage, report: Path) -> None:
    comparison.screenshot = compare_screenshots(previous.file(FileRole.FULL_PAGE), page.file(FileRole.FULL_PAGE))
    report.write_text(render_html(comparison), encoding="utf-8")


def _changes(comparison: Comparison) -> dict[str, Any]:
    """What an edit changed: `what` names each kind of change once (a field, "text", a photo change)."""
    fields = [change.name for change in comparison.fields]
    photos = [change.kind for change in comparison.photos if change.is_edit]
    text = comparison.text
    return {
        "what": fields + (["text"] if text.changed else []) + list(dict.fromkeys(photos)),
        "fields": fields,
        "text": {"changes": len(text.changes), "words_added": text.words_added, "words_removed": text.words_removed}
        if text.changed
        else None,
        "photos": photos,
        "summary": comparison.edits,
    }
