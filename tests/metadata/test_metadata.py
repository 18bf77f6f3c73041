"""Article metadata and photo credits, each with its evidence, on pages in several CMS styles."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from archiver.options import CaptureOptions
from archiver.output.manifest import load_schema
from tests.support.captures import TEST_OPTIONS, run_capture
from tests.support.cli import ARCHIVER
from tests.support.news_pages import PAGES

pytestmark = pytest.mark.browser

OPTIONS = CaptureOptions(**{**TEST_OPTIONS.to_dict(), "settle_after_load": 0.5})


@pytest.fixture(scope="module")
def pages(site, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    outcome = run_capture([site.url(f"/cms/{name}") for name in PAGES], tmp_path_factory.mktemp("cms"), OPTIONS)
    manifest = json.loads(outcome.manifest_path.read_text())
    jsonschema.Draft202012Validator(load_schema()).validate(manifest)
    return dict(zip(PAGES, manifest["pages"], strict=True))


def field(page: dict, name: str):  # type: ignore[no-untyped-def]
    value = page["article"]["fields"].get(name)
    if isinstance(value, list):
        return [(item["value"], item["source"]) for item in value]
    return (value["value"], value["source"]) if value else None


def image(page: dict, name: str) -> dict:
    (found,) = [i for i in page["images"] if i["url"].endswith("/" + name)]
    return found


def credits(page: dict, name: str) -> list[tuple[str, str]]:
    return [(c["value"], c["source"]) for c in image(page, name)["credits"]]


def test_wordpress_classic(pages: dict) -> None:
    page = pages["wp-classic"]
    assert field(page, "headline") == ("Parliament votes on the budget", "h1")
    assert field(page, "authors") == [("Ana Reporter", "meta author")]
    assert field(page, "published") == ("2024-03-05T08:30:00+01:00", "meta article:published_time")
    assert field(page, "modified") == ("2024-03-05T12:15:00+01:00", "meta article:modified_time")
    assert field(page, "canonical_url") == ("https://classic.example/2024/03/05/budget-vote/", "link rel=canonical")
    assert field(page, "site_name") == ("Classic Gazette", "meta og:site_name")
    assert field(page, "section") == ("Politics", "meta article:section")
    assert field(page, "keywords") == (["budget", "parliament"], "meta keywords")
    assert field(page, "language") == ("en", "html lang")
    lead = image(page, "wp-classic-lead.jpg")
    assert lead["is_lead"] and lead["captured"] and not lead["archive_photo"]
    assert lead["caption"] == "Members of parliament vote on Tuesday. (AP Photo/Jane Lens)"
    assert credits(page, "wp-classic-lead.jpg") == [("AP Photo/Jane Lens", "caption AP Photo/...")]
    assert image(page, "wp-classic-2.jpg")["archive_photo"] is True
    assert credits(page, "wp-classic-2.jpg") == [("REUTERS/Max Shutter", "caption REUTERS/...")]
    assert not [i for i in page["images"] if i["url"].endswith("sidebar.jpg")]  # the sidebar's is not the article's
    assert page["images_left_out"] == 1


def test_wordpress_blocks_and_json_ld(pages: dict) -> None:
    page = pages["wp-block"]
    assert field(page, "headline") == ("Fans celebrate the title", "json-ld NewsArticle.headline")
    assert field(page, "authors") == [
        ("Bo Writer", "json-ld NewsArticle.author"),
        ("Cy Editor", "json-ld NewsArticle.author"),
    ]
    assert field(page, "published") == ("2024-05-01T22:10:00+00:00", "json-ld NewsArticle.datePublished")
    assert field(page, "modified") == ("2024-05-02T07:00:00+00:00", "json-ld NewsArticle.dateModified")
    assert field(page, "language") == ("en-GB", "html lang")
    assert field(page, "section") == ("Sport", "json-ld NewsArticle.articleSection")
    assert field(page, "keywords") == (["football", "celebration"], "json-ld NewsArticle.keywords")
    assert field(page, "site_name") == ("Block Times", "json-ld NewsArticle.publisher.name")
    crowd = image(page, "block-1024.jpg")
    assert [r["url"].rsplit("/", 1)[1] for r in crowd["renditions"]] == ["block-300.jpg"]
    assert credits(page, "block-1024.jpg") == [("Lee Camera/Getty Images", "caption .../agency")]
    assert ("Night Owl Studio", "figure span .credit") in credits(page, "block-harbour.jpg")
    assert image(page, "block-harbour.jpg")["caption"] == "The harbour at night Photo: Night Owl Studio"
    assert page["article"]["structured_data"]["original"]["json-ld"][0]["headline"] == "Fans celebrate the title"


def test_json_ld_only_credit(pages: dict) -> None:
    page = pages["jsonld-credit"]
    assert field(page, "headline") == ("Port expands its terminal", "json-ld NewsArticle.headline")
    assert field(page, "authors") == [("Dee Journalist", "json-ld NewsArticle.author")]
    assert image(page, "jsonld-lead.jpg")["is_lead"] is True
    assert credits(page, "jsonld-lead.jpg") == [
        ("Harbour Authority", "json-ld ImageObject.creditText"),
        ("Port Media Ltd", "json-ld ImageObject.copyrightHolder"),
        ("Ola Photographer", "json-ld ImageObject.creator"),
    ]


def test_credits_read_from_the_files_in_the_warc(pages: dict) -> None:
    page = pages["file-metadata"]
    assert credits(page, "iptc.jpg") == [
        ("IPTC Credit Agency", "iptc 2:110 Credit"),
        ("Ida Byline", "iptc 2:80 By-line"),
        ("© 2024 IPTC Holder", "iptc 2:116 Copyright Notice"),
    ]
    assert sorted(credits(page, "xmp.jpg")) == [
        ("XMP Credit House", "xmp photoshop:Credit"),
        ("XMP Rights Holder", "xmp dc:rights"),
        ("Xavier Creator", "xmp dc:creator"),
    ]
    assert credits(page, "exif.jpg") == [("Eve Artist", "exif Artist"), ("EXIF Copyright Co", "exif Copyright")]
    origin = image(page, "iptc.jpg")["credits"][0]["origin"]
    assert origin == image(page, "iptc.jpg")["url"]


def test_agency_caption_patterns(pages: dict) -> None:
    page = pages["agencies"]
    assert credits(page, "ap.jpg") == [("AP Photo/Evan Vucci", "caption AP Photo/...")]
    assert credits(page, "reuters.jpg") == [("REUTERS/Benoit Tessier", "caption REUTERS/...")]
    assert image(page, "reuters.jpg")["archive_photo"] is True
    assert credits(page, "getty.jpg") == [("John Smith/Getty Images", "caption .../agency")]
    assert credits(page, "afp.jpg") == [("Jane Doe/AFP via Getty Images", "caption .../agency")]


def test_infinite_scroll_brings_no_foreign_credits(pages: dict) -> None:
    page = pages["infinite"]
    assert page["behaviours"]["scroll"]["growth"]  # the second article really arrived
    assert [i["url"].rsplit("/", 1)[1] for i in page["images"]] == ["first.jpg"]
    assert credits(page, "first.jpg") == [("First Article Photographer", "caption (Photo: ...)")]
    assert page["images_left_out"] == 1
    assert field(page, "headline") == ("The first article", "h1")


def test_nothing_is_invented(pages: dict) -> None:
    page = pages["no-credit"]
    assert [i["credits"] for i in page["images"]] == [[]]
    assert image(page, "nocredit.jpg")["archive_photo"] is False
    assert "authors" not in page["article"]["fields"]
    assert "published" not in page["article"]["fields"]


def test_original_and_rendered_are_both_kept_when_they_differ(pages: dict) -> None:
    page = pages["js-edited"]
    article = page["article"]
    assert field(page, "headline") == ("Server headline", "h1")
    assert article["fields"]["headline"]["in"] == "original"
    assert article["fields"]["modified"] == {
        "value": "2024-06-01T10:00:00+00:00",
        "source": "json-ld NewsArticle.dateModified",
        "in": "rendered",
    }
    differences = {d["field"]: (d["original"], d["rendered"]) for d in article["differences"]}
    assert differences["headline"][0]["value"] == "Server headline"
    assert differences["headline"][1]["value"] == "Script headline"
    assert article["structured_data"]["original"]["json-ld"] == []
    assert article["structured_data"]["rendered"]["json-ld"][0]["dateModified"] == "2024-06-01T10:00:00Z"


def test_sample_article_archive_photo_and_credit(tmp_path: Path) -> None:
    from archiver.sample import serve_sample

    with serve_sample() as url:
        outcome = run_capture([url], tmp_path, OPTIONS)
    (page,) = json.loads(outcome.manifest_path.read_text())["pages"]
    lead = next(i for i in page["images"] if i["is_lead"])
    assert lead["archive_photo"] is True
    assert [(c["value"], c["source"]) for c in lead["credits"]] == [
        ("Israeli Prime Minister Office", "caption (Photo Credit: ...)")
    ]
    assert field(page, "site_name") == ("The Cradle", "meta og:site_name")
    assert field(page, "published") == ("2022-11-02T10:00:00+00:00", "json-ld NewsArticle.datePublished")
    assert page["images_left_out"] == 3  # the "Most Popular" thumbnails
    shown = subprocess.run([*ARCHIVER, "show", str(tmp_path)], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    for line in (
        "Azerbaijan to open embassy in Israel, arrests Iran-affiliated cell",
        "By:          News Desk",
        "Published:   2022-11-02T10:00:00+00:00",
        "Site:        The Cradle",
        "State:       complete, HTTP 200",
        "Credit:      Israeli Prime Minister Office (caption (Photo Credit: ...))",
    ):
        assert line in shown.stdout.splitlines(), line
    assert "archive photo" in shown.stdout
    assert str(outcome.run_dir / page["files"][0]["path"]) in shown.stdout
