"""The fixture article, captured over HTTP/1.1: every lazy and late resource, every WARC rule."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from archiver.identity import sha256_file
from archiver.output.manifest import load_schema
from archiver.run.batch import RunOutcome
from archiver.warc.lint import lint_paths
from archiver.warc.redact import MARK as REDACTED
from tests.support.fixture_site import IMAGE_PATHS, NEXT_STORIES, POST_BODY_MARK
from tests.support.warcs import Record, records_of, responses

pytestmark = pytest.mark.browser

# Everything the article needs, at any screen size, and how it first reaches the browser.
NEEDED_PATHS = (
    [
        "/article",
        "/static/app.css",
        "/static/app.js",
        "/api/track",
        "/api/stream",
        "/api/popular",
        "/api/late",
        "/media/clip.wav",
    ]
    + [f"/api/next?n={n}" for n in range(1, NEXT_STORIES + 1)]
    + [f"/img/{name}" for name in IMAGE_PATHS if name not in ("embed-pic.jpg", "tall.jpg")]
)


@pytest.fixture(scope="module")
def outcome(article_capture: RunOutcome) -> RunOutcome:
    return article_capture


@pytest.fixture(scope="module")
def manifest(outcome: RunOutcome) -> dict:
    return json.loads(outcome.manifest_path.read_text())


@pytest.fixture(scope="module")
def records(outcome: RunOutcome) -> list[Record]:
    return records_of(outcome.run_dir)


@pytest.fixture(scope="module")
def by_url(records: list[Record]) -> dict[str, list[Record]]:
    return responses(records)


def _origin(manifest: dict) -> str:
    final = manifest["pages"][0]["final_url"]
    return final[: final.index("/", 8)]


def test_page_is_complete_after_its_redirect(manifest: dict, site) -> None:
    page = manifest["pages"][0]
    assert page["state"] == "complete", page["reason"]
    assert page["requested_url"] == site.url("/go/article")
    assert page["final_url"] == site.url("/article")
    assert page["status"] == 200
    assert page["title"] == "Fixture article: everything loads late"


def test_every_lazy_and_late_resource_has_a_200_record(manifest: dict, by_url: dict) -> None:
    origin = _origin(manifest)
    missing = [path for path in NEEDED_PATHS if not any(r.status == 200 for r in by_url.get(origin + path, []))]
    assert missing == []


def test_cross_site_iframe_and_its_image_are_recorded(by_url: dict, site) -> None:
    for path in ("/embed/widget.html", "/img/embed-pic.jpg"):
        assert [r.status for r in by_url[site.url(path, host="localhost")]] == [200]


def test_redirect_is_recorded_as_its_3xx(by_url: dict, site) -> None:
    (redirect,) = by_url[site.url("/go/article")]
    assert redirect.status == 302
    assert redirect.http.get_header("Location") == "/article"
    assert redirect.http.get_header("Content-Length") == str(len(redirect.payload)) == "0"
    assert redirect.http.get_header("X-Orig-Content-Length") == "6"  # the server's body, which Chromium drops


def test_decoded_bodies_say_so_in_their_headers(manifest: dict, by_url: dict) -> None:
    origin = _origin(manifest)
    for path, encoding, text in (
        ("/article", "gzip", b"Fixture article"),
        ("/static/app.css", "gzip", b"font-family"),
        ("/static/app.js", "br", b"brotli-decoded"),
        ("/api/popular", "br", b"Popular story 1"),
    ):
        (record,) = by_url[origin + path]
        assert record.http.get_header("Content-Encoding") is None
        assert record.http.get_header("X-Orig-Content-Encoding") == encoding
        assert text in record.payload
        assert record.http.get_header("Content-Length") == str(len(record.payload))


def test_chunked_response_is_stored_dechunked_and_says_so(manifest: dict, by_url: dict) -> None:
    (record,) = by_url[_origin(manifest) + "/api/stream"]
    assert record.http.get_header("Transfer-Encoding") is None
    assert record.http.get_header("X-Orig-Transfer-Encoding") == "chunked"
    assert record.payload == b"piece one, piece two, piece three"


def test_duplicate_set_cookie_headers_stay_two_lines_their_values_redacted(manifest: dict, by_url: dict) -> None:
    (article,) = by_url[_origin(manifest) + "/article"]
    lines = article.http_all("Set-Cookie")
    assert [line.partition("=")[0] for line in lines] == ["session", "consent"]
    assert all(line.endswith("; Path=/") for line in lines)
    values = [line.split(";")[0].partition("=")[2] for line in lines]
    assert all(re.fullmatch(re.escape(REDACTED) + "[0-9a-f]{16}", value) for value in values), values
    (page,) = manifest["pages"]
    assert page["secrets"]["redacted"] and page["secrets"]["headers"]["Set-Cookie"] == 2


def test_post_request_is_recorded_with_its_body(records: list[Record], manifest: dict) -> None:
    url = _origin(manifest) + "/api/track"
    (request,) = [r for r in records if r.type == "request" and r.uri == url]
    assert request.http.protocol == "POST"
    assert json.loads(request.payload) == {"event": "view", "mark": POST_BODY_MARK}
    assert request.http.get_header("Content-Length") == str(len(request.payload))
    response = records[request.index - 1] if request.file == records[request.index - 1].file else None
    assert response is not None and response.type == "response"
    assert request.warc("WARC-Concurrent-To") == response.warc("WARC-Record-ID")


def test_range_media_is_stored_as_one_complete_copy(manifest: dict, by_url: dict, site) -> None:
    (clip,) = by_url[_origin(manifest) + "/media/clip.wav"]
    assert clip.status == 200
    assert clip.payload == site.app.wav
    page = manifest["pages"][0]
    assert page["media"]["refetched_whole"] == [_origin(manifest) + "/media/clip.wav"]
    assert page["counts"]["partial_media_pieces"] >= 1  # the browser really did use Range


def test_fragment_never_reaches_a_target_uri(records: list[Record], manifest: dict) -> None:
    assert all("#" not in r.uri for r in records)
    assert _origin(manifest) + "/img/frag.jpg" in {r.uri for r in records}


def test_every_response_has_server_ip_and_protocol(records: list[Record]) -> None:
    for record in records:
        if record.type == "response":
            assert record.warc("WARC-IP-Address") == "127.0.0.1", record.uri
            assert record.headers.get_header("WARC-Protocol") == "http/1.1", record.uri
            assert record.http.protocol == "HTTP/1.1"


def test_no_request_offers_zstd(records: list[Record]) -> None:
    for record in records:
        if record.type == "request":
            assert "zstd" not in (record.http.get_header("Accept-Encoding") or ""), record.uri


def test_warcinfo_opens_every_file_and_describes_the_capture(outcome: RunOutcome) -> None:
    for path in outcome.run_dir.rglob("*.warc.gz"):
        first = records_of(path.parent)[0]
        assert first.type == "warcinfo"
        fields = dict(line.split(": ", 1) for line in first.payload.decode().strip().splitlines())
        assert fields["software"].startswith("archiver/")
        assert fields["browser"].startswith("Chromium ")
        assert "Headless" not in fields["http-header-user-agent"]
        assert fields["viewport"] == "1280x800 @1.0x"


def test_warcio_check_passes(outcome: RunOutcome) -> None:
    files = [str(p) for p in outcome.run_dir.rglob("*.warc.gz")]
    warcio = Path(sys.executable).with_name("warcio")  # the console script of the same environment
    result = subprocess.run([str(warcio), "check", "-v", *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest pass" in result.stdout


def test_lint_is_clean(outcome: RunOutcome) -> None:
    assert [str(issue) for issue in lint_paths([outcome.run_dir])] == []


def test_no_open_files_are_left(outcome: RunOutcome) -> None:
    assert list(outcome.run_dir.rglob("*.open")) == []


def test_screenshots_are_pngs_of_the_page_and_in_the_warc(
    manifest: dict, records: list[Record], outcome: RunOutcome
) -> None:
    page = manifest["pages"][0]
    shots = page["screenshots"]
    viewport = Image.open(outcome.run_dir / shots["viewport"]["path"])
    assert (viewport.format, viewport.size) == ("PNG", (1280, 800))
    full = Image.open(outcome.run_dir / shots["full_page"]["path"])
    assert full.format == "PNG"
    assert (
        full.size == (1280, page["behaviours"]["scroll"]["final_height"]) == (1280, shots["full_page"]["page_height"])
    )
    assert shots["full_page"]["capped"] is False
    resources = {r.uri: r for r in records if r.type == "resource"}
    for kind, prefix in (("viewport", "urn:view:"), ("full_page", "urn:fullPage:")):
        record = resources[prefix + page["final_url"]]
        assert record.warc("Content-Type") == "image/png"
        assert record.payload == (outcome.run_dir / shots[kind]["path"]).read_bytes()
    main_id = next(r.warc("WARC-Record-ID") for r in records if r.type == "response" and r.uri == page["final_url"])
    assert resources["urn:view:" + page["final_url"]].warc("WARC-Concurrent-To") == main_id


def test_rendered_dom_holds_the_late_content(manifest: dict, records: list[Record], outcome: RunOutcome) -> None:
    page = manifest["pages"][0]
    (dom,) = [r for r in records if r.type == "resource" and r.uri == "urn:dom:" + page["final_url"]]
    for text in (b"Popular story 3", b"Next story 3", b'src="/img/late.jpg"', b"<iframe"):
        assert text in dom.payload
    assert b'<section id="popular" data-src="/api/popular"><h2>Most Popular</h2>' in dom.payload  # not "Loading..."
    assert b"Next story 4" not in dom.payload
    (text,) = [r for r in records if r.type == "resource" and r.uri == "urn:text:" + page["final_url"]]
    assert "Popular story 3" in text.payload.decode() and "<section" not in text.payload.decode()


def test_behaviours_log_what_they_did(manifest: dict) -> None:
    behaviours = manifest["pages"][0]["behaviours"]
    assert behaviours["ran"] == ["eager-loading", "scroll", "settle", "autofetch"]
    assert behaviours["eager_elements"] >= 2  # the lazy image and the lazy iframe
    scroll = behaviours["scroll"]
    assert scroll["stopped_by"] == "bottom"
    assert scroll["steps"] > 10
    assert len(scroll["growth"]) >= NEXT_STORIES  # each next story made the page taller
    assert scroll["final_height"] > scroll["initial_height"]
    fetched = set(behaviours["autofetch"]["fetched"])
    origin = _origin(manifest)
    for name in ("srcset-1600.jpg", "pic-mobile-2x.jpg", "ds-2x.jpg", "noscript.jpg"):
        assert origin + "/img/" + name in fetched


def test_metadata_record_states_the_outcome(manifest: dict, records: list[Record]) -> None:
    page = manifest["pages"][0]
    (metadata,) = [r for r in records if r.type == "metadata"]
    assert metadata.uri == page["final_url"]
    assert metadata.warc("Content-Type") == "application/warc-fields"
    assert metadata.warc("WARC-Payload-Digest") is None
    fields = dict(line.split(": ", 1) for line in metadata.payload.decode().strip().splitlines())
    assert fields["state"] == "complete" and fields["http-status"] == "200"
    assert json.loads(fields["behaviours"])["scroll"]["steps"] == page["behaviours"]["scroll"]["steps"]


def test_manifest_validates_and_its_checksums_match(manifest: dict, outcome: RunOutcome) -> None:
    jsonschema.Draft202012Validator(load_schema(), format_checker=jsonschema.FormatChecker()).validate(manifest)
    files = manifest["pages"][0]["files"]
    assert {f["role"] for f in files} == {"warc", "screenshot_viewport", "screenshot_full_page", "dom", "text"}
    for entry in files:
        path = outcome.run_dir / entry["path"]
        assert sha256_file(path) == entry["sha256"]
        assert path.stat().st_size == entry["size"]
    assert manifest["summary"] == {"pages": 1, "complete": 1, "partial": 0, "failed": 0}
    assert manifest["ended_at"] is not None


def test_content_hashes_identify_what_was_captured(manifest: dict, by_url: dict, outcome: RunOutcome) -> None:
    page = manifest["pages"][0]
    (document,) = by_url[page["final_url"]]
    from archiver.identity import page_id, sha256_bytes

    assert page["content_hashes"]["document_sha256"] == sha256_bytes(document.payload)
    assert page["content_hashes"]["dom_sha256"] == sha256_file(
        outcome.run_dir / next(f["path"] for f in page["files"] if f["role"] == "dom")
    )
    assert page["page_id"] == page_id(page["requested_url"])
