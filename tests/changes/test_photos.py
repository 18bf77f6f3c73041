"""What counts as an edit of a photo: another picture, or the same one altered anywhere (a patch
cloned over part of it, a caption bar burned in); a re-encoded or resized copy is not an edit."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw

from archiver.changes.photos import Photo, compare_photos

URL = "https://news.example/img/lead.jpg"


def _scene(width: int = 800, height: int = 500) -> Image.Image:
    """A photo-like picture: sky, a hill, a house, a tree, texture."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        draw.line([(0, y), (width, y)], fill=(90 + y * 100 // height, 140 + y * 60 // height, 220 - y * 80 // height))
    draw.ellipse([-200, 300, 1000, 900], fill=(70, 120, 60))
    draw.rectangle([480, 260, 640, 380], fill=(180, 60, 50))
    draw.polygon([(470, 260), (560, 200), (650, 260)], fill=(90, 40, 30))
    draw.ellipse([150, 180, 290, 330], fill=(40, 90, 40))
    draw.rectangle([210, 320, 230, 400], fill=(80, 50, 30))
    for n in range(400):
        x, y = (n * 97) % width, 300 + (n * 53) % (height - 300)
        draw.point((x, y), fill=(60 + n % 40, 110 + n % 30, 50))
    for n in range(12):
        draw.ellipse(
            [60 + n * 60, 60 + int(20 * math.sin(n)), 80 + n * 60, 80 + int(20 * math.sin(n))], fill=(250, 250, 250)
        )
    return image


def _jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _photo(data: bytes) -> Photo:
    return Photo(url=URL, is_lead=True, caption="The house on the hill", credits=["Ann Lee"], data=data)


def _kinds(old: bytes, new: bytes) -> list:
    return compare_photos([_photo(old)], [_photo(new)])


def test_a_re_encoded_copy_is_not_an_edit() -> None:
    (change,) = _kinds(_jpeg(_scene(), 92), _jpeg(_scene(), 60))
    assert change.kind == "re-encoded" and not change.is_edit


def test_a_resized_copy_is_not_an_edit() -> None:
    (change,) = _kinds(_jpeg(_scene()), _jpeg(_scene().resize((400, 250), Image.Resampling.LANCZOS), 85))
    assert change.kind == "re-encoded" and not change.is_edit


def test_a_patch_cloned_over_part_of_the_photo_is_an_edit_and_its_region_is_reported() -> None:
    doctored = _scene()
    doctored.paste(doctored.crop((20, 20, 80, 80)), (520, 280))  # sky cloned over the house's door
    (change,) = _kinds(_jpeg(_scene()), _jpeg(doctored))
    assert change.kind == "altered" and change.is_edit
    assert change.distance is not None and change.distance <= 10  # the global hash alone would call it a re-encode
    region = change.region
    assert region is not None
    assert region["x"] <= 520 and region["y"] <= 280
    assert region["x"] + region["width"] >= 580 and region["y"] + region["height"] >= 340
    assert region["width"] < 200 and region["height"] < 200  # the patch, not the whole picture


def test_a_caption_bar_burned_into_the_photo_is_an_edit() -> None:
    doctored = _scene()
    draw = ImageDraw.Draw(doctored)
    draw.rectangle([0, 440, 800, 500], fill=(0, 0, 0))
    draw.text((20, 455), "EXCLUSIVE: THE HOUSE", fill=(255, 255, 255))
    (change,) = _kinds(_jpeg(_scene()), _jpeg(doctored))
    assert change.kind == "altered" and change.is_edit
    assert change.region is not None and change.region["y"] >= 400


def test_another_picture_is_a_replacement() -> None:
    other = Image.new("RGB", (800, 500), (30, 30, 30))
    ImageDraw.Draw(other).ellipse([100, 50, 700, 450], fill=(230, 200, 40))
    (change,) = _kinds(_jpeg(_scene()), _jpeg(other))
    assert change.kind == "replaced" and change.is_edit
