"""HLS playlists and DASH manifests parsed into what a viewer fetches, and the rendition each replay
client plays: checked by hand here, and against pywb's own rewriter (run from its environment)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

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

BASE = "https://cdn.example.org/v/"

MASTER = """#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,URI="audio/en.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Deutsch",LANGUAGE="de",URI="audio/de.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",URI="subs/en.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="other",NAME="Commentary",URI="audio/c.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=800000,AVERAGE-BANDWIDTH=700000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
360p.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720,AUDIO="aud",SUBTITLES="subs"
720p.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1800000,RESOLUTION=1280x720,AUDIO="aud",SUBTITLES="subs"
720p-low.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=6000000,RESOLUTION=1920x1080,AUDIO="aud",SUBTITLES="subs"
1080p.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,URI="iframes.m3u8"
"""

MEDIA = """#EXTM3U
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:7
#EXT-X-MAP:URI="init.mp4"
#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example.org/k1",IV=0x1
#EXTINF:4.0,
seg-7.m4s
#EXTINF:4.0,
seg-8.m4s
#EXT-X-BYTERANGE:1000@0
#EXTINF:2.5,
whole.m4s
#EXT-X-BYTERANGE:1000@1000
#EXTINF:2.5,
whole.m4s
#EXT-X-ENDLIST
"""

MPD = """<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT0H0M8.0S">
 <Period id="0">
  <AdaptationSet contentType="video" mimeType="video/mp4">
   <SegmentTemplate timescale="1000" initialization="init-$RepresentationID$.m4s" media="chunk-$RepresentationID$-$Number%05d$.m4s" startNumber="1">
    <SegmentTimeline><S t="0" d="2000" r="2"/><S d="2000"/></SegmentTimeline>
   </SegmentTemplate>
   <Representation id="v0" bandwidth="400000" width="640" height="360"/>
   <Representation id="v1" bandwidth="1500000" width="1280" height="720"/>
   <Representation id="v2" bandwidth="4000000" width="1920" height="1080"/>
  </AdaptationSet>
  <AdaptationSet contentType="audio" mimeType="audio/mp4">
   <Representation id="a0" bandwidth="64000">
    <SegmentTemplate timescale="48000" duration="96000" initialization="a-init.mp4" media="a-$Number$.m4s"/>
   </Representation>
   <Representation id="a1" bandwidth="128000">
    <BaseURL>hi/</BaseURL>
    <SegmentList><Initialization sourceURL="init.mp4"/><SegmentURL media="s1.m4s"/><SegmentURL media="s2.m4s"/></SegmentList>
   </Representation>
  </AdaptationSet>
  <AdaptationSet contentType="text" mimeType="text/vtt">
   <Representation id="t0" bandwidth="1000"><BaseURL>subs/en.vtt</BaseURL></Representation>
  </AdaptationSet>
 </Period>
