"""Where the article is on a page: its visible headline, its byline, and the region its own
images sit in.

Structured data and meta tags say what a page claims to be; this reads what a reader sees. The
headline is the visible heading that the page's titles agree with (not a breadcrumb, a nav bar's
SEO title or a related card's), without the kicker above it. The article's region runs from that
headline to the end of the article body, and leaves out navigation, asides, footers, related
cards and teasers, wherever they sit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from lxml import html as lxml_html
from lxml.html import HtmlElement

INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
WORD = re.compile(r"\w+", re.UNICODE)
OUTSIDE_TAGS = {"nav", "footer", "aside"}
# Containers of other stories, ads and page furniture: never the article's own, by a word of
# their class ("c-teaser", "related-links") or an ad container's class ("ad-slot", "ads"). Layout
# wrappers borrow such words ("l-sidebar-fixed", "is-below-header-ad", "ad-portal"): a container
# that holds an h1 is not furniture whatever its class says.
FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:related|recommend\w*|teaser\w*|promo\w*|newsletter|sidebar|breadcrumbs?|"
    r"most-?popular|more-?stories|outbrain|taboola|share\w*|social)(?:$|[\s_-])|"
    r"(?:^|\s)(?:ad|ads|advert|advertisement|ad-slot|ad-container|ad-unit|ad-wrapper|adslot|"
    r"adunit)(?:$|\s)",
    re.I,
)
KICKER = re.compile(r"kicker|topline|dachzeile|overline|eyebrow|roofline|supertitle|pre-?title|spitzmarke", re.I)
KICKER_WORDS = 8  # a heading's first line of at most this many words, on its own over a longer one, is its kicker
BOUNDARY = "\x00"  # where an element starts or ends in a heading's text
HIDDEN = re.compile(r"visually-?hidden|sr-only|screen-?reader|u-hidden|hide-text", re.I)
TITLE_PART = re.compile(r"(?:^|[\s_-])(?:title|headline)(?:$|[\s_-])", re.I)
BODY_CLASS = re.compile(
    r"article[-_]?body|article__body|story[-_]?body|entry[-_]?content|post[-_]?content|"
    r"article[-_]?text|articlebody|content[-_]?body|body[-_]?text|article-content|"
    r"story-content|rich-?text",
    re.I,
)
SITE_SUFFIX = re.compile(r"\s+[|\-–—:]\s+[^|\-–—:]{2,60}$")
TITLE_AGREEMENT = 0.6
HERO = re.compile(
    r"hero|lede|feature[-_]?image|featureimage|featured[-_]?(?:image|media)|main[-_]?media|"
    r"top[-_]?media|lead[-_]?(?:image|media|art|asset)|opener",
    re.I,
)
HERO_REACH = 200  # elements before the headline where its hero block may start
# libxml2 parses HTML 4: it does not know <source> and <track> are void, and nests what follows them
# inside them (a <figcaption> ends up outside its <figure>). Each is closed where it opens.
VOID_HTML5 = re.compile(
    r"(<(source|track)\b[^>]*>)(?!\s*</(?:source|track)>)", re.I
)  # share of a heading's words that a page title must hold for them to agree


def parse_html(html: str) -> HtmlElement | None:
    """A tree of the document, HTML5's void elements closed; None when there is nothing to parse."""
    try:
        return lxml_html.fromstring(VOID_HTML5.sub(r"\1</\2>", html)) if html.strip() else None
    except (ValueError, lxml_html.etree.ParserError):
        return None


def clean_text(text: str) -> str:
    """Text as a reader sees it: no soft hyphens or zero-width characters, single spaces."""
    return " ".join(text.translate(INVISIBLE).split())


def element_text(element: HtmlElement) -> str:
    return clean_text(" ".join(element.itertext()))


def classes(element: HtmlElement) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"


def is_furniture(element: HtmlElement) -> bool:
    """Navigation, asides, footers and the containers of related stories, ads and sharing."""
    if element.tag in OUTSIDE_TAGS or element.get("role") in ("navigation", "banner", "contentinfo", "complementary"):
        return True
    names = classes(element)
    return (
        element.tag not in ("body", "html", "main")
        and bool(FURNITURE.search(names))
        and not BODY_CLASS.search(names)
        and element.find(".//h1") is None
    )


def in_furniture(element: HtmlElement, stop: HtmlElement | None = None) -> bool:
    for ancestor in element.iterancestors():
        if ancestor is stop:
            return False
        if is_furniture(ancestor):
            return True
    return False


def words(text: str) -> set[str]:
    return set(WORD.findall(text.casefold()))


def agreement(heading: str, title: str) -> float:
    """How much of a heading a page title holds (1.0: every word of it)."""
    mine = words(heading)
    return len(mine & words(title)) / len(mine) if mine else 0.0


