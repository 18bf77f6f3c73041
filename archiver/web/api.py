"""What every page of the review app shows, as plain data: the JSON API returns these dicts as they
are, and the HTML pages render the same dicts (one function per page, no second way to read)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from archiver.changes.compare import Comparison, compare
from archiver.changes.snapshot import snapshot_of
from archiver.errors import ArchiverError
from archiver.output.stored import QaReport, StoredPage, StoredRun, UnreadableManifest
from archiver.search.index import Filters
from archiver.terms import FileRole, PageState
from archiver.web import watching
from archiver.web.catalog import Catalog, Located

PAGE_SIZE = 50
SEARCH_PAGE_SIZE = 20
MAX_QUERY = 500  # characters of a query read
SERVED_ROLES = {  # the files of a capture the app serves, by role, and how
    FileRole.VIEWPORT: "image/png",
    FileRole.FULL_PAGE: "image/png",
    FileRole.TEXT: "text/plain; charset=utf-8",
    FileRole.DOM: "text/plain; charset=utf-8",  # the captured DOM as text: never rendered by the app
}
EVENT_KINDS = ("new", "edited", "gone", "moved", "failed", "unchanged")


class NotFound(ArchiverError):
    pass


def filters_from(params: dict[str, str]) -> Filters:
    return Filters(
        site=params.get("site") or None,
        since=params.get("since") or None,
        until=params.get("until") or None,
        state=params.get("state") if params.get("state") in tuple(PageState) else None,
    )


def offset_from(params: dict[str, str]) -> int:
    value = params.get("offset", "0")
    return min(int(value), 1_000_000) if value.isdigit() else 0


# -- home ------------------------------------------------------------------------------------------


def home(catalog: Catalog) -> dict[str, Any]:
    folders = catalog.folders
    return {
        "folders": [str(folder) for folder in folders],
        "totals": catalog.totals(),
        "watched": watching.watched(folders),
        "events": watching.latest_events(folders, 30, ("new", "edited", "gone", "moved", "failed")),
        "event_counts": watching.event_counts(folders),
        "sources": watching.sources(folders),
        "recent": [row.to_dict() for row in catalog.recent(("complete", "partial", "failed"), 15)],
        "failed": [row.to_dict() for row in catalog.recent(("failed",), 15)],
    }


# -- articles --------------------------------------------------------------------------------------


def articles(catalog: Catalog, params: dict[str, str]) -> dict[str, Any]:
    offset = offset_from(params)
    rows = catalog.articles(filters_from(params), PAGE_SIZE + 1, offset)
    return {
        "offset": offset,
        "limit": PAGE_SIZE,
        "more": len(rows) > PAGE_SIZE,
        "filters": {key: params.get(key, "") for key in ("site", "since", "until", "state")},
        "articles": [row.to_dict() for row in rows[:PAGE_SIZE]],
    }


def article(catalog: Catalog, page_id: str) -> dict[str, Any]:
    marks = catalog.timeline(page_id)
    if not marks:
        raise NotFound(f"no article {page_id}")
    kept = [mark for mark in marks if mark.capture.state != PageState.FAILED]
    latest = catalog.find((kept or marks)[-1].capture.capture_id)
    if latest is None:
        raise NotFound(f"the captures of {page_id} are no longer there")
    page = latest.page
    return {
        "page_id": page_id,
        "url": page.url,
        "headline": page.headline or page.title,
        "authors": [str(name) for name in page.article.plain("authors")],
        "published": page.article.text("published"),
        "modified": page.article.text("modified"),
        "site_name": page.article.text("site_name"),
        "latest_capture_id": page.capture_id,
        "edits": sum(1 for mark in marks if mark.changed),
        "captures": [{**mark.capture.to_dict(), "changed": mark.changed, "summary": mark.summary} for mark in marks],
        "photos": _photos(page),
        "bundle": "/bundle?" + urlencode({"article": page_id}),
    }


def _photos(page: StoredPage) -> list[dict[str, Any]]:
    return [
        {
            "url": image.url,
            "caption": image.caption,
            "credits": [{"value": credit.value, "source": credit.source} for credit in image.credits],
            "is_lead": image.is_lead,
            "archive_photo": image.archive_photo,
        }
        for image in page.images
    ]


# -- one capture -----------------------------------------------------------------------------------


def locate(catalog: Catalog, capture_id: str) -> Located:
    found = catalog.find(capture_id)
    if found is None:
        raise NotFound(f"no capture {capture_id}")
    return found


def capture(catalog: Catalog, capture_id: str) -> dict[str, Any]:
    found = locate(catalog, capture_id)
    page = found.page
    return {
        "capture_id": page.capture_id,
        "page_id": page.page_id,
        "run_id": page.run_id,
        "requested_url": page.requested_url,
        "final_url": page.final_url,
        "state": str(page.state),
        "reason": page.reason,
        "status": page.status,
        "title": page.title,
        "started_at": page.started_at,
        "ended_at": page.ended_at,
        "fields": {name: page.article.plain(name) for name in ("headline", "description", "authors", "published",
                                                              "modified", "canonical_url", "site_name", "section")},
        "photos": _photos(page),
        "warnings": list(page.warnings),
        "verdicts": [v.line() + (" (left as asked)" if v.as_asked else "") for v in page.verdicts],
        "done": [o.line() for o in page.obstacles] + list(page.media_actions),
        "media": [
            {"kind": m.kind, "url": m.url, "element": m.element, "complete": m.complete, "why_not": m.why_not,
             "segments_expected": m.segments_expected, "segments_stored": m.segments_stored, "bytes": m.bytes,
             "line": m.line()}
            for m in page.media
        ],
        "profile": page.profile.line() if page.profile else None,
        "secrets": {"line": page.secrets.line(), "redacted": page.secrets.redacted} if page.secrets else None,
        "refused": [{"url": refusal.url, "reason": refusal.reason} for refusal in page.refused],
        "steps": [{"name": s.name, "seconds": s.seconds, "outcome": s.outcome, "detail": s.detail} for s in page.steps],
        "files": [
            {"role": entry.role, "path": entry.path, "size": entry.size, "sha256": entry.sha256,
             "href": f"/files/{page.capture_id}/{entry.role}" if entry.role in SERVED_ROLES else None}
            for entry in page.files
        ],
        "replayable": page.replayable,
    }  # fmt: skip


# -- a diff ----------------------------------------------------------------------------------------


def comparison(catalog: Catalog, old: str, new: str) -> Comparison:
    before, after = locate(catalog, old), locate(catalog, new)
    if before.page.state == PageState.FAILED or after.page.state == PageState.FAILED:
        raise NotFound("a failed capture has nothing to compare")
    return compare(snapshot_of(before.page), snapshot_of(after.page))


def diff(catalog: Catalog, old: str, new: str) -> dict[str, Any]:
    return comparison(catalog, old, new).to_dict()


# -- search ----------------------------------------------------------------------------------------


def search(catalog: Catalog, params: dict[str, str]) -> dict[str, Any]:
    query = params.get("q", "").strip()[:MAX_QUERY]
    offset = offset_from(params)
    hits = catalog.search(query, filters_from(params), SEARCH_PAGE_SIZE + 1, offset) if query else []
    filters = {key: params.get(key, "") for key in ("site", "since", "until", "state")}
    return {
        "q": query,
        "filters": filters,
        "offset": offset,
        "limit": SEARCH_PAGE_SIZE,
        "more": len(hits) > SEARCH_PAGE_SIZE,
        "hits": [hit.to_dict() | {"raw_snippet": hit.snippet} for hit in hits[:SEARCH_PAGE_SIZE]],
        "bundle": "/bundle?" + urlencode({"q": query, **{k: v for k, v in filters.items() if v}}) if hits else None,
    }


# -- events ----------------------------------------------------------------------------------------


def events(catalog: Catalog, params: dict[str, str]) -> dict[str, Any]:
    kinds = tuple(kind for kind in params.get("kind", "").split(",") if kind in EVENT_KINDS)
    return {"watched": watching.watched(catalog.folders),
            "events": watching.latest_events(catalog.folders, 200, kinds)}  # fmt: skip


# -- runs ------------------------------------------------------------------------------------------


def runs(catalog: Catalog) -> dict[str, Any]:
    return {"runs": catalog.runs()}


def run(catalog: Catalog, run_id: str) -> dict[str, Any]:
    stored = catalog.run(run_id)
    if stored is None:
        raise NotFound(f"no run {run_id}")
    qa = _qa(stored)
    pages = sorted(stored.pages, key=lambda page: (page.state.severity, page.started_at))
    return {
        "run_id": stored.run_id,
        "started_at": stored.started_at,
        "ended_at": stored.ended_at,
        "tool": dict(stored.tool),
        "browser": stored.browser_version,
        "user_agent": stored.user_agent,
        "host": stored.hostname,
        "states": {str(state): len(stored.pages_in([state])) for state in PageState},
        "qa": None if qa is None else {"passed": stored.qa.passed if stored.qa else None},
        "pages": [
            {
                "capture_id": page.capture_id,
                "page_id": page.page_id,
                "url": page.url,
                "state": str(page.state),
                "reason": page.reason,
                "headline": page.headline or page.title,
                "warnings": list(page.warnings),
                "refused": [{"url": r.url, "reason": r.reason} for r in page.refused],
                "qa": [
                    {"profile": p.profile, "passed": p.passed, "misses": p.misses, "broken": p.broken}
                    for p in (qa.by_capture.get(page.capture_id, ()) if qa else ())
                ],
            }
            for page in pages
        ],
    }


def _qa(stored: StoredRun) -> QaReport | None:
    path = stored.qa_path
    if path is None or not path.is_file():
        return None
    try:
        return QaReport.read(path)
    except UnreadableManifest:
        return None
