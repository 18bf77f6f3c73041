"""Logged-in captures with browser profiles (issue 23), on a subscriber site with a CSRF login
form, an HttpOnly session cookie, a teaser for readers who are not logged in and an API called
with `Authorization: Bearer`: without a profile the teaser and `login-wall`; with one made by
form login (or imported from a cookies.txt) the full story, in the DOM, the text and the replay in
pywb and ReplayWeb.page; and no byte of anything a capture or a bundle writes holds the password,
the session cookie or the token (also inside gzip and zip), unless --keep-secrets, which says so.
An expired session makes the page partial, login-wall, and leaves the profile untouched."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import os
import shutil
import stat
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from playwright.async_api import async_playwright

from archiver.browser.launch import find_browser, launch
from archiver.output.manifest import load_schema
from archiver.replay.pywb import PywbServer, build_collection, ensure_pywb
from archiver.replay.replaywebpage import ReplayWebPageServer, ensure_replaywebpage
from archiver.warc.redact import MARK
from tests.support.cli import FAST, run_cli
from tests.support.fixture_site import ServerThread
from tests.support.queue_support import RedisServer, WorkerProcess, manifest_pages, queue_add
from tests.support.review_app import raw_get, running_app
from tests.support.rwp_client import DESKTOP, replay
from tests.support.subscriber_site import (
    API_TEXT_MARK,
    CHECK,
    FULL_TEXT_MARK,
    PASSWORD,
    SESSION_COOKIE,
    TEASER_MARK,
    USERNAME,
    SubscriberSite,
)
from tests.support.warcs import records_of

pytestmark = pytest.mark.browser


@dataclass
class Capture:
    run_dir: Path
    page: dict[str, Any]
    manifest: dict[str, Any]
    stderr: str

    @property
    def dom(self) -> str:
        (path,) = [f["path"] for f in self.page["files"] if f["role"] == "dom"]
        return (self.run_dir / path).read_text()

    @property
    def text(self) -> str:
        (path,) = [f["path"] for f in self.page["files"] if f["role"] == "text"]
        return (self.run_dir / path).read_text()

    def verdicts(self) -> list[str]:
        return [v["verdict"] for v in self.page["verdicts"]]


@dataclass
class Story:
    site: SubscriberSite
    base: str
    profiles: Path
    env: dict[str, str]
    created: Any = None
    profile_bytes: bytes = b""
    captures: dict[str, Capture] = field(default_factory=dict)
    secrets_by_capture: dict[str, list[str]] = field(default_factory=dict)
    bundles: dict[str, Path] = field(default_factory=dict)
    after_expiry: tuple[bytes, float] = (b"", 0.0)
    refreshed: Any = None
    imported: Any = None
    two_steps: Any = None


def _capture(story: Story, name: str, out: Path, *extra: str) -> Capture:
    done = run_cli(
        "capture", f"{story.base}/sub/article", "-o", str(out), *FAST, "--profiles", str(story.profiles), *extra,
        env=story.env,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    (manifest_path,) = out.glob("*/manifest.json")
    manifest = json.loads(manifest_path.read_text())
    jsonschema.Draft202012Validator(load_schema()).validate(manifest)
    (page,) = manifest["pages"]
    story.captures[name] = Capture(manifest_path.parent, page, manifest, done.stderr)
    story.secrets_by_capture[name] = story.site.secrets()
    return story.captures[name]


def _log_in_over_http(base: str) -> str:
    """A session made without the browser, as a reader's own browser would hold it: its value."""
    page = urllib.request.urlopen(f"{base}/sub/login").read().decode()
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    form = urllib.parse.urlencode({"csrf": csrf, "email": USERNAME, "password": PASSWORD}).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(f"{base}/sub/login", data=form)
    except urllib.error.HTTPError as answer:  # the 303 after the login
        cookie = answer.headers["Set-Cookie"]
    return cookie.split(";")[0].split("=", 1)[1]


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    folder = tmp_path_factory.mktemp("profiles")
    site = SubscriberSite()
    server = ServerThread(site).start()
    base = f"http://127.0.0.1:{server.port}"
    story = Story(site, base, folder / "profiles", {**os.environ, "XDG_DATA_HOME": str(folder / "data")})
    password_file = folder / "password.txt"
    password_file.write_text(PASSWORD + "\n")
    try:
        story.created = run_cli(
            "profile", "create", "sub", "--login-url", f"{base}/sub/login", "--username", USERNAME,
            "--password-file", str(password_file), "--check", CHECK, "--profiles", str(story.profiles),
            env=story.env,
        )  # fmt: skip
        assert story.created.returncode == 0, story.created.stderr
        story.profile_bytes = (story.profiles / "sub.json").read_bytes()
        story.two_steps = run_cli(
            "profile", "create", "steps", "--login-url", f"{base}/sub/login-steps", "--username", USERNAME,
            "--password-file", str(password_file), "--check", "text:Welcome back", "--profiles", str(story.profiles),
            env=story.env,
        )  # fmt: skip
        _capture(story, "anonymous", folder / "anonymous")
        _capture(story, "profile", folder / "with-profile", "--profile", "sub")
        _capture(story, "kept", folder / "kept", "--profile", "sub", "--keep-secrets")
        for name in ("profile", "kept"):
            story.bundles[name] = folder / f"{name}.wacz"
            made = run_cli("bundle", str(story.captures[name].run_dir), "--output", str(story.bundles[name]))
            assert made.returncode == 0, made.stderr
        site.expire()
        _capture(story, "expired", folder / "expired", "--profile", "sub")
        profile_file = story.profiles / "sub.json"
        story.after_expiry = (profile_file.read_bytes(), profile_file.stat().st_mtime)
        story.refreshed = run_cli("profile", "refresh", "sub", "--profiles", str(story.profiles), env=story.env)
        session = _log_in_over_http(base)
        cookies = folder / "cookies.txt"
        cookies.write_text(
            "# Netscape HTTP Cookie File\n"
            f"#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\t{SESSION_COOKIE}\t{session}\n"
            "127.0.0.1\tFALSE\t/\tFALSE\t0\ttheme\tdark\n"
        )
        story.imported = run_cli(
            "profile", "import", "mine", "--cookies", str(cookies), "--check", CHECK,
            "--profiles", str(story.profiles), env=story.env,
        )  # fmt: skip
        assert story.imported.returncode == 0, story.imported.stderr
        _capture(story, "imported", folder / "imported", "--profile", "mine")
        yield story
    finally:
        server.stop()


