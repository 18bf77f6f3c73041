"""Video and audio that replay: the page's players started, and every file a viewer needs stored.

Three steps and a record:
- `start_media` (after the behaviours): click-to-load players are clicked, then every <video> and
  <audio> of every frame (open shadow roots too) is started muted and paused again, so that it and
  its player (hls.js, dash.js, Shaka, video.js) fetch what it plays. Each action is recorded.
- `observe` (as each response is stored): HLS playlists and DASH manifests are kept and parsed; a
  master playlist's or manifest's record gets the `WARC-JSON-Metadata` cap that makes pywb and
  ReplayWeb.page both play the best rendition up to --media-max-height (archiver.media.renditions).
- `complete_media`: for each stream, the renditions the two clients will play under that cap (and
  the audio and subtitle tracks their variants name), every init section, clear key and segment of
  them, and each progressive file whole, fetched from the page within --media-max-bytes and
  --media-max-seconds; a live playlist is followed until then and recorded as partial.
- `report_media`: each item in the manifest (`media.items`), with what was expected and stored.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from archiver.browser.exchange import Body, body_sha256
from archiver.browser.pagejs import FRAME_SCRIPT_TIMEOUT, evaluate_in_frame, script
from archiver.capture.attachments import attachment_items
from archiver.identity import strip_fragment
from archiver.media import dash, hls
from archiver.media.renditions import (
    ReplayCap,
    cap_for_dash,
    cap_for_hls,
    pywb_dash,
    pywb_hls,
    wabac_dash,
    wabac_hls,
)
from archiver.times import utc_iso

if TYPE_CHECKING:
    from archiver.capture.attachments import Attachment
    from archiver.capture.session import CaptureSession

MAX_ELEMENTS = 50  # media elements started per frame
MAX_FACADES = 10  # click-to-load players clicked per page
PLAY_WAIT_MS = 3000  # how long an element gets to start playing before it is paused again
MAX_MANIFEST_BYTES = 5 << 20  # a playlist or manifest larger than this is stored but not followed
FETCH_BATCH = 8  # files fetched at once from the page
FETCH_TIMEOUT_MS = 30_000
PYWB, REPLAYWEBPAGE = "pywb", "ReplayWeb.page"
MEDIA_TYPES = ("video/", "audio/", "text/vtt", "application/mp4", "application/octet-stream")
HLS_PLAYERS = ("hls.js", "video.js", "shaka")
DASH_PLAYERS = ("dash.js", "video.js", "shaka")


@dataclass
class StreamSeen:
    url: str
    kind: str  # hls-master, hls-media, dash
    text: str
    sha256: str
    cap: ReplayCap | None = None  # what its record tells the replay clients (masters and manifests)


@dataclass
class MediaWork:
    """What the capture learnt about the page's media, filled by the steps and by `observe`."""

    streams: dict[str, StreamSeen] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)  # URL -> bytes stored (media and streams)
    hashes: dict[str, str] = field(default_factory=dict)  # URL -> SHA-256 of the body stored
    elements: list[dict[str, Any]] = field(default_factory=list)
    players: dict[str, list[str]] = field(default_factory=dict)  # frame URL -> player libraries loaded
    actions: list[dict[str, Any]] = field(default_factory=list)
    requested: set[str] = field(default_factory=set)  # fetched by the capture (once each)
    statuses: dict[str, int] = field(default_factory=dict)  # URL -> the HTTP status stored for it

    @property
    def usable(self) -> set[str]:
        """Stored with a 2xx answer: a part of a medium (an error page is stored, but is none)."""
        return {url for url, status in self.statuses.items() if 200 <= status < 300}

    failed: dict[str, str] = field(default_factory=dict)
    stopped: str | None = None  # why fetching stopped before everything was stored
    live_seconds: float = 0.0  # how long live playlists were followed
    attachments: list[Attachment] = field(default_factory=list)  # --media-attachments (yt-dlp)
    # media playlist URL -> every file each version of it listed (a live playlist slides on)
    listed: dict[str, dict[str, None]] = field(default_factory=dict)

    def media_playlist(self, url: str) -> tuple[hls.MediaPlaylist, list[str], list[str]] | None:
        """The latest version of a stored media playlist, with every file and segment it ever listed."""
        seen = self.streams.get(url)
        if seen is None or seen.kind != "hls-media":
            return None
        playlist = hls.parse_media(seen.text, url)
        files = list(self.listed.get(url, {})) or playlist.files()
        segments = [f for f in files if f not in playlist.init_sections and f not in playlist.keys]
        return playlist, files, segments

    def element_files(self) -> list[str]:
        """Every http(s) file a media element names: its source(s) and text tracks."""
        urls: list[str] = []
        for element in self.elements:
            for url in [
                element.get("src"),
                element.get("current_src"),
                *element.get("sources", []),
                *element.get("tracks", []),
            ]:
                if url and url.startswith(("http://", "https://")):
                    urls.append(strip_fragment(url))
        return list(dict.fromkeys(urls))


