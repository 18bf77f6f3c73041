"""The rolling WARC writer: .open while written, renamed when closed, rollover at a size."""

from __future__ import annotations

from pathlib import Path

from archiver.warc.writer import RollingWarcWriter
from tests.support.warcs import GOOD, read_records


def test_file_is_open_while_written_and_renamed_when_closed(tmp_path: Path) -> None:
    writer = RollingWarcWriter(tmp_path, "cap", {"software": "test"}, max_bytes=1 << 30)
    writer.write_exchange(GOOD)
    assert [p.name for p in tmp_path.iterdir()] == ["cap-00000.warc.gz.open"]
    assert writer.close() == [tmp_path / "cap-00000.warc.gz"]
    assert [p.name for p in tmp_path.iterdir()] == ["cap-00000.warc.gz"]


def test_rolls_over_past_the_size_with_a_warcinfo_in_each_file(tmp_path: Path) -> None:
    writer = RollingWarcWriter(tmp_path, "cap", {"software": "test"}, max_bytes=1)
    for _ in range(3):
        writer.write_exchange(GOOD)
    files = writer.close()
    assert [p.name for p in files] == [f"cap-0000{n}.warc.gz" for n in range(3)]
    for path in files:
        assert [r.type for r in read_records(path)] == ["warcinfo", "response", "request"]


def test_an_empty_capture_still_leaves_a_valid_file(tmp_path: Path) -> None:
    (path,) = RollingWarcWriter(tmp_path, "cap", {"software": "test"}, max_bytes=1 << 30).close()
    assert [r.type for r in read_records(path)] == ["warcinfo"]


def test_records_carry_sha256_digests_and_link_to_warcinfo(tmp_path: Path) -> None:
    writer = RollingWarcWriter(tmp_path, "cap", {"software": "test"}, max_bytes=1 << 30, page_id="cap-1")
    writer.write_exchange(GOOD)
    writer.write_metadata("http://example.org/a.css", [("state", "complete")])
    (path,) = writer.close()
    warcinfo, response, request, metadata = read_records(path)
    assert response.warc("WARC-Payload-Digest").startswith("sha256:")
    assert response.warc("WARC-Block-Digest").startswith("sha256:")
    assert metadata.warc("WARC-Payload-Digest") is None
    for record in (response, request, metadata):
        assert record.warc("WARC-Warcinfo-ID") == warcinfo.warc("WARC-Record-ID")
        assert record.warc("WARC-Page-ID") == "cap-1"
    assert response.warc("WARC-Date") == request.warc("WARC-Date") == GOOD.warc_date
