"""--block FILE (issue 22, optional blocking): a filter list's rules for whole hosts refuse their
connections at the network guard's proxy, each refusal on the record; a list that cannot be read
is one error line before anything is captured."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from archiver.output.manifest import load_schema
from tests.support.captures import Site
from tests.support.cli import ARCHIVER
from tests.support.warcs import records_of

pytestmark = pytest.mark.browser

# The article is on 127.0.0.1; its embed comes from localhost, another site: a third party.
FILTER_LIST = """[Adblock Plus 2.0]
! a list as EasyList writes them
||localhost^$third-party
||cdn.localhost/ads/*
||127.0.0.1^$third-party
"""


def test_a_filter_list_refuses_the_third_party_host_and_says_so(site: Site, tmp_path: Path) -> None:
    filters = tmp_path / "filters.txt"
    filters.write_text(FILTER_LIST)
    out = tmp_path / "out"
    command = [*ARCHIVER, "capture", site.url("/article"), "-o", str(out), "--block", str(filters), "--settle", "2"]
    subprocess.run(command, capture_output=True, text=True, check=True)
    (manifest_path,) = out.glob("*/manifest.json")
    manifest = json.loads(manifest_path.read_text())
    jsonschema.Draft202012Validator(load_schema()).validate(manifest)
    (page,) = manifest["pages"]
    assert page["state"] == "complete", page["reason"]
    assert manifest["options"]["block"] == str(filters)
    blocking = page["blocking"]
    assert blocking["list"]["rules"] == 3 and len(blocking["list"]["sha256"]) == 64
    (refused,) = blocking["blocked"]
    assert (refused["host"], refused["rule"]) == ("localhost", "||localhost^$third-party")
    assert any(url.endswith("/embed/widget.html") for url in refused["requests"])
    assert page["counts"]["filtered_requests"] == len(refused["requests"]) >= 1
    # The page's own host is never blocked, and nothing from the refused host is in the archive.
    uris = [record.uri for record in records_of(manifest_path.parent) if record.type == "response"]
    assert any(uri.endswith("/article") for uri in uris)
    assert not [uri for uri in uris if uri.startswith("http://localhost:")]


def test_a_filter_list_that_cannot_be_read_is_one_line_before_any_capture(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for bad, said in ((tmp_path / "missing.txt", "No such file"), (tmp_path, "not a file")):
        command = [*ARCHIVER, "capture", site.url("/article"), "-o", str(out), "--block", str(bad)]
        done = subprocess.run(command, capture_output=True, text=True)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and said in done.stderr and "Traceback" not in done.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("! only a comment\n\n")
    done = subprocess.run(
        [*ARCHIVER, "capture", site.url("/article"), "-o", str(out), "--block", str(empty)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "holds no rules" in done.stderr
    assert not list(out.glob("*/manifest.json"))
