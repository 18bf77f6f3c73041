"""Who took the picture: credits from captions, figure markup, schema.org, and the image file itself.

Every credit is kept with its source, never merged into one guessed string. The file's own
metadata (IPTC, XMP, EXIF) is read with Pillow from the bytes stored in the WARC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from io import BytesIO
from typing import Any

from defusedxml import ElementTree
from PIL import Image, ImageFile, IptcImagePlugin, UnidentifiedImageError

from archiver.metadata.structure import clean_text

AGENCIES = (
    r"Getty Images|AFP via Getty Images|AFP|AP|Associated Press|Reuters|REUTERS|EPA|EPA-EFE|Bloomberg|"
    r"Shutterstock|Alamy|Anadolu Agency|Anadolu|Xinhua|dpa|DPA|PA|PA Wire|NurPhoto|SOPA Images|Sipa|"
    r"Sipa USA|Imago|IMAGO|picture alliance|picture-alliance|Keystone|ANP|ANSA|EFE|KEYSTONE|Redux|"
    r"The New York Times|Bloomberg via Getty Images|Zuma Press|ZUMA Press|Polaris|iStock|Corbis|"
    r"Europa Press|NTB|NTB Scanpix|Scanpix|TT|Ritzau Scanpix|Bildbyrån|Belga|BELGA|ČTK|PAP|TASS|ТАСС|"
    r"РИА Новости|Anadolu Ajansı|AA|DHA|İHA|Kyodo|Jiji Press|Yonhap|Bernama|Antara|Lusa|LUSA|AGI|LaPresse|"
    r"Keystone-SDA|APA|Shutterstock\.com|Getty|The Yomiuri Shimbun|Agencia Uno|Télam|Notimex|ABACA|"
    r"Xinhua News Agency|Pool"
)
# Picture agencies in the scripts of East Asian captions, named alone at a caption's end
# ("...있다. 뉴시스", "...＝ＡＰ", "…新华社发").
CJK_AGENCIES = (
    r"뉴시스|뉴스1|연합뉴스|연합뉴스TV|게티이미지코리아|게티이미지뱅크|"
    r"AFP 연합뉴스|AP 연합뉴스|EPA 연합뉴스|AP 뉴시스|AFP 뉴시스|"
    r"ＡＰ|ＡＦＰ|ＥＰＡ|ロイター|共同|共同通信|共同通信社|時事|時事通信|時事通信社|ゲッティ|新華社|聯合|"
    r"新华社|中新社|人民视觉|视觉中国|东方IC|IC photo|CFP"
)
# The words that introduce a credit in a caption, in the languages of the corpus
LABELS = (
    r"Photo(?:graph)?s?|Pictures?|Images?|Image source|Fotos?|Bild(?:er)?|Bildquelle|Quellenangabe|Illustration|"
    r"Grafik|Symbolfoto|Symbolbild|Archivfoto|Archivbild|Quelle|Source|Fotografía|Foto de|Imagen|Crédits?(?: photo)?|"
    r"Crédito|Photographie|Fotó|Fotoğraf|Görsel|Zdjęcie|Źródło|Zdroj|Beeld|Bron|Bilde|Kilde|Kuva|Ảnh|Nguồn|"
    r"Sumber|Ljósmynd|Фото|Фотография|Иллюстрация|Источник|Джерело|Коллаж|Колаж"
)
# The same in scripts without word spaces or with their own punctuation: no word boundary before them.
CJK_LABELS = (
    r"写真|画像|撮影|图片来源|圖片來源|图片|圖片|图|圖|来源|來源|摄影|攝影|사진\s*출처|사진|출처|صورة|الصورة|تصوير|المصدر|"
    r"צילום|फोटो|तस्वीर"
)


@dataclass(frozen=True)
class Credit:
    value: str
    # e.g. "caption (Photo Credit: ...)", "figure .credit", "json-ld ImageObject.creditText", "iptc 2:110 Credit"
    source: str
    origin: str | None = None  # where the evidence sits: the rendition URL for file metadata
    text: str | None = None  # the text it was read from (the caption, the credit element), for a reader to check

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


# A word of a name: "Florion", "O'Neil", an initial "J." or "J.J." (not "Juli." that ends a sentence)
NAME_WORD = r"[A-ZÀ-Ý](?:[\w'’-]+|\.(?:[A-ZÀ-Ý]\.)*)"
SENTENCE_WORDS = 7
NAME_PARTICLES = {
    "de",
    "da",
    "do",
    "dos",
    "das",
    "del",
    "la",
    "le",
    "van",
    "von",
    "der",
    "den",
    "di",
    "du",
    "y",
    "e",
    "et",
    "und",
    "and",
    "for",
    "via",
    "the",
}
CAPS_AGENCIES = r"EFE|EPA|AFP|REUTERS|ANSA|AP|DPA|ANP|PAP|NTB|TT|AA|IMAGO|SIPA|ABACA|XINHUA|LUSA|BELGA|KEYSTONE|APA"

# (name, pattern): the credit is the `credit` group; patterns tolerate a credit glued to the text
# before it. Earlier patterns win where two would read the same words.
CAPTION_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("(Photo Credit: ...)", re.compile(r"\(\s*Photo\s+Credits?\s*:\s*(?P<credit>[^)]+?)\s*\)", re.I)),
    (
        "[사진 = ...]",
        re.compile(r"[\[［]\s*(?:사진|출처|자료|그래픽)\s*(?:출처|제공)?\s*[=:：]\s*(?P<credit>[^\]］]+?)\s*[\]］]"),
    ),
    # Japanese and Chinese: "（潟沼義樹撮影）", "（警視庁提供）", "（记者 张三 摄）", "（X供图）"
    ("(... 撮影)", re.compile(r"[（(]\s*(?P<credit>[^（()）]{1,40}?)\s*(?:撮影|提供|摄|攝|供图|供圖)\s*[）)]")),
    # "记者 张三 摄", "李四供图" closing a Chinese caption (or the short line after its picture)
    (
        "... 摄",
        re.compile(
            r"(?:^|[\s。，,：:])(?:新华社记者|本报记者|记者|記者)?\s*"
            r"(?P<credit>[^\s。，,：:（()）]{2,12}(?:\s[^\s。，,：:（()）]{1,6})?)\s*(?:摄|攝|供图|供圖)\s*$"
        ),
    ),
    ("＝ agency", re.compile(rf"＝\s*(?P<credit>{CJK_AGENCIES})\s*$")),
    ("＝ ... 撮影", re.compile(r"＝\s*(?P<credit>[^＝（()）、。]{1,25}?)\s*(?:撮影|提供)\s*$")),
    ("写真：...", re.compile(rf"(?:{CJK_LABELS})\s*[:：]\s*(?P<credit>[^（()）:：\n]+?)\s*[)）]?\s*$")),
    (". agency", re.compile(rf"(?:^|[.!?。」”\"]\s*)\s*(?P<credit>{CJK_AGENCIES})\s*$")),
    ("(Image credit: ...)", re.compile(r"\(\s*Image\s+credits?\s*:\s*(?P<credit>[^)]+?)\s*\)", re.I)),
    ("(Photo: ...)", re.compile(rf"[(\[]\s*(?:{LABELS})\s*:\s*(?P<credit>[^)\]]+?)\s*[)\]]", re.I)),
    ("(Photo ...)", re.compile(r"\(\s*(?:Photos?|Fotos?)\s+(?P<credit>[A-Z][^)]+?)\s*\)\s*\.?$")),
    (
        "© ...",
        re.compile(
            r"(?:©|\(c\)|（[cＣｃ]）|Copyright)\s*(?:\d{4}\s*)?(?P<credit>[^;\n()（）\[\]]+?)"
            r"\s*(?=[;)\]]|\.\s+[A-Z]|\.?$)",
            re.I,
        ),
    ),
    ("AP Photo/...", re.compile(r"(?P<credit>\bAP\s+Photo\s*/\s*[^),\n]+?)\s*(?:,\s*File\s*)?(?:\)|$)")),
    ("REUTERS/...", re.compile(r"(?P<credit>\bREUTERS\s*/\s*[A-Z][^)\n/]*?)(?:\s*/\s*File Photo)?\s*(?:\)|$)")),
    # "EFE/ J.J. Guillén", "EFE/EPA/HAITHAM IMAD": an agency in capitals, then its photographer
    (
        "AGENCY/Name",
        re.compile(
            rf"(?:^|[\s.(])(?P<credit>(?:{CAPS_AGENCIES})(?:\s*/\s*(?:{CAPS_AGENCIES}))*\s*/\s*"
            r"[A-ZÀ-Ý][\w.'’ -]{1,40}?)\s*\)?\s*\.?$"
        ),
    ),
    # "... el 11 de octubre. Florion Goga (REUTERS)": El País's photographer (agency)
    (
        "Name (AGENCY)",
        re.compile(rf"(?:^|[.!?]\s+)(?P<credit>(?:{NAME_WORD}\s+){{1,4}}\((?:{AGENCIES})\))\s*\.?$"),
    ),
    # "...repariert werden. AP", "... im Juli. Ohad Zwigenberg / Pool via Reuters": after the last sentence
    (
        ". Agency",
        re.compile(
            rf"[.!?]\s+(?P<credit>(?:(?:{NAME_WORD}\s+){{1,4}}/\s*)?(?:Pool\s+(?:via\s+)?)?(?:{AGENCIES})"
            rf"(?:\s*/\s*(?:{AGENCIES}))*)\s*\.?$"
        ),
    ),
    # "Description / J. Stacevičiaus / LRT nuotr.": Lithuanian names the photographer in the genitive
    ("... nuotr.", re.compile(r"(?:^|/\s*)(?P<credit>[^/]{2,60}?(?:/\s*[^/]{2,40}?)?\s+nuotr\.)\s*$")),
    # "(Dok.IGI)": Indonesian "dokumentasi", the picture's source
    ("(Dok. ...)", re.compile(r"\(\s*(?P<credit>Dok\.\s*[^()]{2,60}?)\s*\)\s*\.?$")),
    ("Fot. ...", re.compile(r"(?:^|[.\s|(])Fot\.\s*:?\s*(?P<credit>[A-ZÀ-Ý][^()\n]+?)\s*\)?\s*$")),
    (
        "Photo by ...",
        re.compile(
            r"(?:^|[.\s(|])(?:Photo(?:graph)?|Image|Illustration|Picture)s?\s+by\s+"
            r"(?P<credit>[^()\n]+?)\s*\)?\s*\.?$",
            re.I,
        ),
    ),
    (
        "Photo: ...",
        re.compile(
            rf"(?:^|[.\s|(])(?:{LABELS})\s*(?:credit)?\s*[:：]\s*(?P<credit>[^():：\n]+?(?:\s*\([^()]+\))?)\s*\.?$",
            re.I,
        ),
    ),
    ("Image source, ...", re.compile(r"(?:^|[.\s])Image source,\s*(?P<credit>[^,\n]+?)\s*$")),
    ("Credit: ...", re.compile(r"(?:^|[.\s(|])Credits?\s*:\s*(?P<credit>[^()\n]+?)\s*\)?\s*\.?$", re.I)),
    ("[... via ...]", re.compile(r"\[\s*(?P<credit>[^\[\]]+?\bvia\b[^\[\]]+?)\s*\]")),
    (
        ".../agency",
        re.compile(
            rf"(?P<credit>(?:[A-Z](?:[\w'’-]*|\.)\s?){{1,4}}\s?[/—–]\s*(?:{AGENCIES})"
            rf"(?:\s*[-–—/]\s*(?:{AGENCIES})|\s+via\s+(?:{AGENCIES}))*)\s*(?:\)|$)"
        ),
    ),
    ("(Name/Outlet)", re.compile(r"\(\s*(?P<credit>(?=[^()]*[A-Z])[^()]{2,80}?\s*/\s*[^()]{2,60}?)\s*\)\s*\.?$")),
    ("(agency)", re.compile(rf"\(\s*(?P<credit>{AGENCIES})\s*\)\s*\.?$")),
    # "...Apostoli. (Edu Luque)", "( The Independent )": a name in brackets after the last sentence
    ("(Name)", re.compile(r"(?:^|[.!?][\"”’]?\s+)\(\s*(?P<credit>[A-ZÀ-Ý][^()]{1,78}?)\s*\)\s*\.?$")),
    ("| credit", re.compile(rf"\|\s*(?P<credit>(?:{AGENCIES})|[^|/]{{2,60}}/[^|]{{2,60}})\s*$")),
    # "Jane Doe via Getty Images", "Reprodução/TV Globo" after the caption's last sentence, or alone
    ("Name via Agency", re.compile(rf"(?:^|[.!?]\s+)(?P<credit>(?:{NAME_WORD}\s+){{1,4}}via\s+(?:{AGENCIES}))\s*\.?$")),
    ("Reprodução/...", re.compile(r"(?:^|[.!?]\s+|\s)(?P<credit>Reprodu[çc][ãa]o\s*/\s*[^\s./][^./]{0,40})\s*\.?$")),
    ("Name/Outlet", re.compile(r"^\s*(?P<credit>(?:[A-Z](?:[\w'’-]*|\.)\s?){1,4}\s?/\s?[A-Z][\w.'’& -]{1,40})\s*$")),
    (
        "... for The Outlet",
        re.compile(
            r"(?P<credit>(?:[A-Z][\w.'’-]+\s+){1,4}for\s+(?:the\s+|The\s+)?[A-Z][\w.'’&-]*"
            r"(?:\s+[A-Z][\w.'’&-]*){0,3})\s*\)?\s*\.?$"
        ),
    ),
]

# Words in brackets at a caption's end that say where or what, not who: "(left)", "(File)".
NOT_A_NAME = re.compile(
    r"^(?:left|right|centre|center|top|bottom|above|below|front|back|inset|pictured|file|archive|archives|"
    r"video|photo|illustration|symbolic image|l|r|l-r|r-l|from left|from right|via|pool)$|\d",
    re.I,
)
# A caption that is nothing but one of these is a credit line ("Privat" under a family photo).
CREDIT_ONLY = re.compile(rf"^\s*(?:{AGENCIES}|Privat|privat|Private|Handout|HANDOUT|Arkiv|Archiv)\s*\.?\s*$")

# Captions that mark an archive photo: "ARCHIVE – ...", "FILE PHOTO: ...", "FILE - ...".
ARCHIVE_CAPTION = re.compile(
    r"^\s*(?:ARCHIVE|FILE\s+PHOTO|FILE)\s*[-–—:]|\(\s*(?:file|archive)\s+photo\s*\)|/\s*File Photo\b"
)


# Patterns that find a credit by its label ("Photo:", "Credit:", "©", "写真："): the only ones trusted in
# an image's alt or title, which otherwise describe the picture.
LABELLED_PATTERNS = {
    "(Photo Credit: ...)",
    "[사진 = ...]",
    "(... 撮影)",
    "写真：...",
    "(Image credit: ...)",
    "(Photo: ...)",
    "© ...",
    "Photo by ...",
    "Photo: ...",
    "Credit: ...",
    "Image source, ...",
}


def caption_credits(caption: str | None, labelled_only: bool = False, where: str = "caption") -> list[Credit]:
    """Credits a caption states, each with the pattern that found it; overlapping finds keep the first.
    `labelled_only`: only credits introduced by a label (for an image's alt or title text)."""
    if not caption:
        return []
    text = clean_text(caption)
    found: list[Credit] = []
    claimed: list[tuple[int, int]] = []
    for name, pattern in CAPTION_PATTERNS:
        if labelled_only and name not in LABELLED_PATTERNS:
            continue
        for match in pattern.finditer(text):
            start, end = match.span("credit")
            if any(start < e and s < end for s, e in claimed):
                continue
            value = match.group("credit").strip(" .,;")
            if name == "(Name)" and (NOT_A_NAME.search(value) or _told_before(value, text[:start])):
                continue
            if name == "... nuotr." and re.search(r"asociatyv|iliustrac", value, re.I):
                continue  # "asociatyvi nuotr.": an illustrative photo, said of the picture, not its author
            if is_no_credit(value) or _a_sentence(value):
                continue  # "Photo: Protesters gather in front of parliament": what it shows, not who took it
            if value:
                claimed.append((start, end))
                found.append(Credit(value, f"{where} {name}", text=text))
    if not found and not labelled_only and CREDIT_ONLY.match(text):
        found.append(Credit(text.strip(" ."), f"{where} (credit only)", text=text))
    return found


# What a page says in a credit's place without naming anyone: a rights notice, a placeholder.
NO_CREDIT = re.compile(
    r"^(?:all rights reserved|alle rechte vorbehalten|riproduzione riservata|tous droits réservés|"
    r"todos los derechos reservados|todos os direitos reservados|copyright|str|n/?a|unknown|none|null|"
    r"undefined|-+)$",
    re.I,
)


def _a_sentence(value: str) -> bool:
    """A description rather than a name: seven words or more, half of them in lower case (names,
    outlets and their particles are capitalized: "Cedida por la Plataforma de San Isidro" is not)."""
    words = value.split()
    lower = [w for w in words if w[:1].islower() and w.casefold() not in NAME_PARTICLES]
    return len(words) >= SENTENCE_WORDS and len(lower) * 2 >= len(words)


def _told_before(value: str, before: str) -> bool:
    """A bracketed name the caption's own sentence already says ("... en Jerusalén. (Jerusalén)") or
    a single word: a place or a subject, not the photographer."""
    words = value.split()
    return len(words) < 2 or value.casefold() in before.casefold()


def is_no_credit(value: str) -> bool:
    """Nothing but a copyright sign, a rights notice or a placeholder ("© RIPRODUZIONE RISERVATA", "STR")."""
    words = " ".join(value.replace("©", " ").split()).strip(" .")
    return not words or bool(NO_CREDIT.match(words))


def is_archive_photo(caption: str | None) -> bool:
    return bool(caption and ARCHIVE_CAPTION.search(clean_text(caption)))


# One line after the article's text that credits its photos at once: "Fotoğraf, AA tarafından servis
# edilmiştir.", "Imagen | Ana, Luis y Marta", "Photos: Jane Doe".
CLOSING_CREDIT = re.compile(
    r"^(?:Fotoğraf(?:lar)?\s*,?\s*(?P<served>.{2,60}?)\s+tarafından\s+(?:servis\s+edilmiştir|çekilmiştir)|"
    r"(?:Photos?|Photographs?|Pictures|Fotos?|Bilder|Fotografías|Imágenes|Imagen|Images)\s*(?:by)?\s*[:|｜]\s*"
    r"(?P<listed>[^.]{2,80}?))\s*\.?$",
    re.I,
)


def closing_credit(paragraph: str) -> Credit | None:
    """The credit a closing line gives every photo of the article, if the line is one."""
    text = clean_text(paragraph)
    match = CLOSING_CREDIT.match(text)
    if match is None:
        return None
    value = (match.group("served") or match.group("listed") or "").strip(" .")
    return Credit(value, "closing line", text=text) if value and not is_no_credit(value) else None


# -- the file itself --------------------------------------------------------------------------

IPTC_FIELDS = {
    (2, 110): "iptc 2:110 Credit",
    (2, 80): "iptc 2:80 By-line",
    (2, 116): "iptc 2:116 Copyright Notice",
    (2, 115): "iptc 2:115 Source",
}
EXIF_FIELDS = {0x013B: "exif Artist", 0x8298: "exif Copyright"}
XMP_FIELDS = {
    "{http://ns.adobe.com/photoshop/1.0/}Credit": "xmp photoshop:Credit",
    "{http://purl.org/dc/elements/1.1/}creator": "xmp dc:creator",
    "{http://purl.org/dc/elements/1.1/}rights": "xmp dc:rights",
    "{http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/}CreditLine": "xmp Iptc4xmpCore:CreditLine",
}
RDF_LI = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li"


def file_credits(data: bytes, origin: str | None = None) -> list[Credit]:
    """Credits embedded in an image file (IPTC-IIM, XMP, EXIF); empty for files without them."""
    try:
        with Image.open(BytesIO(data)) as image:
            found = _iptc(image) + _xmp(image) + _exif(image)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return []
    return [Credit(value, source, origin) for value, source in _unique(found) if not is_no_credit(value)]


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _iptc(image: ImageFile.ImageFile) -> list[tuple[str, str]]:
    try:
        info = IptcImagePlugin.getiptcinfo(image) or {}
    except (SyntaxError, ValueError, IndexError):
        return []
    found = []
    for key, source in IPTC_FIELDS.items():
        raw = info.get(key)
        for item in raw if isinstance(raw, list) else [raw] if raw else []:
            found.append((_decode(item).strip(), source))
    return found


def _xmp(image: Image.Image) -> list[tuple[str, str]]:
    packet = image.info.get("xmp")
    if not packet:
        return []
    try:
        root = ElementTree.fromstring(packet if isinstance(packet, bytes) else packet.encode("utf-8"))
    except Exception:  # noqa: BLE001 - malformed XMP, or a parser bomb defusedxml refused
        return []
    found: list[tuple[str, str]] = []
    for element in root.iter():
        source = XMP_FIELDS.get(element.tag)
        if source is None:
            continue
        items = [li.text for li in element.iter(RDF_LI)] or [element.text]
        found.extend((text.strip(), source) for text in items if text and text.strip())
    for description in root.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"):
        for attribute, value in description.attrib.items():  # the attribute form: photoshop:Credit="..."
            if attribute in XMP_FIELDS and value.strip():
                found.append((value.strip(), XMP_FIELDS[attribute]))
    return found


def _exif(image: Image.Image) -> list[tuple[str, str]]:
    try:
        exif = image.getexif()
    except Exception:  # noqa: BLE001 - broken EXIF blocks are common; they hold nothing we can trust
        return []
    found = []
    for tag, source in EXIF_FIELDS.items():
        value = exif.get(tag)
        if isinstance(value, bytes):
            value = _decode(value)
        if isinstance(value, str) and value.strip(" \x00"):
            found.append((value.strip(" \x00"), source))
    return found


def _unique(found: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys((value, source) for value, source in found if value))


def schema_image_credits(node: dict[str, Any], kind: str = "json-ld ImageObject") -> list[Credit]:
    """Credits in a schema.org ImageObject: creditText, copyrightNotice, copyrightHolder, creator, author."""
    found = []
    for key in ("creditText", "copyrightNotice", "copyrightHolder", "creator", "author"):
        value = node.get(key)
        values = value if isinstance(value, list) else [value]
        for item in values:
            name = item.get("name") if isinstance(item, dict) else item
            if isinstance(name, str) and name.strip() and not is_no_credit(name):
                found.append(Credit(" ".join(name.split()), f"{kind}.{key}"))
    return found
