"""The article's text, and what changed in it word by word, with the page's furniture left out.

What changes on every load without anyone editing the story is page furniture: the footer's clock,
share and comment counters, "3 hours ago" labels, "Most Popular" boxes, navigation. It is told by
where it sits (its element: a footer, an aside, a share or counter or timestamp block, a <time>
that is not inside a sentence), never by what it says: a number, a time or a date in the story's
own sentences is part of the story, and changing it is an edit. Furniture is taken out of the
stored HTML before the text is read; what of it differs between two captures is listed as noise.

The text is the article body trafilatura finds in what is left (without the headline and
standfirst, which are compared as fields). Words are diffed with diff-match-patch (semantic
cleanup, as NewsDiffs does), one token per word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import lxml.html
import trafilatura
from diff_match_patch import diff_match_patch
from lxml.etree import ParserError

# Lines that are page furniture even when the extractor keeps them (labels, never sentences).
FURNITURE_LINE = re.compile(
    r"^(most (popular|read|viewed)|related( stories| articles)?|read more|advertisement"
    r"|share( this( article| story)?)?|sign up for .*newsletter.*)\W*$",
    re.I,
)
FURNITURE_TAGS = {"footer": "footer", "nav": "navigation", "aside": "aside"}
FURNITURE_CLASS = re.compile(
    r"(?:^|[\s_-])(share|sharing|social|shares?-?count|comments?-?count|counters?|views?-?count|ago|time-?ago|"
    r"relative-?time|timestamp|clock|last-?updated|most-?(?:popular|read|viewed)|popular|related|newsletter|"
    r"advert(?:isement)?|ad-?slot|promo|ticker|site-?header|masthead|byline|dateline|meta)(?:$|[\s_-])",
    re.I,
)
IN_A_SENTENCE = {"p", "li", "blockquote", "td", "dd", "figcaption", "q", "span", "em", "strong", "b", "i", "a"}
WORD = re.compile(r"\S+")
NOISE_SHOWN = 200  # characters of a furniture block kept in the noise list


@dataclass(frozen=True)
class Furniture:
    kind: str  # footer, navigation, aside, or the class word that marks it (share, ago, timestamp...)
    text: str


@dataclass
class ArticleText:
    paragraphs: list[str] = field(default_factory=list)
    furniture: list[Furniture] = field(default_factory=list)  # taken out before the text was read


@dataclass
class TextChange:
    """One run of words that changed: `old` removed, `new` inserted (one may be empty)."""

    old: str
    new: str
    context_before: str
    context_after: str

    def to_dict(self) -> dict[str, str]:
        return {"old": self.old, "new": self.new, "before": self.context_before, "after": self.context_after}


@dataclass
class TextDiff:
    changes: list[TextChange] = field(default_factory=list)
    noise: list[dict[str, str]] = field(default_factory=list)  # furniture that differs: kind, old, new
    segments: list[tuple[int, str]] = field(default_factory=list)  # (-1 removed | 0 same | 1 added, text)
    words_removed: int = 0
    words_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "words_removed": self.words_removed,
            "words_added": self.words_added,
            "changes": [change.to_dict() for change in self.changes],
            "noise_suppressed": self.noise,
        }


def article_text(html: str, url: str, leave_out: Iterable[str | None] = ()) -> ArticleText:
    """The article's paragraphs, without page furniture and without `leave_out` (headline, standfirst)."""
    if not html:
        return ArticleText()
    cleaned, furniture = without_furniture(html)
    text = (
        trafilatura.extract(
            cleaned, url=url, favor_precision=True, include_comments=False, include_tables=True, deduplicate=False
        )
        or ""
    )
    skip = {_squash(value) for value in leave_out if value}
    paragraphs = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and _squash(line) not in skip and not FURNITURE_LINE.match(line.strip())
    ]
    return ArticleText(paragraphs, furniture)


