"""The article's own images: where they are, how they are captioned, and who is credited for them.

Images are looked for in the article itself (its first <article> holding the headline, else its
articleBody, else <main>), never in asides, navigation, footers, or in the other articles that
infinite scroll appends: their pictures and credits are not this article's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable
from urllib.parse import urljoin

from lxml import html as lxml_html
from lxml.html import HtmlElement

from archiver.metadata.article import json_ld_nodes
from archiver.metadata.credits import Credit, caption_credits, file_credits, is_archive_photo, schema_image_credits

OUTSIDE_ARTICLE = {"aside", "nav", "footer", "header"}
CREDIT_CLASS = re.compile(r"credit|copyright|photographer|byline|attribution|source", re.I)
CREDIT_PREFIX = re.compile(r"^\s*(?:photo(?:graph)?s?|image|picture|foto|credits?|source)\s*(?:credit)?\s*:\s*", re.I)
LAZY_SRC_ATTRIBUTES = ("data-src", "data-lazy-src", "data-original")
SRCSET_ATTRIBUTES = ("srcset", "data-srcset", "data-lazy-srcset")
PLACEHOLDER = re.compile(r"^data:|^about:blank$")


@dataclass
class ArticleImage:
    url: str  # as captured: the rendition the page showed
    renditions: list[str] = field(default_factory=list)  # every other URL it offers (srcset, <picture>)
    alt: str | None = None
    caption: str | None = None
    is_lead: bool = False
    archive_photo: bool = False
    credits: list[Credit] = field(default_factory=list)

    def urls(self) -> list[str]:
        return [self.url] + [u for u in self.renditions if u != self.url]

    def to_dict(self, captured: Callable[[str], bool]) -> dict[str, Any]:
        return {
            "url": self.url,
            "captured": captured(self.url),
            "renditions": [{"url": u, "captured": captured(u)} for u in self.renditions],
            "alt": self.alt,
            "caption": self.caption,
            "is_lead": self.is_lead,
            "archive_photo": self.archive_photo,
            "credits": [credit.to_dict() for credit in self.credits],
        }


def parse(html: str) -> HtmlElement | None:
    try:
        return lxml_html.fromstring(html) if html.strip() else None
    except (ValueError, lxml_html.etree.ParserError):
        return None


def article_root(tree: HtmlElement) -> HtmlElement:
    articles = tree.xpath("//article[not(ancestor::article)]")
    for article in articles:
        if article.xpath(".//h1"):
            return article
    body = tree.xpath("//*[@itemprop='articleBody']")
    if body:
        container = body[0].xpath("ancestor::article[1]")
        return container[0] if container else body[0]
    if articles:
        return articles[0]
    main = tree.xpath("//main")
    return main[0] if main else tree


def _text(element: HtmlElement | None) -> str | None:
    """The element's text, with a space where markup joined two pieces (caption<span>credit</span>)."""
    if element is None:
        return None
    text = " ".join(" ".join(element.itertext()).split())
    return text or None


def _outside(img: HtmlElement, root: HtmlElement) -> bool:
    """In an aside/nav/footer/header, or in another article nested in (appended to) this one."""
    for ancestor in img.iterancestors():
        if ancestor is root:
            return False
        if ancestor.tag in OUTSIDE_ARTICLE or ancestor.tag == "article":
            return True
    return False


def _srcset_urls(value: str | None) -> list[str]:
    if not value:
        return []
    urls = []
    for candidate in re.split(r",\s+(?=\S)", value.strip()):
        url = candidate.strip().split()[0] if candidate.strip() else ""
        if url:
            urls.append(url.rstrip(","))
    return urls


def _image_urls(img: HtmlElement, base: str) -> tuple[str | None, list[str]]:
    """(the URL shown, every rendition URL): lazy attributes when src is a placeholder, srcset, <picture>."""
    src = (img.get("src") or "").strip()
    if not src or PLACEHOLDER.match(src):
        src = next((img.get(a).strip() for a in LAZY_SRC_ATTRIBUTES if (img.get(a) or "").strip()), "")
    candidates: list[str] = []
    for attribute in SRCSET_ATTRIBUTES:
        candidates += _srcset_urls(img.get(attribute))
    # libxml2 does not know <source> is void and may nest the <img> in it: look up to the <picture>.
    picture = next((a for a in img.iterancestors() if a.tag == "picture"), None)
    if picture is not None:
        for source in picture.iter("source"):
            for attribute in SRCSET_ATTRIBUTES:
                candidates += _srcset_urls(source.get(attribute))
    shown = urljoin(base, src) if src and not PLACEHOLDER.match(src) else None
    renditions = [urljoin(base, u) for u in candidates if not PLACEHOLDER.match(u)]
    if shown is None and renditions:
        shown = renditions[0]
    return shown, [u for u in dict.fromkeys(renditions) if u != shown]


def _figure(img: HtmlElement, root: HtmlElement) -> HtmlElement | None:
    """The element that captions `img`: <figure>, or WordPress classic's div.wp-caption."""
    for ancestor in img.iterancestors():
        if ancestor.tag == "figure" or "wp-caption" in (ancestor.get("class") or "").split():
            return ancestor
        if ancestor is root:
            return None
    return None


