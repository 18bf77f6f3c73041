"""Open an archive in a real ReplayWeb.page, as a reader would, and look at what it shows.

The page holds <replay-web-page> (ReplayWeb.page's component); inside its shadow DOM an iframe
holds the app, which holds the replay iframe (/replay/w/<collection>/[:hash/]<ts>mp_/<url>),
whose requests wabac.js (the service worker) answers from the archive. The replayed page is
scrolled through, then checked: found or "Archived Page Not Found", pictures that did not render
(<img>, CSS backgrounds, video posters), media that could not load, and its visible text.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Frame, Page

from archiver.browser.pagejs import evaluate_in_frame, script
from archiver.replay.playback import Playback, check_playback, click_facades
from archiver.replay.replaywebpage import ReplayWebPageServer

REPLAY_FRAME = re.compile(r"/replay/w/(id-[0-9a-f]{12})/(?::[0-9a-f]{64}/)?\d*mp_/")
NOT_FOUND = "Archived Page Not Found"
LOAD_TIMEOUT = 60.0
PLAYER_ATTEMPTS = 3
FACADE_WAIT = 20.0  # seconds for a clicked click-to-load player's iframe to appear
FRAME_WAIT = 20.0  # seconds for the replay frame to appear once the player loaded
SCROLL_STEPS = 80
SIGNATURE_RECORD = """id => new Promise((resolve, reject) => {
  const open = indexedDB.open("db:" + id);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains("verification")) { resolve(null); return; }
    const get = db.transaction("verification").objectStore("verification").get("signature");
    get.onsuccess = () => resolve(get.result || null);
    get.onerror = () => reject(get.error);
  };
})"""


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int
    scale: float = 1.0
    mobile: bool = False


DESKTOP = Screen("desktop", 1280, 800)
PHONE = Screen("phone", 390, 844, 2.0, True)


@dataclass
class RwpReplay:
    screen: str
    loads: int = 0  # times the player page was loaded before it showed the replay
    found: bool = False
    frame_url: str = ""
    collection: str = ""
    text: str = ""
    pictures_checked: int = 0
    broken_images: list[str] = field(default_factory=list)
    broken_backgrounds: list[str] = field(default_factory=list)
    broken_media: list[str] = field(default_factory=list)
    media_playback: list[Playback] = field(default_factory=list)  # with play_media: each medium played
    signature: dict[str, Any] | None = None  # wabac's verification record, for a WACZ
    collection_info: dict[str, Any] | None = None


def collection_id(source_url: str) -> str:
    """wabac.js names a collection loaded from `source_url` this way (pageutils.ts)."""
    return "id-" + hashlib.sha256(source_url.encode("utf-8")).hexdigest()[:12]


async def replay(
    browser: Browser,
    server: ReplayWebPageServer,
    archive: Path,
    url: str,
    ts: str,
    screen: Screen,
    play_media: bool = False,
) -> RwpReplay:
    """The archive's page as ReplayWeb.page shows it; with `play_media`, its click-to-load players
    clicked and every medium played (archiver.replay.playback), as `archiver qa` does in pywb."""
    result = RwpReplay(screen.name)
    context = await browser.new_context(
        viewport={"width": screen.width, "height": screen.height},
        device_scale_factor=screen.scale,
        is_mobile=screen.mobile,
        has_touch=screen.mobile,
    )
    try:
        page = await context.new_page()
        frame = await _open_player(page, server.url(archive, url, ts, embed="replayonly"), result)
        result.frame_url, result.collection = frame.url, REPLAY_FRAME.search(frame.url).group(1)
        await frame.wait_for_load_state("load", timeout=LOAD_TIMEOUT * 1000)
        body = await frame.evaluate("() => document.body ? document.body.innerText : ''")
        result.found = NOT_FOUND not in body
        if result.found:
            await _scroll_through(frame)
            await _inspect(frame, result)
            if play_media:
                await _play_media(frame, result)
        await _read_collection(page, server, archive, result)
    finally:
        await context.close()
    return result


async def _open_player(page: Page, address: str, result: RwpReplay) -> Frame:
    """Load the player until it shows the replay frame (loaded again, as a reader would, if not)."""
    await page.goto(address)
    for attempt in range(PLAYER_ATTEMPTS):
        if attempt:
            await page.reload()
        result.loads = attempt + 1
        frame = await _wait_for_frame(page, lambda url: bool(REPLAY_FRAME.search(url)), FRAME_WAIT)
        if frame is not None:
            return frame
    raise AssertionError(f"no replay frame appeared; frames: {[f.url for f in page.frames]}")


async def _wait_for_frame(page: Page, wanted: Callable[[str], bool], seconds: float) -> Frame | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for frame in page.frames:
            if wanted(frame.url):
                return frame
        await asyncio.sleep(0.2)
    return None


async def _scroll_through(frame: Frame) -> None:
    """Down in steps of half a screen, waiting after each, while the page grows; then back up."""
    for _ in range(SCROLL_STEPS):
        at_bottom = await frame.evaluate("""() => {
            window.scrollBy(0, Math.max(100, innerHeight / 2));
            return innerHeight + scrollY >= document.documentElement.scrollHeight - 2;
        }""")
        await asyncio.sleep(0.25)
        if at_bottom:
            await asyncio.sleep(1.0)  # what the last step triggered (the next story, the widget)
            grown = await frame.evaluate("() => innerHeight + scrollY < document.documentElement.scrollHeight - 2")
            if not grown:
                break
    await asyncio.sleep(1.0)


async def _inspect(frame: Frame, result: RwpReplay) -> None:
    result.text = await frame.evaluate("() => document.body ? document.body.innerText : ''")
    for each in [frame, *_descendants(frame)]:
        found = await evaluate_in_frame(each, script("replay_problems"), timeout=15.0)
        if found is None:
            continue
        result.pictures_checked += found["checked"]
        result.broken_images += found["images"]
        result.broken_backgrounds += found["backgrounds"]
        result.broken_media += found["media"]


async def _play_media(frame: Frame, result: RwpReplay) -> None:
    before = len(_descendants(frame))
    if await click_facades([frame, *_descendants(frame)]):
        # the player a click puts in is an iframe, on a slow machine a while in coming
        deadline = time.monotonic() + FACADE_WAIT
        while len(_descendants(frame)) <= before and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        for child in _descendants(frame):
            await child.wait_for_load_state("load", timeout=LOAD_TIMEOUT * 1000)
    result.media_playback = await check_playback([frame, *_descendants(frame)])


def _descendants(frame: Frame) -> list[Frame]:
    return [child for direct in frame.child_frames for child in [direct, *_descendants(direct)]]


async def _read_collection(page: Page, server: ReplayWebPageServer, archive: Path, result: RwpReplay) -> None:
    """wabac's view of the collection: its API (from the app frame, which the service worker
    controls), then the signature record it keeps in IndexedDB (the API counts a bad signature
    as valid too)."""
    app = next((f for f in page.frames if f.url.startswith(server.origin + "/replay/?")), None)
    if app is None or not result.collection:
        return
    result.collection_info = await app.evaluate(
        "id => fetch(`./w/api/c/${id}?all=1`).then(r => r.ok ? r.json() : null)", result.collection
    )
    if result.collection_info is not None:
        result.signature = await app.evaluate(SIGNATURE_RECORD, result.collection)
