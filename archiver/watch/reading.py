"""Reading a source when it is due: what it lists becomes articles in the state, and what went
wrong is recorded on the source (its error, its refused links), never the watcher's end.

A source that fails is read again later and later (its poll doubled per failure in a row, up to a
cap); a 429 or 503 pauses its host for as long as `Retry-After` asks (or a minute); a source on a
public address may not list articles on private ones unless the capture options allow private
addresses (the network guard decides, as it does in a capture)."""

from __future__ import annotations

import email.utils
import logging
import time
from urllib.parse import urlsplit

from archiver.browser.netguard import NetworkAccess, NetworkGuard
from archiver.errors import ArchiverError
from archiver.identity import host_and_port, page_id
from archiver.watch.fetch import Fetched, SourceUnreadable, fetch
from archiver.watch.settings import WatchedSource, WatchSettings
from archiver.watch.sources import NotASource, Reading, read_source
from archiver.watch.state import WatchState
from archiver.watch.urls import article_url

log = logging.getLogger(__name__)

RATE_LIMITED = (429, 503)
RATE_LIMIT_PAUSE = 60.0  # seconds a host is left alone after a 429 or 503 without Retry-After
MAX_RETRY_AFTER = 6 * 3600.0  # a Retry-After longer than this is taken as this
SOURCE_BACKOFF_CAP = 6  # a failing source waits poll * 2**min(failures - 1, this) before it is read again
MAX_SITEMAPS = 50  # sitemaps one read of a sitemap index follows


class RateLimited(SourceUnreadable):
    def __init__(self, status: int, pause: float) -> None:
        super().__init__(f"it answered HTTP {status}; its host is left alone for {pause:.0f} s")
        self.status = status
        self.pause = pause


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def retry_after(value: str | None, now: float) -> float:
    """Seconds a `Retry-After` value (seconds or an HTTP date) asks for; a minute when absent or odd."""
    if value:
        text = value.strip()
        if text.isdigit():
            return min(float(text), MAX_RETRY_AFTER)
        try:
            moment = email.utils.parsedate_to_datetime(text).timestamp()
        except (TypeError, ValueError, IndexError):
            return RATE_LIMIT_PAUSE
        return min(max(moment - now, 1.0), MAX_RETRY_AFTER)
    return RATE_LIMIT_PAUSE


