"""`archiver serve` as a reader uses it, in real Chromium: from the home page to an edited
article (captured in two editions), its diff, search, replay in ReplayWeb.page, a bundle
downloaded and verified; a hostile capture stays inert; nothing leaves 127.0.0.1.

Each page's screenshot is kept in the test's folder (`shots/`), to look at.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

from archiver.browser.launch import browser_args, find_browser
from archiver.evidence.verify import EXIT_UNSIGNED, FAIL, VerifyOptions, verdict, verify_bundle
from tests.support import editions
from tests.support.cli import ARCHIVER
from tests.support.fixture_site import ServerThread
from tests.support.review_app import raw_get
from tests.support.review_site import HOSTILE_CREDIT, HOSTILE_HEADLINE, HOSTILE_PATH, ReviewSite
from tests.support.rwp_client import REPLAY_FRAME

pytestmark = [pytest.mark.browser, pytest.mark.replaywebpage]

QUICK = ["--navigation-timeout", "60", "--settle", "1", "--network-quiet", "0.3", "--behaviour-timeout", "90"]


@dataclass
class Served:
    base: str
    output: Path
    site: str
    process: subprocess.Popen[str]
    shots: Path
    outside: list[str] = field(default_factory=list)


def _capture(output: Path, url: str, *extra: str) -> None:
    result = subprocess.run([*ARCHIVER, "capture", "--output", str(output), *QUICK, *extra, url],
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    output = tmp_path_factory.mktemp("served")
    site = ReviewSite()
    server = ServerThread(site).start()
    origin = f"http://127.0.0.1:{server.port}"
    site.edition = 1
    _capture(output, origin + editions.STORY_PATH)
    site.edition = 2
    _capture(output, origin + editions.STORY_PATH, "--recapture")
    _capture(output, origin + HOSTILE_PATH)
    site.hostile_edition = 2
    _capture(output, origin + HOSTILE_PATH, "--recapture")
    port = _free_port()
    process = subprocess.Popen([*ARCHIVER, "serve", str(output), "--port", str(port)],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)  # fmt: skip
    assert process.stderr is not None
    line = process.stderr.readline()  # printed once the app is about to listen
    assert line.startswith("archiver serve: http://127.0.0.1:"), line + process.stderr.read()
    base = f"http://127.0.0.1:{port}"
    while True:  # listening: no deadline, a slow machine only makes this slower
        try:
            if raw_get(base, "/api/articles")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    shots = output.parent / f"{output.name}-shots"
    shots.mkdir()
    yield Served(base, output, origin, process, shots)
    process.terminate()
    process.wait(timeout=60)
    server.stop()


def run(coroutine: object) -> object:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


async def _browser_page(playwright: object, served: Served, alarms: list[str]) -> tuple[object, Page]:
    chromium = find_browser(playwright)  # type: ignore[arg-type]
    browser = await playwright.chromium.launch(executable_path=chromium, args=browser_args())  # type: ignore[attr-defined]
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = await context.new_page()
    page.on("dialog", lambda dialog: alarms.append(f"dialog: {dialog.message}"))
    page.on("request", lambda request: None if request.url.startswith(("http://127.0.0.1:", "data:", "blob:"))
            else served.outside.append(request.url))  # fmt: skip
    return browser, page


async def _articles_ready(served: Served, wanted: int) -> None:
    while True:  # the app indexes in the background: wait until every capture is listed
        _, _, body = raw_get(served.base, "/api/articles")
        if sum(a["captures"] for a in json.loads(body)["articles"]) >= wanted:
            return
        await asyncio.sleep(0.2)


def test_home_to_an_edited_article_its_diff_search_replay_and_a_bundle(served: Served, tmp_path: Path) -> None:
    async def scenario() -> dict[str, object]:
        seen: dict[str, object] = {}
        alarms: list[str] = []
        await _articles_ready(served, 4)
        async with async_playwright() as playwright:
            browser, page = await _browser_page(playwright, served, alarms)
            await page.goto(served.base + "/")
            await page.screenshot(path=str(served.shots / "home.png"), full_page=True)
            await page.get_by_role("link", name=editions.HEADLINES[2]).first.click()
            await page.wait_for_url(re.compile(r"/articles/[0-9a-f]{16}$"))
            seen["article"] = await page.inner_text("main")
            await page.screenshot(path=str(served.shots / "article.png"), full_page=True)
            await page.get_by_role("link", name="diff").first.click()
            await page.wait_for_url(re.compile(r"/diff\?"))
            seen["diff"] = await page.inner_text("main")
            await page.screenshot(path=str(served.shots / "diff.png"), full_page=True)

            await page.fill("header input[name=q]", "considered")
            await page.press("header input[name=q]", "Enter")
            await page.wait_for_url(re.compile(r"/search\?q=considered"))
            seen["search"] = await page.inner_text("main")
            seen["search_links"] = await page.eval_on_selector_all(".hits a", "links => links.map(a => a.href)")
            await page.screenshot(path=str(served.shots / "search.png"), full_page=True)
            await page.goto(served.base + "/search?q=" + "Storm+warning+for+the+coast")  # edition 2's Most Popular
            seen["furniture_hits"] = await page.eval_on_selector_all(".hits li", "items => items.length")

            await page.goto(str(seen["search_links"][0]))  # type: ignore[index]
            async with page.expect_download() as download_info:
                await page.get_by_role("link", name="download a bundle of every capture").click()
            download = await download_info.value
            bundle = tmp_path / "article.wacz"
            await download.save_as(bundle)
            seen["bundle"] = bundle

            await page.get_by_role("link", name="replay").last.click()
            await page.wait_for_url(re.compile(r"/replay$"))
            seen["replayed"] = await _replayed_text(page, editions.HEADLINES[2])
            await page.screenshot(path=str(served.shots / "replay.png"))
            seen["alarms"] = alarms
            await browser.close()  # type: ignore[attr-defined]
        return seen

    seen = run(scenario())
    assert "edited" in seen["article"] and "headline changed" in seen["article"]  # type: ignore[operator]
    assert editions.HEADLINES[1] in seen["diff"] and editions.HEADLINES[2] in seen["diff"]  # type: ignore[operator]
    assert "Amina Diallo/Northern Wire" in seen["diff"] and "Jonas Berg/City Press Agency" in seen["diff"]  # type: ignore[operator]
    assert "1 capture(s) hold every word" in seen["search"] and "considered" in seen["search"]  # type: ignore[operator]
    assert seen["furniture_hits"] == 0
    assert editions.HEADLINES[2] in seen["replayed"]  # type: ignore[operator]
    checks = verify_bundle(seen["bundle"], VerifyOptions())  # type: ignore[arg-type]
    assert [c for c in checks if c.status == FAIL] == [] and verdict(checks).status == EXIT_UNSIGNED
    assert seen["alarms"] == [] and served.outside == []


async def _replayed_text(page: Page, wanted: str) -> str:
    """The text ReplayWeb.page shows in its replay frame, once it holds `wanted` (or the page says
    the capture was not found): no deadline, the test's own timeout bounds it."""
    while True:
        for frame in page.frames:
            if REPLAY_FRAME.search(frame.url):
                try:
                    text = await frame.evaluate("() => document.body ? document.body.innerText : ''")
                except Exception:  # noqa: BLE001 - the frame navigated while being read: read it again
                    continue
                if wanted in text or "Archived Page Not Found" in text:
                    return str(text)
        await asyncio.sleep(0.25)


