"""A newsroom that publishes over time, for the watcher's tests.

By the server's clock (seconds since it started) it publishes story n at `PUBLISHED[n]` and lists
every published story in an RSS feed, an Atom feed, a Google News sitemap and a section front.
At `EDIT_AT` story 1 is stealth-edited: another headline, one reworded paragraph and another
credit on its (unchanged) lead photo. From `GONE_AT` story 2 answers 410 and story 3 redirects to
another address. The RSS feed lists its links with tracking parameters, which the watcher drops.
Every request is recorded with the moment it arrived.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw

PUBLISHED = {1: 0.0, 2: 3.0, 3: 6.0, 4: 9.0}  # story -> seconds after the start
EDIT_AT = 8.0
# Story 2 answers 410 and story 3 moves from here on: late enough that a watcher restarted after
# a kill (or workers on a loaded machine) has captured story 3 at its first address before it moves.
GONE_AT = 20.0
EDITED, GONE, MOVED = 1, 2, 3

HEADLINES = {
    1: "Harbour bridge to close for six months of repairs",
    2: "Library opens a night reading room",
    3: "City orchestra names a new conductor",
    4: "Tram fares to rise in January",
}
EDITED_HEADLINE = "Harbour bridge to close for a year of repairs"
CREDITS = ("Photo Credit: Ines Moreau/Harbour Wire", "Photo Credit: Tomas Lind/Coast Agency")
PARAGRAPHS = [
    "The harbour bridge will close to traffic from March while engineers replace its bearings, the "
    "transport office said on Monday.",
    "{second}",
    "Ferries will run every ten minutes during the closure and buses will be diverted over the river "
    "crossing further north.",
]
SECOND = {
    False: "Engineers expect the work to take six months and to cost about 40 million euros.",
    True: "Engineers now expect the work to take a year and to cost about 65 million euros.",
}


def story_path(number: int) -> str:
    return f"/news/2026/12/story-{number}"


MOVED_TO = "/news/2026/12/story-3-conductor-named"


def _jpeg(number: int) -> bytes:
    image = Image.new("RGB", (480, 300), (210, 225, 235))
    pen = ImageDraw.Draw(image)
    for band in range(number + 1):
        pen.rectangle([0, 40 * band, 480, 40 * band + 16], fill=(40 * number, 80, 120))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@dataclass
class Newsroom:
    """The ASGI application: the newsroom's clock starts when it is made."""

    started: float = field(default_factory=time.time)
    requests: list[tuple[float, str, str]] = field(default_factory=list)  # (time, path, query)
    images: dict[int, bytes] = field(default_factory=lambda: {n: _jpeg(n) for n in PUBLISHED})

    def now(self) -> float:
        return time.time() - self.started

    def published(self) -> list[int]:
        return [n for n, at in PUBLISHED.items() if at <= self.now()]

    def published_at(self, number: int) -> float:
        return self.started + PUBLISHED[number]

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
        while (await receive()).get("more_body"):
            pass
        path, query = scope["path"], scope.get("query_string", b"").decode()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        self.requests.append((time.time(), path, query))
        origin = f"http://127.0.0.1:{scope['server'][1]}"
        status, body, reply_headers = self.route(path, origin, headers)
        raw = [(b"content-length", str(len(body)).encode())] + [(k.encode(), v.encode()) for k, v in reply_headers]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    def route(self, path: str, origin: str, headers: dict[str, str]) -> tuple[int, bytes, list[tuple[str, str]]]:
        published = self.published()
        version = f'"{len(published)}-{int(self.now() >= EDIT_AT)}"'
        if path in ("/feeds/news.rss", "/feeds/news.atom", "/sitemap-news.xml", "/city/"):
            if headers.get("if-none-match") == version:
                return 304, b"", [("ETag", version)]
            body, kind = {
                "/feeds/news.rss": (self.rss, "application/rss+xml"),
                "/feeds/news.atom": (self.atom, "application/atom+xml"),
                "/sitemap-news.xml": (self.sitemap, "application/xml"),
                "/city/": (self.front, "text/html; charset=utf-8"),
            }[path]
            return 200, body(published, origin).encode(), [("Content-Type", kind), ("ETag", version)]
        html = [("Content-Type", "text/html; charset=utf-8")]
        for number in published:
            if path == story_path(number):
                if number == GONE and self.now() >= GONE_AT:
                    return 410, b"<!doctype html><title>Gone</title><h1>This story has been removed</h1>", html
                if number == MOVED and self.now() >= GONE_AT:
                    return 301, b"moved", [("Location", origin + MOVED_TO), ("Content-Type", "text/plain")]
                return 200, self.article(number, origin, path).encode(), html
            if path == f"/img/story-{number}.jpg":
                return 200, self.images[number], [("Content-Type", "image/jpeg")]
        if path == MOVED_TO and self.now() >= GONE_AT:
            return 200, self.article(MOVED, origin, MOVED_TO).encode(), html
        return 404, b"<!doctype html><title>Not found</title><h1>Not found</h1>", html

    def headline(self, number: int) -> str:
        return EDITED_HEADLINE if number == EDITED and self.now() >= EDIT_AT else HEADLINES[number]

    def article(self, number: int, origin: str, path: str) -> str:
        edited = number == EDITED and self.now() >= EDIT_AT
        body = "".join(f"<p>{p.format(second=SECOND[edited])}</p>" for p in PARAGRAPHS)
        credit = CREDITS[1] if edited else CREDITS[0]
        headline = escape(self.headline(number))
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{headline} | The Harbour Times</title>
<meta property="og:title" content="{headline}">
<meta name="author" content="Sam Okoro">
<meta property="article:published_time" content="2026-12-0{number}T07:00:00Z">
<link rel="canonical" href="{origin}{path}">
</head><body>
<header><nav><a href="/">Home</a> <a href="/city/">City</a></nav></header>
<main><article>
<h1>{headline}</h1>
<p class="standfirst">A story from the Harbour Times newsroom.</p>
<p class="byline">By <span class="author">Sam Okoro</span></p>
<figure class="lead"><img src="/img/story-{number}.jpg" alt="Story photo" width="480" height="300">
<figcaption>The harbour seen from the old lighthouse. ({credit})</figcaption></figure>
{body}
</article></main>
<footer><p>The Harbour Times</p></footer>
</body></html>
"""

    def rss(self, published: list[int], origin: str) -> str:
        items = "".join(
            f"<item><title>{escape(self.headline(n))}</title>"
            f"<link>{origin}{story_path(n)}?utm_source=rss&amp;utm_medium=feed</link>"
            f"<guid>{origin}{story_path(n)}</guid><pubDate>{formatdate(self.published_at(n), usegmt=True)}</pubDate>"
            "</item>"
            for n in reversed(published)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>The Harbour Times</title>'
            f"<link>{origin}/</link><description>News</description>{items}</channel></rss>"
        )

    def atom(self, published: list[int], origin: str) -> str:
        entries = "".join(
            f"<entry><id>{origin}{story_path(n)}</id><title>{escape(self.headline(n))}</title>"
            f'<link href="{origin}{story_path(n)}"/><updated>2026-12-02T07:00:00Z</updated></entry>'
            for n in reversed(published)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{origin}/</id><title>The Harbour Times</title><updated>2026-12-02T07:00:00Z</updated>"
            f"{entries}</feed>"
        )

    def sitemap(self, published: list[int], origin: str) -> str:
        urls = "".join(
            f"<url><loc>{origin}{story_path(n)}</loc><news:news><news:publication>"
            "<news:name>The Harbour Times</news:name><news:language>en</news:language></news:publication>"
            f"<news:publication_date>2026-12-02T07:00:00Z</news:publication_date>"
            f"<news:title>{escape(self.headline(n))}</news:title></news:news></url>"
            for n in published
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
        )

    def front(self, published: list[int], origin: str) -> str:
        links = "".join(
            f'<li><a href="{story_path(n)}">{escape(self.headline(n))}</a></li>' for n in reversed(published)
        )
        return (
            "<!doctype html><html><head><title>City | The Harbour Times</title></head><body>"
            '<header><nav><a href="/">Home</a> <a href="/city/">City</a> <a href="/about/contact">Contact</a></nav>'
            f"</header><main><h1>City</h1><ul>{links}</ul></main>"
            '<footer><a href="/about/privacy-policy">Privacy</a></footer></body></html>'
        )
