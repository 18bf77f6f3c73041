"""A news site with video and audio, for the media capture tests, on the fixture server.

- /article: a story whose media arrive every way a news site sends them, in this order with text
  between them: a progressive MP4 <video> with a poster, an <audio> podcast (M4A), the podcast
  again inside a custom element's open shadow root (preload=none: nothing loads unless played), an HLS player
  (hls.js on an fMP4 master with three video renditions, an audio group and WebVTT subtitles), a
  DASH player (dash.js, three video representations and one audio) and a click-to-load facade whose
  button puts in a cross-origin iframe (localhost, not 127.0.0.1) holding another <video>. No
  player has autoplay: the capture starts playback itself.
- /live: hls.js on /live/stream.m3u8, a live playlist that never ends: a sliding window of
  LIVE_WINDOW segments that moves on one segment every TARGET_SECONDS of wall time since the site
  was made, each at its own URL (/live/seg-<n>.m4s), cycling through the 360p rendition's segments
  with #EXT-X-DISCONTINUITY where the cycle wraps, served with Cache-Control: no-cache.
- /media/...: every file of the fixture folder (tests/support/media_files.py) with its media type,
  Accept-Ranges and 206 answers to Range requests, as a CDN serves them.
- /js/hls.min.js, /js/dash.all.min.js: the players, pinned npm packages (archiver/npm.py).
"""

from __future__ import annotations

import html
import mimetypes
import re
import time
from pathlib import Path
from typing import Any

from archiver.npm import NpmPackage, ensure_package
from tests.support import media_files
from tests.support.fixture_site import FixtureApp, Reply

HLS_JS = NpmPackage(
    "hls.js",
    "1.7.4",
    # dist.integrity of hls.js@1.7.4 in the npm registry
    "sha512-3GlxGdPvT2YHvQYOt+yOzT/DEior/qJVNIylHA77kgeoBTdQQqi70GwefNEUmHQeNGyjC8U62+bruqW/Tpm+tg==",
    ("dist/hls.min.js",),
    "hls.js",
)
DASH_JS = NpmPackage(
    "dashjs",
    "5.2.1",
    # dist.integrity of dashjs@5.2.1 in the npm registry
    "sha512-axcJmLeJCTJMLUfQRErUJB1KOiU5iHF+DMLBc3FKeox1HPYtGUQlC6Xm5Mm6vhBUR3CHHLIPOqw0JDIqMtP+Dw==",
    ("dist/modern/umd/dash.all.min.js",),
    "dash.js",
)
SCRIPTS = {
    "/js/hls.min.js": (HLS_JS, "dist/hls.min.js"),
    "/js/dash.all.min.js": (DASH_JS, "dist/modern/umd/dash.all.min.js"),
}

# The article's media, as its page names them.
CLIP = "/media/clip.mp4"
POSTER = "/media/poster.jpg"
PODCAST = "/media/episode.m4a"
SHADOW_PODCAST = PODCAST + "?player=shadow"  # the same file, in a custom element's shadow root
HLS_MASTER = "/media/hls/master.m3u8"
DASH_MANIFEST = "/media/dash/manifest.mpd"
FACADE_POSTER = "/media/facade.jpg"
EMBED_PLAYER = "/embed/player"  # on http://localhost:<port>, inside the facade's iframe
ELEMENTS = ("#clip-video", "#podcast", "#hls-video", "#dash-video")  # the article's players, in order
HEADLINE = "Harbour inquiry: the port's director speaks"

LIVE_PLAYLIST = "/live/stream.m3u8"
LIVE_RENDITION = "360p/playlist.m3u8"  # in hls/: the rendition whose segments the live stream cycles
LIVE_WINDOW = 3  # segments in each live playlist
TARGET_SECONDS = media_files.SEGMENT_SECONDS

CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".m4s": "video/iso.segment",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".mpd": "application/dash+xml",
    ".vtt": "text/vtt",
    ".jpg": "image/jpeg",
    ".txt": "text/plain; charset=utf-8",
}
HTML = [("Content-Type", "text/html; charset=utf-8")]
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
LIVE_SEGMENT = re.compile(r"^/live/seg-(\d+)\.m4s$")