class SourceReader:
    def __init__(self, settings: WatchSettings, state: WatchState, access: NetworkAccess) -> None:
        self.settings = settings
        self.state = state
        self.access = access

    def due(self, now: float) -> list[WatchedSource]:
        due = []
        for source in self.settings.sources:
            row = self.state.source(source.url)
            if (row is None or row.next_read <= now) and self.state.paused_until(host_of(source.url)) <= now:
                due.append(source)
        return due

    async def read(self, source: WatchedSource, now: float) -> int:
        """Read `source` once; the number of articles it listed that were not known."""
        poll = self.settings.poll_for(source)
        row = self.state.source(source.url)
        allow_private = self.settings.options_for(source.url).allow_private
        try:
            reading, answer = await self._read_all(
                source, allow_private, row.etag if row else None, row.last_modified if row else None
            )
        except RateLimited as exc:
            self.state.pause_host(host_of(source.url), now + exc.pause, f"HTTP {exc.status} on {source.url}")
            self.state.source_failed(source.url, str(exc), now + max(poll, exc.pause))
            log.warning("source %s: %s", source.url, exc)
            return 0
        except (SourceUnreadable, NotASource, ArchiverError) as exc:
            failures = (row.errors if row else 0) + 1
            wait = poll * 2 ** min(failures - 1, SOURCE_BACKOFF_CAP)
            log.warning("source %s: %s (read again in %.0f s)", source.url, exc, wait)
            self.state.source_failed(source.url, str(exc), now + wait)
            return 0
        if reading is None:  # 304: nothing new
            assert row is not None
            self.state.read_source(source.url, row.kind or "", row.etag, row.last_modified, now, now + poll, row.listed)
            return 0
        new = await self._add_articles(source, reading, allow_private, now)
        self.state.read_source(
            source.url,
            reading.kind,
            answer.headers.get("etag"),
            answer.headers.get("last-modified"),
            now,
            now + poll,
            len(reading.articles),
        )
        first = reading.refused[0] if reading.refused else None
        self.state.source_refused(source.url, len(reading.refused), f"{first['link']}: {first['why']}" if first else "")
        if first:
            log.info("source %s: %d link(s) refused, e.g. %s", source.url, len(reading.refused), first)
        if reading.cut:
            log.warning("source %s: %d entries past the limit were not read", source.url, reading.cut)
        if new:
            log.info("source %s: %d new article(s)", source.url, new)
        return new

    async def _add_articles(self, source: WatchedSource, reading: Reading, allow_private: bool, now: float) -> int:
        guard = NetworkGuard(source.url, allow_private, self.access)
        await guard.start()  # active: the source is public, so what it lists must be public too
        refused_hosts: dict[str, str | None] = {}
        new = 0
        for listed in reading.articles:
            url = article_url(listed.url)
            key = page_id(url)
            if self.state.known(key):
                continue
            problem = await self._refusal(guard, url, refused_hosts)
            if problem:
                reading.refused.append({"link": url, "why": problem})
                continue
            new += self.state.add_article(key, url, source.url, now)
        return new

    @staticmethod
    async def _refusal(guard: NetworkGuard, url: str, cache: dict[str, str | None]) -> str | None:
        if not guard.active:
            return None
        host, port = host_and_port(url)
        if host not in cache:
            decision = await guard.decide(host, port)
            cache[host] = decision.reason if decision.blocked else None
        return cache[host]

    async def _read_all(
        self, source: WatchedSource, allow_private: bool, etag: str | None, last_modified: str | None
    ) -> tuple[Reading | None, Fetched]:
        """The source's articles; a sitemap index's sitemaps read in turn, each once per read."""
        answer = await fetch(source.url, self.access, allow_private, etag, last_modified)
        if answer.status == 304:
            return None, answer
        _refuse_status(answer)
        reading = read_source(answer.body, answer.headers.get("content-type", ""), answer.url, source.links)
        if source.kind and _family(reading.kind) != _family(source.kind):
            raise NotASource(f"{answer.url} serves a {reading.kind}, not the {source.kind} its settings name")
        seen = {answer.url}
        waiting = list(reading.sitemaps)
        while waiting:
            sitemap = waiting.pop(0)
            if sitemap in seen:
                continue  # an index that lists itself, or a loop
            if len(seen) > MAX_SITEMAPS:
                log.warning("source %s: more than %d sitemaps; the rest are not read", source.url, MAX_SITEMAPS)
                break
            seen.add(sitemap)
            try:
                child = await fetch(sitemap, self.access, allow_private)
                _refuse_status(child)
                part = read_source(child.body, child.headers.get("content-type", ""), child.url)
            except (SourceUnreadable, NotASource) as exc:
                log.warning("source %s: sitemap %s: %s", source.url, sitemap, exc)
                continue
            reading.articles += part.articles
            reading.refused += part.refused
            waiting += part.sitemaps
        return reading, answer


def _family(kind: str) -> str:
    """A sitemap index is a sitemap, a JSON Feed a feed, for a source whose settings name its kind."""
    return {"sitemap-index": "sitemap", "json-feed": "feed"}.get(kind, kind)


def _refuse_status(answer: Fetched) -> None:
    if answer.status in RATE_LIMITED:
        raise RateLimited(answer.status, retry_after(answer.headers.get("retry-after"), time.time()))
    if answer.status >= 400 or answer.status < 200:
        raise SourceUnreadable(f"{answer.url} answered HTTP {answer.status}")