def title_variants(titles: Iterable[str | None]) -> list[str]:
    """The page's titles, each also without a " | Site name" suffix."""
    found: list[str] = []
    for title in titles:
        if not title:
            continue
        found.append(title)
        trimmed = SITE_SUFFIX.sub("", title)
        if trimmed != title:
            found.append(trimmed)
    return found


def _title_part(element: HtmlElement) -> bool:
    """Marked as the title inside a heading: by class ("title__headline") or by a data attribute
    (data-testid="content-title", data-external-selector="header-title")."""
    marks = classes(element) + " " + " ".join(v for k, v in element.attrib.items() if k.startswith("data-"))
    return bool(TITLE_PART.search(marks)) and not KICKER.search(classes(element))


def _structural_kicker(element: HtmlElement) -> HtmlElement | None:
    """The first of a heading's parts when it is a short line on its own over a longer one (a kicker
    without a kicker class: SPIEGEL's "Kollaps der Silicon Valley Bank" over its headline)."""
    children = [c for c in element if isinstance(c.tag, str) and c.tag in ("span", "div", "p", "strong")]
    if len(children) < 2 or (element.text or "").strip() or any((c.tail or "").strip() for c in children):
        return None
    first, rest = (
        len(WORD.findall(element_text(children[0]))),
        sum(len(WORD.findall(element_text(c))) for c in children[1:]),
    )
    on_its_own_line = children[0].tag in ("div", "p") or "block" in (children[0].get("class") or "").split()
    return children[0] if 0 < first <= KICKER_WORDS and rest > first and on_its_own_line else None


def _joined(parts: list[str]) -> str:
    """A heading's text pieces as shown: an element's edge separates two words ("<span>Kicker:</span>
    Headline"), but adds nothing beside a space or before punctuation ("Ukraine\xa0: la" stays as is)."""
    text = re.sub(rf"{BOUNDARY}+(?=\s|[:,.;!?]|$)|(?<=\s){BOUNDARY}+|^{BOUNDARY}+", "", "".join(parts))
    return text.replace(BOUNDARY, " ")


def heading_text(element: HtmlElement) -> str:
    """A heading as shown, without its kicker (the topline above the headline) and hidden separators."""
    title_parts = [d for d in element.iterdescendants() if isinstance(d.tag, str) and _title_part(d)]
    if title_parts:
        return element_text(title_parts[0])
    kicker = _structural_kicker(element)
    parts: list[str] = []
    dropped = False  # a kicker or hidden words were left out: the separator after them goes too

    def walk(node: HtmlElement) -> None:
        nonlocal dropped
        # A kicker is the line above the headline: dropped only when nothing of the heading came before it.
        hidden_words = HIDDEN.search(classes(node)) and WORD.search(element_text(node))  # a hidden ":" stays
        is_kicker = node is kicker or KICKER.search(classes(node))
        nothing_yet = not "".join(parts).replace(BOUNDARY, "").strip()
        skip = node is not element and (hidden_words or (is_kicker and nothing_yet))
        if skip:
            dropped = True
            if node.tail:
                parts.append(node.tail)
            return
        parts.append(BOUNDARY)  # "<span>Kicker:</span>Headline" reads as two words; "Ukraine\xa0:" keeps its space
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            elif child.tail:
                parts.append(child.tail)
        parts.append(BOUNDARY)
        if node is not element and node.tail:
            parts.append(node.tail)

    walk(element)
    text = clean_text(_joined(parts)).strip(" |")
    if dropped:
        text = text.lstrip(" :|-–—")  # the separator that followed the kicker
    return text if len(words(text)) >= 2 else element_text(element)


@dataclass
class Headline:
    element: HtmlElement
    text: str
    source: str  # "h1", "h2.headline", "[itemprop=headline]"


