"""The article's text, and what changed in it word by word, with page noise left out.

The text is the article body trafilatura finds in the stored HTML (it leaves out the page's
furniture: "Most Popular" boxes, footers, navigation), without the headline and standfirst, which
are compared as fields. Words are diffed with diff-match-patch (semantic cleanup, as NewsDiffs
does), one token per word. Before diffing, what changes on every load without anyone editing the
story (clock times, "3 hours ago", share and comment counts) is folded to a placeholder, so it
cannot show up as an edit; such differences are still counted and listed as suppressed noise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import trafilatura
from diff_match_patch import diff_match_patch

# Lines that are page furniture even when the extractor keeps them.
FURNITURE_LINE = re.compile(
    r"^(most (popular|read|viewed)|related( stories| articles)?|read more|advertisement"
    r"|share( this( article| story)?)?|sign up for .*newsletter.*)\W*$",
    re.I,
)
NOISE = [  # (what it is, pattern) folded to one placeholder each
    ("clock time", re.compile(r"^\d{1,2}:\d{2}(:\d{2})?(am|pm)?[.,;]?$", re.I)),
    ("ISO timestamp", re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?[.,;]?$")),
]
COUNT_WORDS = re.compile(r"^(shares?|shared|comments?|views?|reads?|likes?|times|reactions?)\W*$", re.I)
AGO = re.compile(r"^(seconds?|minutes?|mins?|hours?|hrs?|days?)$", re.I)
NUMBER = re.compile(r"^[\d.,]+[kKmM]?$")
WORD = re.compile(r"\S+")


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
    noise: list[dict[str, str]] = field(default_factory=list)  # differences folded away, with what they were
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


def article_text(html: str, url: str, leave_out: Iterable[str | None] = ()) -> list[str]:
    """The article's paragraphs, without page furniture and without `leave_out` (headline, standfirst)."""
    if not html:
        return []
    text = (
        trafilatura.extract(
            html, url=url, favor_precision=True, include_comments=False, include_tables=True, deduplicate=False
        )
        or ""
    )
    skip = {_squash(value) for value in leave_out if value}
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and _squash(line) not in skip and not FURNITURE_LINE.match(line.strip())
    ]


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def noise_kind(tokens: list[str], index: int) -> str | None:
    """What the word at `index` is, if it is noise: a time, an age ("3 hours ago"), a count."""
    word = tokens[index]
    for kind, pattern in NOISE:
        if pattern.match(word):
            return kind
    if NUMBER.match(word):
        after = tokens[index + 1] if index + 1 < len(tokens) else ""
        before = tokens[index - 1] if index else ""
        if AGO.match(after):
            return "age"
        if COUNT_WORDS.match(after) or COUNT_WORDS.match(before):
            return "count"
    return None


def _folded(tokens: list[str]) -> list[str]:
    return [f"\x00{kind}" if (kind := noise_kind(tokens, i)) else token for i, token in enumerate(tokens)]


def diff_words(old_paragraphs: list[str], new_paragraphs: list[str], context: int = 6) -> TextDiff:
    old = [w for p in old_paragraphs for w in WORD.findall(p) + ["\n"]]
    new = [w for p in new_paragraphs for w in WORD.findall(p) + ["\n"]]
    old_key, new_key = _folded(old), _folded(new)
    alphabet: dict[str, str] = {}
    encode = lambda keys: "".join(alphabet.setdefault(k, chr(0xE000 + len(alphabet))) for k in keys)  # noqa: E731
    engine = diff_match_patch()
    engine.Diff_Timeout = 5
    ops = engine.diff_main(encode(old_key), encode(new_key), False)
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
            for k in range(count):
                if old[i + k] != new[j + k]:  # equal once folded: noise, kept visible as such
                    result.noise.append({"kind": old_key[i + k].lstrip("\x00"), "old": old[i + k], "new": new[j + k]})
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
