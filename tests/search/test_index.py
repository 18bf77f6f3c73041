"""The search index: incremental, rebuilt when damaged, furniture left out, any query safe."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archiver.search.index import INDEX_NAME, Filters, SearchIndex, fts_query
from tests.support.stored_runs import stored_run

STORY = (
    "<html><body><nav>Home World zanzibarnav</nav><article><h1>Council votes</h1>"
    + "".join(
        f"<p>The riverside plan was approved by the council after a long debate, part {n}, about housing.</p>"
        for n in range(6)
    )
    + "<p>Residents said the quokka colony by the river must be protected.</p>"
    "</article><aside class='most-popular'>Most Popular: the platypusbox story</aside>"
    "<footer>Page generated at 10:00 xylophonefoot</footer></body></html>"
)


def _run(output: Path, day: int, url: str = "https://news.example/2026/12/story", dom: str = STORY) -> None:
    manifest, _ = stored_run(output, started=datetime(2026, 12, day, 9, 0, tzinfo=UTC), dom=dom, url=url)
    manifest.write()


def test_words_of_the_article_its_credits_and_authors_are_found_and_furniture_is_not(tmp_path: Path) -> None:
    _run(tmp_path, 1)
    index = SearchIndex(tmp_path)
    assert index.update() == 1
    assert index.path == tmp_path / INDEX_NAME
    (hit,) = index.search("quokka")
    assert hit.capture.headline == "Council votes" and "\x02quokka\x03" in hit.snippet
    assert index.search("Ann Lee")[0].capture.capture_id == hit.capture.capture_id  # the credit
    assert index.search("Jane Doe")  # the author
    assert index.search('"quokka colony"') and not index.search('"colony quokka"')
    for furniture in ("zanzibarnav", "platypusbox", "xylophonefoot"):
        assert index.search(furniture) == [], furniture


def test_the_index_grows_incrementally_and_follows_what_is_deleted(tmp_path: Path) -> None:
    _run(tmp_path, 1)
    index = SearchIndex(tmp_path)
    assert index.update() == 1
    assert index.update() == 0  # nothing landed: no manifest read again
    _run(tmp_path, 2, url="https://news.example/2026/12/other")
    assert index.update() == 1
    assert index.totals()["captures"] == 2 and index.totals()["articles"] == 2
    assert [row.latest.url for row in index.articles()] == [
        "https://news.example/2026/12/other",
        "https://news.example/2026/12/story",
    ]
    old_run = sorted(p for p in tmp_path.iterdir() if p.is_dir())[0]
    (old_run / "manifest.json").unlink()
    index.update()
    assert index.totals()["captures"] == 1 and index.search("quokka")[0].capture.url.endswith("/other")


def test_a_damaged_or_foreign_index_file_is_rebuilt_from_the_manifests(tmp_path: Path) -> None:
    _run(tmp_path, 1)
    (tmp_path / INDEX_NAME).write_bytes(b"this is not an SQLite database" * 100)
    index = SearchIndex(tmp_path)
    index.update()
    assert index.search("quokka")
    with sqlite3.connect(tmp_path / INDEX_NAME) as db:  # another schema (an older archiver's)
        db.execute("UPDATE meta SET value = 'old' WHERE key = 'schema'")
    index = SearchIndex(tmp_path)
    assert index.update() == 1 and index.search("quokka")


def test_filters_by_site_date_and_state(tmp_path: Path) -> None:
    _run(tmp_path, 1)
    _run(tmp_path, 3, url="https://www.other.example/story")
    index = SearchIndex(tmp_path)
    index.update()
    assert [h.capture.site for h in index.search("quokka", Filters(site="www.other.example"))] == ["other.example"]
    assert [h.capture.site for h in index.search("quokka", Filters(until="2026-12-01"))] == ["news.example"]
    assert [h.capture.site for h in index.search("quokka", Filters(since="2026-12-02"))] == ["other.example"]
    assert index.search("quokka", Filters(state="failed")) == []


@pytest.mark.parametrize("query", ["NEAR(a b", '"', "*", "AND OR NOT", "headline:council", "^x", "a'b", "(", "\x02"])
def test_any_query_is_safe(tmp_path: Path, query: str) -> None:
    _run(tmp_path, 1)
    index = SearchIndex(tmp_path)
    index.update()
    index.search(query)  # no FTS5 syntax error reaches the person


def test_a_page_cannot_forge_the_snippet_markers(tmp_path: Path) -> None:
    _run(tmp_path, 1, dom=STORY.replace("quokka colony", "quokka \x02forged\x03 colony"))
    index = SearchIndex(tmp_path)
    index.update()
    (hit,) = index.search("quokka")
    assert hit.snippet.count("\x02") == 1 and "\x02quokka\x03" in hit.snippet


def test_the_query_is_quoted_for_fts5() -> None:
    assert fts_query('council "riverside plan" NEAR(') == '"council" "riverside plan" "NEAR("'
    assert fts_query("  ") is None and fts_query('"') is None