# -- observing what is stored ------------------------------------------------------------------


def observe(
    work: MediaWork, url: str, status: int, headers: list[tuple[str, str]], body: Body, max_height: int
) -> dict[str, str]:
    """Note a response as it is stored; the extra WARC headers its record needs (a replay cap)."""
    work.statuses[url] = status
    if not 200 <= status < 300:
        return {}  # an error page is stored like any response, but it is no part of a medium
    content_type = _header(headers, "content-type").split(";")[0].strip().lower()
    stream = _as_stream(url, content_type, body)
    if stream is not None:
        work.streams[url] = stream
        if stream.kind == "hls-master":
            stream.cap = cap_for_hls(hls.parse_master(stream.text, url), max_height)
        elif stream.kind == "dash":
            stream.cap = _dash_cap(stream, max_height)
        else:
            work.listed.setdefault(url, {}).update(dict.fromkeys(hls.parse_media(stream.text, url).files()))
        work.sizes[url] = len(body) if isinstance(body, bytes) else body.length
        if stream.cap is not None:
            return {"WARC-JSON-Metadata": json.dumps(stream.cap.to_metadata(), sort_keys=True)}
    elif content_type.startswith(MEDIA_TYPES) or url in work.requested:
        work.sizes[url] = len(body) if isinstance(body, bytes) else body.length
        work.hashes[url] = body_sha256(body)
    return {}


def _as_stream(url: str, content_type: str, body: Body) -> StreamSeen | None:
    path = url.split("?")[0].lower()
    looks_hls = content_type in hls.HLS_CONTENT_TYPES or path.endswith(".m3u8")
    looks_dash = content_type in dash.DASH_CONTENT_TYPES or path.endswith(".mpd")
    if not (looks_hls or looks_dash) or not isinstance(body, bytes) or len(body) > MAX_MANIFEST_BYTES:
        return None
    text = body.decode("utf-8", errors="replace")
    digest = hashlib.sha256(body).hexdigest()
    if looks_hls and hls.is_playlist(text):
        return StreamSeen(url, "hls-master" if hls.is_master(text) else "hls-media", text, digest)
    if looks_dash and dash.is_manifest(text):
        return StreamSeen(url, "dash", text, digest)
    return None


def _dash_cap(stream: StreamSeen, max_height: int) -> ReplayCap | None:
    try:
        return cap_for_dash(dash.parse(stream.text, stream.url), max_height)
    except dash.DashError:
        return None


# -- starting the players ----------------------------------------------------------------------


def may_start_media(session: CaptureSession) -> bool:
    return session.options.media and session.working() and not session.download and session.is_html()