def _heading_candidates(tree: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    for element in tree.iter("h1", "h2"):
        if in_furniture(element) or element.getparent() is None or FURNITURE.search(classes(element)):
            continue  # a heading of the navigation, or a breadcrumb's ("h1.breadcrumb__headline")
        if element.tag == "h1":
            yield element, "h1"
        elif TITLE_PART.search(classes(element)) or element.get("itemprop") == "headline":
            yield element, "h2 headline"
        else:
            yield element, "h2"  # taken only when the page's titles agree with it
    for element in tree.xpath("//*[@itemprop='headline'][not(self::meta)][not(self::h1)][not(self::h2)]"):
        if not in_furniture(element):
            yield element, f"{element.tag} [itemprop=headline]"


def find_headline(tree: HtmlElement, titles: Iterable[str | None]) -> Headline | None:
    """The visible headline: the page's one h1 outside navigation; among several, or with none,
    the first heading the page's titles agree with; else its first h1."""
    variants = title_variants(titles)
    candidates = [(element, source, heading_text(element)) for element, source in _heading_candidates(tree)]
    candidates = [(element, source, text) for element, source, text in candidates if text]
    h1s = [(element, source, text) for element, source, text in candidates if source == "h1" and len(words(text)) >= 2]
    if len(h1s) == 1:
        element, source, text = h1s[0]
        return Headline(element, text, source)
    for element, source, text in candidates:
        if any(agreement(text, title) >= TITLE_AGREEMENT for title in variants):
            return Headline(element, text, source)
    if h1s:
        element, source, text = h1s[0]
        return Headline(element, text, source)
    return None


def _body_candidates(tree: HtmlElement) -> list[HtmlElement]:
    found = tree.xpath("//*[@itemprop='articleBody']")
    found += [
        e
        for e in tree.iter("article", "div", "section", "main")
        if e.get("class") and BODY_CLASS.search(e.get("class") or "")
    ]
    found += tree.xpath("//article")
    return [e for e in found if not in_furniture(e) and not is_furniture(e)]


def _text_length(element: HtmlElement) -> int:
    return sum(len(" ".join(p.itertext())) for p in element.iter("p"))


@dataclass
class ArticleRegion:
    """The article's own part of the page."""

    root: HtmlElement  # the element holding the article body
    headline: Headline | None
    order: dict[HtmlElement, int] = field(default_factory=dict)  # document position of each element

    def contains(self, element: HtmlElement) -> bool:
        """In the article: inside its root, after its headline and before the root ends, or in the
        hero block just above the headline; never in furniture or in another article (a teaser, a
        story appended by infinite scroll)."""
        if not self._inside_root(element) and not self._after_headline(element) and not self._hero(element):
            return False
        for ancestor in element.iterancestors():
            if ancestor is self.root:
                return True
            if is_furniture(ancestor) or (ancestor.tag == "article" and self._other_story(ancestor)):
                return False
        return True

    def _inside_root(self, element: HtmlElement) -> bool:
        return any(ancestor is self.root for ancestor in element.iterancestors())

    def _after_headline(self, element: HtmlElement) -> bool:
        if self.headline is None:
            return False
        position = self.order.get(element, -1)
        return self.order[self.headline.element] < position <= self.root_end

    def _hero(self, element: HtmlElement) -> bool:
        """A lead picture above the headline: in a hero/feature block shortly before it."""
        if self.headline is None:
            return False
        start = self.order[self.headline.element]
        return any(
            HERO.search(classes(a)) and start - HERO_REACH <= self.order.get(a, -1) < start
            for a in element.iterancestors()
            if a.tag not in ("body", "html", "main")
        )

    @cached_property
    def root_end(self) -> int:
        """The document position of the root's last element (asked once per image: computed once)."""
        *_, last = self.root.iter()  # the iteration's last element
        return self.order.get(last, -1)

    def _other_story(self, article: HtmlElement) -> bool:
        """An <article> that is another story (a teaser, one appended by infinite scroll): not this
        article's own element, not its body, and with a heading of its own."""
        return (
            not self._holds_article(article)
            and article.get("itemprop") != "articleBody"
            and bool(article.xpath(".//h1 | .//h2 | .//h3"))
        )

    def _holds_article(self, article: HtmlElement) -> bool:
        """The article element of this article itself (holding its headline or its body)."""
        return (
            article is self.root
            or any(a is article for a in self.root.iterancestors())
            or (self.headline is not None and any(a is article for a in self.headline.element.iterancestors()))
        )


def article_region(tree: HtmlElement, headline: Headline | None) -> ArticleRegion:
    """The article's body root: the article element around the headline when it holds the body
    text, else the element with the most paragraph text among the page's body candidates."""
    order = {element: index for index, element in enumerate(tree.iter())}
    bodies = _body_candidates(tree)
    if headline is not None:
        position = order[headline.element]
        around = next((a for a in headline.element.iterancestors() if a.tag == "article" and not is_furniture(a)), None)
        # Bodies after the headline that are not another story (an <article> of their own).
        later = [
            b
            for b in bodies
            if order.get(b, -1) > position
            and b.tag != "article"
            and not any(a.tag == "article" and a is not around for a in b.iterancestors())
        ]
        if around is not None and (_text_length(around) >= 200 or not later):
            return ArticleRegion(around, headline, order)
        holding = [b for b in bodies if any(a is b for a in headline.element.iterancestors())]
        if later or holding:
            return ArticleRegion(max(later or holding, key=_text_length), headline, order)
    if bodies:
        return ArticleRegion(max(bodies, key=_text_length), headline, order)
    main = tree.xpath("//main")
    return ArticleRegion(main[0] if main else tree, headline, order)


def body_paragraphs(region: ArticleRegion) -> list[HtmlElement]:
    """The paragraphs of the article's text: those beside its longest paragraph (not a footer's)."""
    paragraphs = [p for p in region.root.iter("p") if region.contains(p) and element_text(p)]
    if not paragraphs:
        return []
    parent = max(paragraphs, key=lambda p: len(element_text(p))).getparent()
    return [p for p in paragraphs if p.getparent() is parent]