def test_a_hostile_capture_shows_as_text_and_nothing_runs(served: Served) -> None:
    async def scenario() -> dict[str, object]:
        alarms: list[str] = []
        seen: dict[str, object] = {}
        async with async_playwright() as playwright:
            browser, page = await _browser_page(playwright, served, alarms)
            page.on("console", lambda message: alarms.append(f"console: {message.text}"))
            await page.goto(served.base + "/search?q=zeppelinfield")
            await page.get_by_role("link", name=re.compile("Mayor")).first.click()
            await page.wait_for_url(re.compile(r"/articles/[0-9a-f]{16}"))
            seen["headline"] = await page.inner_text("h1.headline")
            seen["credit_html"] = await page.inner_html("table.photos")
            seen["ran"] = await page.evaluate(
                "() => [window.__hostile_ran, document.querySelectorAll('main img[src=x], main script, main svg[onload]').length]"
            )
            await page.screenshot(path=str(served.shots / "hostile-article.png"), full_page=True)
            await page.get_by_role("link", name="diff").first.click()
            await page.wait_for_url(re.compile(r"/diff\?"))
            seen["diff_html"] = await page.inner_html("main")
            await page.screenshot(path=str(served.shots / "hostile-diff.png"), full_page=True)
            for path in ("/", "/articles", "/runs", "/events", "/bundles"):
                await page.goto(served.base + path)
                await page.screenshot(path=str(served.shots / f"page{path.replace('/', '-') or '-home'}.png"))
            await browser.close()  # type: ignore[attr-defined]
        seen["alarms"] = alarms
        return seen

    seen = run(scenario())
    assert seen["headline"] == HOSTILE_HEADLINE
    assert seen["ran"] == [None, 0]
    assert seen["alarms"] == [] and served.outside == []
    escaped_credit = HOSTILE_CREDIT.replace("<", "&lt;").replace(">", "&gt;")
    assert f"<bdi>{escaped_credit}</bdi>" in seen["credit_html"]  # type: ignore[operator]
    assert "<bdi>" in seen["diff_html"] and "<script>alert" not in seen["diff_html"]  # type: ignore[operator]


