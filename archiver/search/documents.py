"""What of one stored capture is searched: its headline, authors, article text, captions and credits.

The text is the article body as `archiver diff` reads it (trafilatura over the rendered DOM, page
furniture taken out first), so a word that only a "Most Popular" box or a footer holds is not found.
Control characters are dropped: the snippet markers are control characters, and a page must not
be able to forge one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from archiver.changes.snapshot import page_html
from archiver.changes.text import article_text
from archiver.errors import ArchiverError
from archiver.output.stored import StoredPage
from archiver.terms import PageState

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_TEXT = 2_000_000  # characters of one capture's text kept in the index


@dataclass(frozen=True)
class CaptureDocument:
    """One capture as the index holds it: the columns filtered on, and the text searched."""

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
    text: str
    captions: str
    credits: str
    photos: int
    warnings: int


def site_of(url: str) -> str:
    """The host a capture is of, without "www." (what a reader calls the site)."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def clean(value: str | None, limit: int = MAX_TEXT) -> str:
    return CONTROL.sub(" ", value or "")[:limit]


def document_of(page: StoredPage) -> CaptureDocument:
    """The capture's searchable document; a failed capture has its URL and reason, no text."""
    text = _article_text(page) if page.state != PageState.FAILED else ""
    captions = [image.caption for image in page.images if image.caption]
    credits = [credit.value for image in page.images for credit in image.credits]
    return CaptureDocument(
        capture_id=page.capture_id,
        page_id=page.page_id,
        run_id=page.run_id,
        url=page.url,
        site=site_of(page.url),
        captured_at=page.started_at,
        state=str(page.state),
        headline=clean(page.headline or page.title, 2000),
        authors=clean(page.article.text("authors"), 2000),
        published=clean(page.article.text("published"), 100),
        text=clean(text),
        captions=clean("\n".join(captions)),
        credits=clean("\n".join(credits)),
        photos=len(page.images),
        warnings=len(page.warnings),
    )


def _article_text(page: StoredPage) -> str:
    try:
        html = page_html(page)
    except (ArchiverError, OSError, ValueError):
        return ""  # its files are gone or unreadable: the fields are still searched
    leave_out = [page.headline, page.article.text("description"), *(image.caption for image in page.images)]
    return "\n".join(article_text(html, page.url, leave_out).paragraphs)
