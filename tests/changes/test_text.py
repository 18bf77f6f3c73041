"""What counts as an edit in an article's text: every word of the story, numbers and times
included; page furniture is left out by where it sits, and listed."""

from __future__ import annotations

import pytest

from archiver.changes.text import article_text, diff_words, furniture_changes

STORY = """<!doctype html><html><head><title>Man held after attack</title></head><body>
<header class="site-header"><a href="/">The Courier</a><span class="clock">{clock}</span></header>
<main><article><h1>Man held after attack</h1>
<p class="byline">By Ann Lee <time datetime="2026-12-01T10:00Z">{age}</time></p>
<p>A man was held for {days} days after the victim was stabbed {times} times at {when} on the quay.</p>
<p>The company said {shares} shares changed hands on {date}, before trading was halted.</p>
<p>Police asked witnesses to come forward and said the investigation was continuing.</p>
<p class="share">Shared {counter} times</p>
</article>
<aside class="most-popular"><h2>Most Popular</h2><ol><li>{popular}</li></ol></aside></main>
<footer><p>Page generated at {generated}.</p></footer></body></html>"""
FIRST = {
    "clock": "08:01",
    "age": "3 hours ago",
    "days": "3",
    "times": "5",
    "when": "10:30",
    "shares": "1,000",
    "date": "1 December 2026",
    "counter": "120",
    "popular": "Storm hits coast",
    "generated": "08:01:13",
}


def _text(**changed: str) -> tuple[list[str], list]:
    read = article_text(STORY.format(**{**FIRST, **changed}), "https://news.example/held")
    return read.paragraphs, read.furniture


@pytest.mark.parametrize(
    ("field", "new"),
    [("days", "30"), ("times", "15"), ("when", "22:30"), ("shares", "900,000"), ("date", "2 December 2026")],
)
def test_a_number_time_or_date_in_the_story_is_an_edit(field: str, new: str) -> None:
    old_paragraphs, _ = _text()
    new_paragraphs, _ = _text(**{field: new})
    diff = diff_words(old_paragraphs, new_paragraphs)
    assert len(diff.changes) == 1, diff.changes  # the one number, time or date
    assert new.split()[0] in diff.changes[0].new + " " + diff.changes[0].context_after


def test_furniture_is_left_out_by_where_it_sits_and_listed() -> None:
    old_paragraphs, old_furniture = _text()
    new_paragraphs, new_furniture = _text(
        clock="17:45", age="5 hours ago", counter="342", popular="Ferry delayed", generated="17:45:02"
    )
    assert not diff_words(old_paragraphs, new_paragraphs).changed
    assert not any("Shared" in p or "generated" in p or "hours ago" in p for p in new_paragraphs)
    noise = furniture_changes(old_furniture, new_furniture)
    assert {item["kind"] for item in noise} == {"site-header", "byline", "share", "aside", "footer"}
    assert {"kind": "share", "old": "Shared 120 times", "new": "Shared 342 times"} in noise


def test_the_story_itself_is_kept_whole() -> None:
    paragraphs, _ = _text()
    assert any("stabbed 5 times at 10:30" in p for p in paragraphs)
    assert any("1,000 shares changed hands on 1 December 2026" in p for p in paragraphs)
