"""A local news site for the tests, served by hypercorn on 127.0.0.1 over HTTP/1.1 and HTTPS/HTTP/2.

Its article uses every lazy pattern the capture must defeat (native lazy image and iframe,
IntersectionObserver data-src swap, srcset and <picture> for other screens, data-srcset, noscript,
a "Loading..." widget fetched on scroll, a POST, a timer-delayed widget, infinite "next story"
loading that stops after three) and the wire features the WARC must normalize (gzip, brotli,
chunked, duplicate Set-Cookie, a redirect, media fetched with Range).
"""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import math
import struct
import threading
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

import brotli
from hypercorn.asyncio import serve
from hypercorn.config import Config
from PIL import Image

from tests.support import editions, hostile_pages

NEXT_STORIES = 3
RANGE_CHUNK = 64 * 1024  # the media server answers a Range request with at most this much
POPULAR = [{"title": f"Popular story {n}", "thumb": f"/img/popular-{n}.jpg"} for n in (1, 2, 3)]
POST_BODY_MARK = "archiver-post-body"


def _image(color: tuple[int, int, int], size: tuple[int, int], fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


@cache
def _gzip_bomb(decoded_mb: int = 300) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip stream
    block = bytes(1 << 20)
    return b"".join(packer.compress(block) for _ in range(decoded_mb)) + packer.flush()


def _wav(seconds: float = 3.0, rate: int = 22050) -> bytes:
    """A mono 16-bit tone, long enough that Range requests fetch it in several pieces."""
    frames = int(seconds * rate)
    samples = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(frames))
    header = (
        b"RIFF"
        + struct.pack("<I", 36 + len(samples))
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data"
        + struct.pack("<I", len(samples))
    )
    return header + samples


# Every image the article can show, on any screen: path -> bytes
IMAGE_PATHS = [
    "lead.jpg",
    "lazy-native.jpg",
    "io-swap.jpg",
    "srcset-400.jpg",
    "srcset-800.jpg",
    "srcset-1600.jpg",
    "pic-mobile.jpg",
    "pic-mobile-2x.jpg",
    "pic-desktop.jpg",
    "pic-desktop.webp",
    "ds-1x.jpg",
    "ds-2x.jpg",
    "noscript.jpg",
    "late.jpg",
    "frag.jpg",
    "embed-pic.jpg",
    "popular-1.jpg",
    "popular-2.jpg",
    "popular-3.jpg",
    "next-1.jpg",
    "next-2.jpg",
    "next-3.jpg",
    "tall.jpg",
    "bg-css.jpg",
    "bg-lazy.jpg",
    "poster.jpg",
]


def _build_images() -> dict[str, bytes]:
    images = {}
    for index, name in enumerate(IMAGE_PATHS):
        color = ((index * 47) % 256, (index * 91) % 256, (index * 13 + 80) % 256)
        fmt = "WEBP" if name.endswith(".webp") else "JPEG"
        images[name] = _image(color, (320 + index, 180), fmt)
    return images


