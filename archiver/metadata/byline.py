"""Who the page says wrote the article, as a reader sees it: the names in its visible byline.

A byline is an element of the article (not of a related card or teaser) marked as one: rel=author,
itemprop=author, an <address>, or a class such as `byline` or `author`; it is read together with
the short block around it (bylines are often split over several elements). Names come from the
most precise markup first: itemprop=name, links to author pages, then the byline's own text,
split at "and", commas and the like, without "By"/"Von"/"Par", places, dates and job titles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator

from lxml.html import HtmlElement

from archiver.metadata.structure import ArticleRegion, body_paragraphs, classes, clean_text, element_text

BYLINE_CLASS = re.compile(
    r"byline|(?:^|[\s_-])(?:author|authors|autor|autoren|auteur|writer|contributors?|"
    r"verfasser|article-origins|reporters?(?:-line)?)(?:$|[\s_-])",
    re.I,
)
NOT_BYLINE = re.compile(r"bio|avatar|image|photo|img|follow|more-by|other|social|share", re.I)
AUTHOR_LINK = re.compile(
    r"/(?:authors?|autor(?:en)?|auteur|autore|people|profiles?|staff|journalists?|"
    r"reporters?|by|contributors?|writers?|redaktion|team)/",
    re.I,
)
LEAD_IN = re.compile(
    r"^\s*(?:(?:by|von|par|por|di|door|av|af|de|written by|words by|text|texto|tekst|quelle|autor(?:ka|in)?|"
    r"auteur|yazan|oleh|penulis|bởi|автор|текст|بقلم|كتب|글|文|撰文|报道|報道)\s*[:：/／]?\s+|"
    r"(?:text|autor(?:ka|in)?|redacción|автор|текст|文|撰文|记者|記者|本报记者|本報記者)\s*[:：/／]\s*)",
    re.I,
)
# Lists of names, in the languages bylines are written in: "and", "und", "et", "y", "e", "i", "og",
# "och", "en", "ve", "a", "ja", "és", "oraz", "dan", "và", "и", "і", "та", "و", and the
# ideographic comma (、) and full-width commas of Chinese and Japanese bylines.
SPLIT = re.compile(
    r"\s*(?:[,;|·•&，、；]|\s/\s|\s(?:and|und|et|y|e|i|og|och|en|ve|a|ja|és|oraz|dan|và|и|і|та|و)\s)\s*", re.I
)
ROLE_WORDS = re.compile(
    r"\b(?:editor|writer|correspondent|reporter|staff|columnist|contributor|producer|"
    r"redakteur\w*|korrespondent\w*|chief|senior|political|politics|washington|bureau|"
    r"view|all|more|follow|email|contact|updated|published|share|read|min|reporting|copy|link|url|"
    r"journaliste|correspondant|envoyée?|spécial|periodista|corresponsal|redactora?|giornalista|inviato|"
    r"publié|publicado|actualizado|aktualisiert|mis à jour|infos?|mehr|print|reprints?|order|scholar|pubmed|"
    r"popular|today|whats\s?app|facebook|twitter|telegram|linkedin|drucken|teilen|cest|cet|gmt|utc|edt|est|"
    r"pst|корреспондент|обозреватель|кореспондент|редактор|muhabir|wartawan|phóng viên|redaktor|"
    r"dziennikarz|novinář|journalist|skribent|toimittaja)\b",
    re.I,
)
# Roles that follow or precede a name in the bylines of Korean, Japanese and Chinese pages
# ("박준석 기자", "田中一郎記者", "记者 张三"), and Korean's "and N others" ("외 1명").
CJK_ROLE = re.compile(
    r"\s*(?:기자|특파원|논설위원|선임기자|외\s*\d+\s*명|記者|特派員|編集委員|论说委员|记者|通讯员|通訊員|"
    r"本报记者|本報記者|责编|責編|编辑|編輯|责任编辑|責任編輯)\s*"
)
TEXT_BYLINE = re.compile(
    r"[（(]\s*(?:(?:新华社记者|本报记者|记者|記者)\s*[/／:：]?|(?:编译|編譯|撰文|文)\s*[/／:：])\s*"
    r"(?P<credited>[^）()]{2,60}?)\s*(?:[）)]|$)|"
    r"^\s*(?:作者|記者|记者)\s*[︱|｜:：/／]\s*(?P<signed>[^（()）]{2,30}?)\s*$|"
    r"^\s*【(?P<opening>[^】。：:]{2,40})】|【(?P<closing>[^】。：:]{2,40})】\s*$"
)
HAN_NAME = re.compile(r"^[\u3400-\u9fff]{2,5}(?: [\u3400-\u9fff]{1,4})?$")  # 宋晨, 小池和樹, 大渡 美咲
# Letters of scripts without capitals (Han, kana, Hangul, Arabic, Hebrew, Devanagari, Thai): a
# name in them is told by its length and its letters, not by capitals.
UNCASED = re.compile(
    r"^[\u0590-\u06ff\u0900-\u097f\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff·・ ]+$"
)
PROMO = re.compile(
    r"\b(?:watch|video|listen|subscribe|newsletter|podcast|photos|more stories|more from)\b", re.I
)  # a chunk to skip whole
OUTLET_END = re.compile(r"\s(?:news|online|media|magazine|zeitung|times|post|tribune|herald|journal|daily)$", re.I)
NAME_WORD = re.compile(
    r"^(?:[A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁІЇЄҐΑ-Ω][\w.'’-]*|de|da|das|do|dos|van|von|der|den|le|la|del|di|du|bin|al|el|y|e)$"
)
# Section labels that pages set in capitals beside a byline
SECTIONS = {
    "news",
    "world",
    "sport",
    "sports",
    "politics",
    "business",
    "opinion",
    "culture",
    "tech",
    "science",
    "health",
    "local",
    "national",
    "live",
    "video",
    "exclusive",
    "analysis",
    "comment",
    "review",
    "breaking",
    "politik",
    "wirtschaft",
    "kultur",
    "meinung",
    "panorama",
    "monde",
    "politique",
    "économie",
    "mundo",
    "política",
    "deportes",
    "cultura",
    "esteri",
    "cronaca",
    "startseite",
    "home",
    "menu",
    "updated",
    "new",
}
AGENCIES = {"dpa", "afp", "ap", "epd", "kna", "sid", "apa", "reuters", "ansa", "efe"}
PLACE = re.compile(r"\s+in\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)?$")  # "Associated Press in Valencia"
TOOLS = re.compile(
    r"share|comment|font-?size|text-?size|toolbar|tools|print|bookmark|more-?stories|more-?from|related|"
    r"tags?(?:$|[\s_-])|topics?(?:$|[\s_-])|keywords?|categor",
    re.I,
)
# A desk named as the author: "Our Foreign Staff", "Telegraph Reporters", "Gear Team", "NZZ-Redaktion"
DESK = re.compile(
    r"^(?:Our\s+)?(?:[A-Z][\w.-]*\s+){0,3}(?:Staff|Desk|Team|Reporters|Correspondents|Newsroom)$|^[A-Z][\w.]*-Redaktion$"
)
NEWS_AGENCIES = (
    r"AFP|AP|Associated Press|Reuters|REUTERS|dpa|DPA|EFE|ANSA|AA|Anadolu Ajansı|Anadolu Agency|BELGA|Belga|"
    r"ANP|NTB|TT|Ritzau|APA|SDA|Keystone-SDA|KNA|epd|PAP|ČTK|TASS|ТАСС|Interfax|Xinhua|Kyodo|Yonhap|"
    r"Bernama|Antara|Lusa|Europa Press|IANS|PTI|UNI|DHA|İHA"
)
AGENCY_LINE = re.compile(
    rf"^(?:(?:Bron|Kaynak|Quelle|Source|Fuente|Fonte|Kilde|Källa|Źródło|Zdroj)\s*:\s*)?(?P<agency>{NEWS_AGENCIES})"
    r"(?:\s*,\s*[A-Z][A-Z .'-]{1,30})?$"
)
SOURCE_LINE = re.compile(r"^\s*(?:来源|來源|出处|Source|Quelle|Fuente|Fonte)\s*[:：︱|]", re.I)
AUTHOR_BIO = re.compile(
    r"(?:^|[.;]\s+)(?P<name>[A-ZÀ-Ý][\w'’-]+(?:\s+(?:de\s+|da\s+|van\s+)?[A-ZÀ-Ý][\w'’-]+){1,3})\s+"
    r"(?:es|is|ist|est|è|é)\s"
)
PLAIN_LEAD_IN = re.compile(
    r"^(?:By|Par|Von|Por|Di|Av|Af|Door|Text:|Texto:|Tekst:)\s+\S"
)  # capitalized: a byline's start
PLAIN_BYLINE_TEXT = 80
PLAIN_REACH = 150  # elements after the headline where a plain byline may stand (under a standfirst, a picture)
STORY_LINK_WORDS = 4  # a link of this many words in a byline is a story's title, not a name
LABEL_ONLY = 4  # a byline element this short once "By" is gone only labels the names beside it
BLOCK_TEXT = 160  # a byline's block is at most this long (more is the article, or a bio)
CLIMB = 3  # levels above a byline element looked at for the whole block
MAX_BYLINES = 8


def byline_names(region: ArticleRegion, not_names: Collection[str] = frozenset()) -> list[tuple[str, str]]:
    """(name, source) for each name in the article's visible byline, in order, without repeats.
    `not_names` (the site's own names) are outlets, not authors. The bylines above the body's
    first paragraph are read together (a byline is often split over several elements); a byline
    further down counts only when there is none above."""
    outlets = {name.casefold() for name in not_names}
    body_starts = _first_paragraph(region)
    before: list[list[tuple[str, str]]] = []
    after: list[list[tuple[str, str]]] = []
    for marked, block in _blocks(region):
        # The marked element's own names first; the block around it only when it names nobody
        # (a "By" label beside a link): the block also holds tags, labels and share buttons.
        found = _names_in(marked) or (_names_in(block) if _only_a_label(marked) else [])
        if found and block is not marked and LEAD_IN.match(element_text(block)):
            # "by <a>Eleanor Ainge Roy</a> (reporting) and Adrian Malloch (photography)": the
            # sentence names everyone, its links only some
            wider = [(n, "byline text") for n in _text_names(block) if _is_name(n)]
            if {n.casefold() for n, _ in wider} > {n.casefold() for n, _ in found}:
                found = wider
        (before if region.order.get(block, 0) < body_starts else after).append(found)
    in_text = _text_byline(region)
    # Where nothing is marked above the body, the weaker evidence, each read only when needed
    groups: list[Callable[[], list[list[tuple[str, str]]]]] = [
        lambda: before,
        lambda: [_plain_byline(region, body_starts)],
        lambda: after,
        lambda: [_agency_line(region, body_starts)],
        lambda: [in_text],
        lambda: [_signature(region)],
    ]
    for group in groups:
        unique: dict[str, tuple[str, str]] = {}
        for name, source in (pair for names in group() for pair in names):
            unique.setdefault(name.casefold(), (name, source))
        if unique:
            found = list(unique.values())
            # The reporters the text credits, when they include the byline's ("【エルサレム松岡大地、カイロ金子淳】")
            if {n.casefold() for n, _ in in_text} > set(unique):
                found = in_text
            return _without_outlets(found, outlets)
    return []


def _text_byline(region: ArticleRegion) -> list[tuple[str, str]]:
    """Names a Chinese or Japanese article gives in its own text, where its reporters are credited:
    "（记者宋晨、田中全）", "（编译/林靖东）", "【ソウル＝小池和樹】", "【エルサレム松岡大地、カイロ金子淳】"."""
    paragraphs = body_paragraphs(region)
    for paragraph in paragraphs[:2] + paragraphs[-5:]:
        for match in TEXT_BYLINE.finditer(element_text(paragraph)):
            listed = (
                match.group("credited") or match.group("signed") or match.group("opening") or match.group("closing")
            )
            names = [_without_place(name) for name in re.split(r"[、，,]", listed)]
            found = [(name, "text byline") for name in names if HAN_NAME.match(name)]
            if found:
                return found
    return []


def _under_headline(region: ArticleRegion, body_starts: int, tags: tuple[str, ...]) -> Iterator[HtmlElement]:
    """The article's elements between its headline and its body (or the first elements after the
    headline, where the body starts at once), where a byline stands."""
    if region.headline is None:
        return
    start = region.order.get(region.headline.element, 0)
    for element in region.root.getroottree().getroot().iter(*tags):
        position = region.order.get(element, 0)
        if start < position < max(body_starts, start + PLAIN_REACH) and region.contains(element):
            yield element


def _plain_byline(region: ArticleRegion, body_starts: int) -> list[tuple[str, str]]:
    """A byline in plain text between the headline and the body, marked by nothing but its words:
    "<p><span>Par </span><span>Les Echos</span></p>"."""
    for element in _under_headline(region, body_starts, ("p", "div", "span")):
        text = element_text(element)
        if len(text) <= PLAIN_BYLINE_TEXT and PLAIN_LEAD_IN.match(text):
            names = [(name, "byline text (plain)") for name in _text_names(element) if _is_name(name)]
            if names:
                return names
    return []


def _agency_line(region: ArticleRegion, body_starts: int) -> list[tuple[str, str]]:
    """A news agency given as the story's source under the headline, where the byline would be:
    "Bron: BELGA", "AA", "AFP, MANILA" (the agency and its dateline), an agency's name beside its logo."""
    for element in _under_headline(region, body_starts, ("p", "div", "span", "small", "li")):
        if any(isinstance(e.tag, str) and e.tag in ("p", "div", "li") for e in element.iterdescendants()):
            continue  # a block of lines, not the one line
        if _of_a_picture(element) or (
            element.getparent() is not None and element.getparent().xpath(".//img | .//picture")
        ):
            continue  # a photo's credit over or beside it
        match = AGENCY_LINE.match(element_text(element))
        if match:
            return [(match.group("agency"), "agency line")]
    return []