def test_without_a_profile_the_teaser_is_captured_and_judged_a_login_wall(story: Story) -> None:
    anonymous = story.captures["anonymous"]
    assert anonymous.page["state"] == "partial" and anonymous.page["reason"].startswith("login-wall")
    assert "login-wall" in anonymous.verdicts()
    assert TEASER_MARK in anonymous.text and FULL_TEXT_MARK not in anonymous.text
    assert "profile" not in anonymous.page and anonymous.manifest["options"]["profile"] is None
    # no profile, and still the page's own token and the site's cookie are redacted
    assert anonymous.page["secrets"]["headers"]["Authorization"] == 1
    assert anonymous.page["secrets"]["headers"]["Set-Cookie"] == 1


def test_the_profile_made_by_form_login_is_owner_only_and_holds_no_password(story: Story) -> None:
    profile_file = story.profiles / "sub.json"
    assert stat.S_IMODE(profile_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(story.profiles.stat().st_mode) == 0o700
    assert PASSWORD.encode() not in story.profile_bytes
    saved = json.loads(story.profile_bytes)
    assert [c["name"] for c in saved["storage_state"]["cookies"]] == [SESSION_COOKIE]
    assert saved["storage_state"]["cookies"][0]["httpOnly"] is True
    assert saved["check"] == {"kind": "css", "value": CHECK}
    assert "fingerprint" in story.created.stderr and PASSWORD not in story.created.stderr
    shown = run_cli("profile", "show", "sub", "--profiles", str(story.profiles), env=story.env)
    assert shown.returncode == 0 and SESSION_COOKIE in shown.stdout
    assert not [s for s in story.site.secrets() if s in shown.stdout + shown.stderr]
    listed = run_cli("profile", "list", "--profiles", str(story.profiles), env=story.env)
    assert listed.stdout.splitlines()[0].startswith("mine") and "sub  login" in listed.stdout
    assert "steps  login" in listed.stdout


def test_a_login_in_two_steps_is_followed_to_its_password_page(story: Story) -> None:
    assert story.two_steps.returncode == 0, story.two_steps.stderr
    saved = json.loads((story.profiles / "steps.json").read_bytes())
    assert [c["name"] for c in saved["storage_state"]["cookies"]] == [SESSION_COOKIE]
    assert saved["storage_state"]["cookies"][0]["value"] in story.site.issued


def test_with_the_profile_the_full_story_is_in_the_dom_the_text_and_the_manifest_says_how(story: Story) -> None:
    capture = story.captures["profile"]
    page = capture.page
    assert page["state"] == "complete", page["reason"]
    assert "login-wall" not in capture.verdicts()
    for seen in (capture.dom, capture.text):
        assert FULL_TEXT_MARK in seen and API_TEXT_MARK in seen
    profile = page["profile"]
    saved = json.loads(story.profile_bytes)
    assert (profile["name"], profile["source"], profile["check_held"]) == ("sub", "login", True)
    assert profile["domains"] == ["127.0.0.1"] and len(profile["fingerprint"]) == 16
    secrets = page["secrets"]
    assert secrets["redacted"] is True and secrets["key_id"] != saved["key"][:12]
    assert secrets["headers"]["Cookie"] >= 2 and secrets["headers"]["Set-Cookie"] >= 1
    assert secrets["headers"]["Authorization"] == 1
    shown = run_cli("show", str(capture.run_dir))
    assert "Profile:     sub (fingerprint" in shown.stdout and "check css '.account-menu' held" in shown.stdout
    assert "Secrets:     redacted to keyed hashes" in shown.stdout
    linted = run_cli("lint", str(capture.run_dir))
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_the_records_keep_names_and_schemes_and_hash_each_value(story: Story) -> None:
    records = records_of(story.captures["profile"].run_dir)
    requests = [r for r in records if r.type == "request" and r.http is not None]
    article = next(r for r in requests if r.uri.endswith("/sub/article"))
    cookie = article.http.get_header("Cookie")
    assert cookie.startswith(f"{SESSION_COOKIE}={MARK}") and len(cookie) == len(SESSION_COOKIE) + 1 + len(MARK) + 16
    api = next(r for r in requests if r.uri.endswith("/sub/api/extra"))
    assert api.http.get_header("Authorization").startswith(f"Bearer {MARK}")
    # the same session value has the same hash in every request
    hashes = {r.http.get_header("Cookie") for r in requests if r.http.get_header("Cookie")}
    assert hashes == {cookie}
    response = next(r for r in records if r.type == "response" and r.uri.endswith("/sub/article"))
    set_cookie = response.http.get_header("Set-Cookie")
    assert set_cookie.startswith(f"{SESSION_COOKIE}={MARK}") and set_cookie.endswith(
        "; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400"
    )
    assert set_cookie.split(";")[0] == cookie  # the renewed cookie is the one sent: the same hash


def _every_byte_of(folder_or_file: Path) -> Iterator[tuple[str, bytes]]:
    """Each file's bytes, and what they hold once unpacked: gzip members, zip members (and theirs)."""
    paths = (
        [folder_or_file] if folder_or_file.is_file() else sorted(p for p in folder_or_file.rglob("*") if p.is_file())
    )
    for path in paths:
        yield from _unpacked(str(path), path.read_bytes())


def _unpacked(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    yield name, data
    if data[:2] == b"\x1f\x8b":
        yield from _unpacked(name + "!gunzip", _gunzip_members(data))
    elif data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield from _unpacked(f"{name}!{member}", archive.read(member))


def _gunzip_members(data: bytes) -> bytes:
    out = b""
    while data:
        inflater = zlib.decompressobj(31)
        out += inflater.decompress(data)
        data = inflater.unused_data
    return out


def _holding(where: Path, secrets: list[str]) -> list[tuple[str, str]]:
    forms = [(s, form) for s in secrets for form in {s, urllib.parse.quote(s), urllib.parse.quote_plus(s)}]
    return [(name, secret) for name, data in _every_byte_of(where) for secret, form in forms if form.encode() in data]


def test_no_file_a_capture_or_bundle_writes_holds_a_secret(story: Story) -> None:
    for name in ("anonymous", "profile", "expired", "imported"):
        found = _holding(story.captures[name].run_dir, story.secrets_by_capture[name])
        assert not found, (name, found)
    assert not _holding(story.bundles["profile"], story.secrets_by_capture["profile"])
    report = zipfile.ZipFile(story.bundles["profile"]).read("report/index.html").decode()
    assert "Logged in as" in report and "sub (fingerprint" in report and "redacted to keyed hashes" in report
    assert "WARNING" not in report
    assert gzip.compress(b"x")  # (the search above reads gzip members itself, one by one)


def test_keep_secrets_stores_them_and_says_so_in_the_manifest_and_the_report(story: Story) -> None:
    kept = story.captures["kept"]
    secrets = kept.page["secrets"]
    assert secrets["redacted"] is False and secrets["kept"]["Cookie"] >= 2 and "--keep-secrets" in secrets["warning"]
    assert any("--keep-secrets" in w for w in kept.page["warnings"])
    found = {secret for _, secret in _holding(kept.run_dir, story.secrets_by_capture["kept"])}
    session, token = story.secrets_by_capture["kept"][1:3]
    assert {session, token} <= found and PASSWORD not in found  # the password is never sent again
    report = zipfile.ZipFile(story.bundles["kept"]).read("report/index.html").decode()
    assert "WARNING: KEPT as sent" in report
    assert session in {secret for _, secret in _holding(story.bundles["kept"], [session])}
    verified = run_cli("verify", str(story.bundles["kept"]))
    assert "captured with --keep-secrets: the bundle holds session secrets" in verified.stdout, verified.stdout
    assert "--keep-secrets" not in run_cli("verify", str(story.bundles["profile"])).stdout


def test_an_expired_session_is_a_login_wall_and_the_profile_is_left_as_it_was(story: Story) -> None:
    expired = story.captures["expired"]
    assert expired.page["state"] == "partial" and expired.page["reason"].startswith("login-wall")
    (wall,) = [v for v in expired.page["verdicts"] if v["verdict"] == "login-wall"]
    assert "archiver profile refresh sub" in wall["evidence"][0]
    assert expired.page["profile"]["check_held"] is False
    assert TEASER_MARK in expired.text and FULL_TEXT_MARK not in expired.text
    assert story.after_expiry[0] == story.profile_bytes  # byte for byte: not overwritten
    shown = run_cli("show", str(expired.run_dir))
    assert "did NOT hold" in shown.stdout


def test_refresh_logs_in_again_with_the_same_password_file_and_keeps_the_key(story: Story) -> None:
    assert story.refreshed.returncode == 0, story.refreshed.stderr
    before, after = json.loads(story.profile_bytes), json.loads((story.profiles / "sub.json").read_bytes())
    assert after["key"] == before["key"] and after["created_at"] == before["created_at"]
    assert after["storage_state"] != before["storage_state"] and story.site.logins >= 2
    imported_refresh = run_cli("profile", "refresh", "mine", "--profiles", str(story.profiles), env=story.env)
    assert imported_refresh.returncode == 2 and imported_refresh.stderr.count("\n") == 1
    assert "profile import mine --cookies FILE --replace" in imported_refresh.stderr


def test_an_imported_cookies_txt_captures_the_full_story_the_same_way(story: Story) -> None:
    imported = story.captures["imported"]
    assert imported.page["state"] == "complete", imported.page["reason"]
    assert FULL_TEXT_MARK in imported.text
    assert imported.page["profile"]["source"] == "cookies" and imported.page["profile"]["check_held"] is True
    assert imported.page["secrets"]["headers"]["Cookie"] >= 1


def test_a_profile_that_is_not_there_or_a_login_that_fails_is_one_line(story: Story, tmp_path: Path) -> None:
    missing = run_cli(
        "capture", f"{story.base}/sub/article", "-o", str(tmp_path / "out"), "--profile", "nobody",
        "--profiles", str(story.profiles), env=story.env,
    )  # fmt: skip
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no profile named 'nobody'" in missing.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*/manifest.json"))
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the password\n")
    failed = run_cli(
        "profile", "create", "bad", "--login-url", f"{story.base}/sub/login", "--username", USERNAME,
        "--password-file", str(wrong), "--check", CHECK, "--profiles", str(story.profiles), "--timeout", "5",
        env=story.env,
    )  # fmt: skip
    assert failed.returncode == 2 and failed.stderr.count("\n") == 1, failed.stderr
    assert "the login did not go through" in failed.stderr and not (story.profiles / "bad.json").exists()
    taken = run_cli(
        "profile", "create", "sub", "--login-url", f"{story.base}/sub/login", "--username", USERNAME,
        "--password-file", str(wrong), "--profiles", str(story.profiles), env=story.env,
    )  # fmt: skip
    assert taken.returncode == 2 and "a profile named 'sub' exists" in taken.stderr


