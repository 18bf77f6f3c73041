"""The review app's test site: the two-edition article (editions.py) and a hostile story whose
headline, byline, caption and credit hold markup, script and a right-to-left override."""

from __future__ import annotations

from typing import Any

from tests.support.fixture_site import FixtureApp, Reply

HOSTILE_PATH = "/hostile/story"
HOSTILE_HEADLINE = "Mayor <img src=x onerror=alert(1)> resigns <script>alert(2)</script>"
HOSTILE_CREDIT = "Ann \u202eeeL<b>bold</b>"
HOSTILE_CAPTION = "The hall <svg onload=alert(3)> at dawn"

HOSTILE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{headline_attr}</title>
<meta property="og:title" content="{headline_attr}">
</head><body>
<article>
<h1>{headline_text}</h1>
<p class="byline">By <a href="/people/x" rel="author">Eve &lt;script&gt;alert(4)&lt;/script&gt;</a></p>
<figure><img src="/img/lead.jpg" width="800" height="450" alt="hall">
<figcaption>{caption_text} (Photo Credit: {credit_text})</figcaption></figure>
<p>The council met at dawn to hear the mayor resign after the zeppelinfield scandal broke in the press.</p>
<p>Members of the council said they had not been told in advance, and several asked for an inquiry.</p>
<p>The deputy mayor will act in the post until an election can be held next spring, officials said.</p>
</article>
<script>window.__hostile_ran = true; console.log("the captured page's own script");</script>
</body></html>
"""


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def hostile_page(edition: int) -> bytes:
    """Edition 1 credits the photo plainly; edition 2 with the hostile credit (an edit a diff shows)."""
    return HOSTILE.format(
        headline_attr=_html_escape(HOSTILE_HEADLINE),
        headline_text=_html_escape(HOSTILE_HEADLINE),
        caption_text=_html_escape(HOSTILE_CAPTION),
        credit_text=_html_escape(HOSTILE_CREDIT if edition == 2 else "Ann Lee"),
    ).encode()


class ReviewSite(FixtureApp):
    hostile_edition = 1

    async def route(self, scope: dict[str, Any], headers: dict[str, str], body: bytes) -> Reply:
        if scope["path"] == HOSTILE_PATH:
            return Reply(200, hostile_page(self.hostile_edition), [("Content-Type", "text/html; charset=utf-8")])
        return await super().route(scope, headers, body)
