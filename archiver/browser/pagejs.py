"""The JavaScript run in pages (kept as files in archiver/js/), and a safe way to run it in a frame."""

from __future__ import annotations

import asyncio
from functools import cache
from importlib.resources import files
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame

FRAME_SCRIPT_TIMEOUT = 10.0  # seconds for one script in one frame


@cache
def script(name: str) -> str:
    return files("archiver.browser").joinpath("js", f"{name}.js").read_text(encoding="utf-8")


async def evaluate_in_frame(frame: Frame, source: str, arg: Any = None, timeout: float = FRAME_SCRIPT_TIMEOUT) -> Any:
    """Evaluate in one frame; None for a frame that went away or never got a document to run in
    (Playwright would wait for one forever)."""
    try:
        return await asyncio.wait_for(frame.evaluate(source, arg), timeout)
    except (TimeoutError, PlaywrightError):
        return None