async def start_media(session: CaptureSession) -> None:
    """Click the click-to-load players, start every element muted, and note what each plays."""
    assert session.page is not None
    work = session.media
    clicked = 0
    for frame in list(session.page.frames):
        facades = await evaluate_in_frame(frame, script("media_facades"), [MAX_FACADES - clicked]) or []
        for facade in facades:
            work.actions.append(
                {"action": "clicked a click-to-load player", "frame_url": frame.url, "at": _now(), **facade}
            )
            clicked += bool(facade.get("clicked"))
        if clicked >= MAX_FACADES:
            break
    if clicked:
        await session.network.wait_for_quiet(session.options.network_quiet, session.options.quiet_timeout)
    for frame in list(session.page.frames):
        played = await evaluate_in_frame(
            frame,
            script("media"),
            ["play", MAX_ELEMENTS, PLAY_WAIT_MS],
            timeout=PLAY_WAIT_MS * 2 / 1000 + FRAME_SCRIPT_TIMEOUT,
        )
        found = await evaluate_in_frame(frame, script("media"), ["list", MAX_ELEMENTS])
        if not found:
            continue
        if found["players"]:
            work.players[frame.url] = found["players"]
        by_index = {entry["index"]: entry for entry in played or []}
        for index, element in enumerate(found["elements"]):
            done = by_index.get(index, {})
            element = {"frame_url": frame.url, "main_frame": frame == session.page.main_frame, **element}
            element["action"] = done.get("action", "left alone")
            if done.get("why"):
                element["why"] = done["why"]
            work.elements.append(element)
            if done.get("action") == "played muted, then paused":
                work.actions.append(
                    {"action": "played muted, then paused", "element": element["element"], "frame_url": frame.url,
                     "at": _now(), "at_seconds": done.get("at_seconds")}
                )  # fmt: skip
    if clicked or work.actions:  # what the players asked for arrives (a page without media waits for nothing)
        await session.network.wait_for_quiet(session.options.network_quiet, session.options.quiet_timeout)
        await session.recorder.drain()


# -- fetching what a viewer needs --------------------------------------------------------------


@dataclass
class Rendition:
    label: str
    uri: str
    chosen_by: list[str]
    files: list[str]  # what playing it to the end needs (known once its playlist is stored)
    segments: list[str] = field(default_factory=list)  # of those, the media segments
    live: bool = False
    duration: float | None = None
    playlist: str | None = None  # HLS: its media playlist (which must be stored first)


@dataclass
class StreamPlan:
    kind: str  # hls, dash
    url: str
    offered: list[dict[str, Any]]
    renditions: list[Rendition]
    cap: ReplayCap | None
    duration: float | None
    sha256: str
    problem: str | None = None

    def files(self) -> list[str]:
        listed = [self.url]
        for rendition in self.renditions:
            if rendition.playlist:
                listed.append(rendition.playlist)
            listed += rendition.files
        return list(dict.fromkeys(listed))

    @property
    def live(self) -> bool:
        return any(rendition.live for rendition in self.renditions)


def plan_streams(work: MediaWork, max_height: int) -> list[StreamPlan]:
    """Every stream the page played, with the renditions replay needs and their files."""
    plans: list[StreamPlan] = []
    referenced: set[str] = set()
    for stream in list(work.streams.values()):
        if stream.kind == "hls-master":
            plan = _hls_plan(work, stream, max_height)
            referenced.update(r.playlist for r in plan.renditions if r.playlist)
            referenced.update(v["uri"] for v in plan.offered)
            plans.append(plan)
        elif stream.kind == "dash":
            plans.append(_dash_plan(stream, max_height))
    for stream in list(work.streams.values()):
        if stream.kind == "hls-media" and stream.url not in referenced:
            rendition = _hls_rendition(work, "the playlist itself", stream.url, ["the page"])
            plans.append(StreamPlan("hls", stream.url, [], [rendition], None, rendition.duration, stream.sha256))
    return plans