ARTICLE = """<!doctype html>
<html lang="en"><head>
<meta charset="utf-8"><title>Fixture article: everything loads late</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js"></script>
</head><body>
<h1>Fixture article: everything loads late</h1>
<p class="byline">By Test Reporter</p>
<img id="lead" src="/img/lead.jpg" width="320" height="180" alt="lead">
<img src="/img/frag.jpg#xywh=0,0,10,10" width="10" height="10" alt="with a media fragment">
<p>First paragraph.</p>
<img src="/img/srcset-400.jpg" srcset="/img/srcset-400.jpg 400w, /img/srcset-800.jpg 800w, /img/srcset-1600.jpg 1600w"
     sizes="(max-width: 600px) 100vw, 400px" width="400" height="225" alt="srcset">
<picture>
  <source media="(max-width: 600px)" srcset="/img/pic-mobile.jpg 1x, /img/pic-mobile-2x.jpg 2x">
  <source type="image/webp" srcset="/img/pic-desktop.webp">
  <img src="/img/pic-desktop.jpg" width="320" height="180" alt="picture">
</picture>
<img data-srcset="/img/ds-1x.jpg 1x, /img/ds-2x.jpg 2x" alt="data-srcset never swapped by any script">
<noscript><img src="/img/noscript.jpg" alt="noscript"></noscript>
<div style="height: 2500px">spacer</div>
<img loading="lazy" src="/img/lazy-native.jpg" width="320" height="180" alt="native lazy">
<div style="height: 1500px">spacer</div>
<img class="lazyload" data-src="/img/io-swap.jpg" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="320" height="180" alt="io swap">
<div class="hero" style="width: 320px; height: 180px">a stylesheet background</div>
<div class="lazy-bg" data-bg="/img/bg-lazy.jpg" style="width: 320px; height: 180px">a background set on scroll</div>
<video poster="/img/poster.jpg" width="320" height="180" controls></video>
<div style="height: 1500px">spacer</div>
<iframe loading="lazy" src="{embed_origin}/embed/widget.html" width="400" height="200" title="embed"></iframe>
<div style="height: 1200px">spacer</div>
<section id="popular" data-src="/api/popular">Loading...</section>
<audio id="clip" src="/media/clip.wav" preload="auto" controls></audio>
<div id="late">waiting for the timer</div>
<div id="stories"></div>
<div id="sentinel" style="height: 10px"></div>
<script>
  // A POST as WordPress admin-ajax would send it.
  fetch("/api/track", {method: "POST", headers: {"Content-Type": "application/json"},
                       body: JSON.stringify({event: "view", mark: "%(post_mark)s"})});
  // A widget that arrives on a timer, shortly after load.
  window.addEventListener("load", () => setTimeout(() => fetch("/api/late").then(r => r.json()).then(d => {
    document.getElementById("late").innerHTML = `<img src="${d.img}" width="320" height="180" alt="late">`;
  }), 1500));
  // A chunked response.
  fetch("/api/stream").then(r => r.text());
  // IntersectionObserver data-src swap, the lazysizes way.
  const io = new IntersectionObserver((entries) => entries.forEach((e) => {
    if (e.isIntersecting) { e.target.src = e.target.dataset.src; io.unobserve(e.target); }
  }));
  document.querySelectorAll("img.lazyload").forEach((img) => io.observe(img));
  // A CSS background set when scrolled into view (data-bg).
  const bg = new IntersectionObserver((entries) => entries.forEach((e) => {
    if (e.isIntersecting) { e.target.style.backgroundImage = `url(${e.target.dataset.bg})`; bg.unobserve(e.target); }
  }));
  document.querySelectorAll(".lazy-bg").forEach((el) => bg.observe(el));
  // "Loading..." until scrolled into view.
  const popular = document.getElementById("popular");
  new IntersectionObserver((entries, obs) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    obs.disconnect();
    fetch(popular.dataset.src).then(r => r.json()).then(items => {
      popular.innerHTML = "<h2>Most Popular</h2>" + items.map(i => `<p><img src="${i.thumb}" width="120" height="68"> ${i.title}</p>`).join("");
    });
  }).observe(popular);
  // Infinite "next story" loading, which stops after a few.
  let next = 1, busy = false;
  new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting) || busy || next > %(next_stories)d) return;
    busy = true;
    fetch("/api/next?n=" + next).then(r => r.text()).then(html => {
      document.getElementById("stories").insertAdjacentHTML("beforeend", html);
      next += 1; busy = false;
    });
  }).observe(document.getElementById("sentinel"));
</script>
</body></html>
""".replace("%(post_mark)s", POST_BODY_MARK).replace("%(next_stories)d", str(NEXT_STORIES))

EMBED = """<!doctype html><html><body><p>Embedded widget</p>
<img src="/img/embed-pic.jpg" width="100" height="60" alt="in the iframe"></body></html>"""

