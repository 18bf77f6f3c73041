"""What an article says about itself: headline, authors, dates, and the structured data behind them.

Every value is kept with its source (`json-ld NewsArticle.headline`, `og:title`, `meta author`,
`htmldate`...), best evidence first: the page's own structured data, then its meta tags, then what
trafilatura and htmldate infer from the markup. The raw JSON-LD, OpenGraph and microdata are kept
as found (read with extruct).
"""

from __future__ import annotations

import html as html_module
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import extruct

from archiver.metadata.byline import byline_names, is_name
from archiver.metadata.structure import ArticleRegion, article_region, find_headline, parse_html

logging.getLogger("htmldate").setLevel(logging.ERROR)  # it logs every unparsable date candidate
logging.getLogger("trafilatura").setLevel(logging.ERROR)

ARTICLE_TYPES = (
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "BlogPosting",
    "OpinionNewsArticle",
    "LiveBlogPosting",
    "WebPage",
)
SYNTAXES = ["json-ld", "opengraph", "microdata"]
# A Chinese page's editor line ("责任编辑：崔宁宁"), whose name its meta author often repeats
EDITOR_LINE = re.compile(r"(?:责任编辑|責任編輯|责编|責編)\s*[:：]\s*([^\s,;|:：\]】)）]{2,30})")
TITLE_SITE = re.compile(r"(?:\s[|\-–—]\s|_)([^|\-–—_]{2,40})$")  # "Headline - Site", "标题_频道_中国青年网"

Value = dict[str, Any]  # {"value": ..., "source": ...}
# Meta tags that state the publication date, most common first (og:article:*, parsely, Dublin Core...)
PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "parsely-pub-date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "publish-date",
    "publication_date",
    "date",
    "pdate",
    "sailthru.date",
)
FIRST_YEAR = 1990  # no news page was published before the web
# Headlines a CMS writes when nobody set one: never chosen over anything else.
PLACEHOLDERS = {"escenic", "undefined", "null", "none", "headline", "title", "untitled", "home", "article"}


def structured_data(html: str, url: str) -> dict[str, list[Any]]:
    """JSON-LD, OpenGraph and microdata as found (OpenGraph and microdata in extruct's uniform shape)."""
    try:
        return extruct.extract(html, base_url=url, syntaxes=SYNTAXES, uniform=True, errors="ignore")
    except Exception:  # noqa: BLE001 - extruct raises on markup it cannot parse; the page still has other evidence
        return {syntax: [] for syntax in SYNTAXES}


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("@type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def json_ld_nodes(data: dict[str, list[Any]]) -> Iterator[dict[str, Any]]:
    """Every object in the JSON-LD, `@graph` members included."""

    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, list):
            for item in node:
                yield from walk(item)
        elif isinstance(node, dict):
            yield node
            for value in node.values():
                if isinstance(value, (dict, list)):
                    yield from walk(value)

    yield from walk(data.get("json-ld", []))


def main_json_ld(data: dict[str, list[Any]]) -> dict[str, Any] | None:
    """The article object of the JSON-LD: the first node whose type is an article type, in their order."""
    nodes = [node for node in json_ld_nodes(data) if _types(node)]
    for wanted in ARTICLE_TYPES:
        for node in nodes:
            if wanted in _types(node):
                return node
    return None


def _names(value: Any) -> list[str]:
    """Names out of a JSON-LD author/publisher value: a string, an object with a name, or a list."""
    if isinstance(value, str):
        value = " ".join(html_module.unescape(value).split())
        return [value] if value and not value.startswith(("http://", "https://")) else []
    if isinstance(value, dict):
        name = value.get("name")
        return _names(name) if name else []
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, str) and value.strip():
        return " ".join(html_module.unescape(value).split())  # CMSs leave entities encoded (can&#39;t)
    return None


