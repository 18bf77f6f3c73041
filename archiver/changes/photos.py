"""The article's photos in two captures: added, removed, replaced, re-encoded; captions and credits.

Photos are matched by URL. The same URL with other bytes is a replaced photo, unless its
perceptual hash (imagehash's pHash) is within a few bits of the old one: then it is the same
picture re-encoded or resized, which is said but is not an edit. A lead photo that left and a lead
photo that came under another URL are one replacement, not an unrelated removal and addition.
A caption is compared without its credit, so a changed credit is reported once, as a credit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import imagehash
from PIL import Image, UnidentifiedImageError

from archiver.changes.pixels import NotAPicture, changed_region
from archiver.identity import sha256_bytes

SAME_PICTURE_BITS = 10  # pHash distance (of 64 bits) up to which two images show the same picture


@dataclass
class Photo:
    """One of the article's photos in one capture, with the bytes that capture stored."""

    url: str
    is_lead: bool
    caption: str
    credits: list[str]
    data: bytes | None  # None when the capture did not store them

    @cached_property
    def sha256(self) -> str | None:
        return sha256_bytes(self.data) if self.data is not None else None

    @cached_property
    def phash(self) -> imagehash.ImageHash | None:
        return perceptual_hash(self.data)


@dataclass
class PhotoChange:
    kind: str  # added | removed | replaced | altered | re-encoded | caption | credit
    old: Photo | None
    new: Photo | None
    distance: int | None = None  # pHash bits between old and new bytes, when both were stored
    region: dict[str, float] | None = None  # altered: where, in the old picture's pixels

    @property
    def is_edit(self) -> bool:
        return self.kind != "re-encoded"

    def describe(self) -> str:
        photo = self.new or self.old
        assert photo is not None
        where = f"{'lead photo' if photo.is_lead else 'photo'} {photo.url}"
        if self.kind == "credit":
            return f"credit changed on {where}: {_credits(self.old)} -> {_credits(self.new)}"
        if self.kind == "caption":
            return f"caption changed on {where}"
        if self.kind == "altered" and self.region:
            r = self.region
            return (
                f"{where} altered: the same picture, changed at x {r['x']:.0f}, y {r['y']:.0f}, "
                f"{r['width']:.0f}x{r['height']:.0f} px ({r['changed_fraction']:.1%} of it)"
            )
        if self.kind in ("replaced", "re-encoded"):
            detail = f" (pHash distance {self.distance} of 64)" if self.distance is not None else ""
            same = "the same picture, other bytes" if self.kind == "re-encoded" else "another picture"
            moved = f", was {self.old.url}" if self.old and self.new and self.old.url != self.new.url else ""
            return f"{where} {self.kind}: {same}{detail}{moved}"
        return f"{where} {self.kind}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "is_edit": self.is_edit,
            "distance": self.distance,
            "region": self.region,
            "old": _photo_dict(self.old),
            "new": _photo_dict(self.new),
        }


def _credits(photo: Photo | None) -> str:
    return "; ".join(photo.credits) if photo and photo.credits else "(none)"


def _photo_dict(photo: Photo | None) -> dict[str, Any] | None:
    if photo is None:
        return None
    return {
        "url": photo.url,
        "is_lead": photo.is_lead,
        "caption": photo.caption,
        "credits": photo.credits,
        "sha256": photo.sha256,
        "phash": str(photo.phash) if photo.phash is not None else None,
    }


def perceptual_hash(data: bytes | None) -> imagehash.ImageHash | None:
    if data is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            return imagehash.phash(image.convert("RGB"))
    except (UnidentifiedImageError, OSError, ValueError):
        return None  # not an image Pillow reads (SVG, truncated): compared by bytes only


def distance(old: Photo, new: Photo) -> int | None:
    a, b = old.phash, new.phash
    return int(a - b) if a is not None and b is not None else None


def compare_photos(old: list[Photo], new: list[Photo]) -> list[PhotoChange]:
    old_by_url = {photo.url: photo for photo in old}
    new_by_url = {photo.url: photo for photo in new}
    changes: list[PhotoChange] = []
    gone = [photo for photo in old if photo.url not in new_by_url]
    came = [photo for photo in new if photo.url not in old_by_url]
    pairs = [(photo, new_by_url[photo.url]) for photo in old if photo.url in new_by_url]
    old_lead = next((p for p in gone if p.is_lead), None)
    new_lead = next((p for p in came if p.is_lead), None)
    if old_lead and new_lead:  # the lead photo swapped for one under another URL
        gone.remove(old_lead)
        came.remove(new_lead)
        pairs.append((old_lead, new_lead))
    for before, after in pairs:
        changes.extend(_pair_changes(before, after))
    changes.extend(PhotoChange("removed", photo, None) for photo in gone)
    changes.extend(PhotoChange("added", None, photo) for photo in came)
    return changes


def _pair_changes(old: Photo, new: Photo) -> list[PhotoChange]:
    changes = []
    bytes_differ = old.data is not None and new.data is not None and old.sha256 != new.sha256
    if bytes_differ or old.url != new.url:  # bytes one capture did not store cannot be compared
        changes.append(_bytes_change(old, new))
    if _without_credits(old) != _without_credits(new):
        changes.append(PhotoChange("caption", old, new))
    if sorted(old.credits) != sorted(new.credits):
        changes.append(PhotoChange("credit", old, new))
    return changes


def _bytes_change(old: Photo, new: Photo) -> PhotoChange:
    """Other bytes (or another URL): another picture, the same one altered somewhere, or the same
    one re-encoded. Only a region-by-region comparison may call it a re-encode."""
    bits = distance(old, new)
    if bits is None or bits > SAME_PICTURE_BITS or old.data is None or new.data is None:
        return PhotoChange("replaced", old, new, bits)
    try:
        region = changed_region(old.data, new.data)
    except NotAPicture:
        return PhotoChange("replaced", old, new, bits)
    if region is not None:
        return PhotoChange("altered", old, new, bits, region.to_dict())
    return PhotoChange("re-encoded", old, new, bits)


def _without_credits(photo: Photo) -> str:
    caption = photo.caption
    for credit in photo.credits:
        caption = caption.replace(credit, "")
    return " ".join(caption.split())