def _paragraphs(*texts: str) -> str:
    return "\n".join(f"<p>{html.escape(text)}</p>" for text in texts)


ARTICLE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(HEADLINE)} - The Harbour Post</title>
<meta property="og:title" content="{html.escape(HEADLINE)}">
<meta property="og:type" content="article">
<meta property="og:video" content="{CLIP}">
<script src="/js/hls.min.js"></script>
<script src="/js/dash.all.min.js"></script>
</head><body>
<article>
<h1>{html.escape(HEADLINE)}</h1>
<p class="byline">By Ana Lima</p>
{_paragraphs("The harbour inquiry heard its first witness on Monday: the port's former director, who ran it for eleven years.", "He spoke for three hours about the accounts, the dredging contracts and the debts the port ran up.")}
<figure><video id="clip-video" controls muted playsinline preload="metadata" poster="{POSTER}" width="640" height="360" src="{CLIP}"></video>
<figcaption>The harbour at dawn, before the hearing.</figcaption></figure>
{_paragraphs("Asked who knew of the losses, he named the board, and said the minutes would show it.")}
<figure><audio id="podcast" controls preload="metadata" src="{PODCAST}"></audio>
<figcaption>Podcast: the inquiry's first day, in ten seconds.</figcaption></figure>
<figure><episode-player></episode-player>
<figcaption>The same episode in the site's own player (an open shadow root).</figcaption></figure>
<script>
customElements.define("episode-player", class extends HTMLElement {{
  connectedCallback() {{
    this.attachShadow({{ mode: "open" }}).innerHTML = '<audio id="shadow-podcast" controls preload="none" src="{SHADOW_PODCAST}"></audio>';
  }}
}});
</script>
{_paragraphs("The board's chairman, who gives evidence next week, declined to comment.", "Our video team followed the hearing from the public gallery.")}
<figure><video id="hls-video" controls muted playsinline width="640" height="360"></video>
<figcaption>The hearing, streamed (HLS).</figcaption></figure>
<script>
  (() => {{
    const video = document.getElementById("hls-video");
    if (window.Hls && Hls.isSupported()) {{
      const hls = new Hls();
      hls.loadSource("{HLS_MASTER}");
      hls.attachMedia(video);
      window.hlsPlayer = hls;
    }} else if (video.canPlayType("application/vnd.apple.mpegurl")) {{
      video.src = "{HLS_MASTER}";
    }}
  }})();
</script>
{_paragraphs("Outside, the port's workers held a silent protest along the quay.")}
<figure><video id="dash-video" controls muted playsinline width="640" height="360"></video>
<figcaption>The protest on the quay (DASH).</figcaption></figure>
<script>
  (() => {{
    const player = dashjs.MediaPlayer().create();
    // an absolute URL: dash.js's CMCD reporter cannot read a relative one
    player.initialize(document.getElementById("dash-video"), new URL("{DASH_MANIFEST}", location.href).href, false);
    window.dashPlayer = player;
  }})();
</script>
{_paragraphs("The inquiry resumes on Thursday with the port's auditors.")}
<div class="video-facade" data-embed="{{embed}}" style="position: relative; width: 640px; height: 360px">
<img src="{FACADE_POSTER}" width="640" height="360" alt="The director leaving the hearing">
<button aria-label="Play video" style="position: absolute; left: 280px; top: 150px; width: 80px; height: 60px">&#9654;</button>
</div>
<script>
  document.querySelectorAll(".video-facade").forEach((facade) => {{
    facade.querySelector("button").addEventListener("click", () => {{
      const frame = document.createElement("iframe");
      Object.assign(frame, {{src: facade.dataset.embed, width: 640, height: 360, title: "Video", className: "video-embed"}});
      frame.allow = "autoplay; fullscreen";
      facade.replaceWith(frame);
    }});
  }});
</script>
{_paragraphs("The inquiry's report is due in the spring.")}
</article>
</body></html>
"""

EMBED_PAGE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Video player</title></head>
<body style="margin: 0"><video id="embed-video" controls muted playsinline width="640" height="360" src="{CLIP}"></video></body></html>
"""