@pytest.mark.pywb
@pytest.mark.replaywebpage
def test_the_subscriber_capture_replays_in_full_in_pywb_and_replaywebpage(story: Story, tmp_path: Path) -> None:
    capture = story.captures["profile"]
    url = f"{story.base}/sub/article"
    timestamp = "".join(ch for ch in capture.page["started_at"] if ch.isdigit())[:14]
    build_collection(ensure_pywb(), tmp_path / "pywb", list(capture.run_dir.rglob("*.warc.gz")), framed=False)
    with PywbServer(ensure_pywb(), tmp_path / "pywb") as pywb:
        pywb_text = asyncio.run(_replayed_text(pywb.url(timestamp, url)))
    with ReplayWebPageServer(ensure_replaywebpage(), [story.bundles["profile"]]) as rwp:
        rwp_text = asyncio.run(_rwp_text(rwp, story.bundles["profile"], url, timestamp))
    for text in (pywb_text, rwp_text):
        assert FULL_TEXT_MARK in text and API_TEXT_MARK in text, text[:500]


async def _replayed_text(address: str) -> str:
    async with async_playwright() as playwright:
        browser, _ = await launch(playwright, find_browser(playwright))
        try:
            page = await browser.new_page()
            await page.goto(address, wait_until="load")
            await page.wait_for_function(
                f"document.body.innerText.includes({json.dumps(API_TEXT_MARK)})", timeout=30_000
            )
            return await page.evaluate("document.body.innerText")
        finally:
            await browser.close()


