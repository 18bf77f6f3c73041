"""What the markup around one image says: its caption, and the credits stated beside it.

A picture's caption and credit are not always inside one <figure>: newsrooms put the credit in a
<cite> or a credit <span> inside the caption, in a <footer> or <small> of the figure, in a credit
element just after the figure or its caption, or in data-*credit* attributes; a figure can hold
two caption elements (a `p.caption` and a `figcaption`). Each credit keeps where it was found and
the text it was read from.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from archiver.metadata.credits import AGENCIES, LABELS, Credit, is_no_credit
from archiver.metadata.structure import classes, clean_text

CREDIT_CLASS = re.compile(
    r"credit|copyright|photographer|attribution|(?:^|[\s_-])source(?:$|[\s_-])|"
    r"bildnachweis|urheber|quelle|fotograf",
    re.I,
)
CAPTION_CLASS = re.compile(r"caption|legend|bildunterschrift|desc(?:ription)?(?:$|[\s_-])|subtitle", re.I)
CREDIT_LABEL = re.compile(
    rf"^\s*(?:(?:{LABELS}|credits?)\s*(?:credit|by)?\s*(?:[:：|]\s*|\s+(?=\S))|©\s*|\(c\)\s*|"
    r"(?:photo(?:graph)?|image|illustration|picture)s?\s+by\s+)",
    re.I,
)
# Inside a picture's own block, an element named for its author is its photographer's credit.
AUTHOR_CLASS = re.compile(r"(?:^|[\s_-])(?:author|autor|auteur)(?:$|[\s_-])|__author", re.I)
# "span.copy" holds a credit in a figure, but "copy" also names a caption's or body's text: short ones only
COPY_CLASS = re.compile(r"(?:^|[\s_-])copy(?:$|[\s_-])", re.I)
COPY_TEXT = 60
PICTURE_WORD = re.compile(r"image|img|photo|foto|picture|media|caption|figure|bild", re.I)
LABELLED = re.compile(rf"^\s*(?:{LABELS})\s*[:：]\s*\S", re.I)
AGENCY_ONLY = re.compile(rf"^\s*(?:{AGENCIES})\s*$")
BLOCKS = {"p", "div", "figcaption", "figure", "ul", "ol", "li", "section", "table", "img", "picture"}
CREDIT_ITEMPROPS = ("copyrightHolder", "creator", "author", "creditText", "copyrightNotice")
IMAGE_CAPTION_ATTRIBUTES = ("data-caption", "title")
CONTAINER_LEVELS = 4  # blocks above a picture without <figure> where its caption may be
SIBLINGS_LOOKED_AT = 2
QUOTE = re.compile(r"quote", re.I)  # elements after a figure (or its caption) where a credit may sit


def figure_of(img: HtmlElement, root: HtmlElement) -> HtmlElement | None:
    """The element that captions `img`: its <figure> (or WordPress classic's div.wp-caption), else
    the nearest block around it that holds no other picture and has a caption or credit element
    (many CMSs caption a picture without <figure>: a div with a `span.pb-caption`)."""
    for ancestor in img.iterancestors():
        if ancestor.tag == "figure" or "wp-caption" in (ancestor.get("class") or "").split():
            # A <figure> whose caption sits just outside it (a sibling of its wrapper) widens to that.
            if caption_elements(ancestor):
                return ancestor
            wider = _captioned_block(img, root, ancestor)
            return wider if wider is not None else ancestor
        if ancestor is root:
            break
    return _captioned_block(img, root, img)


def _captioned_block(img: HtmlElement, root: HtmlElement, start: HtmlElement) -> HtmlElement | None:
    """The nearest block above `start` that holds no other picture and has a caption or credit element."""
    block = start
    for _ in range(CONTAINER_LEVELS):
        block = block.getparent()
        if block is None or block is root or block.tag in ("body", "html", "article", "main", "header", "p"):
            return None
        if _pictures(block) > 1 or _headline_above(block, img):
            return None  # another picture's caption, or the article's header with its byline
        holders = set(img.iterancestors())  # the picture's own wrappers ("span.source") are no caption
        if any(
            _is_caption(e)
            or CREDIT_CLASS.search(classes(e))
            or (AUTHOR_CLASS.search(classes(e)) and PICTURE_WORD.search(classes(e)))
            or (
                _own_text_only(e)
                and (LABELLED.match(clean_text(e.text_content())) or AGENCY_ONLY.match(clean_text(e.text_content())))
            )
            for e in block.iter()
            if isinstance(e.tag, str)
            and e is not block
            and e not in holders
            and e.tag not in ("img", "picture", "source")
        ):
            return block
    return None


def _headline_above(block: HtmlElement, img: HtmlElement) -> bool:
    """A block whose h1 comes before the picture: the article's header (its byline is no caption);
    an h1 after the picture is how some pages set its caption."""
    order = {e: i for i, e in enumerate(block.iter())}
    return any(order[h1] < order[img] for h1 in block.iter("h1"))


def _pictures(block: HtmlElement) -> int:
    return sum(1 for img in block.iter("img") if not any(a.tag == "noscript" for a in img.iterancestors()))


def _is_caption(element: HtmlElement) -> bool:
    return element.tag == "figcaption" or bool(
        CAPTION_CLASS.search(element.get("class") or "") and not CREDIT_CLASS.search(classes(element))
    )


def caption_elements(figure: HtmlElement) -> list[HtmlElement]:
    """Every caption element of the figure, outermost first, none inside another."""
    found = [e for e in figure.iter() if isinstance(e.tag, str) and e is not figure and _is_caption(e)]
    return [e for e in found if not any(a in found for a in e.iterancestors())]


def caption_text(figure: HtmlElement | None, img: HtmlElement | None = None) -> str | None:
    """The caption as a reader sees it: every caption element's text, each once; without one, the
    caption the image itself carries (data-caption, shown by galleries; its title, shown on hover)."""
    texts: list[str] = []
    for element in caption_elements(figure) if figure is not None else []:
        text = clean_text(" ".join(element.itertext()))
        if text and not any(text in other for other in texts):
            texts = [other for other in texts if other not in text] + [text]
    if not texts and img is not None:
        texts = [
            clean_text(img.get(name) or "") for name in IMAGE_CAPTION_ATTRIBUTES if clean_text(img.get(name) or "")
        ][:1]
    return " ".join(texts) or None


def markup_credits(img: HtmlElement, figure: HtmlElement | None) -> list[Credit]:
    """Credits the markup states: data-*credit* attributes, itemprops and credit elements in the
    figure, a <cite> or <footer> in it, and credit elements right after the figure or its caption."""
    found: list[Credit] = []
    for element in [img] + ([figure] if figure is not None else []):
        for name, value in element.attrib.items():
            if name.startswith("data-") and "credit" in name and clean_text(value):
                found.append(Credit(clean_text(value), f"{element.tag} [{name}]", text=clean_text(value)))
    if figure is not None:
        for element in figure.iter():
            if isinstance(element.tag, str) and element is not figure and element is not img:
                found += _element_credit(element, "figure")
        for index, sibling in enumerate(_following(figure)):
            found += [
                c
                for e in sibling.iter()
                if isinstance(e.tag, str)
                for c in _element_credit(e, "after the figure", loose=False)
            ]
            if index == 0 and sibling.tag in ("cite", "small") and not found:
                found += _credit_line(sibling, f"after the figure {sibling.tag}")  # "</figure><small>X/AP</small>"
    else:
        for sibling in _following(img):
            found += _element_credit(sibling, "beside the image", loose=False)
    return found


def _element_credit(element: HtmlElement, where: str, loose: bool = True) -> list[Credit]:
    """The credit one element states, if it is a credit element. `loose` (inside the figure) also
    takes <cite>, a <footer> or <small> that is not the caption, an element named for the picture's
    author ("image-box__author", "caption_author"), one whose text is a labelled credit ("Foto: X",
    "Источник: X") and one that names nothing but a picture agency (an overlay "Anadolu Ajansı")."""
    names = classes(element)
    itemprop = element.get("itemprop") or ""
    text = clean_text(element.get("content") or " ".join(element.itertext()))
    if not text or len(text) > 200:
        return []
    if itemprop in CREDIT_ITEMPROPS and _in_picture_scope(element):
        source = f"{where} {element.tag} [itemprop={itemprop}]"
    elif CREDIT_CLASS.search(names) and element.tag != "figcaption" and itemprop != "caption":
        source = f"{where} {element.tag} .{CREDIT_CLASS.search(names).group(0).strip(' _-').lower()}"  # type: ignore[union-attr]
    elif loose and COPY_CLASS.search(names) and len(text) <= COPY_TEXT:
        source = f"{where} {element.tag} .copy"
    elif loose and AUTHOR_CLASS.search(names) and element.tag != "figcaption" and _pictures_author(element, names):
        source = f"{where} {element.tag} .author"
    elif loose and element.tag == "cite":
        source = f"{where} cite"
    elif loose and element.tag == "footer" and not element.xpath(".//figcaption"):
        source = f"{where} footer"
    elif loose and element.tag == "small" and any(a.tag == "figcaption" for a in element.iterancestors()):
        source = f"{where} figcaption small"
    elif loose and _own_text_only(element) and LABELLED.match(text):
        source = f"{where} {element.tag} (labelled)"
    elif loose and _own_text_only(element) and AGENCY_ONLY.match(text):
        source = f"{where} {element.tag} (agency)"
    else:
        return []
    return _credit_line(element, source)


def _credit_line(element: HtmlElement, source: str) -> list[Credit]:
    """The credit an element holding one states: its text without label and brackets."""
    text = clean_text(element.get("content") or " ".join(element.itertext()))
    value = _unbracket(CREDIT_LABEL.sub("", text))
    return [Credit(value, source, text=text)] if value and len(text) <= 200 and not is_no_credit(value) else []


def _pictures_author(element: HtmlElement, names: str) -> bool:
    """An author element that is the picture's, not a byline that a wide caption block took in:
    named for the picture ("image-box__author", "caption_author") or inside its caption."""
    return bool(PICTURE_WORD.search(names)) or any(a.tag == "figcaption" for a in element.iterancestors())


def _own_text_only(element: HtmlElement) -> bool:
    """An element holding text but no blocks: a credit line, not a caption block around one."""
    return not any(isinstance(e.tag, str) and e.tag in BLOCKS for e in element.iterdescendants())


def _unbracket(value: str) -> str:
    """A credit without the brackets around it or a bar beside it; "Graeme Sloan (Getty)" keeps its own."""
    value = value.strip(" |")
    while len(value) > 1 and value[0] in "([" and value[-1] in ")]" and _balanced(value[1:-1]):
        value = value[1:-1].strip()
    if value.count("(") < value.count(")") and value.endswith(")"):
        value = value[:-1]  # "Jane Doe)": the end of a bracket the element did not open
    if value.count("(") > value.count(")") and value.startswith("("):
        value = value[1:]
    return value.strip(" |")


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _in_picture_scope(element: HtmlElement) -> bool:
    """Inside a <figure> or an ImageObject's microdata: an itemprop=author elsewhere is the article's."""
    return any(a.tag == "figure" or "ImageObject" in (a.get("itemtype") or "") for a in element.iterancestors())


def _following(element: HtmlElement) -> list[HtmlElement]:
    """The next elements after `element` (and after its figure's caption), a credit's usual place."""
    found: list[HtmlElement] = []
    sibling = element.getnext()
    while sibling is not None and len(found) < SIBLINGS_LOOKED_AT:
        if isinstance(sibling.tag, str):
            if sibling.tag in ("figure", "img", "picture", "p", "blockquote", "q") and not CREDIT_CLASS.search(
                classes(sibling)
            ):
                break  # the next picture, paragraph or quote: its credits (and attributions) are its own
            if any(e.tag in ("img", "picture", "figure", "video") for e in sibling.iter() if isinstance(e.tag, str)):
                break  # a block around the next picture: the credit in it is that picture's
            if QUOTE.search(classes(sibling)):
                break
            found.append(sibling)
        sibling = sibling.getnext()
    return found
