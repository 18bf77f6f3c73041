"""Consent dialogs, folds, paywalls and the pages that stand in for the article (issue 22), on
the obstacle fixture pages (tests/support/obstacle_pages.py): each dialog answered with the
least consent and both viewport screenshots kept, the folded half of the story opened without a
click that leaves, a soft paywall kept as shown and once more unobstructed, and a verdict with
its evidence for every page that is not the article."""

from __future__ import annotations

import asyncio
import json
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from PIL import Image

from archiver.evidence.bundle import BundleOptions, build_bundle
from archiver.options import CaptureOptions
from archiver.output.manifest import load_schema
from archiver.replay.qa import Thresholds, run_qa
from archiver.run.batch import RunOutcome, RunSettings
from tests.support.captures import TEST_OPTIONS, Site, run_capture
from tests.support.cli import ARCHIVER
from tests.support.fixture_site import ServerThread
from tests.support.obstacle_pages import (
    CONSENT_PLATFORMS,
    DIALOG_COLOUR,
    FOLDED_SENTENCE,
    PAGES,
    PAYWALL_COLOUR,
    RATE_LIMIT_RETRY_AFTER,
    SOFT_PAYWALL_SENTENCE,
    ObstacleSite,
)

pytestmark = pytest.mark.browser

NOT_THE_ARTICLE = {
    "paywall-hard": "paywall-hard",
    "challenge": "bot-challenge",
    "login-wall": "login-wall",
    "captcha": "captcha",
}


@pytest.fixture(scope="module")
def obstacle_site() -> Iterator[Site]:
    app = ObstacleSite()
    server = ServerThread(app).start()
    app.embed_origin = f"http://localhost:{server.port}"  # the Sourcepoint frame is cross-origin
    yield Site(server, "http")
    server.stop()


@pytest.fixture(scope="module")
def run(obstacle_site: Site, tmp_path_factory: pytest.TempPathFactory) -> RunOutcome:
    """Every obstacle page in one batch, two at a time, as a watcher's batch would meet them."""
    urls = [obstacle_site.url(path) for path in PAGES.values()]
    settings = RunSettings(concurrency=2, retries=1, retry_backoff=0.1)
    return run_capture(urls, tmp_path_factory.mktemp("obstacles"), TEST_OPTIONS, settings)


@pytest.fixture(scope="module")
def manifest(run: RunOutcome) -> dict:
    return json.loads(run.manifest_path.read_text())


@pytest.fixture(scope="module")
def pages(manifest: dict) -> dict[str, dict]:
    """Each page's manifest entry, by its name in PAGES."""
    names = {path: name for name, path in PAGES.items()}
    return {names[urlsplit(page["requested_url"]).path]: page for page in manifest["pages"]}


def _file(run: RunOutcome, page: dict, role: str) -> Path:
    (entry,) = [f for f in page["files"] if f["role"] == role]
    return run.run_dir / entry["path"]


def _pixels_of(path: Path, colour: tuple[int, int, int]) -> int:
    image = Image.open(path).convert("RGB")
    return sum(count for count, pixel in image.getcolors(maxcolors=1 << 24) or [] if pixel == colour)


def test_the_manifest_with_obstacles_and_verdicts_is_valid(manifest: dict) -> None:
    jsonschema.Draft202012Validator(load_schema()).validate(manifest)