def _signature(region: ArticleRegion) -> list[tuple[str, str]]:
    """The author's name signed in bold under the last paragraph ("<p style='text-align:right'>
    <strong>Lê Phương</strong></p>"), as Vietnamese and other newsrooms sign."""
    paragraphs = body_paragraphs(region)
    if not paragraphs:
        return []
    last = paragraphs[-1]
    bold = "".join(element_text(b) for b in last.iter("strong", "b", "em", "i") if b.getparent() is not None)
    text = element_text(last)
    if not text or len(bold) < len(text):
        return []
    if len(text.split()) <= 5:
        return [(name, "signature") for name in SPLIT.split(_strip(text)) if _is_name(name)]
    # An op-ed's closing line on its authors: "Andrés Malamud es politólogo ... Martín Schapiro es abogado"
    return [(m.group("name"), "signature (bio)") for m in AUTHOR_BIO.finditer(text) if _is_name(m.group("name"))]


def _without_place(name: str) -> str:
    """A reporter's name without the place written before it: "ソウル＝小池和樹", "カイロ金子淳"
    (a foreign place in katakana, the name in kanji)."""
    name = name.split("＝")[-1].strip()
    return re.sub(r"^[\u30a0-\u30ff]+(?=[\u3400-\u9fff])", "", name)