LIVE_PAGE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Live: the quay - The Harbour Post</title>
<script src="/js/hls.min.js"></script></head><body>
<h1>Live: the quay</h1>
<p>The protest on the quay, as it happens.</p>
<video id="live-video" controls muted playsinline width="640" height="360"></video>
<script>
  (() => {{
    const video = document.getElementById("live-video");
    if (window.Hls && Hls.isSupported()) {{
      const hls = new Hls();
      hls.loadSource("{LIVE_PLAYLIST}");
      hls.attachMedia(video);
      window.hlsPlayer = hls;
    }}
  }})();
</script>
</body></html>
"""

INDEX = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The Harbour Post</title></head>
<body><h1>The Harbour Post</h1><ul>
<li><a href="/article">Harbour inquiry: the port's director speaks</a></li>
<li><a href="/live">Live: the quay</a></li>
</ul></body></html>
"""


BROKEN_MASTER = "/broken/master.m3u8"
BROKEN_MANIFEST = "/broken/bomb.mpd"
BROKEN_GONE = ("/broken/gone-1.m4s", "/broken/gone-2.m4s")  # listed by its playlist, never served
BROKEN_PAGE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Broken video - The Harbour Post</title>
<script src="/js/hls.min.js"></script></head><body><article><h1>A video that cannot all be had</h1>
<p>Its stream lists two segments the server no longer has, and the page also loads a DASH manifest
that is an XML entity bomb.</p>
<video id="broken-video" controls muted playsinline></video></article>
<script>
const video = document.getElementById("broken-video");
if (Hls.isSupported()) {{ const hls = new Hls(); hls.loadSource("{BROKEN_MASTER}"); hls.attachMedia(video); }}
fetch("{BROKEN_MANIFEST}").then((r) => r.text()).catch(() => null);
</script></body></html>"""
BOMB_MPD = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static">&lol3;</MPD>"""