@pytest.mark.parametrize("name", sorted(CONSENT_PLATFORMS))
def test_each_consent_dialog_is_answered_with_the_least_consent_and_both_screenshots_kept(
    name: str, run: RunOutcome, pages: dict[str, dict]
) -> None:
    page = pages[name]
    assert page["state"] == "complete", page["reason"]
    (dialog,) = [o for o in page["obstacles"] if o["kind"] == "consent-dialog"]
    assert dialog["platform"] == CONSENT_PLATFORMS[name]
    assert (dialog["choice"], dialog["action"], dialog["succeeded"], dialog["remained"]) == (
        "reject",
        "opted out",
        True,
        False,
    )
    assert dialog["main_frame"] is (name != "sourcepoint")  # Sourcepoint asks from its own frame
    assert dialog["found_at"] <= dialog["answered_at"]
    # As the reader first saw it, dialog and all; then as it was once answered.
    assert _pixels_of(_file(run, page, "screenshot_viewport"), DIALOG_COLOUR) > 1000
    assert _pixels_of(_file(run, page, "screenshot_viewport_after_consent"), DIALOG_COLOUR) == 0
    assert _pixels_of(_file(run, page, "screenshot_full_page"), DIALOG_COLOUR) == 0
    assert not page["verdicts"]


def test_a_fold_is_opened_and_nothing_that_leaves_is_clicked(
    run: RunOutcome, pages: dict[str, dict], obstacle_site: Site
) -> None:
    page = pages["fold"]
    (fold,) = page["obstacles"]
    assert (fold["kind"], fold["action"], fold["button"], fold["succeeded"]) == (
        "fold",
        "clicked",
        "Continue reading",
        True,
    )
    assert fold["words_after"] > fold["words_before"] and fold["navigated_to"] is None
    assert FOLDED_SENTENCE in _file(run, page, "text").read_text()
    assert FOLDED_SENTENCE in _file(run, page, "dom").read_text()
    # Subscribe, log in, buy and the next story are links and buttons beside the fold: never followed.
    assert obstacle_site.app.forbidden_hits == []


def test_a_soft_paywall_is_kept_as_shown_and_once_more_unobstructed(run: RunOutcome, pages: dict[str, dict]) -> None:
    page = pages["paywall-soft"]
    assert page["state"] == "complete"  # the article's text is in the page
    (soft,) = [v for v in page["verdicts"] if v["verdict"] == "paywall-soft"]
    assert any("paywall-overlay" in evidence for evidence in soft["evidence"])
    (hidden,) = [o for o in page["obstacles"] if o["kind"] == "overlay-hidden"]
    changed = {(change["element"], change["change"]) for change in hidden["changes"]}
    assert ("div#paywall-overlay.paywall-overlay", "display: none") in changed
    assert ("body", "overflow: visible") in changed
    assert _pixels_of(_file(run, page, "screenshot_full_page"), PAYWALL_COLOUR) > 1000
    unobstructed = _file(run, page, "screenshot_full_page_unobstructed")
    assert _pixels_of(unobstructed, PAYWALL_COLOUR) == 0
    assert page["screenshots"]["full_page_unobstructed"]["altered_by_archiver"] is True
    assert SOFT_PAYWALL_SENTENCE in _file(run, page, "text").read_text()


@pytest.mark.parametrize("name", sorted(NOT_THE_ARTICLE))
def test_a_page_that_is_not_the_article_is_partial_with_its_verdict(name: str, pages: dict[str, dict]) -> None:
    page = pages[name]
    verdict = NOT_THE_ARTICLE[name]
    assert page["state"] == "partial"
    assert page["reason"].startswith(f"{verdict}: ")
    (found,) = [v for v in page["verdicts"] if v["verdict"] == verdict]
    assert found["evidence"], found


def test_a_rate_limited_page_is_retried_after_its_retry_after(pages: dict[str, dict], obstacle_site: Site) -> None:
    page = pages["rate-limited"]
    assert obstacle_site.app.rate_limited_hits == 2
    assert page["state"] == "complete" and page["verdicts"] == []
    (attempt,) = page["attempts"]
    assert attempt["reason"].startswith("rate-limited: the server answered HTTP 429")
    assert f"Retry-After: {RATE_LIMIT_RETRY_AFTER}" in attempt["reason"]


def test_a_plain_article_meets_no_obstacle(pages: dict[str, dict]) -> None:
    page = pages["plain"]
    assert (page["state"], page["obstacles"], page["verdicts"]) == ("complete", [], [])
    assert page["consent"]["platforms_present"] == []
    assert "screenshot_viewport_after_consent" not in {f["role"] for f in page["files"]}