async def _rwp_text(server: ReplayWebPageServer, archive: Path, url: str, timestamp: str) -> str:
    async with async_playwright() as playwright:
        browser, _ = await launch(playwright, find_browser(playwright))
        try:
            replayed = await replay(browser, server, archive, url, timestamp, DESKTOP)
            assert replayed.found
            return replayed.text
        finally:
            await browser.close()


@pytest.mark.redis
def test_a_queued_job_carries_only_the_profile_name_and_each_worker_uses_its_own_copy(
    story: Story, tmp_path: Path
) -> None:
    redis = RedisServer(tmp_path / "redis").start()
    try:
        for number, extra in enumerate((["--profile", "sub"], ["--profile", "ghost"], [])):
            added = queue_add(redis.url, f"{story.base}/sub/article?job={number}", *extra)
            assert added.returncode == 0, added.stderr
        entries = redis.broker().client.xrange(redis.broker().key("jobs"))
        jobs = [json.loads(fields["job"]) for _, fields in entries]
        assert [job["options"]["profile"] for job in jobs] == ["sub", "ghost", None]
        dumped = json.dumps(jobs)
        assert not [s for s in story.site.secrets() if s in dumped] and "storage_state" not in dumped
        own_copy = tmp_path / "worker-profiles"
        shutil.copytree(story.profiles, own_copy)
        out = tmp_path / "out"
        worker = WorkerProcess(
            redis.url, out, tmp_path / "worker.log", "--until-empty", "--profiles", str(own_copy), "--profile", "mine"
        )
        assert worker.wait(600) == 0, worker.said()
    finally:
        redis.stop()
    by_profile = {(page.get("profile") or {}).get("name"): page for _, page in manifest_pages(out)}
    assert by_profile["sub"]["state"] == "complete" and by_profile["sub"]["profile"]["check_held"] is True
    assert by_profile["mine"]["state"] == "complete"  # the job that named none: the worker's --profile
    (ghost,) = [page for _, page in manifest_pages(out) if page["state"] == "failed"]
    assert "no profile named 'ghost'" in ghost["reason"]
    found = _holding(out, story.site.secrets())
    assert not found, found


def test_the_review_app_says_who_was_logged_in_and_what_became_of_the_secrets(story: Story) -> None:
    kept, expired = story.captures["kept"], story.captures["expired"]
    with running_app([kept.run_dir.parent, expired.run_dir.parent]) as (base, _):
        _, _, body = raw_get(base, f"/api/captures/{expired.page['capture_id']}")
        data = json.loads(body)
        assert "did NOT hold" in data["profile"] and data["secrets"]["redacted"] is True
        assert any(line.startswith("login-wall: profile 'sub'") for line in data["verdicts"])
        status, _, page = raw_get(base, f"/captures/{kept.page['capture_id']}")
        html = page.decode()
        assert status == 200 and "KEPT as sent" in html and 'class="bad"' in html and "sub (fingerprint" in html