NEXT_STORY = """<article class="next-story" style="min-height: 1400px"><h2>Next story {n}</h2>
<img src="/img/next-{n}.jpg" width="320" height="180" alt="next {n}"><p>Body of story {n}.</p></article>"""

# A public page that tries every route into a private server at 127.0.0.1:{p} and writes what it
# gets into its own DOM: were any of it let through, it would end up in the DOM, text and screenshots.
HOSTILE = """<!doctype html><html><head><title>A public page with private ambitions</title></head><body>
<h1>Nothing to see here</h1><div id="loot">loot:</div>
<img src="/redir?to=http://127.0.0.1:{p}/image.png" width="10" height="10">
<img src="http://2130706433:{p}/decimal.png" width="10" height="10">
<img src="http://0x7f.0.0.1:{p}/hex.png" width="10" height="10">
<img src="http://[::ffff:127.0.0.1]:{p}/mapped.png" width="10" height="10">
<img src="http://intranet.test:{p}/override.png" width="10" height="10">
<iframe src="/redir?to=http://127.0.0.1:{p}/frame" width="100" height="50"></iframe>
<link rel="prefetch" href="http://127.0.0.1:{p}/prefetch">
<script>
  const loot = (what) => { document.getElementById("loot").append(" " + what); };
  fetch("/redir?to=http://127.0.0.1:{p}/data").then(r => r.text()).then(loot).catch(() => loot("fetch-blocked"));
  const xhr = new XMLHttpRequest(); xhr.open("GET", "http://localhost:{p}/xhr");
  xhr.onload = () => loot(xhr.responseText); xhr.onerror = () => loot("xhr-blocked"); xhr.send();
  try { const ws = new WebSocket("ws://127.0.0.1:{p}/ws"); ws.onmessage = (e) => loot(e.data); ws.onerror = () => loot("ws-blocked"); } catch (e) {}
  const events = new EventSource("http://127.0.0.1:{p}/events"); events.onmessage = (e) => loot(e.data);
  events.onerror = () => { loot("events-blocked"); events.close(); };
  const worker = new Worker("/hostile-worker.js?p={p}"); worker.onmessage = (e) => loot(e.data);
  window.open("http://127.0.0.1:{p}/popup");
  navigator.sendBeacon("http://127.0.0.1:{p}/beacon", "x");
</script></body></html>"""
HOSTILE_WORKER = """fetch("http://127.0.0.1:{p}/worker").then(r => r.text()).then(t => postMessage(t), () => postMessage("worker-blocked"));"""
META_REFRESH = """<!doctype html><html><head><meta http-equiv="refresh" content="0; url=http://127.0.0.1:{p}/meta">
</head><body><p>Moving...</p></body></html>"""
JS_LOCATION = """<!doctype html><html><body><p>Moving...</p>
<script>setTimeout(() => { location.href = "http://127.0.0.1:{p}/js"; }, 200);</script></body></html>"""

RUNAWAY = """<!doctype html><html><body><h1>A story whose script sends it away</h1>
<p>This text is what the reader saw at first.</p><div style="height: 3000px"></div>
<script>/* leaves once scrolled down (by the behaviours), so the order is fixed: viewport screenshot first,
then the runaway; a scroll event while loading (at the top) does not count */
function leave() { if (window.scrollY > 100) { removeEventListener("scroll", leave); location.href = "http://gone.invalid/consent"; } }
addEventListener("scroll", leave);
</script></body></html>"""

TALL = """<!doctype html><html><body style="margin:0"><div style="height: {height}px;
background: linear-gradient(#fff, #333)">tall page</div></body></html>"""

Handler = Callable[[dict[str, Any], bytes], Awaitable["Reply"]]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    encoding: str | None = None  # gzip | br: compress on the wire
    chunked: bool = False  # send in pieces without Content-Length
    stall_after_headers: float = 0.0  # seconds to hang before the body
    stream_bytes: int = 0  # a generated body of this many bytes, sent in 1 MiB pieces