def without_furniture(html: str) -> tuple[str, list[Furniture]]:
    """The HTML with its furniture taken out, and the furniture, in document order."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return html, []
    found: list[tuple[Any, str]] = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or any(element is taken or _inside(element, taken) for taken, _ in found):
            continue
        kind = furniture_kind(element)
        if kind:
            found.append((element, kind))
    furniture = []
    for element, kind in found:
        furniture.append(Furniture(kind, _squash_space(element.text_content())))
        element.drop_tree()
    return lxml.html.tostring(tree, encoding="unicode"), furniture


def furniture_kind(element: Any) -> str | None:
    """What furniture `element` is, by where it sits, or None when it is not."""
    if element.tag in FURNITURE_TAGS:
        return FURNITURE_TAGS[element.tag]
    if element.tag == "time" and element.getparent() is not None and element.getparent().tag not in IN_A_SENTENCE:
        return "time label"
    if element.tag in ("html", "body", "main", "article"):
        return None  # the page and the story themselves, whatever their classes
    marks = FURNITURE_CLASS.search(f"{element.get('class') or ''} {element.get('id') or ''}")
    return marks.group(1).lower() if marks else None


def _inside(element: Any, ancestor: Any) -> bool:
    return any(parent is ancestor for parent in element.iterancestors())


def _squash_space(text: str) -> str:
    return " ".join(text.split())


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def furniture_changes(old: list[Furniture], new: list[Furniture]) -> list[dict[str, str]]:
    """The furniture that differs between two captures, kind by kind, in order: listed, not edits."""
    changes = []
    for kind in dict.fromkeys(item.kind for item in old + new):
        before = [item.text for item in old if item.kind == kind]
        after = [item.text for item in new if item.kind == kind]
        for index in range(max(len(before), len(after))):
            was = before[index] if index < len(before) else ""
            now = after[index] if index < len(after) else ""
            if was != now:
                changes.append({"kind": kind, "old": was[:NOISE_SHOWN], "new": now[:NOISE_SHOWN]})
    return changes


def diff_words(old_paragraphs: list[str], new_paragraphs: list[str], context: int = 6) -> TextDiff:
    old = [w for p in old_paragraphs for w in WORD.findall(p) + ["\n"]]
    new = [w for p in new_paragraphs for w in WORD.findall(p) + ["\n"]]
    alphabet: dict[str, str] = {}
    encode = lambda keys: "".join(alphabet.setdefault(k, chr(0xE000 + len(alphabet))) for k in keys)  # noqa: E731
    engine = diff_match_patch()
    engine.Diff_Timeout = 5
    ops = engine.diff_main(encode(old), encode(new), False)
    engine.diff_cleanupSemantic(ops)
    result, i, j = TextDiff(), 0, 0
    pending_old: list[str] = []
    pending_new: list[str] = []

    def flush() -> None:
        if pending_old or pending_new:
            result.changes.append(
                TextChange(
                    _join(pending_old),
                    _join(pending_new),
                    _join(new[max(0, j - len(pending_new) - context) : j - len(pending_new)]),
                    _join(new[j : j + context]),
                )
            )
            result.words_removed += sum(1 for w in pending_old if w != "\n")
            result.words_added += sum(1 for w in pending_new if w != "\n")
            pending_old.clear()
            pending_new.clear()

    for op, chunk in ops:
        count = len(chunk)
        if op == 0:
            flush()
            result.segments.append((0, _join(new[j : j + count])))
            i, j = i + count, j + count
        elif op == -1:
            pending_old.extend(old[i : i + count])
            result.segments.append((-1, _join(old[i : i + count])))
            i += count
        else:
            pending_new.extend(new[j : j + count])
            result.segments.append((1, _join(new[j : j + count])))
            j += count
    flush()
    result.changes = [c for c in result.changes if c.old.strip() or c.new.strip()]  # a moved paragraph break only
    return result


def _join(words: list[str]) -> str:
    return " ".join(words).replace(" \n ", "\n").replace("\n ", "\n").strip(" ")
