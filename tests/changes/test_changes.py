"""Stealth edits: an article captured, edited (editions.py), captured again with --recapture.

The re-capture stores what did not change as revisit records that replay (pywb, ReplayWeb.page,
a bundle of the re-capture alone), and `archiver diff` / `archiver history` report exactly the
edits: the headline, one paragraph, the lead photo and its credit; not the "Most Popular" box,
the footer's timestamp or the share count.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from playwright.async_api import async_playwright
from warcio.archiveiterator import ArchiveIterator

from archiver.browser.launch import find_browser, launch
from archiver.evidence.verify import FAIL, NOTE, OK, _check_revisits
from archiver.output.dedup_index import INDEX_NAME, INDEX_VERSION, DedupIndex
from archiver.output.manifest import load_schema
from archiver.replay.qa import Thresholds, run_qa
from archiver.replay.replaywebpage import ReplayWebPageServer, ensure_replaywebpage
from archiver.warc.dedup import REVISIT_PROFILE
from archiver.warc.lint import lint_paths
from tests.support import editions
from tests.support.cli import ARCHIVER
from tests.support.fixture_site import FixtureApp, ServerThread
from tests.support.rwp_client import DESKTOP, replay

pytestmark = [pytest.mark.browser, pytest.mark.pywb, pytest.mark.replaywebpage]

QUICK = ["--navigation-timeout", "60", "--settle", "1", "--network-quiet", "0.3", "--behaviour-timeout", "90"]
UNCHANGED = ("/news/static/site.css", "/news/static/site.js", "/news/img/logo.png", "/news/img/yards.jpg")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ARCHIVER, *args], capture_output=True, text=True, timeout=600)


@dataclass
class Capture:
    run_dir: Path
    entry: dict

    @property
    def folder(self) -> Path:
        return self.run_dir / self.entry["capture_id"]

    @property
    def warcs(self) -> list[Path]:
        return [self.run_dir / f["path"] for f in self.entry["files"] if f["role"] == "warc"]


@dataclass
class Editions:
    output: Path
    url: str
    first: Capture
    second: Capture


def _capture(output: Path, url: str, *extra: str) -> Capture:
    before = {p.name for p in output.iterdir()} if output.exists() else set()
    result = cli("capture", "--output", str(output), *QUICK, *extra, url)
    assert result.returncode == 0, result.stderr
    (run_dir,) = [p for p in output.iterdir() if p.is_dir() and p.name not in before and p.name[0].isdigit()]
    (entry,) = json.loads((run_dir / "manifest.json").read_text())["pages"]
    return Capture(run_dir, entry)


@pytest.fixture(scope="module")
def news_site() -> Iterator[tuple[FixtureApp, str]]:
    app = FixtureApp()
    server = ServerThread(app).start()
    yield app, f"http://127.0.0.1:{server.port}"
    server.stop()


@pytest.fixture(scope="module")
def captured(news_site: tuple[FixtureApp, str], tmp_path_factory: pytest.TempPathFactory) -> Editions:
    app, origin = news_site
    output, url = tmp_path_factory.mktemp("editions"), origin + editions.STORY_PATH
    app.edition = 1
    first = _capture(output, url)
    app.edition = 2
    second = _capture(output, url, "--recapture")
    return Editions(output, url, first, second)


def _records(paths: list[Path]) -> list[tuple[str, str, dict[str, str]]]:
    found = []
    for path in paths:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                found.append(
                    (
                        record.rec_type,
                        record.rec_headers.get_header("WARC-Target-URI") or "",
                        dict(record.rec_headers.headers),
                    )
                )
    return found


def test_the_recapture_stores_unchanged_resources_as_revisits_of_the_first(captured: Editions) -> None:
    originals = {
        headers["WARC-Record-ID"]: (uri, headers["WARC-Payload-Digest"])
        for kind, uri, headers in _records(captured.first.warcs)
        if kind == "response"
    }
    second = _records(captured.second.warcs)
    revisits = {uri.split(":", 2)[2].split("/", 1)[1]: headers for kind, uri, headers in second if kind == "revisit"}
    responses = {uri.split(":", 2)[2].split("/", 1)[1] for kind, uri, _ in second if kind == "response"}
    assert sorted("/" + path for path in revisits) == sorted(UNCHANGED)
    assert {"news/2026/11/council-housing-plan", "news/img/lead.jpg"} <= responses  # changed, or the page itself
    for headers in revisits.values():
        assert headers["WARC-Profile"] == REVISIT_PROFILE
        uri, digest = originals[headers["WARC-Refers-To"]]  # an original response, never another revisit
        assert uri == headers["WARC-Target-URI"] == headers["WARC-Refers-To-Target-URI"]
        assert digest == headers["WARC-Payload-Digest"]
        assert headers["WARC-Refers-To-Date"]
    dedup = captured.second.entry["dedup"]
    assert dedup["revisits"] == 4
    sizes = {uri: len(body) for (edition, uri), body in editions.images().items() if edition == 0}
    sizes.update({"/news/static/site.css": len(editions.CSS), "/news/static/site.js": len(editions.JS)})
    assert dedup["bytes_saved"] == sum(sizes.values())
    (requirement,) = dedup["requires"]
    assert captured.first.run_dir / requirement["path"] == captured.first.warcs[0]
    assert requirement["sha256"] == captured.first.entry["files"][0]["sha256"]
    assert captured.first.entry["dedup"] == {"revisits": 0, "bytes_saved": 0, "requires": []}
    # what the capture reads back through its revisits: the unchanged photo and its credit
    yards = next(image for image in captured.second.entry["images"] if image["url"].endswith("/yards.jpg"))
    assert yards["captured"] and yards["credits"][0]["value"] == "Lena Fischer"
    for entry in (captured.first.entry, captured.second.entry):
        jsonschema.Draft202012Validator(load_schema()).validate({"pages": [entry]} | _manifest_shell(captured))


def _manifest_shell(captured: Editions) -> dict:
    manifest = json.loads((captured.second.run_dir / "manifest.json").read_text())
    return {key: value for key, value in manifest.items() if key != "pages"}


def test_both_captures_pass_warcio_check_and_lint(captured: Editions) -> None:
    for warcs in (captured.first.warcs, captured.second.warcs + captured.first.warcs):
        result = subprocess.run(
            [str(Path(sys.executable).with_name("warcio")), "check", "-v", *map(str, warcs)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout[-2000:]
        assert "digest pass" in result.stdout
    assert lint_paths(captured.second.warcs) == []


def test_show_says_what_was_deduplicated(captured: Editions) -> None:
    result = cli("show", str(captured.second.run_dir))
    assert "4 response(s) unchanged since an earlier capture, stored as revisits" in result.stdout


def test_no_dedup_stores_everything_whole(captured: Editions, tmp_path: Path) -> None:
    third = _capture(captured.output, captured.url, "--recapture", "--no-dedup")
    assert third.entry["dedup"] is None
    assert [kind for kind, _, _ in _records(third.warcs) if kind == "revisit"] == []


def test_the_index_is_rebuilt_from_the_warcs_when_missing_damaged_or_stale(captured: Editions) -> None:
    index_path = captured.output / INDEX_NAME
    expected = DedupIndex.load(captured.output).latest
    assert expected[captured.url].run_id  # the page itself is an original too
    for damage in (
        lambda: index_path.unlink(),
        lambda: index_path.write_text("{not json"),
        lambda: index_path.write_text(index_path.read_text().replace(f'"version": {INDEX_VERSION}', '"version": 0')),
    ):
        DedupIndex.load(captured.output)  # a good index first
        damage()
        assert DedupIndex.load(captured.output).latest == expected
    # stale: a file it indexed is no longer the file a manifest lists
    data = json.loads(index_path.read_text())
    key = next(iter(data["indexed"]))
    data["indexed"][key] = "0" * 64
    data["latest"] = {}
    index_path.write_text(json.dumps(data))
    assert DedupIndex.load(captured.output).latest == expected


def test_pywb_replays_the_recapture_with_no_misses_and_the_new_headline(captured: Editions, tmp_path: Path) -> None:
    import shutil

    output = tmp_path / "out"  # the re-capture's run, and the earlier run its revisits need
    for capture in (captured.first, captured.second):
        shutil.copytree(capture.run_dir, output / capture.run_dir.name)
    run_dir = output / captured.second.run_dir.name
    outcome = asyncio.run(run_qa([run_dir], Thresholds()))
    report = json.loads((run_dir / "qa.json").read_text())
    (page,) = report["pages"]
    for profile in page["profiles"]:
        assert profile["misses"] == [] and profile["left_archive"] == [], profile
        assert profile["broken_images"] == [], profile
        assert profile["text_similarity"] >= 0.95, profile
    assert outcome.passed(Thresholds())


def test_pywb_serves_the_new_headline_at_the_recapture_and_the_old_one_before(
    captured: Editions, tmp_path: Path
) -> None:
    import urllib.request

    from archiver.output.runs import replayable_pages
    from archiver.replay.pywb import PywbServer, build_collection, ensure_pywb

    ((_, page),) = replayable_pages([captured.second.run_dir])
    env = ensure_pywb()
    build_collection(env, tmp_path, page.replay_warcs(), framed=False)
    with PywbServer(env, tmp_path) as server:
        old_ts = "".join(ch for ch in captured.first.entry["started_at"] if ch.isdigit())[:14]
        for ts, headline in ((page.timestamp, editions.HEADLINES[2]), (old_ts, editions.HEADLINES[1])):
            with urllib.request.urlopen(server.url(ts, page.url, "id_")) as response:
                assert f"<h1>{headline}</h1>" in response.read().decode()
        with urllib.request.urlopen(
            server.url(page.timestamp, page.url.rsplit("/news/", 1)[0] + "/news/img/yards.jpg", "id_")
        ) as response:
            assert response.read() == editions.images()[(0, "/news/img/yards.jpg")]  # a revisit, resolved


@pytest.fixture(scope="module")
def recapture_bundle(captured: Editions, tmp_path_factory: pytest.TempPathFactory) -> Path:
    bundle = tmp_path_factory.mktemp("bundle") / "recapture.wacz"
    result = cli("bundle", str(captured.second.run_dir), "--output", str(bundle))
    assert result.returncode == 0, result.stderr
    return bundle


def test_a_bundle_of_the_recapture_alone_holds_its_originals_and_verifies(
    captured: Editions, recapture_bundle: Path
) -> None:
    import zipfile

    with zipfile.ZipFile(recapture_bundle) as bundle:
        names = bundle.namelist()
    assert "archive/" + captured.first.warcs[0].name in names
    result = cli("verify", str(recapture_bundle))
    assert "all 4 revisit records find their original response in the bundle" in result.stdout, result.stdout
    assert "FAIL" not in result.stdout
    validate = subprocess.run(
        [str(Path(sys.executable).with_name("wacz")), "validate", "-f", str(recapture_bundle)],
        capture_output=True,
        text=True,
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr


def test_verify_fails_a_revisit_whose_original_is_missing_unless_a_dependency_is_named() -> None:
    originals = {"<urn:uuid:1>": ("http://a/x.jpg", "sha256:AAA")}
    found = [("archive/b.warc.gz", "<urn:uuid:1>", "http://a/x.jpg", "sha256:AAA")]
    lost = [("archive/b.warc.gz", "<urn:uuid:2>", "http://a/y.jpg", "sha256:BBB")]
    assert [c.status for c in _check_revisits(originals, found, {})] == [OK]
    assert [c.status for c in _check_revisits(originals, found + lost, {})] == [FAIL]
    assert [c.status for c in _check_revisits(originals, lost, {"relation": {"requires": ["a.wacz"]}})] == [NOTE]


def test_the_recapture_bundle_replays_in_replaywebpage(captured: Editions, recapture_bundle: Path) -> None:
    async def run():
        async with async_playwright() as playwright:
            browser, _ = await launch(playwright, find_browser(playwright))
            try:
                with ReplayWebPageServer(ensure_replaywebpage(), [recapture_bundle]) as server:
                    ts = "".join(ch for ch in captured.second.entry["started_at"] if ch.isdigit())[:14]
                    return await replay(
                        browser, server, recapture_bundle, captured.second.entry["final_url"], ts, DESKTOP
                    )
            finally:
                await browser.close()

    result = asyncio.run(run())
    assert result.found, result.frame_url
    assert result.pictures_checked >= 3 and result.broken_images == [], result
    assert editions.HEADLINES[2] in result.text and editions.HEADLINES[1] not in result.text


@pytest.fixture(scope="module")
def diffed(captured: Editions, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    html = tmp_path_factory.mktemp("report") / "report.html"
    result = cli(
        "diff",
        str(captured.first.folder),
        captured.second.entry["capture_id"],
        "--output",
        str(captured.output),
        "--json",
        "--html",
        str(html),
    )
    assert result.returncode == 1, result.stderr  # 1: something was edited
    return json.loads(result.stdout), html


def test_diff_reports_exactly_the_edits(diffed: tuple[dict, Path]) -> None:
    report, _ = diffed
    assert [(f["field"], f["old"], f["new"]) for f in report["fields"]] == [
        ("headline", editions.HEADLINES[1], editions.HEADLINES[2])
    ]
    (change,) = report["text"]["changes"]  # the one reworded paragraph
    assert "ignored more than 4,000 objections" in change["old"] and "considered the objections" in change["new"]
    assert "Critics said the council had" in change["before"]
    photos = [(p["kind"], (p["new"] or p["old"])["url"].rsplit("/", 1)[1]) for p in report["photos"]]
    assert photos == [("replaced", "lead.jpg"), ("credit", "lead.jpg")]
    replaced, credit = report["photos"]
    assert replaced["distance"] > 10 and replaced["old"]["sha256"] != replaced["new"]["sha256"]
    assert credit["old"]["credits"] == ["Jonas Berg/City Press Agency"]
    assert credit["new"]["credits"] == ["Amina Diallo/Northern Wire"]
    everything = json.dumps(report["text"]["changes"]) + json.dumps(report["fields"])
    for noise in [*editions.POPULAR[2], "Most Popular", editions.GENERATED_AT[2], "Shared"]:
        assert noise not in everything  # furniture, timestamps and share counts are not edits
    # ... they are listed as what was left out, by where they sit
    assert {item["kind"] for item in report["text"]["noise_suppressed"]} >= {"aside", "footer", "share"}
    assert report["summary"] == [
        "headline changed",
        "text: 1 change(s), -16 +15 words",
        "lead photo replaced",
        "credit changed",
    ]
    assert 0 < report["screenshot"]["changed_fraction"] < 1


def test_the_html_report_renders_in_chromium(diffed: tuple[dict, Path], tmp_path: Path) -> None:
    _, html = diffed

    async def render() -> dict:
        async with async_playwright() as playwright:
            browser, _ = await launch(playwright, find_browser(playwright))
            page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            await page.goto(html.as_uri())
            await page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
            facts = await page.evaluate("""() => ({
                images: [...document.images].map(i => i.naturalWidth),
                deleted: [...document.querySelectorAll('del')].map(e => e.textContent).join(' '),
                inserted: [...document.querySelectorAll('ins')].map(e => e.textContent).join(' '),
                headings: [...document.querySelectorAll('h2')].map(e => e.textContent),
                text: document.body.innerText})""")
            await browser.close()
            return {**facts, "requests": requests}

    facts = asyncio.run(render())
    assert [r for r in facts["requests"] if not r.startswith(("file:", "data:"))] == []  # self-contained
    assert len(facts["images"]) >= 5 and all(width > 0 for width in facts["images"])  # photos, screenshots, diff
    assert "ignored more than 4,000 objections" in facts["deleted"]
    assert "considered the objections" in facts["inserted"]
    assert facts["headings"][:5] == ["Summary", "Fields", "Text", "Photos", "Screenshots"]
    assert "Amina Diallo/Northern Wire" in facts["text"] and "Jonas Berg/City Press Agency" in facts["text"]
    assert (tmp_path / "report.png").stat().st_size > 20_000


def test_diff_as_text_and_of_a_capture_with_itself(captured: Editions) -> None:
    result = cli("diff", str(captured.first.folder), str(captured.second.folder))
    assert result.returncode == 1
    assert "headline changed:" in result.stdout and "[-ignored more than 4,000" in result.stdout
    assert "credit changed on lead photo" in result.stdout and "Storm warning" not in result.stdout
    same = cli("diff", str(captured.first.folder), str(captured.first.folder))
    assert same.returncode == 0 and "no edits" in same.stdout


def test_history_lists_the_captures_oldest_first_with_what_changed(captured: Editions) -> None:
    result = cli("history", captured.url, "--output", str(captured.output), "--json")
    assert result.returncode == 0, result.stderr
    steps = json.loads(result.stdout)["captures"]
    ids = [captured.first.entry["capture_id"], captured.second.entry["capture_id"]]
    assert [s["capture_id"] for s in steps][:2] == ids
    assert steps[0]["changed"] is None
    assert steps[1]["summary"] == [
        "headline changed",
        "text: 1 change(s), -16 +15 words",
        "lead photo replaced",
        "credit changed",
    ]
    text = cli("history", captured.url, "--output", str(captured.output))
    assert text.stdout.splitlines()[0].endswith("first capture")
    assert "headline changed" in text.stdout.splitlines()[1]


def test_bad_references_are_one_line_and_exit_2(captured: Editions, tmp_path: Path) -> None:
    for args in (
        ["diff", "no-such-capture", str(captured.second.folder), "--output", str(captured.output)],
        ["diff", str(tmp_path), str(captured.second.folder)],
        ["history", "http://127.0.0.1:9/never", "--output", str(captured.output)],
    ):
        result = cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