def _without_outlets(names: list[tuple[str, str]], outlets: set[str]) -> list[tuple[str, str]]:
    """A byline that names people beside the site ("By Jane Doe, The Cradle") credits the people; one
    that names only the site and agencies ("Par Le Figaro et AFP") names them as the authors."""
    people = [pair for pair in names if pair[0].casefold() not in outlets and pair[0].casefold() not in AGENCIES]
    return [pair for pair in names if pair[0].casefold() not in outlets] if people else names


def _only_a_label(marked: HtmlElement) -> bool:
    """A byline element that says no more than "By" or "Von": the names are beside it, in its block."""
    return len(LEAD_IN.sub("", element_text(marked) + " ").strip()) <= LABEL_ONLY


def _first_paragraph(region: ArticleRegion) -> int:
    for paragraph in region.root.iter("p"):
        if len(element_text(paragraph)) >= 80:
            return region.order.get(paragraph, 1 << 30)
    return 1 << 30


def _blocks(region: ArticleRegion) -> Iterator[tuple[HtmlElement, HtmlElement]]:
    """Byline blocks of the article, in page order: each marked element, and the short block
    around it."""
    seen: list[HtmlElement] = []
    for marked in list(_marked(region))[:MAX_BYLINES]:
        block = _widen(marked, region)
        if not any(block is s or any(a is s for a in block.iterancestors()) for s in seen):
            seen.append(block)
            yield marked, block


