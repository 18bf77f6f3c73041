"""Screenshot similarity: what differs only with the moment a picture was taken (a playing video)
is left out of the comparison, everything else still counts."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw

from archiver.replay.similarity import screenshot_similarity


def page_png(video_shade: int, text_shade: int = 0) -> bytes:
    """A 1000 px wide page: a line of 'text' at the top, a video frame below it."""
    image = Image.new("L", (1000, 1400), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((50, 50, 950, 120), fill=text_shade)
    draw.rectangle((100, 300, 900, 750), fill=video_shade)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


VIDEO_BOX = (0.1, 0.3, 0.8, 0.45)  # left, top, width, height in fractions of the page's width


def test_a_video_showing_another_frame_lowers_the_similarity_unless_it_is_masked() -> None:
    captured, replayed = page_png(video_shade=20), page_png(video_shade=230)
    assert screenshot_similarity(captured, replayed) < 0.9
    assert screenshot_similarity(captured, replayed, [VIDEO_BOX]) >= 0.99  # but for the box edges, scaled


def test_what_differs_outside_the_masked_boxes_still_counts() -> None:
    captured, replayed = page_png(video_shade=20), page_png(video_shade=230, text_shade=255)
    assert screenshot_similarity(captured, replayed, [VIDEO_BOX]) < 1.0
