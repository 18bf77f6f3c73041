"""The words every stage shares about a capture: how it ended, and what each of its files is.

Both are `str` enums, so they are written to JSON (manifests, Redis outcomes) as the words themselves.
"""

from __future__ import annotations

from enum import StrEnum


class PageState(StrEnum):
    """How a capture ended (a str, so it is written to JSON as the word itself)."""

    COMPLETE = "complete"  # everything the page loaded was captured
    PARTIAL = "partial"  # something was captured, but not all of it (see the reason)
    FAILED = "failed"  # nothing to capture (see the reason)

    @property
    def severity(self) -> int:
        return STATE_ORDER.index(self)


STATE_ORDER = (PageState.COMPLETE, PageState.PARTIAL, PageState.FAILED)
COMPLETE, PARTIAL, FAILED = PageState.COMPLETE, PageState.PARTIAL, PageState.FAILED


class FileRole(StrEnum):
    """What a file of a capture is, as its manifest entry says."""

    WARC = "warc"
    VIEWPORT = "screenshot_viewport"  # what the reader saw at load (a consent dialog and all)
    VIEWPORT_AFTER_CONSENT = "screenshot_viewport_after_consent"  # once the consent dialogs were answered
    FULL_PAGE = "screenshot_full_page"  # the whole page after the behaviours
    FULL_PAGE_UNOBSTRUCTED = "screenshot_full_page_unobstructed"  # altered by the archiver: overlays hidden
    DOM = "dom"  # the rendered DOM after the behaviours
    TEXT = "text"  # the page's visible text after the behaviours