def test_the_diff_report_file_isolates_a_right_to_left_override(served: Served, tmp_path: Path) -> None:
    _, _, body = raw_get(served.base, "/api/articles")
    (hostile,) = [a for a in json.loads(body)["articles"] if a["url"].endswith(HOSTILE_PATH)]
    _, _, body = raw_get(served.base, f"/api/articles/{hostile['page_id']}")
    old, new = (c["capture_id"] for c in json.loads(body)["captures"])
    report = tmp_path / "report.html"
    result = subprocess.run([*ARCHIVER, "diff", old, new, "--output", str(served.output), "--html", str(report)],
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    html = report.read_text(encoding="utf-8")
    assert "<script>alert" not in html and html.count("\u202e") >= 1
    for at in (m.start() for m in re.finditer("\u202e", html)):  # each override inside a <bdi>
        assert html.rfind("<bdi>", 0, at) > html.rfind("</bdi>", 0, at), html[max(0, at - 200) : at + 50]


def test_a_new_capture_appears_and_a_dropped_bundle_gets_its_verdict_without_a_restart(served: Served) -> None:
    _capture(served.output, served.site + "/article")
    while True:  # listed within the indexer's next pass; no deadline
        _, _, listing = raw_get(served.base, "/api/articles")
        if any(a["url"].endswith("/article") for a in json.loads(listing)["articles"]):
            break
        time.sleep(0.2)
    run_dir = max(p for p in served.output.iterdir() if p.is_dir())
    made = subprocess.run([*ARCHIVER, "bundle", str(run_dir), "--output", str(served.output / "dropped.wacz")],
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert made.returncode == 0, made.stderr
    with zipfile.ZipFile(served.output / "dropped.wacz") as source, \
            zipfile.ZipFile(served.output / "tampered.wacz", "w") as tampered:  # fmt: skip
        for item in source.infolist():  # the same bundle, with its page list edited
            data = source.read(item)
            tampered.writestr(item, data + b"\n" if item.filename == "pages/pages.jsonl" else data)
    status, _, page = raw_get(served.base, "/bundles")
    text = page.decode()
    assert status == 200
    assert "dropped.wacz" in text and "self-consistent, NOT signed" in text
    assert "tampered.wacz" in text and "NOT VERIFIED" in text
    assert served.process.poll() is None  # the same process answered: never restarted
