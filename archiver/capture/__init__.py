"""browser → recorded exchanges: drive Chromium through one page and record what it loads.

`capture_page` is the unit of work (see `archiver.capture.page` for its steps); the modules
beside it are the parts it uses: the browser, the recorder and its exchanges, the behaviours that
make a page show everything, network quiet, the network guard, screenshots, TLS, large bodies,
and the JavaScript run in pages (`js/`). Later stages import the data types from here
(`exchange`, `result`): `capture_page` is loaded on first use, so they do not pull in the steps.
"""

from __future__ import annotations

from typing import Any

__all__ = ["capture_page"]


def __getattr__(name: str) -> Any:
    if name == "capture_page":
        from archiver.capture.page import capture_page

        return capture_page
    raise AttributeError(f"module 'archiver.capture' has no attribute {name!r}")
