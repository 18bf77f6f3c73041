"""Revisits and reading back, on small WARC files written by the real writer: which responses may
be originals, how a revisit finds its original, and how a response is read back by URL."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archiver.warc.dedup import DedupTally, OriginalsIndex, originals_in, payload_digest, still_holds
from archiver.warc.lookup import WarcLookup
from archiver.warc.writer import RollingWarcWriter
from tests.support.warcs import GOOD

CSS = replace(GOOD, target_uri="http://example.org/a.css")
LOGO = replace(
    GOOD,
    target_uri="http://example.org/logo.png",
    response_body=b"\x89PNG logo",
    response_headers=[("Content-Type", "image/png"), ("Content-Length", "9")],
)
MISSING = replace(GOOD, target_uri="http://example.org/gone", response_status_line="404 Not Found")
EMPTY = replace(
    GOOD, target_uri="http://example.org/empty", response_body=b"", response_headers=[("Content-Length", "0")]
)
CUT = replace(GOOD, target_uri="http://example.org/big", truncated="length")


def _warc(folder: Path, *exchanges: object) -> Path:
    writer = RollingWarcWriter(folder, "first", {"software": "test"}, max_bytes=1 << 30)
    for exchange in exchanges:
        writer.write_exchange(exchange)  # type: ignore[arg-type]
    (path,) = writer.close()
    return path


def _index(path: Path) -> OriginalsIndex:
    index = OriginalsIndex()
    for original in originals_in(path, "run-1", "cap/first-00000.warc.gz", "0" * 64):
        index.add(original)
    return index


def test_only_complete_200s_with_a_body_may_be_originals(tmp_path: Path) -> None:
    path = _warc(tmp_path, CSS, LOGO, MISSING, EMPTY, CUT)
    found = {original.url: original for original in originals_in(path, "run-1", "cap/f.warc.gz", "0" * 64)}
    assert sorted(found) == ["http://example.org/a.css", "http://example.org/logo.png"]
    assert found["http://example.org/logo.png"].size == 9
    assert found["http://example.org/a.css"].requirement() == {
        "run_id": "run-1",
        "path": "cap/f.warc.gz",
        "sha256": "0" * 64,
    }


def test_our_payload_digest_is_the_one_warcio_wrote(tmp_path: Path) -> None:
    path = _warc(tmp_path, LOGO)
    with path.open("rb") as fh:
        written = [
            r.rec_headers.get_header("WARC-Payload-Digest") for r in ArchiveIterator(fh) if r.rec_type == "response"
        ]
    assert written == [payload_digest(LOGO.response_body)]


def test_a_revisit_is_offered_only_for_the_same_url_and_the_same_bytes(tmp_path: Path) -> None:
    index = _index(_warc(tmp_path, CSS, LOGO))
    assert index.find("http://example.org/logo.png", payload_digest(b"\x89PNG logo")) is not None
    assert index.find("http://example.org/logo.png", payload_digest(b"another logo")) is None
    assert index.find("http://example.org/other.png", payload_digest(b"\x89PNG logo")) is None
    assert index.has_capture_of("http://example.org/a.css") and not index.has_capture_of("http://example.org/x")


def test_a_tally_names_each_file_its_revisits_need_once(tmp_path: Path) -> None:
    index = _index(_warc(tmp_path, CSS, LOGO))
    tally = DedupTally(index)
    for url in ("http://example.org/a.css", "http://example.org/logo.png"):
        tally.noted(index.latest[url])
    assert tally.to_dict() == {
        "revisits": 2,
        "bytes_saved": 4 + 9,
        "requires": [{"run_id": "run-1", "path": "cap/first-00000.warc.gz", "sha256": "0" * 64}],
    }
    assert DedupTally(None).to_dict() is None  # not deduplicating


def test_a_response_is_read_back_by_url_and_through_a_revisit_to_its_original(tmp_path: Path) -> None:
    first = _warc(tmp_path / "first", CSS, LOGO)
    index = _index(first)
    writer = RollingWarcWriter(tmp_path / "second", "second", {"software": "test"}, max_bytes=1 << 30)
    writer.write_revisit(LOGO, index.latest["http://example.org/logo.png"])
    writer.write_exchange(replace(CSS, response_body=b"b{} ", warc_date="2026-12-02T00:00:00.000001Z"))
    (second,) = writer.close()
    lookup = WarcLookup([second], originals=[first])
    assert lookup.payload("http://example.org/logo.png") == b"\x89PNG logo"  # from the first capture
    assert lookup.payload("http://example.org/a.css#top") == b"b{} "  # this capture's own, fragment ignored
    assert lookup.find("http://example.org/logo.png").content_type == "image/png"  # type: ignore[union-attr]
    assert "http://example.org/gone" not in lookup and lookup.payload("http://example.org/gone") is None
    assert WarcLookup([second]).payload("http://example.org/logo.png") is None  # without the original: none


def test_an_original_is_found_where_it_was_indexed_and_nowhere_else(tmp_path: Path) -> None:
    path = _warc(tmp_path, CSS, LOGO)
    originals = list(originals_in(path, "run-1", "cap/f.warc.gz", "0" * 64))
    assert originals and all(still_holds(path, original) for original in originals)
    logo = next(o for o in originals if o.url.endswith("logo.png"))
    assert not still_holds(path, replace(logo, record_id="<urn:uuid:00000000-0000-0000-0000-000000000000>"))
    assert not still_holds(path, replace(logo, offset=logo.offset + 1))
    assert not still_holds(path, replace(logo, digest=payload_digest(b"other")))
    assert not still_holds(tmp_path / "gone.warc.gz", logo)
