"""A news article served in two editions, for the change-tracking tests.

Edition 2 is edition 1 after a stealth edit: a new headline, one reworded paragraph, and the lead
photo replaced (same URL, other bytes) by another picture with another credit. Its "Most Popular"
box lists other stories and its footer another "generated at" time, which are page furniture, not
edits. Everything else (standfirst, byline, dates, the other paragraphs, the inline photo and its
credit, the logo, the stylesheet, the script) is byte for byte the same.
"""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw

STORY_PATH = "/news/2026/11/council-housing-plan"

HEADLINES = {
    1: "Council approves riverside housing plan after residents' protest is ignored",
    2: "Council approves riverside housing plan",
}
LEAD_CREDITS = {1: "Photo Credit: Jonas Berg/City Press Agency", 2: "Photo Credit: Amina Diallo/Northern Wire"}
REWORDED = {
    1: "Critics said the council had ignored more than 4,000 objections and pushed the vote through "
    "before the flood study was published.",
    2: "Critics said the council had considered the objections, although some asked for the vote to "
    "wait for the flood study.",
}
POPULAR = {
    1: ["Tram line delayed again", "Harbour festival returns", "School meals price rise"],
    2: ["Storm warning for the coast", "Tram line delayed again", "New bridge opens to cyclists"],
}
GENERATED_AT = {1: "2026-11-20 08:01:07", 2: "2026-11-21 17:45:52"}

PARAGRAPHS = [
    "The city council voted 23 to 18 on Thursday night to approve the Riverside Quarter plan, which "
    "will bring 1,200 new homes to the former rail yards along the river.",
    "The plan includes a new primary school, a health centre and a riverside park, and the first "
    "residents could move in by the spring of 2029, the council said.",
    "{reworded}",
    "Mayor Hanna Okafor said the project was the largest housing scheme the city had approved in "
    "thirty years and would set aside a third of the homes at below-market rents.",
    "Residents of the neighbouring Millbank estate said they would ask the regional planning "
    "authority to review the decision.",
    "Construction is due to start next year once the site has been cleared and the old signal box "
    "moved to the railway museum.",
]

ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{headline} | The Riverside Courier</title>
<meta name="description" content="The vote clears the way for 1,200 homes on the old rail yards.">
<meta property="og:title" content="{headline}">
<meta property="og:site_name" content="The Riverside Courier">
<meta property="article:published_time" content="2026-11-20T07:30:00Z">
<meta name="author" content="Maria Lopez">
<link rel="canonical" href="{canonical}">
<link rel="stylesheet" href="/news/static/site.css">
<script src="/news/static/site.js" defer></script>
</head><body>
<header class="site-header"><img src="/news/img/logo.png" alt="The Riverside Courier" width="180" height="40">
<nav><a href="/news/">Home</a> <a href="/news/city/">City</a></nav></header>
<main><article>
<h1>{headline}</h1>
<p class="standfirst">The vote clears the way for 1,200 homes on the old rail yards.</p>
<p class="byline">By <span class="author">Maria Lopez</span> &middot;
<time datetime="2026-11-20T07:30:00Z">20 November 2026</time></p>
<figure class="lead"><img src="/news/img/lead.jpg" alt="The rail yards" width="640" height="400">
<figcaption>The former rail yards seen from the river. ({lead_credit})</figcaption></figure>
{body}
<figure class="inline"><img src="/news/img/yards.jpg" alt="Signal box" width="480" height="300">
<figcaption>The old signal box will move to the railway museum. (Photo Credit: Lena Fischer)</figcaption></figure>
<p class="share">Shared {shares} times</p>
</article>
<aside class="most-popular"><h2>Most Popular</h2><ol>{popular}</ol></aside></main>
<footer class="site-footer"><p>&copy; 2026 The Riverside Courier. Page generated at {generated}.</p></footer>
</body></html>
"""

CSS = (
    b"body{font-family:Georgia,serif;max-width:760px;margin:0 auto;padding:0 16px}"
    b"h1{font-size:2.2em}.standfirst{font-size:1.2em;color:#444}figure{margin:1em 0}"
    b"img{max-width:100%;height:auto;display:block}.most-popular{border-top:4px solid #c00}"
)
JS = b"document.documentElement.classList.add('js');"


def article_html(edition: int, origin: str) -> bytes:
    body = "\n".join(f"<p>{p.format(reworded=REWORDED[edition])}</p>" for p in PARAGRAPHS)
    popular = "".join(
        f"<li><a href='/news/popular/{n}'>{title}</a></li>" for n, title in enumerate(POPULAR[edition], 1)
    )
    return ARTICLE.format(
        headline=HEADLINES[edition],
        canonical=origin + STORY_PATH,
        body=body,
        lead_credit=LEAD_CREDITS[edition],
        popular=popular,
        generated=GENERATED_AT[edition],
        shares={1: 120, 2: 342}[edition],
    ).encode("utf-8")


def _jpeg(draw: str, size: tuple[int, int]) -> bytes:
    """A picture with structure (a perceptual hash of a flat colour says nothing)."""
    image = Image.new("RGB", size, (200, 220, 235))
    pen = ImageDraw.Draw(image)
    width, height = size
    if draw == "rail yards":  # long horizontal bands: tracks under a sky
        for y in range(height // 2, height, 24):
            pen.rectangle([0, y, width, y + 10], fill=(90, 70, 50))
    elif draw == "council chamber":  # a big dark disc on the left, bright on the right
        pen.ellipse([20, 20, width // 2, height - 20], fill=(40, 40, 90))
        pen.rectangle([width * 2 // 3, 0, width, height], fill=(250, 240, 200))
    else:  # the signal box: a tall block
        pen.rectangle([width // 3, height // 4, width // 2, height], fill=(150, 30, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@cache
def images() -> dict[tuple[int, str], bytes]:
    """(edition, path) -> bytes; the edition is 0 for images both editions share."""
    logo = io.BytesIO()
    Image.new("RGB", (180, 40), (180, 0, 0)).save(logo, "PNG")
    return {
        (0, "/news/img/logo.png"): logo.getvalue(),
        (0, "/news/img/yards.jpg"): _jpeg("signal box", (480, 300)),
        (1, "/news/img/lead.jpg"): _jpeg("rail yards", (640, 400)),
        (2, "/news/img/lead.jpg"): _jpeg("council chamber", (640, 400)),
    }


def serve(path: str, edition: int, origin: str) -> tuple[int, bytes, str] | None:
    """(status, body, content type) of a path of the site in this edition, or None."""
    if path == STORY_PATH:
        return 200, article_html(edition, origin), "text/html; charset=utf-8"
    if path == "/news/static/site.css":
        return 200, CSS, "text/css"
    if path == "/news/static/site.js":
        return 200, JS, "application/javascript"
    body = images().get((edition, path)) or images().get((0, path))
    if body is not None:
        return 200, body, "image/png" if path.endswith(".png") else "image/jpeg"
    return None
