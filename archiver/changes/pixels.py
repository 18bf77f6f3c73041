"""Whether two pictures under one URL are the same picture, region by region: a re-encoded or
resized copy differs a little everywhere; a doctored one (a patch cloned over a face, a caption bar
burned in) differs a lot somewhere. A global perceptual hash cannot tell the two apart: a change
to a small region moves it by a few bits at most.

Both pictures are brought to one size (the smaller's, at most COMPARE_WIDTH wide: scaling down
also smooths away compression noise) and compared block by block; a block whose mean difference
passes CHANGED_LEVEL is changed, and the changed region is given in the old picture's pixels.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass

from PIL import Image, ImageChops, ImageStat, UnidentifiedImageError

COMPARE_WIDTH = 512
BLOCK = 16  # pixels of a block, at the compared size
CHANGED_LEVEL = 16.0  # mean difference (of 255) past which a block is changed; re-encoding stays far below
SAME_SHAPE = 0.02  # aspect ratios closer than this are one frame; farther, the picture was cropped


@dataclass(frozen=True)
class Region:
    """Where two pictures differ, in the old picture's pixels."""

    x: int
    y: int
    width: int
    height: int
    changed_fraction: float  # of the picture's blocks

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


class NotAPicture(Exception):
    """Bytes Pillow cannot read as a picture (SVG, truncated): compared by bytes only."""


def _open(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise NotAPicture(str(exc)) from None


def changed_region(old_data: bytes, new_data: bytes) -> Region | None:
    """Where the new picture differs from the old one beyond compression and scaling; None when
    they are the same picture. Raises NotAPicture when either cannot be read."""
    old, new = _open(old_data), _open(new_data)
    if abs(old.width / old.height - new.width / new.height) > SAME_SHAPE * old.width / old.height:
        return Region(0, 0, old.width, old.height, 1.0)  # cropped or reframed: another frame
    width = min(old.width, new.width, COMPARE_WIDTH)
    height = max(1, round(width * old.height / old.width))
    a = old.resize((width, height), Image.Resampling.LANCZOS)
    b = new.resize((width, height), Image.Resampling.LANCZOS)
    difference = ImageChops.difference(a, b).convert("L")
    changed = [
        (left, top)
        for top in range(0, height, BLOCK)
        for left in range(0, width, BLOCK)
        if ImageStat.Stat(difference.crop((left, top, min(left + BLOCK, width), min(top + BLOCK, height)))).mean[0]
        > CHANGED_LEVEL
    ]
    if not changed:
        return None
    blocks = ((width + BLOCK - 1) // BLOCK) * ((height + BLOCK - 1) // BLOCK)
    scale = old.width / width
    left = min(x for x, _ in changed)
    top = min(y for _, y in changed)
    right = min(width, max(x for x, _ in changed) + BLOCK)
    bottom = min(height, max(y for _, y in changed) + BLOCK)
    return Region(
        round(left * scale),
        round(top * scale),
        round((right - left) * scale),
        round((bottom - top) * scale),
        round(len(changed) / blocks, 4),
    )