def _caption(figure: HtmlElement | None) -> str | None:
    if figure is None:
        return None
    found = figure.xpath(".//figcaption | .//*[contains(concat(' ', normalize-space(@class), ' '), ' wp-caption-text ')]"
                         " | .//*[contains(@class, 'caption')]")
    return _text(found[0]) if found else None


def _element_credits(img: HtmlElement, figure: HtmlElement | None) -> list[Credit]:
    """Credits the markup states: credit elements in the figure, itemprops, data-*credit* attributes."""
    found: list[Credit] = []
    scope = figure if figure is not None else img
    for element in [img] + ([figure] if figure is not None else []):
        for name, value in element.attrib.items():
            if name.startswith("data-") and "credit" in name and value.strip():
                found.append(Credit(" ".join(value.split()), f"{element.tag} [{name}]"))
    for element in scope.iter():
        if element is scope and element is img:
            continue
        classes = element.get("class") or ""
        itemprop = element.get("itemprop") or ""
        if itemprop in ("copyrightHolder", "creator", "author", "creditText", "copyrightNotice"):
            value = element.get("content") or _text(element)
            source = f"{element.tag} [itemprop={itemprop}]"
        elif CREDIT_CLASS.search(classes) and "caption" not in classes and element.tag != "figcaption":
            value = _text(element)
            source = f"{element.tag} .{CREDIT_CLASS.search(classes).group(0).lower()}"  # type: ignore[union-attr]
        else:
            continue
        if value:
            value = CREDIT_PREFIX.sub("", value).strip(" ()")
            if value:
                found.append(Credit(value, f"figure {source}"))
    return found


def _schema_credits(structured: dict[str, list[Any]], base: str) -> dict[str, list[Credit]]:
    """schema.org ImageObject credits in the JSON-LD, by image URL (url / contentUrl)."""
    by_url: dict[str, list[Credit]] = {}
    for node in json_ld_nodes(structured):
        kinds = node.get("@type", [])
        if "ImageObject" not in ([kinds] if isinstance(kinds, str) else kinds):
            continue
        credits = schema_image_credits(node)
        for key in ("url", "contentUrl", "@id"):
            value = node.get(key)
            if isinstance(value, str) and value.strip() and credits:
                by_url.setdefault(urljoin(base, value.strip()), []).extend(credits)
    return by_url


def _lead_candidates(structured: dict[str, list[Any]], base: str) -> list[str]:
    urls = []
    for og in structured.get("opengraph", []):
        image = og.get("og:image")
        for value in image if isinstance(image, list) else [image]:
            if isinstance(value, str):
                urls.append(urljoin(base, value))
    for node in json_ld_nodes(structured):
        image = node.get("image") if "@type" in node and "ImageObject" not in str(node.get("@type")) else None
        for value in image if isinstance(image, list) else [image]:
            if isinstance(value, str):
                urls.append(urljoin(base, value))
            elif isinstance(value, dict):
                for key in ("url", "contentUrl"):
                    if isinstance(value.get(key), str):
                        urls.append(urljoin(base, value[key]))
    return urls


def article_images(html: str, base: str, structured: dict[str, list[Any]],
                   read_file: Callable[[str], bytes | None]) -> tuple[list[ArticleImage], int]:
    """The article's images with their credits, and how many images on the page were left out as not its own."""
    tree = parse(html)
    if tree is None:
        return [], 0
    root = article_root(tree)
    images: list[ArticleImage] = []
    left_out = 0
    seen: set[str] = set()
    for img in tree.iter("img"):
        if not _inside(img, root) or _outside(img, root):
            left_out += 1
            continue
        if img.xpath("ancestor::noscript") and not _noscript_only(img):
            continue  # the same picture as the <img> beside its <noscript>
        shown, renditions = _image_urls(img, base)
        if shown is None or shown in seen:
            continue
        seen.add(shown)
        figure = _figure(img, root)
        caption = _caption(figure)
        image = ArticleImage(shown, renditions, alt=(img.get("alt") or "").strip() or None, caption=caption,
                             archive_photo=is_archive_photo(caption))
        image.credits = caption_credits(caption) + _element_credits(img, figure)
        images.append(image)
    _mark_lead(images, _lead_candidates(structured, base))
    schema = _schema_credits(structured, base)
    for image in images:
        for url in image.urls():
            image.credits += schema.get(url, [])
        for url in image.urls():
            data = read_file(url)
            if data:
                image.credits += file_credits(data, origin=url)
        image.credits = _dedupe(image.credits)
    return images, left_out


def _inside(img: HtmlElement, root: HtmlElement) -> bool:
    return root is img.getroottree().getroot() or any(a is root for a in img.iterancestors())


def _noscript_only(img: HtmlElement) -> bool:
    """A <noscript> image with no scripted twin beside it is the only trace of that picture."""
    noscript = img.xpath("ancestor::noscript[1]")[0]
    parent = noscript.getparent()
    return parent is None or not [i for i in parent.iter("img") if not i.xpath("ancestor::noscript")]


def _mark_lead(images: list[ArticleImage], candidates: Iterable[str]) -> None:
    for url in candidates:
        for image in images:
            if url in image.urls():
                image.is_lead = True
                return
    if images and images[0].caption is not None:
        images[0].is_lead = True  # no declared lead: the first captioned picture of the article


def _dedupe(credits: list[Credit]) -> list[Credit]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for credit in credits:
        if (credit.value, credit.source) not in seen:
            seen.add((credit.value, credit.source))
            unique.append(credit)
    return unique
