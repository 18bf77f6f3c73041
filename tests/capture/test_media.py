"""Video and audio in an article (issue 24), captured so that they play back: a progressive MP4
served with Range, a podcast, an HLS stream played by hls.js (three renditions, an audio group,
WebVTT subtitles), a DASH stream played by dash.js, a click-to-load player whose iframe comes from
another host, and a live HLS playlist that never ends. The fixtures are made by ffmpeg
(tests/support/media_files.py) and served by tests/support/media_site.py."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from playwright.async_api import async_playwright

from archiver.browser.launch import find_browser, launch
from archiver.output.manifest import load_schema
from archiver.replay.pywb import PywbServer, build_collection, ensure_pywb
from archiver.replay.replaywebpage import ReplayWebPageServer, ensure_replaywebpage
from tests.support import media_files
from tests.support.cli import run_cli
from tests.support.fixture_site import ServerThread
from tests.support.media_site import (
    BROKEN_GONE,
    BROKEN_MANIFEST,
    BROKEN_MASTER,
    CLIP,
    DASH_MANIFEST,
    EMBED_PLAYER,
    HLS_MASTER,
    LIVE_PLAYLIST,
    LIVE_WINDOW,
    PODCAST,
    SHADOW_PODCAST,
    MediaSite,
)
from tests.support.replay_http import fetch
from tests.support.review_app import raw_get, running_app
from tests.support.rwp_client import DESKTOP, PHONE, replay
from tests.support.warcs import Record, records_of, responses

pytestmark = pytest.mark.browser

LIVE_SECONDS = 6
BYTE_BOUND = 100_000  # --media-max-bytes for one capture of the article: less than its streams need  # --media-max-seconds for the live stream
PLAYERS = {
    "video#clip-video",
    "audio#podcast",
    "audio#shadow-podcast",
    "video#hls-video",
    "video#dash-video",
    "video#embed-video",
}


@dataclass
class Captured:
    run_dir: Path
    page: dict[str, Any]
    records: list[Record]

    @property
    def media(self) -> dict[str, Any]:
        return self.page["media"]

    def item(self, url: str) -> dict[str, Any]:
        return next(item for item in self.media["items"] if item["url"] == url)

    def stored(self) -> dict[str, list[Record]]:
        return {url: [r for r in found if r.status == 200] for url, found in responses(self.records).items()}


@dataclass
class Article:
    base: str
    other: str  # the same server under another host name: the facade's player
    article: Captured
    live: Captured
    broken: Captured
    bounded: Captured  # the article with --media-max-bytes BYTE_BOUND
    bundle: Path
    qa: dict[str, Any] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base + path


def _capture(url: str, out: Path, *extra: str) -> Captured:
    done = run_cli("capture", url, "--output", str(out), "--settle", "1", *extra)
    assert done.returncode == 0, done.stderr
    manifest_path = next(out.glob("*/manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    jsonschema.Draft202012Validator(load_schema()).validate(manifest)
    return Captured(manifest_path.parent, manifest["pages"][0], records_of(manifest_path.parent))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Article]:
    folder = tmp_path_factory.mktemp("media")
    media_files.media_files()  # made once by ffmpeg, before any capture starts
    server = ServerThread(MediaSite()).start()
    base, other = f"http://127.0.0.1:{server.port}", f"http://localhost:{server.port}"
    try:
        article = _capture(base + "/article", folder / "article", "--media-attachments")
        live = _capture(base + "/live", folder / "live", "--media-max-seconds", str(LIVE_SECONDS))
        broken = _capture(base + "/broken", folder / "broken")
        bounded = _capture(base + "/article", folder / "bounded", "--media-max-bytes", str(BYTE_BOUND))
        bundle = folder / "article.wacz"
        made = run_cli("bundle", str(article.run_dir), "--output", str(bundle))
        assert made.returncode == 0, made.stderr
        yield Article(base, other, article, live, broken, bounded, bundle)
    finally:
        server.stop()


def _hls(site: Article, relative: str) -> str:
    return site.url("/media/hls/" + relative)


def test_every_file_of_the_renditions_replay_plays_is_in_the_warc(site: Article) -> None:
    stored = site.article.stored()
    segments, inits = media_files.hls_segments(), media_files.hls_init_segments()
    chosen = next(v for v in media_files.hls_variants() if v.resolution == "1280x720")
    playlists = [chosen.uri, *media_files.hls_renditions().values()]  # the 720p video, its audio, its subtitles
    for playlist in playlists:
        wanted = [playlist, *segments[playlist], *([inits[playlist]] if playlist in inits else [])]
        missing = [name for name in wanted if not stored.get(_hls(site, name))]
        assert not missing, f"{playlist}: {missing}"
        assert len(segments[playlist]) == media_files.hls_segment_counts()[playlist] >= 4
    for rep in media_files.dash_representations():
        if rep.height in (720, None):  # the 720p video and the audio
            wanted = [rep.initialization, *rep.segments]
            missing = [name for name in wanted if not stored.get(site.url("/media/dash/" + name))]
            assert not missing, f"DASH {rep.id}: {missing}"
    for path in (CLIP, PODCAST):
        assert stored.get(site.url(path)), path
    assert stored.get(site.other + CLIP), "the clip of the player a click loaded, from the other host"


def test_the_master_and_the_manifest_tell_both_replay_clients_to_play_the_720p_rendition(site: Article) -> None:
    stored = site.article.stored()
    for path in (HLS_MASTER, DASH_MANIFEST):
        record = stored[site.url(path)][0]
        assert json.loads(record.warc("WARC-JSON-Metadata") or "{}")["adaptive_max_resolution"] == 1280 * 720
        assert site.article.item(site.url(path))["replay_cap"]["adaptive_max_resolution"] == 1280 * 720
    hls = site.article.item(site.url(HLS_MASTER))
    video = [r for r in hls["renditions_captured"] if "pywb" in r["chosen_by"]]
    assert [r["label"].split()[0] for r in video] == ["1280x720"]
    assert set(video[0]["chosen_by"]) == {"pywb", "ReplayWeb.page"}
    assert len(hls["renditions_offered"]) == 3


def test_the_manifest_lists_each_medium_with_what_it_needs_and_what_is_stored(site: Article) -> None:
    counts = media_files.hls_segment_counts()
    chosen = next(v for v in media_files.hls_variants() if v.resolution == "1280x720")
    hls = site.article.item(site.url(HLS_MASTER))
    expected = counts[chosen.uri] + sum(counts[p] for p in media_files.hls_renditions().values())
    assert (hls["kind"], hls["segments_expected"], hls["segments_stored"]) == ("hls", expected, expected)
    assert hls["complete"] and hls["why_not"] is None and hls["duration"] == pytest.approx(8, abs=0.1)
    assert {r["label"].split()[0] for r in hls["renditions_captured"]} == {"1280x720", "audio", "subtitles"}
    dash = site.article.item(site.url(DASH_MANIFEST))
    dash_counts = media_files.dash_segment_counts()
    dash_expected = sum(dash_counts[r.id] for r in media_files.dash_representations() if r.height in (720, None))
    assert (dash["kind"], dash["segments_expected"], dash["segments_stored"], dash["complete"]) == (
        "dash", dash_expected, dash_expected, True
    )  # fmt: skip
    folder = media_files.media_files()
    for url, element, file in (
        (site.url(CLIP), "video#clip-video", "clip.mp4"),
        (site.url(PODCAST), "audio#podcast", "episode.m4a"),
        (site.url(SHADOW_PODCAST), "audio#shadow-podcast", "episode.m4a"),
        (site.other + CLIP, "video#embed-video", "clip.mp4"),
    ):
        item = site.article.item(url)
        data = (folder / file).read_bytes()
        assert (item["kind"], item["element"], item["complete"], item["bytes"]) == (
            "progressive",
            element,
            True,
            len(data),
        )
        assert item["sha256"] == hashlib.sha256(data).hexdigest()
    elements = {e["element"]: e for e in site.article.media["elements"]}
    assert set(elements) == PLAYERS
    assert all(e["action"] == "played muted, then paused" for e in elements.values())
    assert elements["video#embed-video"]["frame_url"] == site.other + EMBED_PLAYER
    actions = site.article.media["actions"]
    assert [a["element"] for a in actions if a["action"] == "clicked a click-to-load player"] == ["div.video-facade"]
    assert {"hls.js", "dash.js"} <= set(site.article.media["players"][0]["libraries"])
    assert site.article.page["state"] == "complete" and not site.article.page["warnings"]


def test_with_media_attachments_the_embedded_player_s_video_is_downloaded_by_yt_dlp_and_stored(site: Article) -> None:
    player = site.url(EMBED_PLAYER).replace("127.0.0.1", "localhost")
    item = site.article.item(player)
    assert (item["kind"], item["element"], item["complete"], item["why_not"]) == (
        "attachment", "video#embed-video", True, None
    )  # fmt: skip
    assert item["tool"].startswith("yt-dlp 20")
    clip = (media_files.media_files() / "clip.mp4").read_bytes()
    assert item["sha256"] == hashlib.sha256(clip).hexdigest()
    resources = {r.uri: r for r in site.article.records if r.type == "resource"}
    kinds = {}
    for file in item["files"]:
        record = resources[file["uri"]]
        assert file["uri"].startswith("urn:attachment:") and file["uri"].endswith(":" + player)
        assert hashlib.sha256(record.payload).hexdigest() == file["sha256"]
        kinds[file["content_type"]] = record
    assert hashlib.sha256(kinds["video/mp4"].payload).hexdigest() == item["sha256"]
    info = json.loads(kinds["application/json"].payload)
    assert info["webpage_url"] == player and info["ext"] == "mp4"
    assert not list(site.article.run_dir.rglob(".attachments")), "the staging folder is removed"


def test_a_live_stream_is_followed_to_its_bound_and_recorded_as_partial(site: Article) -> None:
    item = site.live.item(site.url(LIVE_PLAYLIST))
    assert item["live"] and not item["complete"]
    assert "live stream" in item["why_not"] and f"--media-max-seconds bound ({LIVE_SECONDS} s)" in item["why_not"]
    segments = [url for url in site.live.stored() if "/live/seg-" in url]
    # more than one window's worth: the playlist was reloaded and its new segments fetched
    assert len(segments) > LIVE_WINDOW and item["segments_stored"] >= len(segments) - LIVE_WINDOW
    assert site.live.page["state"] == "complete"


def test_segments_that_are_gone_and_a_manifest_that_is_a_bomb_are_recorded_as_such_and_nothing_is_lost(
    site: Article,
) -> None:
    page, stored = site.broken.page, site.broken.stored()
    hls = site.broken.item(site.url(BROKEN_MASTER))
    assert not hls["complete"] and hls["segments_expected"] == 4 and hls["segments_stored"] == 2
    assert "2 of" in hls["why_not"] and "404" in hls["why_not"], hls["why_not"]
    assert any("is not complete" in warning and BROKEN_MASTER in warning for warning in page["warnings"])
    assert all(not stored.get(site.url(gone)) for gone in BROKEN_GONE)
    bomb = site.broken.item(site.url(BROKEN_MANIFEST))
    assert not bomb["complete"] and "read safely" in bomb["why_not"]
    assert stored[site.url(BROKEN_MANIFEST)], "the manifest itself is stored as served"
    assert page["state"] == "complete"


def test_past_media_max_bytes_no_more_segments_are_fetched_and_the_streams_say_so(site: Article) -> None:
    streams = [site.bounded.item(site.url(path)) for path in (HLS_MASTER, DASH_MANIFEST)]
    short = [item for item in streams if not item["complete"]]
    assert short, streams
    for item in short:
        assert f"the --media-max-bytes bound ({BYTE_BOUND} bytes) was reached" in item["why_not"], item["why_not"]
        expected = item["segments_expected"]  # None: a playlist of it was never fetched
        assert expected is None or item["segments_stored"] < expected
    assert any("is not complete" in warning for warning in site.bounded.page["warnings"])
    assert site.bounded.page["state"] == "complete"


@pytest.mark.pywb
def test_pywb_plays_every_medium_at_desktop_and_phone_size(site: Article) -> None:
    done = run_cli("qa", str(site.article.run_dir))
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((site.article.run_dir / "qa.json").read_text())
    for profile in report["pages"][0]["profiles"]:
        played = {entry["element"]: entry for entry in profile["media_playback"]}
        assert set(played) == PLAYERS, profile["profile"]
        for element, entry in played.items():  # plays: past 2 s (played_to is rounded to 0.01 s)
            assert entry["plays"] and entry["ready_state"] == 4 and entry["played_to"] >= 2, (element, entry)
        assert profile["players_clicked"] == ["div.video-facade"]


@pytest.mark.pywb
def test_pywb_serves_the_master_playlist_with_the_one_rendition_that_was_stored(site: Article, tmp_path: Path) -> None:
    timestamp = "".join(ch for ch in site.article.page["started_at"] if ch.isdigit())[:14]
    build_collection(ensure_pywb(), tmp_path / "pywb", list(site.article.run_dir.rglob("*.warc.gz")), framed=False)
    with PywbServer(ensure_pywb(), tmp_path / "pywb") as pywb:
        status, body = fetch(pywb.url(timestamp, site.url(HLS_MASTER), "mp_"))
    assert status == 200
    variants = [line for line in body.decode().splitlines() if line.startswith("#EXT-X-STREAM-INF")]
    assert len(variants) == 1 and "RESOLUTION=1280x720" in variants[0]


@pytest.mark.replaywebpage
@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda s: s.name)
def test_replaywebpage_plays_every_medium(site: Article, screen: Any) -> None:
    timestamp = "".join(ch for ch in site.article.page["started_at"] if ch.isdigit())[:14]

    async def played() -> list[Any]:
        async with async_playwright() as playwright:
            browser, _ = await launch(playwright, find_browser(playwright))
            try:
                with ReplayWebPageServer(ensure_replaywebpage(), [site.bundle]) as rwp:
                    shown = await replay(browser, rwp, site.bundle, site.url("/article"), timestamp, screen, True)
                assert shown.found
                return shown.media_playback
            finally:
                await browser.close()

    playback = {entry.element: entry for entry in asyncio.run(played())}
    assert set(playback) == PLAYERS
    for element, entry in playback.items():  # plays: past 2 s (played_to is rounded to 0.01 s)
        assert entry.plays and entry.ready_state == 4 and entry.played_to >= 2, (element, entry)


def test_show_and_the_review_app_list_each_medium_and_what_was_done_to_the_players(site: Article) -> None:
    shown = run_cli("show", str(site.article.run_dir))
    assert shown.returncode == 0, shown.stderr
    media_lines = [line for line in shown.stdout.splitlines() if line.startswith("Media:")]
    assert any(f"hls {site.url(HLS_MASTER)}" in line and line.endswith(": complete") for line in media_lines)
    assert "Done:        clicked a click-to-load player: div.video-facade" in shown.stdout
    with running_app([site.article.run_dir.parent]) as (base, _):
        _, _, body = raw_get(base, f"/api/captures/{site.article.page['capture_id']}")
        data = json.loads(body)
        assert {m["kind"] for m in data["media"]} == {"hls", "dash", "progressive", "attachment"}
        assert "played muted, then paused: video#hls-video" in data["done"]
        status, _, page = raw_get(base, f"/captures/{site.article.page['capture_id']}")
        assert status == 200 and "<h2>Video and audio</h2>" in page.decode()
