"""The review app without a browser: its API answers as the README documents it, files are
served only by capture id and role, every response carries the strict policy, and a token or
another site's page is handled as `security.py` says."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.cli import ARCHIVER
from tests.support.review_app import raw_get, running_app
from tests.support.stored_runs import stored_run

URL = "https://news.example/2026/12/story"


def _dom(sentence: str) -> str:
    body = "".join(
        f"<p>The riverside housing plan was debated at length by the council, part {n}.</p>" for n in range(6)
    )
    return f"<html><body><article><h1>Council votes</h1>{body}<p>{sentence}</p></article></body></html>"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("review")
    for day, sentence in ((1, "The mayor welcomed the vote."), (2, "The mayor regretted the vote, said the wombat.")):
        manifest, _ = stored_run(folder, started=datetime(2026, 12, day, 9, 0, tzinfo=UTC), dom=_dom(sentence))
        manifest.write()
    return folder


@pytest.fixture(scope="module")
def app(output: Path) -> Iterator[str]:
    with running_app([output]) as (base, _):
        yield base


def get_json(base: str, path: str) -> tuple[int, dict]:
    status, _, body = raw_get(base, path)
    return status, json.loads(body)


def test_the_api_lists_articles_their_captures_and_what_changed(app: str) -> None:
    status, listing = get_json(app, "/api/articles")
    assert status == 200
    (article,) = listing["articles"]
    assert article["captures"] == 2 and article["headline"] == "Council votes" and article["site"] == "news.example"
    _, one = get_json(app, f"/api/articles/{article['page_id']}")
    first, second = one["captures"]
    assert first["changed"] is None and second["changed"] is True
    assert any("text" in phrase for phrase in second["summary"])
    assert one["photos"][0]["credits"] == [{"value": "Ann Lee", "source": "caption (Photo Credit: ...)"}]
    _, capture = get_json(app, f"/api/captures/{second['capture_id']}")
    assert capture["fields"]["authors"] == ["Jane Doe"] and capture["state"] == "complete"
    _, diff = get_json(app, f"/api/diff?old={first['capture_id']}&new={second['capture_id']}")
    assert diff["changed"] and diff["text"]["words_added"] > 0
    _, found = get_json(app, "/api/search?q=wombat")
    assert [hit["capture_id"] for hit in found["hits"]] == [second["capture_id"]]
    assert "«wombat»" in found["hits"][0]["snippet"]
    _, events = get_json(app, "/api/events")
    assert events == {"watched": False, "events": []}
    status, missing = get_json(app, "/api/articles/0123456789abcdef")
    assert status == 404 and "error" in missing


@pytest.mark.parametrize(
    "path",
    [
        "/files/../../etc/passwd",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        "/files/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/files/..%2f..%2fetc%2fpasswd/screenshot_viewport",
        "/files/20261201T090000Z-b23a1156d104468c/..%2fmanifest.json",
        "/files/20261201T090000Z-b23a1156d104468c/warc",  # a role the app does not serve
        "/static/..%2f..%2fapp.py",
        "/static/../app.py",
    ],
)
def test_no_path_from_the_request_reaches_the_disk(app: str, path: str) -> None:
    status, _, body = raw_get(app, path)
    assert status == 404, (path, body[:100])


def test_a_file_is_served_by_capture_id_and_role(app: str) -> None:
    _, listing = get_json(app, "/api/articles")
    capture_id = listing["articles"][0]["latest_capture_id"]
    status, headers, body = raw_get(app, f"/files/{capture_id}/screenshot_viewport")
    assert status == 200 and body == b"png" and headers["content-type"] == "image/png"
    assert headers["x-content-type-options"] == "nosniff"
    status, headers, _ = raw_get(app, f"/files/{capture_id}/dom")
    assert status == 200 and headers["content-type"].startswith("text/plain")  # the DOM is never rendered
    assert headers["content-disposition"].startswith("attachment")


def test_every_page_carries_a_policy_that_lets_no_script_run(app: str) -> None:
    for path in ("/", "/articles", "/search?q=wombat", "/runs", "/nowhere"):
        _, headers, _ = raw_get(app, path)
        policy = headers["content-security-policy"]
        assert "script-src 'none'" in policy and "default-src 'none'" in policy, path
        assert headers["x-frame-options"] == "DENY"


def test_a_request_from_another_sites_page_is_refused_unless_it_is_a_navigation(app: str) -> None:
    fetched = {"sec-fetch-site": "same-site", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty"}
    assert raw_get(app, "/api/articles", fetched)[0] == 403
    navigated = {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"}
    assert raw_get(app, "/", navigated)[0] == 200
    assert raw_get(app, "/api/articles", {"sec-fetch-site": "same-origin"})[0] == 200


def test_with_a_token_a_request_without_it_gets_401(output: Path) -> None:
    with running_app([output], token="s3cret-t0ken") as (base, _):
        assert raw_get(base, "/")[0] == 401
        assert raw_get(base, "/api/articles", {"authorization": "Bearer wrong"})[0] == 401
        assert raw_get(base, "/api/articles", {"authorization": "Bearer s3cret-t0ken"})[0] == 200
        status, headers, _ = raw_get(base, "/articles?token=s3cret-t0ken&site=news.example")
        assert status == 303 and headers["location"] == "/articles?site=news.example"
        assert "HttpOnly" in headers["set-cookie"] and "SameSite=Strict" in headers["set-cookie"]
        assert raw_get(base, "/", {"cookie": "archiver_token=s3cret-t0ken"})[0] == 200


def test_serving_beyond_loopback_without_a_token_refuses_to_start(output: Path) -> None:
    result = subprocess.run([*ARCHIVER, "serve", str(output), "--host", "0.0.0.0", "--no-replay"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 2
    assert "--token" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_archiver_search_on_the_terminal(output: Path) -> None:
    found = subprocess.run([*ARCHIVER, "search", "wombat", "--output", str(output), "--json"],
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    assert found.returncode == 0, found.stderr
    (hit,) = json.loads(found.stdout)["hits"]
    assert hit["url"] == URL and "«wombat»" in hit["snippet"]
    missing = subprocess.run([*ARCHIVER, "search", "nothingmatchesthis", "--output", str(output)],
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert missing.returncode == 1 and "Traceback" not in missing.stderr


def test_a_bundle_of_a_searchs_results_holds_those_captures_and_verifies(app: str, tmp_path: Path) -> None:
    import io
    import zipfile

    from archiver.evidence.verify import FAIL, VerifyOptions, verify_bundle

    _, found = get_json(app, "/api/search?q=wombat")
    status, headers, body = raw_get(app, "/bundle?q=wombat")
    assert status == 200 and headers["content-type"] == "application/wacz"
    bundle = tmp_path / "search.wacz"
    bundle.write_bytes(body)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        selection = json.loads(archive.read("manifests/selection.json"))
    assert selection == {"captures": [hit["capture_id"] for hit in found["hits"]]}
    assert [c for c in verify_bundle(bundle, VerifyOptions()) if c.status == FAIL] == []
    assert raw_get(app, "/bundle?q=nothingmatchesthis")[0] == 404
