"""The unit of work: one page captured, composed of the browser side, WARC writing and metadata.

`capture_page` (see `archiver.capture.page` for its steps, declared as data in
`archiver.capture.steps`) takes a `CaptureJob` and a launched browser and returns a `PageResult`,
the page's manifest entry to be. The modules beside it are the steps and the state they share.
"""

from __future__ import annotations

from typing import Any

__all__ = ["capture_page"]


def __getattr__(name: str) -> Any:
    if name == "capture_page":
        from archiver.capture.page import capture_page

        return capture_page
    raise AttributeError(f"module 'archiver.capture' has no attribute {name!r}")