class MediaSite(FixtureApp):
    def __init__(self) -> None:
        super().__init__()
        self.root = media_files.media_files()
        self.started = time.monotonic()  # the live stream's clock
        self.live_segments = media_files.hls_segments()[LIVE_RENDITION]
        self.live_init = media_files.hls_init_segments()[LIVE_RENDITION]
        self.scripts = {path: ensure_package(package) / Path(file).name for path, (package, file) in SCRIPTS.items()}
        self._files: dict[Path, bytes] = {}

    async def route(self, scope: dict[str, Any], headers: dict[str, str], body: bytes) -> Reply:
        path = scope["path"]
        if path == "/":
            return Reply(200, INDEX.encode(), HTML)
        if path == "/article":
            embed = f"http://localhost:{scope['server'][1]}{EMBED_PLAYER}"
            return Reply(200, ARTICLE.replace("{embed}", embed).encode(), HTML)
        if path == EMBED_PLAYER:
            return Reply(200, EMBED_PAGE.encode(), HTML)
        if path == "/live":
            return Reply(200, LIVE_PAGE.encode(), HTML)
        if path.startswith("/broken"):
            return self._broken(path, headers)
        if path in self.scripts:
            return Reply(200, self._read(self.scripts[path]), [("Content-Type", "text/javascript")])
        if path.startswith("/media/"):
            return self._media_file(path[len("/media/") :], headers)
        return self._live(path, headers)

    def live_sequence(self) -> int:
        """The media sequence number of the live playlist's first segment now."""
        return int((time.monotonic() - self.started) // TARGET_SECONDS)

    def live_playlist(self, sequence: int) -> str:
        """The live playlist whose first segment is number `sequence`."""
        cycle = len(self.live_segments)
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:7",
            f"#EXT-X-TARGETDURATION:{TARGET_SECONDS}",
            f"#EXT-X-MEDIA-SEQUENCE:{sequence}",
            # one discontinuity each time the cycle wraps, counted up to the first segment
            f"#EXT-X-DISCONTINUITY-SEQUENCE:{sequence // cycle}",
            "#EXT-X-INDEPENDENT-SEGMENTS",
            '#EXT-X-MAP:URI="/live/init.mp4"',
        ]
        for n in range(sequence, sequence + LIVE_WINDOW):
            if n % cycle == 0 and n != sequence:
                lines.append("#EXT-X-DISCONTINUITY")
            lines += [f"#EXTINF:{TARGET_SECONDS:.6f},", f"/live/seg-{n}.m4s"]
        return "\n".join(lines) + "\n"

    def _live(self, path: str, headers: dict[str, str]) -> Reply:
        no_cache = [("Cache-Control", "no-cache")]
        if path == LIVE_PLAYLIST:
            playlist = self.live_playlist(self.live_sequence()).encode()
            return Reply(200, playlist, [("Content-Type", CONTENT_TYPES[".m3u8"]), *no_cache])
        if path == "/live/init.mp4":
            return self._media_file(f"hls/{self.live_init}", headers)
        segment = LIVE_SEGMENT.match(path)
        if segment:
            n = int(segment.group(1))
            if n > self.live_sequence() + LIVE_WINDOW:  # not made yet
                return Reply(404, b"not yet", [("Content-Type", "text/plain"), *no_cache])
            return self._media_file(f"hls/{self.live_segments[n % len(self.live_segments)]}", headers)
        return Reply(404, b"not found", [("Content-Type", "text/plain")])

    def _broken(self, path: str, headers: dict[str, str]) -> Reply:
        """A stream two of whose segments are gone, and a DASH manifest that is an entity bomb."""
        playlist = [("Content-Type", CONTENT_TYPES[".m3u8"])]
        if path == "/broken":
            return Reply(200, BROKEN_PAGE.encode(), HTML)
        if path == BROKEN_MASTER:
            master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=640x360\n/broken/video.m3u8\n"
            return Reply(200, master.encode(), playlist)
        if path == "/broken/video.m3u8":
            real = media_files.hls_segments()[LIVE_RENDITION][:2]
            lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:2", "#EXT-X-PLAYLIST-TYPE:VOD",
                     f'#EXT-X-MAP:URI="/media/hls/{media_files.hls_init_segments()[LIVE_RENDITION]}"']  # fmt: skip
            for uri in [f"/media/hls/{name}" for name in real] + list(BROKEN_GONE):
                lines += ["#EXTINF:2.0,", uri]
            return Reply(200, ("\n".join([*lines, "#EXT-X-ENDLIST"]) + "\n").encode(), playlist)
        if path == BROKEN_MANIFEST:
            return Reply(200, BOMB_MPD.encode(), [("Content-Type", CONTENT_TYPES[".mpd"])])
        return Reply(404, b"gone", [("Content-Type", "text/plain")])

    def _media_file(self, name: str, headers: dict[str, str]) -> Reply:
        file = (self.root / name).resolve()
        if not file.is_relative_to(self.root.resolve()) or not file.is_file():
            return Reply(404, b"not found", [("Content-Type", "text/plain")])
        kind = CONTENT_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if file.suffix == ".mp4" and file.parent.name == "audio":
            kind = "audio/mp4"
        return ranged(self._read(file), kind, headers.get("range", ""))

    def _read(self, file: Path) -> bytes:
        if file not in self._files:
            self._files[file] = file.read_bytes()
        return self._files[file]


def ranged(data: bytes, content_type: str, wanted: str) -> Reply:
    """The whole of `data`, or the one byte range `wanted` asks for (a Range header's value)."""
    base = [("Content-Type", content_type), ("Accept-Ranges", "bytes"), ("Access-Control-Allow-Origin", "*")]
    match = RANGE.match(wanted.strip())
    if not match or match.groups() == ("", ""):  # no range, or one this server does not split (several)
        return Reply(200, data, base)
    first, last, total = match.group(1), match.group(2), len(data)
    start, end = (int(first), int(last or total - 1)) if first else (max(total - int(last), 0), total - 1)
    if start >= total or end < start:
        return Reply(416, b"", base + [("Content-Range", f"bytes */{total}")])
    end = min(end, total - 1)
    return Reply(206, data[start : end + 1], base + [("Content-Range", f"bytes {start}-{end}/{total}")])