</MPD>
"""


def _master() -> hls.MasterPlaylist:
    return hls.parse_master(MASTER, BASE + "master.m3u8")


def test_a_master_playlist_gives_its_variants_and_the_tracks_of_their_groups() -> None:
    master = _master()
    assert [v.label() for v in master.variants] == [
        "640x360 800 kbit/s", "1280x720 2500 kbit/s", "1280x720 1800 kbit/s", "1920x1080 6000 kbit/s"
    ]  # fmt: skip
    assert master.variants[0].uri == BASE + "360p.m3u8" and master.variants[0].bandwidth == 800_000
    tracks = master.alternatives_for(master.variants[1])
    assert [t.uri for t in tracks] == [BASE + "audio/en.m3u8", BASE + "audio/de.m3u8", BASE + "subs/en.m3u8"]


def test_a_media_playlist_gives_init_key_and_each_segment_once() -> None:
    playlist = hls.parse_media(MEDIA, BASE + "720p.m3u8")
    assert playlist.files() == [
        BASE + "init.mp4", "https://keys.example.org/k1", BASE + "seg-7.m4s", BASE + "seg-8.m4s", BASE + "whole.m4s"
    ]  # fmt: skip
    assert (playlist.duration, playlist.target_duration, playlist.media_sequence) == (13.0, 4.0, 7)
    assert playlist.ended and not playlist.live and not playlist.encrypted_by_drm
    live = hls.parse_media(MEDIA.replace("#EXT-X-ENDLIST\n", "").replace("https://keys", "skd://keys"), BASE + "l.m3u8")
    assert live.live and live.encrypted_by_drm and live.keys == []


def test_a_dash_manifest_expands_templates_timelines_and_lists() -> None:
    manifest = dash.parse(MPD, BASE + "manifest.mpd")
    assert manifest.duration == 8.0 and not manifest.live
    video = manifest.adaptation_sets[0].representations[1]
    assert video.init == [BASE + "init-v1.m4s"]
    assert video.segments == [BASE + f"chunk-v1-{n:05d}.m4s" for n in (1, 2, 3, 4)]
    audio, listed = manifest.adaptation_sets[1].representations
    assert audio.segments == [BASE + f"a-{n}.m4s" for n in (1, 2, 3, 4)]  # 8 s of 2 s segments
    assert listed.files == [BASE + "hi/init.mp4", BASE + "hi/s1.m4s", BASE + "hi/s2.m4s"]
    assert manifest.adaptation_sets[2].representations[0].files == [BASE + "subs/en.vtt"]
    assert dash.parse_duration("PT1H2M3.5S") == 3723.5 and dash.parse_duration("nonsense") == 0.0
    with pytest.raises(dash.DashError):
        dash.parse("<html>no</html>", BASE)


def test_without_a_cap_pywb_plays_the_highest_bandwidth_and_replaywebpage_the_best_up_to_720p() -> None:
    variants = _master().variants
    assert pywb_hls(variants, None).label() == "1920x1080 6000 kbit/s"  # type: ignore[union-attr]
    assert wabac_hls(variants, None).label() == "1280x720 2500 kbit/s"  # the first listed at its size
    manifest = dash.parse(MPD, BASE + "manifest.mpd")
    assert [r.id for r in pywb_dash(manifest, None)] == ["v2", "a1", "t0"]
    assert [r.id for r in wabac_dash(manifest, None) or []] == ["v1", "a1", "t0"]


def test_the_cap_written_into_the_record_makes_both_clients_play_the_same_rendition() -> None:
    master = _master()
    cap = cap_for_hls(master, 720)
    assert cap == ReplayCap(1280 * 720, 2_500_000)
    assert pywb_hls(master.variants, cap) == wabac_hls(master.variants, cap) == master.variants[1]
    small = cap_for_hls(master, 360)
    assert pywb_hls(master.variants, small) == wabac_hls(master.variants, small) == master.variants[0]
    tiny = cap_for_hls(master, 100)  # nothing that small: the smallest
    assert pywb_hls(master.variants, tiny) == master.variants[0]
    manifest = dash.parse(MPD, BASE + "manifest.mpd")
    dash_cap = cap_for_dash(manifest, 720)
    assert dash_cap is not None and dash_cap.max_bandwidth >= 128_000
    assert [r.id for r in pywb_dash(manifest, dash_cap)] == [r.id for r in wabac_dash(manifest, dash_cap) or []]
    assert [r.id for r in pywb_dash(manifest, dash_cap)] == ["v1", "a1", "t0"]


def test_replaywebpage_leaves_a_manifest_of_several_periods_as_it_is() -> None:
    two = MPD.replace("</Period>", '</Period><Period id="1"><AdaptationSet/></Period>')
    assert wabac_dash(dash.parse(two, BASE + "m.mpd"), None) is None


PYWB_PICKS = """
import io, json, sys
from pywb.rewrite.rewrite_hls import RewriteHLS
from pywb.rewrite.rewrite_dash import RewriteDASH

class Headers:
    def __init__(self, meta): self.meta = meta
    def get_header(self, name): return self.meta if name == "WARC-JSON-Metadata" else None

class Info:
    def __init__(self, meta):
        self.record = type("R", (), {"rec_headers": Headers(meta)})()

cases = json.load(sys.stdin)
out = []
for case in cases:
    info = Info(case["meta"])
    rewriter = RewriteHLS() if case["kind"] == "hls" else RewriteDASH()
    out.append(rewriter.rewrite_stream(io.BytesIO(case["text"].encode()), info).read().decode())
