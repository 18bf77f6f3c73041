"""Screenshots: the viewport as the reader first saw it, and the whole page after the behaviours."""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from PIL import Image
from playwright.async_api import CDPSession, Page
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from archiver.browser.pagejs import script

NO_FRAME_YET = "Unable to capture screenshot"  # DevTools, before the page's first frame
FRAME_WAIT = 0.1  # seconds between two asks for the first frame


@dataclass
class Screenshot:
    kind: str  # "viewport" | "viewport_after_consent" | "full_page" | "full_page_unobstructed"
    png: bytes
    width: int  # pixels of the image
    height: int
    page_height: int | None = None  # CSS pixels of the page, for the full page
    capped: bool = False  # the page was taller than the cap: the image stops there

    def describe(self) -> dict[str, object]:
        info: dict[str, object] = {"width": self.width, "height": self.height}
        if self.kind.startswith("full_page"):
            info.update(page_height=self.page_height, capped=self.capped)
        return info


def _png_size(png: bytes) -> tuple[int, int]:
    with Image.open(BytesIO(png)) as image:
        return image.size


async def viewport_screenshot(devtools: CDPSession, timeout: float) -> Screenshot:
    """What the reader sees at first. Straight from DevTools: Playwright's screenshot waits for
    web fonts, which never settle on a page whose document is still arriving. Just after load the
    page may not have painted its first frame yet (on a busy machine): then it is asked again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            png = await _devtools_png(devtools, timeout=max(0.1, deadline - time.monotonic()))
            break
        except PlaywrightError as exc:
            if NO_FRAME_YET not in str(exc) or time.monotonic() + FRAME_WAIT >= deadline:
                raise
            await asyncio.sleep(FRAME_WAIT)
    width, height = _png_size(png)
    return Screenshot("viewport", png, width, height)


async def full_page_screenshot(page: Page, devtools: CDPSession | None, max_height: int, timeout: float) -> Screenshot:
    """The whole page, cut at `max_height` CSS pixels: taller images exceed what the GPU can render.

    With a DevTools session, a page that will not settle is taken as it is rather than not at all.
    """
    state = await page.evaluate(script("page_state"))
    page_height = int(state["height"])
    capped = page_height > max_height
    width = (page.viewport_size or {"width": state["width"]})["width"]
    clip: Any = {"x": 0, "y": 0, "width": width, "height": min(page_height, max_height)}
    try:
        if capped:
            png = await page.screenshot(type="png", full_page=True, clip=clip, timeout=timeout * 1000)
        else:
            png = await page.screenshot(type="png", full_page=True, timeout=timeout * 1000)
    except PlaywrightTimeoutError:  # a page still loading: take it as it is, without waiting
        if devtools is None:
            raise
        png = await _devtools_png(devtools, {**clip, "scale": 1}, timeout=timeout)
    image_width, image_height = _png_size(png)
    return Screenshot("full_page", png, image_width, image_height, page_height=page_height, capped=capped)


async def _devtools_png(devtools: CDPSession, clip: dict[str, float] | None = None, *, timeout: float) -> bytes:
    """A PNG from DevTools; raises TimeoutError when no frame comes (a document still arriving paints none)."""
    params: dict[str, object] = {"format": "png"}
    if clip:
        params.update(clip=clip, captureBeyondViewport=True)
    result = await asyncio.wait_for(devtools.send("Page.captureScreenshot", params), timeout)
    return base64.b64decode(result["data"])
