"""Run folders as `capture` leaves them, made without a browser: a page, its real WARC file (the
writer's), a screenshot, and the manifest the run's own writer writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from archiver.browser.launch import BrowserInfo
from archiver.capture.result import ArtifactFile, PageResult
from archiver.identity import capture_id, page_id
from archiver.options import CaptureOptions
from archiver.output.manifest import RunManifest
from archiver.terms import FileRole, PageState
from archiver.warc.normalize import NormalizedExchange
from archiver.warc.writer import RollingWarcWriter

URL = "https://news.example/2026/12/story"
BROWSER = BrowserInfo("/usr/bin/chromium", "156.0", "Mozilla/5.0 Chrome/156.0")


def stored_run(
    output: Path,
    state: PageState = PageState.COMPLETE,
    exchanges: Sequence[NormalizedExchange] = (),
    started: datetime | None = None,
    dom: str | None = None,
    url: str = URL,
    warc_prefix: str = "x",
) -> tuple[RunManifest, PageResult]:
    """A run folder as `capture` leaves it: one page with a WARC and a screenshot, and its manifest."""
    started = started or datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    run_dir = output / f"{started:%Y%m%dT%H%M%SZ}-abc123"
    result = PageResult(url, page_id(url), capture_id(url, started), started, final_url=url, status=200)
    if state != PageState.COMPLETE:
        result.mark(state, "it did not finish")
    folder = run_dir / result.capture_id
    folder.mkdir(parents=True)
    writer = RollingWarcWriter(folder, warc_prefix, {"software": "test"}, max_bytes=1 << 30)
    for exchange in exchanges:
        writer.write_exchange(exchange)
    writer.close()
    (folder / "viewport.png").write_bytes(b"png")
    result.files = [
        ArtifactFile(folder / f"{warc_prefix}-00000.warc.gz", FileRole.WARC),
        ArtifactFile(folder / "viewport.png", FileRole.VIEWPORT),
    ]
    if dom is not None:  # the rendered DOM, which the article's text is read from
        (folder / "dom.html").write_text(dom, encoding="utf-8")
        result.files.append(ArtifactFile(folder / "dom.html", FileRole.DOM))
    result.screenshots["viewport"] = {
        "path": f"{result.capture_id}/viewport.png",
        "width": 1,
        "height": 1,
        "urn": f"urn:view:{url}",
    }
    result.article = {
        "fields": {
            "headline": {"value": "Council votes", "source": "h1", "in": "rendered"},
            "authors": [{"value": "Jane Doe", "source": "byline", "in": "rendered"}],
        },
        "differences": [],
        "structured_data": {"original": None, "rendered": None},
    }
    result.images = [
        {
            "url": "https://news.example/lead.jpg",
            "captured": True,
            "renditions": [],
            "alt": None,
            "caption": "The hall (Photo Credit: Ann Lee)",
            "is_lead": True,
            "archive_photo": False,
            "credits": [{"value": "Ann Lee", "source": "caption (Photo Credit: ...)"}],
        }
    ]
    result.ended_at = started
    manifest = RunManifest(run_dir, run_dir.name, CaptureOptions(), BROWSER, started)
    manifest.add_page(result)
    return manifest, result
