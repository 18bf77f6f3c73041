"""Bundles and WARC files open in a real ReplayWeb.page (npm replaywebpage, wabac.js inside),
served from 127.0.0.1, at desktop and phone size (sealed bundles at desktop size): the page is found, every picture renders,
every line of the captured text is there, and wabac.js judges the signature as it should."""

from __future__ import annotations

import asyncio
import base64
import json
import struct
import zipfile
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from archiver.browser.launch import find_browser, launch
from archiver.replay.replaywebpage import ReplayWebPageServer, ensure_replaywebpage
from archiver.run.batch import RunOutcome
from tests.support.cli import run_cli as cli
from tests.support.rwp_client import DESKTOP, PHONE, RwpReplay, Screen, replay
from tests.support.tsa import LocalTsa

pytestmark = [pytest.mark.browser, pytest.mark.replaywebpage]

SCREENS = (DESKTOP, PHONE)


@pytest.fixture(scope="module")
def archives(article_capture: RunOutcome, tsa: LocalTsa, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture article as an unsigned, a signed and a signed + timestamped bundle, a bundle
    whose signature has one byte flipped, and as the plain WARC file `capture` wrote."""
    folder = tmp_path_factory.mktemp("rwp-archives")
    key = folder / "key.pem"
    assert cli("keygen", str(key)).returncode == 0
    made = {}
    for name, extra in (
        ("unsigned", []),
        ("signed", ["--sign-key", str(key)]),
        ("timestamped", ["--sign-key", str(key), "--tsa", tsa.url, "--tsa-ca", str(tsa.ca_file)]),
    ):
        made[name] = folder / f"{name}.wacz"
        result = cli("bundle", str(article_capture.run_dir), "--output", str(made[name]), *extra)
        assert result.returncode == 0, result.stderr
    made["tampered"] = _flip_signature_byte(made["signed"], folder / "tampered.wacz")
    (page,) = article_capture.results
    made["warc"] = next(f.path for f in page.files if f.role == "warc")
    return made


def _flip_signature_byte(source: Path, target: Path) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "datapackage-digest.json":
                sealed = json.loads(data)
                signature = bytearray(base64.b64decode(sealed["signedData"]["signature"]))
                signature[10] ^= 0x01
                sealed["signedData"]["signature"] = base64.b64encode(bytes(signature)).decode("ascii")
                data = json.dumps(sealed, indent=2).encode("utf-8")
            copy.writestr(zipfile.ZipInfo(info.filename, info.date_time), data, compress_type=info.compress_type)
    return target


@pytest.fixture(scope="module")
def rwp(archives: dict[str, Path]) -> Iterator[ReplayWebPageServer]:
    with ReplayWebPageServer(ensure_replaywebpage(), list(archives.values())) as server:
        yield server


def _replay_all(
    server: ReplayWebPageServer, archive: Path, url: str, ts: str, screens: tuple[Screen, ...] = SCREENS
) -> list[RwpReplay]:
    async def run() -> list[RwpReplay]:
        async with async_playwright() as playwright:
            browser, _ = await launch(playwright, find_browser(playwright))
            try:
                return [await replay(browser, server, archive, url, ts, screen) for screen in screens]
            finally:
                await browser.close()

    return asyncio.run(run())


def _captured_lines(page_result: object) -> list[str]:
    text_file = next(f.path for f in page_result.files if f.role == "text")  # type: ignore[attr-defined]
    return [" ".join(line.split()) for line in text_file.read_text(encoding="utf-8").splitlines() if line.strip()]


def _assert_replays_fully(replays: list[RwpReplay], article_capture: RunOutcome) -> None:
    (page,) = article_capture.results
    lines = _captured_lines(page)
    for result in replays:
        assert result.found, f"{result.screen}: Archived Page Not Found at {result.frame_url}"
        assert result.loads == 1, f"{result.screen}: the page showed only after {result.loads} loads"
        assert result.pictures_checked >= 15, result
        assert result.broken_images == [] and result.broken_backgrounds == [], result
        assert result.broken_media == [], result
        replayed = " ".join(result.text.split())
        missing = [line for line in lines if line not in replayed]
        assert missing == [], f"{result.screen}: captured text not on the replayed page: {missing}"


@pytest.mark.parametrize("kind", ["unsigned", "signed", "timestamped"])
def test_bundles_replay_in_replaywebpage_at_both_sizes(
    kind: str, archives: dict[str, Path], rwp: ReplayWebPageServer, article_capture: RunOutcome
) -> None:
    (page,) = article_capture.results
    # Both sizes for the unsigned bundle; a signature changes nothing a screen size shows, so the
    # sealed ones replay at desktop size (each replay is ~12 s of the suite's budget).
    screens = SCREENS if kind == "unsigned" else (DESKTOP,)
    replays = _replay_all(rwp, archives[kind], page.final_url, page.started_at.strftime("%Y%m%d%H%M%S"), screens)
    _assert_replays_fully(replays, article_capture)
    assert all(":" in r.frame_url.split("/w/", 1)[1].split("/")[1] for r in replays)  # a WACZ collection
    signature = replays[0].signature
    if kind == "unsigned":
        assert not (signature or {}).get("matched")
    else:
        assert signature is not None and signature["matched"] is True, signature
        assert replays[0].collection_info and replays[0].collection_info["verify"].get("publicKey")


def test_a_tampered_signature_is_found_invalid_by_wabac(
    archives: dict[str, Path], rwp: ReplayWebPageServer, article_capture: RunOutcome
) -> None:
    (page,) = article_capture.results
    ts = page.started_at.strftime("%Y%m%d%H%M%S")
    (first,) = _replay_all(rwp, archives["tampered"], page.final_url, ts, (DESKTOP,))
    assert first.signature is not None and first.signature["matched"] is False, first.signature


def test_the_plain_warc_replays_in_replaywebpage_at_both_sizes(
    archives: dict[str, Path], rwp: ReplayWebPageServer, article_capture: RunOutcome
) -> None:
    (page,) = article_capture.results
    replays = _replay_all(rwp, archives["warc"], page.final_url, page.started_at.strftime("%Y%m%d%H%M%S"))
    _assert_replays_fully(replays, article_capture)


def _local_and_central_extra_lengths(path: Path) -> list[tuple[str, int, int]]:
    found = []
    with zipfile.ZipFile(path) as archive, path.open("rb") as raw:
        for info in archive.infolist():
            raw.seek(info.header_offset)
            header = raw.read(30)
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            found.append((info.filename, extra_length, len(info.extra)))
    return found


def test_every_entry_has_the_same_extra_fields_in_its_local_and_central_headers(archives: dict[str, Path]) -> None:
    for name, local, central in _local_and_central_extra_lengths(archives["timestamped"]):
        assert (name, local) == (name, central) == (name, 0)


def test_entries_near_and_over_the_zip64_limit_keep_their_headers_consistent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the limit lowered to 4 KiB: a file within 5% under it (where zipfile alone would put a
    ZIP64 field in the local header only) gets none, a file over it gets one in both headers."""
    from datetime import datetime

    from archiver.evidence.wacz_zip import WaczZip

    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 4096)
    near, over = tmp_path / "near.warc.gz", tmp_path / "over.warc.gz"
    near.write_bytes(b"n" * 4000)
    over.write_bytes(b"o" * 5000)
    bundle = WaczZip(tmp_path / "test.wacz", datetime.now(UTC))
    bundle.add_file("archive/near.warc.gz", near)
    bundle.add_file("archive/over.warc.gz", over)
    bundle.close()
    lengths = {
        name: (local, central) for name, local, central in _local_and_central_extra_lengths(tmp_path / "test.wacz")
    }
    assert lengths["archive/near.warc.gz"] == (0, 0)
    assert lengths["archive/over.warc.gz"][0] == 20 and lengths["archive/over.warc.gz"][1] > 0
    with zipfile.ZipFile(tmp_path / "test.wacz") as archive:
        assert archive.read("archive/over.warc.gz") == b"o" * 5000
        assert archive.read("archive/near.warc.gz") == b"n" * 4000