print(json.dumps(out))
"""


@pytest.mark.pywb
def test_pywb_s_own_rewriter_keeps_the_renditions_the_capture_says_it_will() -> None:
    from archiver.replay.pywb import ensure_pywb

    master, manifest = _master(), dash.parse(MPD, BASE + "manifest.mpd")
    caps = [None, cap_for_hls(master, 720), cap_for_hls(master, 360), cap_for_dash(manifest, 720)]
    cases = [
        {"kind": kind, "text": text, "meta": json.dumps(cap.to_metadata()) if cap else None}
        for cap in caps
        for kind, text in (("hls", MASTER), ("dash", MPD))
    ]
    python = Path(ensure_pywb().path) / "bin" / "python"
    done = subprocess.run([str(python), "-c", PYWB_PICKS], input=json.dumps(cases), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for case, rewritten in zip(cases, json.loads(done.stdout), strict=True):
        cap = ReplayCap(**_fields(case["meta"])) if case["meta"] else None
        if case["kind"] == "hls":
            kept = hls.parse_master(rewritten, BASE + "master.m3u8").variants
            assert kept == [pywb_hls(master.variants, cap)], case["meta"]
        else:
            kept_ids = [r.id for r in dash.parse(rewritten, BASE + "manifest.mpd").representations]
            assert kept_ids == [r.id for r in pywb_dash(manifest, cap)], case["meta"]


def _fields(meta: str) -> dict[str, int]:
    data = json.loads(meta)
    return {"max_resolution": data["adaptive_max_resolution"], "max_bandwidth": data["adaptive_max_bandwidth"]}


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011">&lol2;</MPD>"""


@pytest.mark.parametrize(
    "text",
    [
        BOMB,
        "<MPD",  # cut off
        "<html><body>not a manifest</body></html>",
        MPD.replace('startNumber="1"', 'startNumber="one"'),
        MPD.replace('duration="96000"', 'duration="0"'),
        MPD.replace('mediaPresentationDuration="PT0H0M8.0S"', 'mediaPresentationDuration="P99999999D"').replace(
            'duration="96000"', 'duration="1"'
        ),
        MPD.replace('r="2"', 'r="999999999"'),
    ],
    ids=["entity-bomb", "cut-off", "not-dash", "bad-number", "zero-duration", "too-many-segments", "huge-repeat"],
)
def test_a_hostile_or_broken_dash_manifest_is_one_dash_error(text: str) -> None:
    with pytest.raises(dash.DashError):
        dash.parse(text, BASE + "manifest.mpd")


def test_a_hostile_hls_playlist_parses_to_what_it_says_and_no_more() -> None:
    hostile = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1e999,RESOLUTION=99999999999x1\nfile:///etc/passwd\n"
    master = hls.parse_master(hostile, BASE + "m.m3u8")
    assert master.variants[0].bandwidth == 0 and master.variants[0].uri == "file:///etc/passwd"
    media = hls.parse_media("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:1e999\n#EXTINF:nan,\nseg.ts\n", BASE + "p.m3u8")
    assert media.media_sequence == 0 and media.duration == 0 and media.segments == [BASE + "seg.ts"]


WABAC_HLS = """
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
const rewritten = cases.map((c) => %s(c.text, { response: { extraOpts: c.meta, isLive: false }, save: null }));
process.stdout.write(JSON.stringify(rewritten));
"""


def _wabac_hls_source() -> tuple[str, str]:
    """ReplayWeb.page's own HLS master rewriter (wabac.js rewriteVideo.ts), cut from its pinned
    service worker: the limits function and the rewriting function that follows it."""
    from archiver.replay.replaywebpage import ensure_replaywebpage

    sw = (ensure_replaywebpage() / "sw.js").read_text(encoding="utf-8")
    rewriter = re.search(r"function (\w+)\(e,t\)\{const n=/#EXT-X-STREAM-INF", sw)
    assert rewriter, "the pinned ReplayWeb.page's HLS rewriter was not found"
    start = sw.rfind("function ", 0, sw.index("maxRes:921600"))
    end = sw.index('return h.join("\\n")}', rewriter.start()) + len('return h.join("\\n")}')
    return sw[start:end], rewriter.group(1)


@pytest.mark.replaywebpage
def test_replaywebpage_s_own_hls_rewriter_keeps_the_variant_the_capture_says_it_will() -> None:
    source, name = _wabac_hls_source()
    master = _master()
    caps = [None, cap_for_hls(master, 720), cap_for_hls(master, 360), cap_for_hls(master, 100)]
    cases = [{"text": MASTER, "meta": cap.to_metadata() if cap else None} for cap in caps]
    node = shutil.which("node")
    assert node, "node is needed (npm installs ReplayWeb.page)"
    done = subprocess.run(
        [node, "-e", source + WABAC_HLS % name], input=json.dumps(cases), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    for cap, rewritten in zip(caps, json.loads(done.stdout), strict=True):
        kept = hls.parse_master(rewritten, BASE + "master.m3u8").variants
        assert kept == [wabac_hls(master.variants, cap)], cap