def _hls_plan(work: MediaWork, stream: StreamSeen, max_height: int) -> StreamPlan:
    master = hls.parse_master(stream.text, stream.url)
    picks: dict[str, list[str]] = {}
    for who, variant in (
        (PYWB, pywb_hls(master.variants, stream.cap)),
        (REPLAYWEBPAGE, wabac_hls(master.variants, stream.cap)),
    ):
        if variant is not None:
            picks.setdefault(variant.uri, []).append(who)
    renditions = []
    by_uri = {variant.uri: variant for variant in master.variants}
    for uri, choosers in picks.items():
        variant = by_uri[uri]
        renditions.append(_hls_rendition(work, variant.label(), uri, choosers))
        for alt in master.alternatives_for(variant):
            assert alt.uri is not None
            if all(r.uri != alt.uri for r in renditions):
                label = f"{alt.kind.lower()} {alt.name or alt.group}" + (f" ({alt.language})" if alt.language else "")
                renditions.append(
                    _hls_rendition(work, label, alt.uri, [f"the {alt.kind.lower()} group of {variant.label()}"])
                )
    offered = [
        {"uri": v.uri, "label": v.label(), "bandwidth": v.bandwidth, "width": v.width, "height": v.height}
        for v in master.variants
    ]
    durations = [r.duration for r in renditions if r.duration]
    return StreamPlan(
        "hls", stream.url, offered, renditions, stream.cap, max(durations) if durations else None, stream.sha256
    )


def _hls_rendition(work: MediaWork, label: str, playlist_url: str, chosen_by: list[str]) -> Rendition:
    found = work.media_playlist(playlist_url)
    if found is None:  # not stored yet: fetched first, then followed
        return Rendition(label, playlist_url, chosen_by, [], playlist=playlist_url)
    playlist, files, segments = found
    return Rendition(label, playlist_url, chosen_by, files, segments, playlist.live, playlist.duration, playlist_url)


def _dash_plan(stream: StreamSeen, max_height: int) -> StreamPlan:
    try:
        manifest = dash.parse(stream.text, stream.url)
    except dash.DashError as exc:
        return StreamPlan("dash", stream.url, [], [], None, None, stream.sha256, problem=str(exc))
    picks: dict[int, list[str]] = {}
    wabac = wabac_dash(manifest, stream.cap)
    for who, reps in (
        (PYWB, pywb_dash(manifest, stream.cap)),
        (REPLAYWEBPAGE, manifest.representations if wabac is None else wabac),
    ):
        for rep in reps:
            picks.setdefault(id(rep), []).append(who)
    renditions = [
        Rendition(
            rep.label(), rep.id, picks[id(rep)], rep.files, rep.segments, manifest.live, manifest.duration or None
        )
        for rep in manifest.representations
        if id(rep) in picks
    ]
    offered = [
        {"uri": rep.id, "label": rep.label(), "bandwidth": rep.bandwidth, "width": rep.width, "height": rep.height}
        for rep in manifest.representations
    ]
    return StreamPlan("dash", stream.url, offered, renditions, stream.cap, manifest.duration or None, stream.sha256)


def has_media_to_complete(session: CaptureSession) -> bool:
    return session.options.media and session.working() and bool(session.media.streams or session.media.element_files())


async def complete_media(session: CaptureSession) -> None:
    """Fetch every file of the chosen renditions and each progressive file whole, within the bounds;
    follow live playlists until --media-max-seconds."""
    options, work = session.options, session.media
    deadline = time.monotonic() + options.media_max_seconds
    started = time.monotonic()
    while True:
        plans = plan_streams(work, options.media_max_height)
        needed = _needed(work, plans)
        if _bytes_stored(work, needed) >= options.media_max_bytes:
            work.stopped = f"the --media-max-bytes bound ({options.media_max_bytes} bytes) was reached"
            break
        missing = [url for url in needed if url not in session.recorder.complete_urls and url not in work.requested]
        live = [r.playlist for plan in plans for r in plan.renditions if r.live and r.playlist]
        if time.monotonic() >= deadline:
            if missing or live:
                work.stopped = f"the --media-max-seconds bound ({options.media_max_seconds:g} s) was reached"
            break
        if not missing and not live:
            break
        if not missing:  # only live playlists left: wait for their next segments, then reload them
            await asyncio.sleep(min(_target_duration(work, live), max(0.0, deadline - time.monotonic())))
            work.live_seconds = round(time.monotonic() - started, 1)
            missing = live
        await _fetch(session, missing[:FETCH_BATCH], reload=set(live))
    await session.network.wait_for_quiet(options.network_quiet, options.quiet_timeout)
    await session.recorder.drain()


