"""The article's own images: where they are, how they are captioned, and who is credited for them.

Images are looked for in the article itself (from its visible headline to the end of its body,
see archiver.metadata.structure), never in navigation, asides, footers, related cards, or the
other articles that infinite scroll appends: their pictures and credits are not this article's.
A lead picture the page declares (og:image, JSON-LD image) is found wherever it is shown, also in
a hero block above the headline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from lxml.html import HtmlElement

from archiver.metadata.article import json_ld_nodes
from archiver.metadata.credits import (
    Credit,
    caption_credits,
    closing_credit,
    file_credits,
    is_archive_photo,
    schema_image_credits,
)
from archiver.metadata.figures import caption_text, figure_of, markup_credits
from archiver.metadata.structure import (
    ArticleRegion,
    article_region,
    body_paragraphs,
    element_text,
    find_headline,
    in_furniture,
    parse_html,
)

LAZY_SRC_ATTRIBUTES = ("data-src", "data-lazy-src", "data-original")
SRCSET_ATTRIBUTES = ("srcset", "data-srcset", "data-lazy-srcset")
PLACEHOLDER = re.compile(r"^data:|^about:blank$")
CLOSING_LINES = 3  # the last paragraphs of the text where a line crediting all its photos may stand
# An alt that starts "Image: ..." says what the picture shows (NBC's "Image: US-SPACE-AEROSPACE-NASA").
DESCRIBED_AS = re.compile(r"^\s*(?:image|images|picture|bild|imagen|immagine)\s*:", re.I)
LOOKS_LIKE_URL = re.compile(r"^(?:https?:)?//|^/[^/]|^[\w./-]+\.(?:jpe?g|png|gif|webp|avif)(?:\?|$)", re.I)


@dataclass
class ArticleImage:
    url: str  # as captured: the rendition the page showed
    renditions: list[str] = field(default_factory=list)  # every other URL it offers (srcset, <picture>)
    alt: str | None = None
    caption: str | None = None
    is_lead: bool = False
    archive_photo: bool = False
    credits: list[Credit] = field(default_factory=list)
    shown_in: str = "rendered"  # or "original": in the server's document only (a script replaced it)

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
            "in": self.shown_in,
        }


def _srcset_urls(value: str | None) -> list[str]:
    if not value:
        return []
    urls = []
    for candidate in re.split(r",\s+(?=\S)", value.strip()):
        url = candidate.strip().split()[0] if candidate.strip() else ""
        if url:
            urls.append(url.rstrip(","))
    return urls


def _lazy_src(element: HtmlElement) -> str:
    """The real address a lazy loader will put in src: the common attributes first, then any other
    data-* attribute named for a source or for lazy loading (data-flickity-lazyload, data-lazy)."""
    for attribute in LAZY_SRC_ATTRIBUTES:
        if (element.get(attribute) or "").strip():
            return element.get(attribute).strip()
    for name, value in element.attrib.items():
        if name.startswith("data-") and "srcset" not in name and ("src" in name or "lazy" in name):
            if LOOKS_LIKE_URL.match(value.strip()):
                return value.strip()
    return ""


def _srcset_values(element: HtmlElement) -> list[str]:
    """Every srcset the element gives, its lazy loader's too (data-srcset, data-flickity-lazyload-srcset)."""
    names = [*SRCSET_ATTRIBUTES, *(n for n in element.attrib if n.startswith("data-") and n.endswith("srcset"))]
    return [url for name in dict.fromkeys(names) for url in _srcset_urls(element.get(name))]


def _image_urls(img: HtmlElement, base: str) -> tuple[str | None, list[str]]:
    """(the URL shown, every rendition URL): lazy attributes when src is a placeholder, srcset, <picture>."""
    src = (img.get("src") or "").strip()
    if not src or PLACEHOLDER.match(src):
        src = _lazy_src(img)
    candidates = _srcset_values(img)
    # libxml2 does not know <source> is void and may nest the <img> in it: look up to the <picture>.
    picture = next((a for a in img.iterancestors() if a.tag == "picture"), None)
    if picture is not None:
        for source in picture.iter("source"):
            candidates += _srcset_values(source)
    shown = urljoin(base, src) if src and not PLACEHOLDER.match(src) else None
    renditions = [urljoin(base, u) for u in candidates if not PLACEHOLDER.match(u)]
    if shown is None and renditions:
        shown = renditions[0]
    return shown, [u for u in dict.fromkeys(renditions) if u != shown]


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


def article_images(
    html: str,
    base: str,
    structured: dict[str, list[Any]],
    read_file: Callable[[str], bytes | None],
    besides: Sequence[ArticleImage] | None = None,
) -> tuple[list[ArticleImage], int]:
    """The article's images with their credits, and how many images on the page were left out as not its own.
    `besides` (what the rendered DOM shows), for the server's document: only its pictures that those do
    not include (a script replaced them, as many do with a stand-in when a picture fails to load),
    marked as shown in the original; their files are read for credits, the others' are not read twice."""
    tree = parse_html(html)
    if tree is None:
        return [], 0
    region = article_region(tree, find_headline(tree, _titles(tree, structured)))
    leads = _lead_candidates(structured, base)
    images: list[ArticleImage] = []
    left_out = 0
    seen: set[str] = set()
    for img in tree.iter("img"):
        if img.xpath("ancestor::noscript") and not _noscript_only(img, base):
            continue  # the same picture as the <img> beside its <noscript>
        shown, renditions = _image_urls(img, base)
        if shown is None or shown in seen:
            continue
        is_lead = any(_same_picture(lead, url) for lead in leads for url in [shown, *renditions])
        if not region.contains(img) and not (is_lead and not in_furniture(img)):
            left_out += 1
            continue
        seen.add(shown)
        images.append(_describe(img, shown, renditions, region.root))
    _mark_lead(images, leads)
    _credit_from_closing_line(images, region)
    if besides is not None:
        images = _not_among(images, besides)
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


