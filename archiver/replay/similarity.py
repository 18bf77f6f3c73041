"""How alike two captures of a page look and read: screenshot and text similarity, 0.0 to 1.0."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from io import BytesIO

from PIL import Image, ImageChops, ImageDraw, ImageStat

COMPARE_WIDTH = 256  # both images are scaled to this width: layout matters, anti-aliasing does not
WORD = re.compile(r"\w+", re.UNICODE)
MASK_GRAY = 128


def _normalized(png: bytes) -> Image.Image:
    with Image.open(BytesIO(png)) as image:
        gray = image.convert("L")
    height = max(1, round(gray.height * COMPARE_WIDTH / gray.width))
    return gray.resize((COMPARE_WIDTH, height), Image.Resampling.BILINEAR)


def screenshot_similarity(a: bytes, b: bytes, masks: Iterable[Sequence[float]] = ()) -> float:
    """1 - the mean pixel difference, over the taller of the two (the shorter padded with white).
    `masks`: boxes (left, top, width, height, in fractions of the page's width) painted alike in
    both, for what differs with the moment a picture is taken (a playing video)."""
    first, second = _normalized(a), _normalized(b)
    height = max(first.height, second.height)
    canvases = []
    for image in (first, second):
        canvas = Image.new("L", (COMPARE_WIDTH, height), 255)
        canvas.paste(image, (0, 0))
        draw = ImageDraw.Draw(canvas)
        for left, top, width, tall in masks:
            box = [round(v * COMPARE_WIDTH) for v in (left, top, left + width, top + tall)]
            draw.rectangle(box, fill=MASK_GRAY)
        canvases.append(canvas)
    mean_difference = ImageStat.Stat(ImageChops.difference(*canvases)).mean[0]
    return round(1.0 - mean_difference / 255.0, 4)


def text_similarity(a: str, b: str) -> float:
    """How much of the words two texts share, in order (difflib's ratio over word sequences)."""
    words_a, words_b = WORD.findall(a.lower()), WORD.findall(b.lower())
    if not words_a and not words_b:
        return 1.0
    return round(difflib.SequenceMatcher(None, words_a, words_b).ratio(), 4)