def iso_date(raw: str | None) -> str | None:
    """ISO 8601 for the date forms pages use (ISO itself, RFC 2822); None when unreadable."""
    if not raw:
        return None
    text = raw.strip()
    for parse in (lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")), parsedate_to_datetime):
        try:
            moment = parse(text)
        except (ValueError, TypeError, IndexError):
            continue
        # A CMS's empty date (0001-01-01) or a typo far in the future is no publication date.
        return moment.isoformat() if FIRST_YEAR <= moment.year <= datetime.now().year + 1 else None
    return None


class _Meta:
    """The <head> facts: meta tags by name/property, <link rel=canonical>, <html lang>, <title>, <h1>."""

    def __init__(self, html: str) -> None:
        tree = parse_html(html)
        self.tree = tree
        self.tags: dict[str, list[str]] = {}
        self.canonical = self.lang = self.title = self.h1 = None
        if tree is None:
            return
        for meta in tree.iter("meta"):
            key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
            content = (meta.get("content") or meta.get("value") or "").strip()  # value=: some saved pages
            if key and content:
                self.tags.setdefault(key, []).append(" ".join(content.split()))
        canonical = tree.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href")
        self.canonical = canonical[0].strip() if canonical else None
        self.lang = (tree.get("lang") or "").strip() or None
        title = tree.findtext(".//title")
        self.title = " ".join(title.split()) if title and title.strip() else None
        h1 = tree.xpath("string(//h1)")
        self.h1 = " ".join(h1.split()) or None

    def first(self, *keys: str) -> tuple[str, str] | None:
        for key in keys:
            if self.tags.get(key):
                return self.tags[key][0], key
        return None


def _pick(*candidates: tuple[Any, str] | None) -> Value | None:
    for candidate in candidates:
        if candidate and candidate[0] not in (None, "", []):
            return {"value": candidate[0], "source": candidate[1]}
    return None


def article_fields(html: str, url: str, data: dict[str, list[Any]] | None = None) -> dict[str, Any]:
    """The article's fields from one HTML document (original or rendered), each with its source."""
    return read_article(html, url, data).fields


@dataclass
class ArticleReading:
    fields: dict[str, Any]  # the chosen value of each field, with its source
    candidates: dict[str, list[Value]]  # headline and authors: every value found, with its source


def read_article(html: str, url: str, data: dict[str, list[Any]] | None = None) -> ArticleReading:
    """The fields of one HTML document, and every candidate for the two that pages most often
    state differently in their structured data and on screen (headline and authors)."""
    data = data if data is not None else structured_data(html, url)
    node = main_json_ld(data) or {}
    kind = f"json-ld {_types(node)[0]}" if node else "json-ld"
    meta = _Meta(html)
    inferred = _inferred(html, url)

    def ld(key: str) -> tuple[Any, str] | None:
        value = _text(node.get(key))
        return (value, f"{kind}.{key}") if value else None

    def meta_first(*keys: str) -> tuple[str, str] | None:
        found = meta.first(*keys)
        return (found[0], f"meta {found[1]}") if found else None

    def date(candidate: tuple[Any, str] | None) -> tuple[Any, str] | None:
        return (iso_date(candidate[0]), candidate[1]) if candidate and iso_date(candidate[0]) else None

    stated_titles = [
        ld("headline"),
        ld("name"),
        meta_first("og:title", "twitter:title"),
        (inferred.get("title"), "trafilatura"),
        (meta.title, "title"),
    ]
    headline = find_headline(meta.tree, [c[0] for c in stated_titles if c]) if meta.tree is not None else None
    region = article_region(meta.tree, headline) if meta.tree is not None else None
    headlines = _candidates([(headline.text, headline.source) if headline else None, *stated_titles])
    authors = _author_candidates(node, kind, meta, inferred, region, _publishers(data))
    fields: dict[str, Any] = {
        "headline": _headline_choice(headlines),
        "description": _pick(
            ld("description"),
            meta_first("og:description", "description", "twitter:description"),
            (inferred.get("description"), "trafilatura"),
        ),
        "authors": _authors_choice(authors),
        "published": _pick(
            date(ld("datePublished")), date(meta_first(*PUBLISHED_META)), (inferred.get("published"), "htmldate")
        ),
        "modified": _pick(
            date(ld("dateModified")),
            date(meta_first("article:modified_time", "og:updated_time", "datemodified")),
            (inferred.get("modified"), "htmldate"),
        ),
        "canonical_url": _pick((meta.canonical, "link rel=canonical"), meta_first("og:url"), ld("url")),
        "site_name": _pick(
            meta_first("og:site_name", "application-name"),
            (_text(_names(node.get("publisher"))), f"{kind}.publisher.name"),
            (inferred.get("sitename"), "trafilatura"),
        ),
        "language": _pick(
            (meta.lang, "html lang"),
            ld("inLanguage"),
            meta_first("og:locale", "content-language"),
            (inferred.get("language"), "trafilatura"),
        ),
        "section": _pick(ld("articleSection"), meta_first("article:section")),
        "keywords": _keywords(node, kind, meta),
    }
    candidates = {"headline": headlines, "authors": [v for group in authors for v in group]}
    return ArticleReading({name: value for name, value in fields.items() if value}, candidates)


def _publishers(data: dict[str, list[Any]]) -> list[str]:
    """Every publisher any JSON-LD object names (a page's several objects may name it differently)."""
    return [name for node in json_ld_nodes(data) for name in _names(node.get("publisher"))]


def _candidates(found: list[tuple[Any, str] | None]) -> list[Value]:
    return [{"value": value, "source": source} for value, source in (c for c in found if c) if value]


def _headline_choice(candidates: list[Value]) -> Value | None:
    """What the reader saw (the visible headline, first), else the first stated title that is not a
    CMS placeholder; when a stated title says exactly what the reader saw, that statement is named
    as the source. The others stay in the manifest's candidates."""
    usable = [c for c in candidates if str(c["value"]).strip().casefold() not in PLACEHOLDERS]
    if not usable:
        return None
    shown = _title_key(usable[0]["value"])
    return next(
        (c for c in usable[1:] if c["source"].startswith("json-ld") and _title_key(c["value"]) == shown), usable[0]
    )


def _title_key(title: Any) -> str:
    return " ".join(str(title).casefold().replace("\u2019", "'").split())


def _author_candidates(
    node: dict[str, Any],
    kind: str,
    meta: _Meta,
    inferred: dict[str, Any],
    region: ArticleRegion | None,
    organizations: Iterable[str] = (),
) -> list[list[Value]]:
    """Every group of author names the page gives, best evidence first: its visible byline, the
    structured data, meta tags, trafilatura. A name that is the site's own (an Organization as
    author, a meta author of "DER SPIEGEL") is an outlet, not an author; a URL is no name."""
    outlets = _outlet_names(node, meta, organizations)
    groups = [
        byline_names(region, outlets) if region is not None else [],
        [(name, f"{kind}.author") for name in _names(node.get("author"))],
        [(name, f"{kind}.creator") for name in _names(node.get("creator"))],
        [(name, "meta author") for name in meta.tags.get("author", [])],
        [(name, "meta article:author") for name in meta.tags.get("article:author", [])],
        [(a.strip(), "trafilatura") for a in (inferred.get("author") or "").split(";") if is_name(a.strip())],
    ]
    outlet_keys = [set(_name_key(name).split()) for name in outlets]
    editors = _editors(meta) if any(groups[1:]) else []  # read only when the page states an author
    return [
        [
            {"value": name, "source": source}
            for name, source in dict.fromkeys(group)
            if "://" not in name
            and (index == 0 or not (_is_outlet(name, outlet_keys) or _is_editor(name, editors)))
            and not name.isdigit()
        ]
        for index, group in enumerate(groups)
    ]


def _editors(meta: _Meta) -> list[str]:
    """The names the page shows as its editors ("责任编辑：崔宁宁"): a meta author
    that names one of them names the editor, not the author."""
    if meta.tree is None:
        return []
    text = " ".join(meta.tree.xpath("//body//text()[not(ancestor::script)][not(ancestor::style)]"))
    return [m.group(1).strip(" ,.;]】") for m in EDITOR_LINE.finditer(text)]


def _is_editor(name: str, editors: list[str]) -> bool:
    return any(editor and (name == editor or name.endswith(editor)) for editor in editors)


def _outlet_names(node: dict[str, Any], meta: _Meta, organizations: Iterable[str] = ()) -> set[str]:
    """What the site calls itself: its publisher and site name, the name its <title> ends with
    ("... - 日本経済新聞", "... | Dainik Bhaskar"), and its host's name (nikkei.com: "nikkei")."""
    names = {*_names(node.get("publisher")), *meta.tags.get("og:site_name", []), *organizations}
    if meta.title and (site := TITLE_SITE.search(meta.title)):
        names.add(site.group(1))
    for url in (meta.canonical, *(meta.tags.get("og:url") or [])):
        host = urlsplit(url or "").hostname or ""
        labels = [label for label in host.split(".") if label not in ("www", "www1", "m", "amp")]
        if len(labels) >= 2 and host not in ("127.0.0.1", "localhost"):
            names.add(labels[-2])
    return {name for name in names if name and name.strip()}


def _is_outlet(name: str, outlet_keys: list[set[str]]) -> bool:
    """The site's own name, or a form of it: "VnExpress" of "Báo VnExpress", "Nikkei Inc" of nikkei.com."""
    words = set(_name_key(name).split())
    return bool(words) and any(words <= outlet or (outlet and outlet <= words) for outlet in outlet_keys)


def _authors_choice(groups: list[list[Value]]) -> list[Value]:
    """The visible byline wins when structured data disagrees with it or names fewer people; when
    they agree, the structured data's spelling is kept (it is the page's own statement)."""
    visible, stated = groups[0], next((group for group in groups[1:-1] if group), [])
    inferred = groups[-1]  # trafilatura's guess: used only when the page states no author at all
    if visible and stated:
        shown = {_name_key(v["value"]) for v in visible}
        said = {_name_key(v["value"]) for v in stated}
        return stated if said >= shown else visible
    return visible or stated or inferred


def _name_key(name: str) -> str:
    return " ".join(name.casefold().replace(".", " ").split())


def _keywords(node: dict[str, Any], kind: str, meta: _Meta) -> Value | None:
    raw = node.get("keywords")
    if isinstance(raw, str):
        words = [w.strip() for w in raw.split(",")]
        source = f"{kind}.keywords"
    elif isinstance(raw, list):
        words = [str(w).strip() for w in raw]
        source = f"{kind}.keywords"
    elif meta.tags.get("article:tag"):
        words, source = meta.tags["article:tag"], "meta article:tag"
    elif meta.first("news_keywords", "keywords"):
        found = meta.first("news_keywords", "keywords")
        assert found is not None
        words, source = [w.strip() for w in found[0].split(",")], f"meta {found[1]}"
    else:
        return None
    words = [w for w in dict.fromkeys(words) if w]
    return {"value": words, "source": source} if words else None


def _inferred(html: str, url: str) -> dict[str, Any]:
    """What trafilatura and htmldate infer when the page does not say it outright."""
    from htmldate import find_date
    from trafilatura import extract_metadata

    found: dict[str, Any] = {}
    try:
        metadata = extract_metadata(html, default_url=url)
    except Exception:  # noqa: BLE001 - trafilatura gives up on some markup: nothing inferred then
        metadata = None
    if metadata is not None:
        host = urlsplit(url).netloc.lower()
        for key in ("title", "author", "description", "sitename", "language"):
            value = getattr(metadata, key, None)
            if value and not (key == "sitename" and value.lower() in host):  # a host name is no site name
                found[key] = value
    try:
        published = find_date(html, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S", extensive_search=False)
        modified = find_date(html, original_date=False, outputformat="%Y-%m-%dT%H:%M:%S", extensive_search=False)
        if published is None:  # no date in the markup's usual places: its visible text (a dateline, a title's date)
            published = find_date(html, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S", extensive_search=True)
    except Exception:  # noqa: BLE001 - htmldate gives up on some markup: no date inferred then
        published = modified = None
    if published:
        found["published"] = published
    if modified and modified != published:
        found["modified"] = modified
    return found


def compare(original: dict[str, Any], rendered: dict[str, Any]) -> list[dict[str, Any]]:
    """Fields whose value differs between the server's HTML and the rendered DOM."""
    differences = []
    for name in sorted(set(original) | set(rendered)):
        before, after = original.get(name), rendered.get(name)
        if _values(before) != _values(after):
            differences.append({"field": name, "original": before, "rendered": after})
    return differences


def _values(field: Any) -> Any:
    if isinstance(field, list):
        return [item["value"] for item in field]
    return field["value"] if field else None
