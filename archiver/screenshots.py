"""Screenshots: the viewport as the reader first saw it, and the whole page after the behaviours."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from PIL import Image
from playwright.async_api import Page

from archiver.scripts import script


@dataclass
class Screenshot:
    kind: str  # "viewport" | "full_page"
    png: bytes
    width: int  # pixels of the image
    height: int
    page_height: int | None = None  # CSS pixels of the page, for the full page
    capped: bool = False  # the page was taller than the cap: the image stops there

    def describe(self) -> dict[str, object]:
        info: dict[str, object] = {"width": self.width, "height": self.height}
        if self.kind == "full_page":
            info.update(page_height=self.page_height, capped=self.capped)
        return info


def _png_size(png: bytes) -> tuple[int, int]:
    with Image.open(BytesIO(png)) as image:
        return image.size


async def viewport_screenshot(page: Page, timeout: float) -> Screenshot:
    png = await page.screenshot(type="png", timeout=timeout * 1000)
    width, height = _png_size(png)
    return Screenshot("viewport", png, width, height)


async def full_page_screenshot(page: Page, max_height: int, timeout: float) -> Screenshot:
    """The whole page, cut at `max_height` CSS pixels: taller images exceed what the GPU can render."""
    state = await page.evaluate(script("page_state"))
    page_height = int(state["height"])
    capped = page_height > max_height
    if capped:
        viewport = page.viewport_size or {"width": state["width"]}
        clip = {"x": 0, "y": 0, "width": viewport["width"], "height": max_height}
        png = await page.screenshot(type="png", full_page=True, clip=clip, timeout=timeout * 1000)
    else:
        png = await page.screenshot(type="png", full_page=True, timeout=timeout * 1000)
    width, height = _png_size(png)
    return Screenshot("full_page", png, width, height, page_height=page_height, capped=capped)
