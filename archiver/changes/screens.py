"""The two full-page screenshots, side by side in one picture with what differs marked.

Not an edit by itself (the screenshot changes with every "Most Popular" box), but the evidence a
reader checks the edits against. The diff image is the new screenshot, faded, with every pixel
that differs from the old one in red (Pillow's ImageChops on the area both cover).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops

MAX_HEIGHT = 6000  # taller screenshots are compared (and shown) down to here
CHANGED_LEVEL = 24  # a channel difference above this (of 255) counts as changed, below is encoding noise


@dataclass
class ScreenshotDiff:
    changed_fraction: float  # of the pixels both screenshots cover
    old_size: tuple[int, int]
    new_size: tuple[int, int]
    image_png: bytes  # the new screenshot, faded, with changed pixels in red

    def to_dict(self) -> dict[str, object]:
        return {
            "changed_fraction": round(self.changed_fraction, 4),
            "old_size": list(self.old_size),
            "new_size": list(self.new_size),
        }


def compare_screenshots(old_path: Path | None, new_path: Path | None) -> ScreenshotDiff | None:
    if old_path is None or new_path is None:
        return None
    with Image.open(old_path) as old_image, Image.open(new_path) as new_image:
        old, new = old_image.convert("RGB"), new_image.convert("RGB")
    width, height = max(old.width, new.width), min(max(old.height, new.height), MAX_HEIGHT)
    old_canvas, new_canvas = _on_canvas(old, width, height), _on_canvas(new, width, height)
    difference = ImageChops.difference(old_canvas, new_canvas).convert("L")
    mask = difference.point(lambda level: 255 if level > CHANGED_LEVEL else 0)
    histogram = mask.histogram()
    changed = histogram[255] / max(1, width * height)
    faded = Image.blend(new_canvas, Image.new("RGB", new_canvas.size, (255, 255, 255)), 0.6)
    faded.paste(Image.new("RGB", faded.size, (220, 0, 0)), mask=mask)
    out = io.BytesIO()
    faded.save(out, "PNG", optimize=True)
    return ScreenshotDiff(changed, old.size, new.size, out.getvalue())


def _on_canvas(image: Image.Image, width: int, height: int) -> Image.Image:
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    canvas.paste(image.crop((0, 0, min(image.width, width), min(image.height, height))), (0, 0))
    return canvas
