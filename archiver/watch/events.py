"""What happened to each article, told three ways: `events.jsonl` (every event, one JSON object a
line), `edits.atom` (edits, disappearances and moves, for any feed reader) with an HTML diff
report beside it for each edit, and a webhook (the same events POSTed as JSON, retried with
back-off, never fatal).

An event's `id` is made from the article, the capture and the kind, so an event written again
after a crash carries the same id and readers drop the repeat; the watcher writes none twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from archiver.times import utc_iso
from archiver.versions import __version__
from archiver.watch.state import WatchState

log = logging.getLogger(__name__)

KINDS = ("new", "unchanged", "edited", "gone", "moved", "failed")
ANNOUNCED = ("edited", "gone", "moved")  # in edits.atom and to the webhook
ATOM_ENTRIES = 200
WEBHOOK_TIMEOUT = 10.0
WEBHOOK_BACKOFF = (5, 30, 120, 600, 3600)  # seconds before each next attempt


def event_id(article: str, capture: str, kind: str) -> str:
    return hashlib.sha256(f"{article}|{capture}|{kind}".encode()).hexdigest()[:24]


def make_event(
    kind: str,
    url: str,
    article: str,
    capture_id: str | None,
    previous: str | None,
    now: float,
    **more: Any,
) -> dict[str, Any]:
    """One event; its id is the same whenever the same capture (or failed attempt) is recorded again."""
    capture = capture_id or f"attempt-{more.get('attempt')}"
    return {
        "id": event_id(article, capture, kind),
        "time": utc_iso(datetime.fromtimestamp(now, UTC)),
        "time_epoch": now,
        "kind": kind,
        "url": url,
        "page_id": article,
        "capture_id": capture_id,
        "previous_capture_id": previous,
        "changes": more.pop("changes", None),  # for `edited`: what changed
        **more,
    }


class EventLog:
    def __init__(self, folder: Path, state: WatchState, webhook: str | None = None) -> None:
        self.folder = folder
        self.state = state
        self.webhook = webhook
        self.jsonl = folder / "events.jsonl"
        self.atom = folder / "edits.atom"
        self.reports = folder / "reports"
        self._reconcile()

    def _reconcile(self) -> None:
        """Events already in events.jsonl (a watcher killed after writing them, before noting it) are
        not written again; a last line the kill cut short is cut off, and its event written again whole."""
        if not self.jsonl.is_file():
            return
        data = self.jsonl.read_bytes()
        whole = data[: data.rfind(b"\n") + 1]
        if len(whole) < len(data):
            with self.jsonl.open("r+b") as fh:
                fh.truncate(len(whole))
                os.fsync(fh.fileno())
        ids = []
        for line in whole.splitlines():
            try:
                ids.append(str(json.loads(line)["id"]))
            except (ValueError, KeyError, TypeError):
                log.warning("%s: a line that is no event is left as it is", self.jsonl)
        self.state.written(ids)

    def publish(self) -> None:
        """Write the events not written yet, then the feed of announced ones."""
        pending = self.state.unwritten()
        if not pending:
            return
        with self.jsonl.open("a", encoding="utf-8") as fh:
            for event in pending:
                fh.write(json.dumps(_public(event), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.state.written([event["id"] for event in pending])
        if any(event["kind"] in ANNOUNCED for event in pending):
            self.write_atom()

    def write_atom(self) -> None:
        events = self.state.events(ANNOUNCED)[-ATOM_ENTRIES:]
        updated = events[-1]["time"] if events else utc_iso(datetime.now(UTC))
        entries = "".join(_atom_entry(event, self.reports) for event in reversed(events))
        feed = (
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>urn:archiver:watch:{escape(str(self.folder.resolve()))}</id>"
            f"<title>Edits seen by archiver</title><updated>{updated}</updated>"
            f'<generator version="{__version__}">archiver watch</generator>{entries}</feed>\n'
        )
        temporary = self.atom.with_name(self.atom.name + ".tmp")
        temporary.write_text(feed, encoding="utf-8")
        os.replace(temporary, self.atom)

    async def deliver(self, now: float) -> None:
        """POST the announced events not delivered yet; a failure is retried later, never fatal."""
        if not self.webhook:
            return
        for event, attempts in self.state.undelivered(ANNOUNCED, now):
            problem = await asyncio.to_thread(_post, self.webhook, _public(event))
            if problem is None:
                self.state.delivered(event["id"])
                continue
            wait = WEBHOOK_BACKOFF[min(attempts, len(WEBHOOK_BACKOFF) - 1)]
            log.warning(
                "webhook %s: event %s not delivered (%s); trying again in %d s",
                self.webhook,
                event["id"],
                problem,
                wait,
            )
            self.state.delivery_failed(event["id"], now + wait)
            return  # the others wait their turn: a webhook that is down is not asked once per event

    def report_path(self, event: dict[str, Any]) -> Path:
        self.reports.mkdir(parents=True, exist_ok=True)
        return self.reports / f"{event['id']}.html"


def _post(url: str, event: dict[str, Any]) -> str | None:
    """None when the webhook took the event (a 2xx answer); else what went wrong."""
    request = urllib.request.Request(
        url,
        json.dumps(event, ensure_ascii=False).encode("utf-8"),
        {"Content-Type": "application/json", "User-Agent": f"archiver/{__version__}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as answer:
            answer.read(1 << 16)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (OSError, urllib.error.URLError, ValueError) as exc:
        return str(exc)
    return None


def _public(event: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in event.items() if key != "time_epoch"}


def _atom_entry(event: dict[str, Any], reports: Path) -> str:
    kind, url = event["kind"], event["url"]
    title = {"edited": "Edited", "gone": "Gone", "moved": "Moved"}[kind] + f": {url}"
    if kind == "edited":
        summary = "; ".join((event.get("changes") or {}).get("summary", [])) or "edited"
    elif kind == "gone":
        summary = f"answered HTTP {event.get('status')}; the earlier captures are the evidence"
    else:
        summary = f"now redirects to {event.get('to')}"
    report = reports / f"{event['id']}.html"  # linked relative to the feed: it opens wherever the folder is served
    link = f"{reports.name}/{report.name}" if report.is_file() else url
    return (
        f"<entry><id>urn:archiver:event:{event['id']}</id><title>{_xml(title)}</title>"
        f"<updated>{event['time']}</updated><link href={quoteattr(_clean(link))}/>"
        f'<link rel="related" href={quoteattr(_clean(url))}/><summary>{_xml(summary)}</summary></entry>'
    )


# Characters XML 1.0 does not allow, even escaped: a page's text may hold them.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _xml(text: str) -> str:
    return escape(_clean(text))