def _needed(work: MediaWork, plans: list[StreamPlan]) -> list[str]:
    files = [url for plan in plans for url in plan.files()]
    wanted = [*files, *(url for url in work.element_files() if url not in work.streams)]
    # a playlist may name anything: only web addresses are fetched (through the page, and its guard)
    return [url for url in dict.fromkeys(wanted) if url.startswith(("http://", "https://"))]


def _bytes_stored(work: MediaWork, urls: Iterable[str]) -> int:
    return sum(work.sizes.get(url, 0) for url in urls)


def _target_duration(work: MediaWork, playlists: list[str]) -> float:
    durations = [
        hls.parse_media(work.streams[url].text, url).target_duration for url in playlists if url in work.streams
    ]
    return max(1.0, min([d for d in durations if d] or [2.0]))


async def _fetch(session: CaptureSession, urls: list[str], reload: set[str]) -> None:
    assert session.page is not None
    work = session.media
    for url in urls:
        if url not in reload:
            work.requested.add(url)
    results = await session.page.evaluate(script("fetch_direct"), [urls, FETCH_TIMEOUT_MS]) or {}
    for url, outcome in results.items():
        if str(outcome).startswith("error") or str(outcome)[:1] in ("4", "5"):
            work.failed[url] = str(outcome)
    await asyncio.sleep(0.05)  # the browser's "finished" events follow the page's own reading
    await session.recorder.drain()


# -- the record --------------------------------------------------------------------------------


def report_media(session: CaptureSession) -> None:
    """Each medium of the page in the manifest: what replay needs, what is stored, complete or why not."""
    work, options = session.media, session.options
    if not (work.elements or work.streams or work.actions or work.attachments):
        return
    stored = session.recorder.complete_urls & work.usable
    truncated = {entry["url"] for entry in session.recorder.large_bodies if entry.get("truncated")}
    items = [_stream_item(session, plan, stored) for plan in plan_streams(work, options.media_max_height)]
    stream_files = {url for plan in plan_streams(work, options.media_max_height) for url in plan.files()}
    for url in work.element_files():
        if url in work.streams or url in stream_files:
            continue
        items.append(_progressive_item(work, url, stored, truncated))
    items += attachment_items(session)
    session.result.media.update(
        {
            "items": items,
            "elements": work.elements,
            "players": [{"frame_url": frame, "libraries": names} for frame, names in work.players.items()],
            "actions": work.actions,
        }
    )
    for item in items:
        if not item["complete"] and not item["live"]:
            session.result.warnings.append(
                f"the {item['kind']} medium {item['url']} is not complete: {item['why_not']}"
            )


def _stream_item(session: CaptureSession, plan: StreamPlan, stored: set[str]) -> dict[str, Any]:
    work = session.media
    captured = []
    for rendition in plan.renditions:
        files = ([rendition.playlist] if rendition.playlist else []) + rendition.files
        captured.append(
            {
                "uri": rendition.uri,
                "label": rendition.label,
                "chosen_by": rendition.chosen_by,
                # not known until its playlist is stored
                "segments_expected": len(rendition.segments) if _listed(rendition, stored) else None,
                "segments_stored": sum(url in stored for url in rendition.segments),
                "files_expected": len(rendition.files),
                "files_stored": sum(url in stored for url in rendition.files),
                "playlist_stored": rendition.playlist in stored if rendition.playlist else None,
                "live": rendition.live,
            }
        )
    files = plan.files()
    missing = [url for url in files if url not in stored]
    known = all(_listed(rendition, stored) for rendition in plan.renditions)
    expected = sum(len(rendition.segments) for rendition in plan.renditions) if known else None
    stored_count = sum(url in stored for rendition in plan.renditions for url in rendition.segments)
    why = _why_not(work, plan, missing)
    return {
        "kind": plan.kind,
        "url": plan.url,
        **_element_of(work, plan),
        "duration": plan.duration,
        "live": plan.live,
        "replay_cap": plan.cap.to_metadata() if plan.cap else None,
        "renditions_offered": plan.offered,
        "renditions_captured": captured,
        "segments_expected": expected,
        "segments_stored": stored_count,
        "bytes": _bytes_stored(work, files),
        "sha256": plan.sha256,
        "complete": why is None,
        "why_not": why,
    }