def _marked(region: ArticleRegion) -> Iterator[HtmlElement]:
    tree = region.root.getroottree().getroot()
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "meta", "link"):
            continue
        marked = (
            element.get("rel") == "author"
            or element.get("itemprop") == "author"
            or element.tag == "address"
            or (BYLINE_CLASS.search(classes(element)) and not NOT_BYLINE.search(classes(element)))
            or (element.tag == "a" and AUTHOR_LINK.search(element.get("href") or ""))
        )
        if marked and _in_article(element, region) and not _of_a_picture(element):
            yield element


def _of_a_picture(element: HtmlElement) -> bool:
    """A photographer's name in a figure or its caption ("span.author" in a figcaption), or an author's
    avatar with initials: not the article's byline."""
    if NOT_BYLINE.search(classes(element)):
        return True
    return any(a.tag in ("figure", "figcaption", "picture") for a in element.iterancestors())


def _widen(element: HtmlElement, region: ArticleRegion) -> HtmlElement:
    block = element
    for _ in range(CLIMB):
        parent = block.getparent()
        if parent is None or len(element_text(parent)) > BLOCK_TEXT or _holds_headline(parent, region):
            break
        block = parent
    return block


def _holds_headline(element: HtmlElement, region: ArticleRegion) -> bool:
    return region.headline is not None and any(a is element for a in region.headline.element.iterancestors())


