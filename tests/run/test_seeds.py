"""Seeds from input files: each line on its own; a line that is not text is that line's failure."""

from __future__ import annotations

from pathlib import Path

from archiver.run.seeds import read_seeds


def test_a_line_that_is_not_utf8_fails_alone_and_is_written_as_text(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_bytes(
        b"\xef\xbb\xbfhttps://a.example/one\nhttps://a.example/\xff\xfe\n# a comment\nhttps://b.example/ caf\xc3\xa9 two\n"
    )
    first, bad, two_words = read_seeds([], [str(urls)])
    assert (first.url, first.problem) == ("https://a.example/one", None)
    assert bad.problem == "the line is not UTF-8 text" and bad.url == "https://a.example/\\xff\\xfe"
    assert bad.origin == f"{urls} line 2"
    assert "more than one word" in (two_words.problem or "") and "café" in two_words.url
    for seed in (first, bad, two_words):
        seed.url.encode("utf-8")  # every seed is text that can be written anywhere