class FixtureApp:
    """The ASGI application behind both servers."""

    def __init__(self, embed_origin: str = "") -> None:
        self.embed_origin = embed_origin
        self.images = _build_images()
        self.wav = _wav()
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, headers) as received
        self.edition = 1  # of the article under /news/ (see editions.py)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        self.requests.append((scope["method"], scope["path"], headers))
        reply = await self.route(scope, headers, body)
        await self._send(send, reply)

    async def route(self, scope: dict[str, Any], headers: dict[str, str], body: bytes) -> Reply:
        path, query = scope["path"], scope.get("query_string", b"").decode()
        html = [("Content-Type", "text/html; charset=utf-8")]
        if path.startswith("/news/"):
            served = editions.serve(path, self.edition, f"http://127.0.0.1:{scope['server'][1]}")
            if served is not None:
                status, page, content_type = served
                return Reply(status, page, [("Content-Type", content_type)])
        if path.startswith("/queue/"):
            return await self._queue_page(path[len("/queue/") :], query)
        if path == "/go/article":
            return Reply(302, b"moving", [("Location", "/article"), ("Content-Type", "text/plain")])
        if path == "/article":
            page = ARTICLE.replace("{embed_origin}", self.embed_origin).encode()
            cookies = [("Set-Cookie", "session=abc; Path=/"), ("Set-Cookie", "consent=yes; Path=/")]
            return Reply(200, page, html + cookies, encoding="gzip")
        if path == "/static/app.css":
            return Reply(
                200,
                b"body { font-family: sans-serif; } h1 { color: #123; }\n" * 20
                + b".hero { background-image: url(/img/bg-css.jpg); }\n",
                [("Content-Type", "text/css")],
                encoding="gzip",
            )
        if path == "/static/app.js":
            return Reply(
                200,
                b"window.fixtureScript = 'brotli-decoded';\n" * 20,
                [("Content-Type", "application/javascript")],
                encoding="br",
            )
        if path.startswith("/img/") and path[5:] in self.images:
            name = path[5:]
            kind = "image/webp" if name.endswith(".webp") else "image/jpeg"
            return Reply(200, self.images[name], [("Content-Type", kind)])
        if path == "/embed/widget.html":
            return Reply(200, EMBED.encode(), html)
        if path == "/api/popular":
            return Reply(200, json.dumps(POPULAR).encode(), [("Content-Type", "application/json")], encoding="br")
        if path == "/api/late":
            return Reply(200, json.dumps({"img": "/img/late.jpg"}).encode(), [("Content-Type", "application/json")])
        if path == "/api/track" and scope["method"] == "POST":
            return Reply(200, json.dumps({"received": len(body)}).encode(), [("Content-Type", "application/json")])
        if path == "/api/stream":
            return Reply(200, b"piece one, piece two, piece three", [("Content-Type", "text/plain")], chunked=True)
        if path == "/api/next":
            n = int(query.partition("=")[2] or 1)
            return Reply(200, NEXT_STORY.format(n=n).encode(), html)
        if path == "/media/clip.wav":
            return self._media(headers)
        if path == "/redir":  # an open redirect, as many sites have one
            target = dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair).get("to", "/")
            return Reply(302, b"", [("Location", unquote(target))])
        if path == "/hostile":
            private = query.partition("p=")[2].split("&")[0]
            return Reply(200, HOSTILE.replace("{p}", private).encode(), html)
        if path == "/hostile-worker.js":
            private = query.partition("p=")[2].split("&")[0]
            return Reply(200, HOSTILE_WORKER.replace("{p}", private).encode(), [("Content-Type", "text/javascript")])
        if path in ("/meta-refresh-private", "/js-location-private"):
            private = query.partition("p=")[2].split("&")[0]
            page = META_REFRESH if path == "/meta-refresh-private" else JS_LOCATION
            return Reply(200, page.replace("{p}", private).encode(), html)
        if path == "/bomb.txt":  # 300 MB of zeros in 300 KB of gzip
            return Reply(200, _gzip_bomb(), [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")])
        if path == "/bomb-page":
            return Reply(
                200,
                b"<!doctype html><title>Bomb</title><h1>A page that loads a gzip bomb</h1>"
                b"<script>fetch('/bomb.txt').then(r => r.text()).then(t => { document.title = 'got ' + t.length; });"
                b"</script>",
                html,
            )
        if path == "/odd-header":  # a header whose value is not ASCII (UTF-8 on the wire)
            return Reply(
                200,
                b"<!doctype html><title>Odd header</title><h1>A page with a non-ASCII header</h1>",
                html + [("Link", "</fonts/caf\u00e9.woff2>; rel=preload; as=font")],
            )
        if path == "/dialog-loop":  # a page that opens dialogs for as long as it lives
            return Reply(
                200,
                b"<!doctype html><title>Nag</title><h1>Subscribe!</h1>"
                b"<script>setInterval(() => alert('Subscribe now!'), 5);</script>",
                html,
            )
        if path == "/drip-page":  # a page whose one resource never finishes arriving
            return Reply(
                200,
                b"<!doctype html><title>Drip</title><h1>A page with a dripping resource</h1>"
                b"<script>fetch('/stalled-body').then(r => r.text());</script>",
                html,
            )
        if path == "/spin":  # a script that never yields, half a second after load
            return Reply(
                200,
                b"<!doctype html><title>Spinning</title><h1>A page whose script spins</h1>"
                b"<script>setTimeout(() => { while (true) {} }, 500);</script>",
                html,
            )
        if path == "/hostile-pages/one-bomb":  # one gzip bomb, loaded as `as` says
            kind = query.partition("as=")[2].split("&")[0]
            return Reply(200, hostile_pages.one_bomb(kind).encode(), html)
        if path == "/hostile-pages/webrtc":
            udp = query.partition("udp=")[2].split("&")[0]
            return Reply(200, hostile_pages.WEBRTC.replace("{udp}", udp).encode(), html)
        if path in hostile_pages.PAGES:
            return Reply(200, hostile_pages.PAGES[path].encode(), html)
        if path == "/runaway":  # a consent or ad-block script sends the page away, to an address that fails
            return Reply(200, RUNAWAY.encode(), html)
        if path == "/tall":
            params = parse_qs(query)  # ?height=N (or h=N), other parameters ignored
            height = int((params.get("height") or params.get("h") or ["30000"])[0])
            return Reply(200, TALL.format(height=height).encode(), html)
        if path == "/missing":
            return Reply(404, b"<!doctype html><title>Not found</title><h1>404: no such story</h1>", html)
        if path == "/broken":
            return Reply(500, b"<!doctype html><title>Error</title><h1>500: the CMS fell over</h1>", html)
        if path == "/doc.pdf":
            return Reply(200, _PDF, [("Content-Type", "application/pdf")])
        if path == "/redirect-to-loopback":
            return Reply(302, b"", [("Location", f"http://127.0.0.1:{scope['server'][1]}/img/lead.jpg?via=redirect")])
        if path in BATCH_PAGES:
            return Reply(200, BATCH_PAGES[path].replace("{port}", str(scope["server"][1])).encode(), html)
        if path.startswith("/set-cookie/"):
            n = path.rsplit("/", 1)[1]
            page = f"<!doctype html><title>cookie {n}</title><img src='/img/lead.jpg?for={n}' width=10 height=10>"
            return Reply(200, page.encode(), html + [("Set-Cookie", f"page={n}; Path=/")])
        if path == "/loop":
            return Reply(302, b"", [("Location", "/loop")])
        if path == "/big":
            return Reply(
                200,
                b"",
                [("Content-Type", "application/octet-stream")],
                stream_bytes=int(float(query.partition("=")[2] or 1) * (1 << 20)),
            )
        if path.startswith("/cms/"):
            return self._cms(path[len("/cms/") :])
        if path == "/big-download":  # an attachment of N MiB, generated as it is sent
            return Reply(
                200,
                b"",
                [
                    ("Content-Type", "application/octet-stream"),
                    ("Content-Disposition", 'attachment; filename="big.bin"'),
                ],
                stream_bytes=int(float(query.partition("=")[2] or 1) * (1 << 20)),
            )
        if path == "/download.zip":
            return Reply(
                200,
                ZIP_BYTES,
                [("Content-Type", "application/zip"), ("Content-Disposition", 'attachment; filename="data.zip"')],
            )
        if path == "/photo.jpg":
            return Reply(200, self.images["lead.jpg"], [("Content-Type", "image/jpeg")])
        if path == "/slow-headers":
            await asyncio.sleep(30)
            return Reply(200, b"too late", html)
        if path == "/stalled-body":
            return Reply(200, b"<!doctype html><title>Stalled</title><p>arrived late</p>", html, stall_after_headers=30)
        return Reply(404, b"not found", [("Content-Type", "text/plain")])

    async def _queue_page(self, name: str, query: str) -> Reply:
        """Small articles for the queue's workers: /queue/story-N, and /queue/slow-N?delay=S whose
        photo takes S seconds to arrive (a capture that is surely in progress for that long)."""
        params = dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair)
        if name.endswith(".jpg"):
            await asyncio.sleep(float(params.get("delay", "0")))
            return Reply(200, self.images["lead.jpg"], [("Content-Type", "image/jpeg")])
        delay = params.get("delay", "0") if name.startswith("slow-") else "0"
        page = (
            f"<!doctype html><html><head><title>Queued story {name}</title></head><body><article>"
            f'<h1>Queued story {name}</h1><img src="/queue/{name}.jpg?delay={delay}" width="320" '
            f'height="180" alt="photo"><p>The text of {name}.</p></article></body></html>'
        )
        return Reply(200, page.encode(), [("Content-Type", "text/html; charset=utf-8")])

    def _cms(self, name: str) -> Reply:
        from tests.support import news_pages

        if name in news_pages.PAGES:
            return Reply(200, news_pages.PAGES[name].encode(), [("Content-Type", "text/html; charset=utf-8")])
        if name == "api/next-article":
            return Reply(200, news_pages.NEXT_ARTICLE.encode(), [("Content-Type", "text/html; charset=utf-8")])
        if name.startswith("img/") and name[4:] in news_pages.IMAGES:
            return Reply(200, news_pages.IMAGES[name[4:]], [("Content-Type", "image/jpeg")])
        return Reply(404, b"not found", [("Content-Type", "text/plain")])

    def _media(self, headers: dict[str, str]) -> Reply:
        total = len(self.wav)
        wanted = headers.get("range", "")
        base = [("Content-Type", "audio/wav"), ("Accept-Ranges", "bytes")]
        if not wanted.startswith("bytes="):
            return Reply(200, self.wav, base)
        start_text, _, end_text = wanted[6:].partition("-")
        start = int(start_text or 0)
        end = min(int(end_text) if end_text else total - 1, start + RANGE_CHUNK - 1, total - 1)
        return Reply(206, self.wav[start : end + 1], base + [("Content-Range", f"bytes {start}-{end}/{total}")])

    async def _send(self, send: Any, reply: Reply) -> None:
        body = reply.body
        headers = list(reply.headers)
        if reply.encoding == "gzip":
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        elif reply.encoding == "br":
            body = brotli.compress(body)
            headers.append(("Content-Encoding", "br"))
        if reply.stream_bytes:
            headers.append(("Content-Length", str(reply.stream_bytes)))
        elif not reply.chunked:
            headers.append(("Content-Length", str(len(body))))
        raw = [(k.lower().encode(), v.encode()) for k, v in headers]
        await send({"type": "http.response.start", "status": reply.status, "headers": raw})
        if reply.stall_after_headers:
            await asyncio.sleep(reply.stall_after_headers)
        if reply.stream_bytes:
            for start in range(0, reply.stream_bytes, 1 << 20):
                piece = big_body_piece(start, min(1 << 20, reply.stream_bytes - start))
                await send({"type": "http.response.body", "body": piece, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        if reply.chunked:
            for start in range(0, len(body), 10):
                await send({"type": "http.response.body", "body": body[start : start + 10], "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        else:
            await send({"type": "http.response.body", "body": body})


def big_body_piece(start: int, length: int) -> bytes:
    """Bytes `start` to `start + length` of the generated large body (a repeating, position-dependent pattern)."""
    pattern = bytes(range(256)) * 4097
    offset = start % 256
    out = bytearray()
    while len(out) < length:
        out += pattern[offset : offset + min(len(pattern) - offset, length - len(out))]
        offset = 0
    return bytes(out)


BATCH_PAGES = {
    "/guarded": """<!doctype html><title>Guarded</title>
<img src="http://public.test:{port}/img/frag.jpg" width=10 height=10>
<img src="http://127.0.0.1:{port}/img/lead.jpg" width=10 height=10>
<img src="http://localhost:{port}/img/late.jpg" width=10 height=10>
<img src="http://rebind.test:{port}/img/noscript.jpg" width=10 height=10>
<script>fetch("/redirect-to-loopback").catch(() => null)</script>""",
    "/dialogs": """<!doctype html><title>Dialogs</title><p>Pop-ups everywhere.</p>
<script>
  alert("Subscribe now!");
  setTimeout(() => { window.confirmed = confirm("Accept all cookies?"); }, 300);
  window.addEventListener("beforeunload", (e) => { e.preventDefault(); e.returnValue = "stay"; });
</script>""",
    "/endless": """<!doctype html><title>Endless</title><div id="feed"></div><div id="end" style="height:10px"></div>
<script>
  let n = 0;
  const feed = document.getElementById("feed");
  const more = () => { for (let i = 0; i < 3; i++) feed.insertAdjacentHTML("beforeend",
      `<article style="height:600px">Story ${++n}</article>`); };
  more();
  new IntersectionObserver((e) => { if (e.some((x) => x.isIntersecting)) more(); }).observe(document.getElementById("end"));
</script>""",
    "/big-page": """<!doctype html><title>Big</title><p>Data download.</p>
<script>fetch("/big?mb=30").then(r => r.arrayBuffer()); fetch("/big?mb=12").then(r => r.arrayBuffer());</script>""",
    "/big-page-200": """<!doctype html><title>Big</title><p>A 200 MB download.</p>
<script>fetch("/big?mb=200").then(r => r.arrayBuffer());</script>""",
}

ZIP_BYTES = b"PK\x05\x06" + b"\x00" * 18  # an empty zip archive

_PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""


class ServerThread:
    """Runs hypercorn for `app` in a thread with its own event loop."""

    def __init__(self, app: FixtureApp, certfile: Path | None = None, keyfile: Path | None = None) -> None:
        self.app = app
        self.config = Config()
        self.config.bind = ["127.0.0.1:0"]
        self.config.accesslog = None
        self.config.errorlog = None
        self.config.graceful_timeout = 0.5
        if certfile and keyfile:
            self.config.certfile = str(certfile)
            self.config.keyfile = str(keyfile)
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> ServerThread:
        # Bind first to learn the port, then hand the socket's port to hypercorn.
        import socket

        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.config.bind = [f"127.0.0.1:{self.port}"]
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fixture server did not start")
        return self

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._loop.set_exception_handler(_quiet_on_shutdown)
        self._stop = asyncio.Event()

        async def main() -> None:
            task = asyncio.ensure_future(serve(self.app, self.config, shutdown_trigger=self._stop.wait))
            await _wait_listening(self.port)
            self._ready.set()
            await task

        self._loop.run_until_complete(main())

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)


def _quiet_on_shutdown(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Connections the browser left open are cancelled when the server stops: not an error."""
    if not isinstance(context.get("exception"), asyncio.CancelledError):
        loop.default_exception_handler(context)


async def _wait_listening(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.02)