def _in_article(element: HtmlElement, region: ArticleRegion) -> bool:
    """In the article's region, or in the article element around its headline (where a byline may
    sit in a side column), never in navigation or another story."""
    if region.contains(element):
        return True
    headline = region.headline
    if headline is None:
        return False
    around = next((a for a in headline.element.iterancestors() if a.tag in ("article", "header", "main")), None)
    if around is None or not any(a is around for a in element.iterancestors()):
        return False
    return not any(
        a.tag in ("nav", "footer") or (a.tag == "article" and a is not around)
        for a in element.iterancestors()
        if a is not around and any(b is around for b in a.iterancestors())
    )


def _names_in(block: HtmlElement) -> list[tuple[str, str]]:
    # Microdata in <meta> says who the page claims, not what the reader sees: not the visible byline.
    named = [
        name
        for e in block.xpath(".//*[@itemprop='name'][not(self::meta)]")
        for name in ([_strip(clean_text(e.get("content") or ""))] if e.get("content") else _link_names(e))
    ]
    if block.get("itemprop") == "author" and block.get("content") and block.tag != "meta":
        named.append(clean_text(block.get("content") or ""))
    named = [n for n in named if _is_name(n)]
    if named:
        return [(n, "byline [itemprop=name]") for n in named]
    links = [
        a
        for a in ([block] if block.tag == "a" else []) + list(block.iter("a"))
        if a.get("rel") == "author" or AUTHOR_LINK.search(a.get("href") or "")
    ]
    linked = [(name, "byline author link") for a in links for name in _link_names(a)]
    linked = [(n, s) for n, s in linked if _is_name(n)]
    written = [(n, "byline text") for n in _text_names(block) if _is_name(n)]
    # The text names more people than its links when only some names are links (or none is).
    if {n.casefold() for n, _ in written} >= {n.casefold() for n, _ in linked} and len(written) > len(linked):
        return written
    return linked or written