def _listed(rendition: Rendition, stored: set[str]) -> bool:
    """Its segments are known: a DASH representation's always, an HLS rendition's once its playlist is stored."""
    return rendition.playlist is None or rendition.playlist in stored


def _why_not(work: MediaWork, plan: StreamPlan, missing: list[str]) -> str | None:
    if plan.problem:
        return plan.problem
    if plan.live:
        return f"a live stream: followed for {work.live_seconds:g} s, then stopped" + (
            f" ({work.stopped})" if work.stopped else ""
        )
    if not missing:
        return None
    return f"{len(missing)} of {len(plan.files())} files are missing: {_why_missing(work, missing)}"


def _why_missing(work: MediaWork, missing: list[str]) -> str:
    answered = [url for url in missing if url in work.statuses]
    failed = [url for url in missing if url in work.failed and url not in work.statuses]
    reasons = []
    if answered:
        reasons.append(f"{len(answered)} answered HTTP {work.statuses[answered[0]]} ({answered[0]})")
    if failed:
        reasons.append(f"{len(failed)} could not be fetched: {work.failed[failed[0]]} ({failed[0]})")
    if work.stopped:
        reasons.append(work.stopped)
    return "; ".join(reasons) or "not fetched"


def _progressive_item(work: MediaWork, url: str, stored: set[str], truncated: set[str]) -> dict[str, Any]:
    complete = url in stored and url not in truncated
    if complete:
        why = None
    elif url in truncated:
        why = "cut at --max-body-size"
    else:
        why = work.failed.get(url) or work.stopped or "no complete copy could be fetched"
    element = next(
        (e for e in work.elements if url in (e.get("src"), e.get("current_src"), *e.get("sources", []))), None
    )
    track = next((e for e in work.elements if url in e.get("tracks", [])), None)
    return {
        "kind": "track" if track and not element else "progressive",
        "url": url,
        "element": (element or track or {}).get("element"),
        "frame_url": (element or track or {}).get("frame_url"),
        "duration": element.get("duration") if element else None,
        "live": False,
        "bytes": work.sizes.get(url, 0),
        "sha256": work.hashes.get(url),
        "complete": complete,
        "why_not": why,
    }


def _element_of(work: MediaWork, plan: StreamPlan) -> dict[str, Any]:
    """The element that plays the stream, where that is certain: its own src, or the one element a
    player feeds (Media Source) in frames with a player of that kind; else the candidates."""
    direct = [e for e in work.elements if plan.url in (e.get("src"), e.get("current_src"), *e.get("sources", []))]
    libraries = HLS_PLAYERS if plan.kind == "hls" else DASH_PLAYERS
    fed = [
        e for e in work.elements
        if e.get("mse") and set(work.players.get(e["frame_url"], [])) & set(libraries)
    ]  # fmt: skip
    chosen = direct or fed
    if len(chosen) == 1:
        return {"element": chosen[0]["element"], "frame_url": chosen[0]["frame_url"]}
    return {"element": None, "frame_url": None, "element_candidates": [e["element"] for e in chosen]}


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")


def _now() -> str:
    return utc_iso(datetime.now(UTC))