def test_consent_leave_keeps_the_dialog_as_asked(obstacle_site: Site, tmp_path: Path) -> None:
    options = CaptureOptions(**{**TEST_OPTIONS.to_dict(), "consent": "leave"})
    outcome = run_capture([obstacle_site.url(PAGES["onetrust"])], tmp_path, options, RunSettings(retries=0))
    (page,) = json.loads(outcome.manifest_path.read_text())["pages"]
    dialog, hidden = page["obstacles"]
    assert (dialog["choice"], dialog["action"], dialog["remained"]) == ("leave", "left as found", True)
    assert dialog["answered_at"] is None
    (verdict,) = page["verdicts"]
    assert (verdict["verdict"], verdict["as_asked"]) == ("consent-dialog-remained", True)
    assert page["state"] == "complete"  # left there because the user asked: not a failure
    assert _pixels_of(_file(outcome, page, "screenshot_full_page"), DIALOG_COLOUR) > 1000
    # The unobstructed screenshot, and only it, shows the article without the dialog.
    assert hidden["kind"] == "overlay-hidden"
    assert _pixels_of(_file(outcome, page, "screenshot_full_page_unobstructed"), DIALOG_COLOUR) == 0


@pytest.mark.pywb
def test_qa_in_pywb_answers_the_dialog_and_opens_the_fold_as_the_capture_did(
    obstacle_site: Site, tmp_path: Path
) -> None:
    """A replay starts as the reader first saw the page, dialog and fold; the capture's DOM and
    screenshot come after its answer and its click: QA does the same before comparing."""
    outcome = run_capture([obstacle_site.url(PAGES["onetrust"]), obstacle_site.url(PAGES["fold"])], tmp_path)
    asyncio.run(run_qa([outcome.run_dir], Thresholds()))
    report = json.loads((outcome.run_dir / "qa.json").read_text())
    by_name = {urlsplit(page["url"]).path: page for page in report["pages"]}
    for profile in by_name[PAGES["onetrust"]]["profiles"]:
        assert profile["consent_answered"] == [f"{CONSENT_PLATFORMS['onetrust']}: opted out"], profile
    for profile in by_name[PAGES["fold"]]["profiles"]:
        assert profile["folds_opened"] == ["Continue reading"], profile
    assert report["passed"] is True, [p["problems"] for page in report["pages"] for p in page["profiles"]]


def test_show_and_the_bundle_say_what_was_done_and_what_the_verdicts_are(run: RunOutcome, tmp_path: Path) -> None:
    shown = subprocess.run([*ARCHIVER, "show", str(run.run_dir)], capture_output=True, text=True, check=True).stdout
    assert f"Done:        consent-dialog {CONSENT_PLATFORMS['onetrust']}: opted out" in shown
    assert "Done:        fold Continue reading: clicked" in shown
    assert "Verdict:     paywall-hard: " in shown and "Verdict:     bot-challenge: " in shown
    assert "Retried:     after an attempt at " in shown and "HTTP 429 with Retry-After: 2" in shown
    outcome = build_bundle([run.run_dir], tmp_path / "obstacles.wacz", BundleOptions())
    with zipfile.ZipFile(outcome.path) as bundle:
        listed = [json.loads(line) for line in bundle.read("pages/pages.jsonl").decode().splitlines()[1:]]
        report = bundle.read("report/index.html").decode()
    verdicts = {urlsplit(line["url"]).path: [v["verdict"] for v in line.get("verdicts", [])] for line in listed}
    assert verdicts[PAGES["paywall-hard"]] == ["paywall-hard"]
    assert verdicts[PAGES["captcha"]] == ["captcha"]
    assert verdicts[PAGES["plain"]] == []
    assert "paywall-hard: div.paywall-box: This article is for subscribers only." in report
    assert f"consent-dialog {CONSENT_PLATFORMS['didomi']}: opted out" in report