def _link_names(link: HtmlElement) -> list[str]:
    """The names one author link gives: its text, or each of its text pieces when it holds several
    (a name and an outlet in two spans), and each name of a list ("A, B and C" in one link)."""
    links = [a for a in link.iter("a") if a is not link and element_text(a)]
    if len(links) >= 2:  # one element around several author links ("Scott Gilbertson", "Gear Team")
        return [_strip(element_text(a)) for a in links]
    pieces = [clean_text(t) for t in link.itertext() if clean_text(t)]
    whole = _strip(clean_text(" ".join(pieces)))
    if len(pieces) > 1 and not _is_name(whole):
        return [_strip(piece) for piece in pieces]
    return [_strip(part) for part in SPLIT.split(whole) if part.strip()] or [whole]


def _text_names(block: HtmlElement) -> list[str]:
    """Names in the block's own text, text node by text node (a name and its outlet are often two
    elements), leaving out dates and times."""
    chunks: list[str] = []
    for node in block.iter():
        if not isinstance(node.tag, str) or node.tag in ("time", "script", "style", "button", "svg"):
            continue
        if _furniture_node(node, block):
            continue
        for text in (node.text, *(child.tail for child in node)):
            if text and text.strip():
                chunks.append(text)
    names: list[str] = []
    for chunk in chunks:
        if SOURCE_LINE.match(chunk):
            continue  # "来源：网易科学人": where the story came from, beside the byline
        if not PROMO.search(chunk):
            names += [_strip(part) for part in SPLIT.split(_strip(clean_text(chunk))) if part.strip()]
    return names


FOR_OUTLET = re.compile(r"\s+for\s+\S.*$", re.I)  # "Jane Doe For Dailymail.Com": the outlet she wrote for
# "Elena Oberholzer (obe)": her desk's short sign; "Eleanor Ainge Roy (reporting)": her part in the story
INITIALS = re.compile(r"\s*\((?:[a-zäöü][a-zäöü .]{1,20}|[A-ZÄÖÜ]{2,4})\)$")


def _furniture_node(node: HtmlElement, block: HtmlElement) -> bool:
    """Text in a byline block that is no name: the tools beside it (share, comments, text size, print),
    and links to other stories ("More Stories By Lisa: Third Democratic Debates Set ...")."""
    if len(clean_text(node.text or "")) <= 3 and node.getparent() is not None and node.getparent().xpath(".//button"):
        return True  # "AA" beside the buttons of a text-size control
    for element in [node, *node.iterancestors()]:
        if TOOLS.search(classes(element)) or element.get("role") == "button":
            return True
        if SOURCE_LINE.match(element.text or ""):
            return True  # "<span>来源：<a>网易科学人</a></span>": the story's source beside its byline
        if element.tag == "a" and not (element.get("rel") == "author" or AUTHOR_LINK.search(element.get("href") or "")):
            if len(element_text(element).split()) >= STORY_LINK_WORDS:
                return True
        if element is block:
            return False
    return False


def _strip(text: str) -> str:
    text = CJK_ROLE.sub(" ", LEAD_IN.sub("", text)).strip()
    return INITIALS.sub("", FOR_OUTLET.sub("", PLACE.sub("", text))).strip(" ,;:|·")


def is_name(text: str) -> bool:
    """A person's or a desk's name (for names that other tools guessed)."""
    return _is_name(_strip(text))


def _is_name(text: str) -> bool:
    """A person's or a desk's name, not a date, a URL, a job title or a sentence."""
    if DESK.match(text):
        return True
    if not text or len(text) > 60 or any(ch.isdigit() for ch in text) or ROLE_WORDS.search(text) or "/" in text:
        return False
    if OUTLET_END.search(text):
        return False  # CBC News, The Huffington Post: the outlet, not a person
    if UNCASED.match(text):
        letters = len(text.replace(" ", ""))
        return 2 <= letters <= 20 and text.count(" ") <= 3
    parts = text.split()
    if len(parts) == 1:  # AFP, AP, UOL, dpa; not a section label in capitals ("POLITICS")
        return (
            text.isupper() and 2 <= len(text) <= 8 and text.casefold() not in SECTIONS
        ) or text.casefold() in AGENCIES
    return len(parts) <= 5 and all(NAME_WORD.match(part) for part in parts)
