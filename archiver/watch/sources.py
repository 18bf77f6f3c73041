"""What a source serves, and the articles it lists.

A source's kind is found from what it serves, not from its address: an RSS (0.9x, 1.0, 2.0) or
Atom feed (read by feedparser, as feed readers read them), a JSON Feed, a sitemap, a sitemap index
(its sitemaps are read in turn, bounded), a Google News sitemap (`news:publication_date`), or an
HTML section front, whose article links are the page's own (same site, inside its main content,
not in its navigation, and shaped like articles), or those `--links CSS` chooses.

A source is someone else's document: XML with entity declarations is refused before any parser
expands them (defusedxml), and every list is cut at MAX_ENTRIES.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from lxml.etree import ParserError, XMLSyntaxError

from archiver.errors import ArchiverError, InvalidURL
from archiver.identity import validate_seed
from archiver.watch.urls import article_url, same_site

MAX_ENTRIES = 5000  # of one read of one source (a feed with 100,000 items is cut, and says so)
MAX_SITEMAPS = 50  # sitemaps one sitemap index may send the reader to, per read
KINDS = ("feed", "json-feed", "sitemap", "sitemap-index", "section-front")
NOT_ARTICLES = re.compile(
    r"/(tag|tags|topic|topics|category|categories|section|sections|author|authors|page|search|about|"
    r"contact|newsletters?|subscribe|login|account|video|videos|live)(/|$)",
    re.I,
)
FURNITURE = ("nav", "header", "footer", "aside")


class NotASource(ArchiverError):
    """What the address serves is no feed, sitemap or HTML page, or it is malformed or hostile."""


@dataclass(frozen=True)
class Listed:
    """An article as a source lists it."""

    url: str  # as the source gives it, resolved against the source
    published: str | None = None  # as the source states it (pubDate, news:publication_date, lastmod)
    title: str | None = None


@dataclass
class Reading:
    kind: str
    articles: list[Listed] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # a sitemap index's sitemaps, to read next
    refused: list[dict[str, str]] = field(default_factory=list)  # links that are no capturable URL, and why
    cut: int = 0  # entries past MAX_ENTRIES, not listed


def read_source(body: bytes, content_type: str, url: str, links: str | None = None) -> Reading:
    """The articles (or sitemaps) `body`, served at `url`, lists; NotASource when it is none."""
    mime = content_type.split(";")[0].strip().lower()
    head = body.lstrip()[:200].lower()
    if mime in ("application/feed+json", "application/json") or head.startswith(b"{"):
        return _json_feed(body, url)
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<urlset", b"<sitemapindex", b"<rdf")) or mime.endswith("xml"):
        return _xml(body, url)
    if b"<html" in head or b"<!doctype html" in head or mime in ("text/html", "application/xhtml+xml"):
        return _section_front(body, url, links)
    raise NotASource(f"{url} serves {mime or 'something'} that is no feed, sitemap or HTML page")


def _listing(kind: str, candidates: list[Listed], base: str) -> Reading:
    reading = Reading(kind)
    seen: set[str] = set()
    for item in candidates:
        try:
            checked = validate_seed(urljoin(base, item.url))
        except InvalidURL as exc:
            reading.refused.append({"link": item.url[:300], "why": str(exc)})
            continue
        key = article_url(checked)
        if key in seen:
            continue
        seen.add(key)
        if len(reading.articles) >= MAX_ENTRIES:
            reading.cut += 1
            continue
        reading.articles.append(Listed(checked, item.published, item.title))
    return reading


def _json_feed(body: bytes, url: str) -> Reading:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise NotASource(f"{url} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise NotASource(f"{url} serves JSON that is not a JSON Feed")
    items = data["items"] if isinstance(data.get("items"), list) else []
    listed = [
        Listed(str(item.get("url") or item.get("id")), _text(item.get("date_published")), _text(item.get("title")))
        for item in items
        if isinstance(item, dict) and isinstance(item.get("url") or item.get("id"), str)
    ]
    return _listing("json-feed", listed, url)


def _xml(body: bytes, url: str) -> Reading:
    try:
        root = fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise NotASource(f"{url} declares XML entities, refused unread ({type(exc).__name__})") from None
    except Exception as exc:  # noqa: BLE001 - ElementTree's ParseError, or worse: hostile XML is refused, not fatal
        raise NotASource(f"{url} is not well-formed XML: {exc}") from None
    tag = root.tag.rsplit("}", 1)[-1].lower()
    if tag == "urlset":
        return _listing("sitemap", [_sitemap_entry(node) for node in root if _local(node.tag) == "url"], url)
    if tag == "sitemapindex":
        reading = Reading("sitemap-index")
        for node in root:
            location = _child_text(node, "loc")
            if _local(node.tag) == "sitemap" and location:
                if len(reading.sitemaps) >= MAX_SITEMAPS:
                    reading.cut += 1
                    continue
                reading.sitemaps.append(urljoin(url, location))
        return reading
    if tag in ("rss", "feed", "rdf"):
        return _feed(body, url)
    raise NotASource(f"{url} serves XML ({tag}) that is no feed or sitemap")


def _feed(body: bytes, url: str) -> Reading:
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if parsed.get("bozo") and not parsed.get("entries"):
        raise NotASource(f"{url} is a broken feed: {parsed.get('bozo_exception')}")
    listed = []
    for entry in parsed.get("entries", [])[: MAX_ENTRIES * 2]:
        link = entry.get("link") or next((lk.get("href") for lk in entry.get("links", []) if lk.get("href")), None)
        if isinstance(link, str):
            listed.append(
                Listed(link, _text(entry.get("published") or entry.get("updated")), _text(entry.get("title")))
            )
    reading = _listing("feed", listed, url)
    reading.cut += max(0, len(parsed.get("entries", [])) - MAX_ENTRIES * 2)
    return reading


def _sitemap_entry(node: Any) -> Listed:
    published = None
    for child in node.iter():
        if _local(child.tag) == "publication_date" and child.text:
            published = child.text.strip()
    return Listed(
        _child_text(node, "loc") or "", published or _child_text(node, "lastmod"), _child_text_anywhere(node, "title")
    )


def _section_front(body: bytes, url: str, links: str | None) -> Reading:
    try:
        tree = lxml.html.document_fromstring(body)
    except (ParserError, XMLSyntaxError, ValueError) as exc:
        raise NotASource(f"{url} is an HTML page that cannot be read: {exc}") from None
    if links:
        try:
            anchors = [a for a in tree.cssselect(links) if a.get("href")]
        except Exception as exc:  # noqa: BLE001 - cssselect's SelectorError and friends: a user's typo
            raise NotASource(f"--links {links!r} is not a CSS selector: {exc}") from None
        candidates = [Listed(a.get("href"), None, _clean(a.text_content())) for a in anchors]
        return _listing("section-front", candidates, url)
    main = next(iter(tree.xpath("//main|//*[@role='main']")), None)
    if main is None:
        main = tree.find("body") if tree.find("body") is not None else tree
    candidates = []
    for anchor in main.iter("a"):
        href = anchor.get("href")
        if not href or any(ancestor.tag in FURNITURE for ancestor in anchor.iterancestors()):
            continue
        target = urljoin(url, href)
        if same_site(target, url) and looks_like_an_article(target):
            candidates.append(Listed(target, None, _clean(anchor.text_content())))
    return _listing("section-front", candidates, url)


def looks_like_an_article(url: str) -> bool:
    """A path shaped like an article's: a date in it, a long slug, or a deep path with an id; not a
    tag, section, author or search page."""
    path = urlsplit(url).path
    if NOT_ARTICLES.search(path) or path in ("", "/"):
        return False
    segments = [segment for segment in path.split("/") if segment]
    dated = re.search(r"/(19|20)\d{2}/\d{1,2}(/|$)", path) is not None
    slug = any(segment.count("-") >= 3 for segment in segments)
    numbered = len(segments) >= 2 and any(re.search(r"\d{5,}", segment) for segment in segments)
    return dated or slug or numbered


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


def _child_text(node: Any, name: str) -> str | None:
    for child in node:
        if _local(child.tag) == name and child.text:
            return child.text.strip()
    return None


def _child_text_anywhere(node: Any, name: str) -> str | None:
    for child in node.iter():
        if _local(child.tag) == name and child.text:
            return child.text.strip()
    return None


def _text(value: Any) -> str | None:
    return _clean(value) if isinstance(value, str) else None


def _clean(text: str) -> str | None:
    return " ".join(text.split())[:300] or None
