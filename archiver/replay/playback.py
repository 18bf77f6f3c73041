"""Does the replayed page's video and audio play? Checked in a replay as a viewer would: the
click-to-load players clicked (as the capture did), then each element played muted past 2 s and
again after a seek to near its end (archiver/browser/js/media.js)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from archiver.browser.pagejs import FRAME_SCRIPT_TIMEOUT, evaluate_in_frame, script

PLAY_SECONDS = 2.0  # it must play past this
ELEMENT_TIMEOUT_MS = 20_000  # for each of the two stretches of playing
MAX_ELEMENTS = 30
MAX_FACADES = 10
READY_TIMEOUT_MS = 15_000  # for the videos to show a picture before a screenshot


@dataclass(frozen=True)
class Playback:
    frame_url: str
    element: str
    src: str | None
    plays: bool
    ready_state: int
    played_to: float
    seeked_to: float | None
    after_seek: float | None
    why: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


async def click_facades(frames: Iterable[Frame]) -> list[str]:
    """Click each click-to-load player, as the capture did; what was clicked."""
    clicked: list[str] = []
    for frame in list(frames):
        for facade in await evaluate_in_frame(frame, script("media_facades"), [MAX_FACADES]) or []:
            if facade.get("clicked"):
                clicked.append(facade["element"])
    return clicked


async def wait_until_shown(frames: Iterable[Frame]) -> int:
    """Let every video show its picture before a screenshot (on a busy machine a player takes a
    while); how many did not in time."""
    left = 0
    for frame in list(frames):
        found = await evaluate_in_frame(
            frame, script("media"), ["ready", READY_TIMEOUT_MS], timeout=READY_TIMEOUT_MS / 1000 + FRAME_SCRIPT_TIMEOUT
        )
        left += found or 0
    return left


async def check_playback(frames: Iterable[Frame]) -> list[Playback]:
    """Every medium of these frames, played: which play and which do not, and why."""
    results: list[Playback] = []
    bound = 2 * ELEMENT_TIMEOUT_MS / 1000 + 10 + FRAME_SCRIPT_TIMEOUT
    for frame in list(frames):
        found = await evaluate_in_frame(
            frame, script("media"), ["check", MAX_ELEMENTS, PLAY_SECONDS, ELEMENT_TIMEOUT_MS], timeout=bound
        )
        results += [Playback(frame_url=frame.url, **entry) for entry in found or []]
    return results


Box = tuple[float, float, float, float]


async def media_boxes(page: Page) -> list[Box]:
    """Where the page shows video, audio players and canvases, and frames holding them, as fractions
    of its width: what they show depends on when the picture is taken, not on the archive, so a
    screenshot comparison leaves them out (their playing is checked on its own)."""
    found = await evaluate_in_frame(page.main_frame, script("media"), ["boxes"])
    if not found:
        return []
    width = float(found["width"]) or 1.0
    boxes = [tuple(value / width for value in box) for box in found["boxes"]]
    for frame in page.frames[1:]:
        inner = await evaluate_in_frame(frame, script("media"), ["boxes"])
        if not inner or not inner["boxes"]:
            continue
        try:
            element = await frame.frame_element()
            box = await element.bounding_box()
        except PlaywrightError:
            continue  # the frame went away
        if box:
            left, top = box["x"] + found["scrollX"], box["y"] + found["scrollY"]
            boxes.append((left / width, top / width, box["width"] / width, box["height"] / width))
    return boxes
