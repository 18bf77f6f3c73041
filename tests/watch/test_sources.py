"""What a source serves, read as what it is: feeds, sitemaps, section fronts; hostile ones refused."""

from __future__ import annotations

import pytest

from archiver.watch.durations import BadDuration, parse_duration, parse_ladder
from archiver.watch.sources import MAX_ENTRIES, NotASource, looks_like_an_article, read_source
from archiver.watch.urls import article_url

SITE = "https://news.example"

RSS = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>Council votes</title><link>{SITE}/2026/12/02/council-votes?utm_source=rss#top</link>
<pubDate>Wed, 02 Dec 2026 09:00:00 GMT</pubDate></item>
<item><title>Ferry delayed</title><link>/2026/12/02/ferry-delayed</link></item>
<item><title>Bad</title><link>javascript:alert(1)</link></item>
</channel></rss>""".encode()
ATOM = f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>
<entry><title>Council votes</title><link href="{SITE}/2026/12/02/council-votes"/><id>1</id>
<updated>2026-12-02T09:00:00Z</updated></entry></feed>""".encode()
NEWS_SITEMAP = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{SITE}/2026/12/02/council-votes</loc><news:news><news:publication_date>2026-12-02T09:00:00Z</news:publication_date>
<news:title>Council votes</news:title></news:news></url>
<url><loc>{SITE}/2026/12/01/older</loc><lastmod>2026-12-01</lastmod></url></urlset>""".encode()
INDEX = f"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{SITE}/sitemap-news.xml</loc></sitemap><sitemap><loc>/sitemap-2026.xml</loc></sitemap></sitemapindex>""".encode()
FRONT = b"""<!doctype html><html><body><nav><a href="/2026/12/02/nav-story-in-the-menu-bar">menu</a></nav>
<main><a href="/2026/12/02/council-votes-on-the-harbour-plan">Council votes</a>
<a href="/tag/politics">Politics</a><a href="https://elsewhere.example/2026/12/02/a-story-elsewhere-on-the-web">x</a>
<div class="teaser"><a class="story" href="/world/article-123456">Ferry</a></div></main>
<footer><a href="/about">About</a></footer></body></html>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<rss version="2.0"><channel><item><link>&lol2;</link></item></channel></rss>"""


def _urls(reading) -> list[str]:
    return [article_url(item.url) for item in reading.articles]


def test_an_rss_feed_lists_its_articles_resolved_and_checked() -> None:
    reading = read_source(RSS, "application/rss+xml", f"{SITE}/feed")
    assert reading.kind == "feed"
    assert _urls(reading) == [f"{SITE}/2026/12/02/council-votes", f"{SITE}/2026/12/02/ferry-delayed"]
    assert reading.articles[0].title == "Council votes" and reading.articles[0].published
    assert [item["link"] for item in reading.refused] == ["javascript:alert(1)"]


def test_an_atom_feed_and_a_json_feed_are_feeds() -> None:
    assert _urls(read_source(ATOM, "application/atom+xml", f"{SITE}/atom")) == [f"{SITE}/2026/12/02/council-votes"]
    json_feed = b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "url": "/a/b-c-d-e"}]}'
    reading = read_source(json_feed, "application/feed+json", f"{SITE}/feed.json")
    assert reading.kind == "json-feed" and _urls(reading) == [f"{SITE}/a/b-c-d-e"]


def test_a_news_sitemap_gives_publication_dates_and_an_index_its_sitemaps() -> None:
    reading = read_source(NEWS_SITEMAP, "application/xml", f"{SITE}/sitemap-news.xml")
    assert reading.kind == "sitemap" and len(reading.articles) == 2
    assert reading.articles[0].published == "2026-12-02T09:00:00Z" and reading.articles[0].title == "Council votes"
    assert reading.articles[1].published == "2026-12-01"
    index = read_source(INDEX, "text/xml", f"{SITE}/sitemap.xml")
    assert index.kind == "sitemap-index"
    assert index.sitemaps == [f"{SITE}/sitemap-news.xml", f"{SITE}/sitemap-2026.xml"]


def test_a_section_front_lists_same_site_article_links_outside_its_navigation() -> None:
    reading = read_source(FRONT, "text/html", f"{SITE}/politics/")
    assert _urls(reading) == [f"{SITE}/2026/12/02/council-votes-on-the-harbour-plan", f"{SITE}/world/article-123456"]
    chosen = read_source(FRONT, "text/html", f"{SITE}/politics/", links="a.story")
    assert _urls(chosen) == [f"{SITE}/world/article-123456"]


def test_xml_with_entity_declarations_is_refused_unread() -> None:
    with pytest.raises(NotASource, match="entities"):
        read_source(BILLION_LAUGHS, "application/rss+xml", f"{SITE}/feed")


@pytest.mark.parametrize("body", [b"\x89PNG\r\n\x1a\n", b"<?xml version='1.0'?><svg/>", b"<rss><channel>", b"{]"])
def test_what_is_no_source_is_said_in_one_line(body: bytes) -> None:
    with pytest.raises(NotASource):
        read_source(body, "", f"{SITE}/x")


def test_a_feed_of_100000_items_is_cut_and_says_so() -> None:
    items = "".join(f"<item><link>{SITE}/2026/12/02/story-number-{n}</link></item>" for n in range(100_000))
    reading = read_source(f'<rss version="2.0"><channel>{items}</channel></rss>'.encode(), "", f"{SITE}/feed")
    assert len(reading.articles) == MAX_ENTRIES and reading.cut == 100_000 - MAX_ENTRIES


def test_tracking_parameters_fragments_and_host_case_do_not_make_another_article() -> None:
    assert article_url("HTTPS://News.Example:443/a?id=7&utm_medium=x&fbclid=y#comments") == f"{SITE}/a?id=7"


def test_article_shapes() -> None:
    assert looks_like_an_article(f"{SITE}/2026/12/02/x") and looks_like_an_article(f"{SITE}/a/b-c-d-e")
    assert not looks_like_an_article(f"{SITE}/tag/politics") and not looks_like_an_article(f"{SITE}/")


def test_durations_and_ladders_are_read_as_people_write_them() -> None:
    assert [parse_duration(text) for text in ("90s", "15m", "3h", "2d", "45")] == [90, 900, 10800, 172800, 45]
    assert parse_ladder("15m,1h,3h") == (900, 3600, 10800)
    for bad in ("soon", "0s", "-5m"):
        with pytest.raises(BadDuration):
            parse_duration(bad)
    with pytest.raises(BadDuration):
        parse_ladder("1h,15m")