def _credit_from_closing_line(images: list[ArticleImage], region: ArticleRegion) -> None:
    """A line after the text that credits the article's photos at once is the credit of each photo
    that states none of its own."""
    for paragraph in _closing_lines(region):
        credit = closing_credit(element_text(paragraph))
        if credit is not None:
            for image in images:
                if not image.credits:
                    image.credits.append(credit)
            return


def _closing_lines(region: ArticleRegion) -> list[HtmlElement]:
    """The last paragraphs of the article's text, and the last paragraph of each block of its text
    (a text cut into blocks by pictures ends in its last block)."""
    lines = body_paragraphs(region)[-CLOSING_LINES:]
    by_parent: dict[HtmlElement, list[HtmlElement]] = {}
    for paragraph in region.root.iter("p"):
        parent = paragraph.getparent()
        if parent is not None and region.contains(paragraph):
            by_parent.setdefault(parent, []).append(paragraph)
    return lines + [ps[-1] for ps in by_parent.values() if len(ps) >= 2 and ps[-1] not in lines]


def _not_among(images: list[ArticleImage], shown: Sequence[ArticleImage]) -> list[ArticleImage]:
    """The images that are none of `shown` (no address of theirs the same picture as one of its),
    marked as found in the original document only."""
    paths = {path for image in shown for path in _paths(image.urls())}
    ids = {part for image in shown for url in image.urls() for part in _ids(url)}
    missing = [
        image for image in images if not (_paths(image.urls()) & paths or any(_ids(url) & ids for url in image.urls()))
    ]
    for image in missing:
        image.shown_in = "original"
    return missing


def _paths(urls: Iterable[str]) -> set[str]:
    return {urlsplit(url).path for url in urls} - {"", "/"}


def _ids(url: str) -> set[str]:
    """A URL's distinctive parts: a file name or an id an image service keeps under every size."""
    return {part for part in re.split(r"[/._-]", unquote(url)) if len(part) >= 12}


def _describe(img: HtmlElement, shown: str, renditions: list[str], root: HtmlElement) -> ArticleImage:
    figure = figure_of(img, root)
    caption = caption_text(figure, img)
    image = ArticleImage(
        shown,
        renditions,
        alt=(img.get("alt") or "").strip() or None,
        caption=caption,
        archive_photo=is_archive_photo(caption),
    )
    markup = markup_credits(img, figure)
    image.credits = _not_within(caption_credits(caption), markup) + markup + _attribute_credits(img, caption)
    return image


def _attribute_credits(img: HtmlElement, caption: str | None) -> list[Credit]:
    """Credits the image's alt, title or lightbox caption states by a label ("(Credit: Nasa)",
    "Foto: X / NTB", "Quellenangabe: X"); the one already read as the caption is not read twice."""
    found: list[Credit] = []
    for name in ("alt", "title", "data-caption"):
        text = (img.get(name) or "").strip()
        if text and text != caption and not DESCRIBED_AS.match(text):
            found += caption_credits(text, labelled_only=True, where=f"img [{name}]")
    return found


def _not_within(from_caption: list[Credit], from_markup: list[Credit]) -> list[Credit]:
    """Caption credits that are not part of a credit element's own: when the caption holds a credit
    element ("@Plan_INFOCA via X / Reuters"), a pattern that reads only the end of it is no second credit."""
    texts = [credit.value.casefold() for credit in from_markup]
    return [c for c in from_caption if not any(c.value.casefold() in t and c.value.casefold() != t for t in texts)]


def _titles(tree: HtmlElement, structured: dict[str, list[Any]]) -> list[str]:
    """What the page says its title is, for finding the headline it shows."""
    titles = [tree.findtext(".//title") or ""]
    for og in structured.get("opengraph", []):
        titles.append(str(og.get("og:title") or ""))
    for node in json_ld_nodes(structured):
        if isinstance(node.get("headline"), str):
            titles.append(node["headline"])
    return [title for title in titles if title.strip()]


def _same_picture(a: str, b: str) -> bool:
    """The same picture at two addresses: equal but for the query, or sharing a distinctive file
    name or id (image services resize one picture under many URLs)."""
    return bool(_paths([a]) & _paths([b]) or _ids(a) & _ids(b))


def _noscript_only(img: HtmlElement, base: str) -> bool:
    """A <noscript> image with no scripted twin showing a real picture beside it is the only trace
    of that picture (a lazy placeholder without a URL is no twin)."""
    noscript = img.xpath("ancestor::noscript[1]")[0]
    parent = noscript.getparent()
    if parent is None:
        return True
    twins = [i for i in parent.iter("img") if not i.xpath("ancestor::noscript")]
    return not any(_image_urls(twin, base)[0] for twin in twins)


def _mark_lead(images: list[ArticleImage], candidates: Iterable[str]) -> None:
    for url in candidates:
        for image in images:
            if any(_same_picture(url, shown) for shown in image.urls()):
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
