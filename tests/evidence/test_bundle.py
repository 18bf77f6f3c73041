"""Evidence bundles: WACZ that py-wacz validates, pywb replays, and `archiver verify` checks offline,
catching every kind of tampering."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import zipfile
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from archiver.evidence.signing import load_private_key, sign_hash
from archiver.evidence.timestamps import request_timestamp
from archiver.replay.pywb import PywbServer, ensure_pywb
from archiver.run.batch import RunOutcome
from tests.support.cli import ARCHIVER, refused_port
from tests.support.cli import run_cli as cli
from tests.support.tsa import LocalTsa
from tests.support.warcs import records_of

pytestmark = [pytest.mark.browser, pytest.mark.pywb]

WACZ = str(Path(sys.executable).with_name("wacz"))


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    made = {}
    for name in ("mine", "other"):
        result = cli("keygen", str(folder / f"{name}.pem"))
        assert result.returncode == 0, result.stderr
        made[name] = folder / f"{name}.pem"
    return made


@pytest.fixture(scope="module")
def sealed(
    article_capture: RunOutcome, tsa: LocalTsa, keys: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    output = tmp_path_factory.mktemp("bundle") / "evidence.wacz"
    result = cli(
        "bundle",
        str(article_capture.run_dir),
        "--output",
        str(output),
        "--sign-key",
        str(keys["mine"]),
        "--tsa",
        tsa.url,
        "--tsa-ca",
        str(tsa.ca_file),
    )
    assert result.returncode == 0, result.stderr
    assert "timestamp: " in result.stdout and "signed: sha256:" in result.stdout
    return output


def test_py_wacz_validates_the_bundle(sealed: Path) -> None:
    result = subprocess.run([WACZ, "validate", "-f", str(sealed)], capture_output=True, text=True)
    assert result.returncode == 0 and "Validation succeeded" in result.stdout, result.stdout


def test_the_bundle_verifies_offline(sealed: Path, keys: dict[str, Path]) -> None:
    result = cli(
        "verify", str(sealed), "--require-signature", "--require-timestamp", "--public-key", str(keys["mine"]) + ".pub"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "verified"
    assert all(line.startswith("ok ") for line in lines[:-1]), lines
    assert any("every block and payload digest holds" in line for line in lines)
    assert any(
        line.startswith("ok   signature: valid ECDSA P-384 signature") and "the expected key" in line for line in lines
    )
    assert any(
        line.startswith("ok   timestamp from") and "chained to O=archiver tests,CN=archiver test TSA CA" in line
        for line in lines
    )


def test_the_bundle_holds_everything_described(sealed: Path, article_capture: RunOutcome) -> None:
    with zipfile.ZipFile(sealed) as bundle:
        names = set(bundle.namelist())
        assert all(name.count("/") == 1 for name in names - {"datapackage.json", "datapackage-digest.json"})
        for name in names:
            if name.startswith("archive/") or name.endswith(".png") or name == "indexes/index.cdx.gz":
                assert bundle.getinfo(name).compress_type == zipfile.ZIP_STORED, name
        assert bundle.read("indexes/index.idx").startswith(b'!meta 0 {"format": "cdxj-gzip-1.0"')
        pages = [json.loads(line) for line in bundle.read("pages/pages.jsonl").splitlines()]
        assert pages[0]["format"] == "json-pages-1.0"
        assert [p["title"] for p in pages[1:]] == ["Fixture article: everything loads late"]
        manifest = json.loads(article_capture.manifest_path.read_text())
        assert bundle.read(f"manifests/{manifest['run_id']}.json") == article_capture.manifest_path.read_bytes()
        report = bundle.read("report/index.html").decode()
        page = manifest["pages"][0]
        for expected in (
            "Fixture article: everything loads late",
            page["final_url"],
            page["server"]["ip"],
            page["files"][0]["sha256"],
            "data:image/png;base64,",
            "Signed (anonymous ECDSA P-384",
            "RFC 3161 timestamps over datapackage.json requested from",
            "Chromium ",
        ):
            assert expected in report, expected
        digest = json.loads(bundle.read("datapackage-digest.json"))
        assert digest["signedData"]["created"] == json.loads(bundle.read("datapackage.json"))["created"]
        assert len(digest["timestamps"]) == 1 and digest["timestamps"][0]["chain_checked"] is True


def test_the_bundle_unpacks_into_pywb_and_replays(sealed: Path, article_capture: RunOutcome, tmp_path: Path) -> None:
    env = ensure_pywb()
    subprocess.run([str(env.wb_manager), "init", "archiver"], cwd=tmp_path, check=True, capture_output=True)
    added = subprocess.run(
        [str(env.wb_manager), "add", "archiver", str(sealed), "--unpack-wacz"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert added.returncode == 0, added.stderr
    (tmp_path / "config.yaml").write_text("collections_root: collections\nframed_replay: false\n")
    article = next(
        r
        for r in records_of(article_capture.run_dir)
        if r.type == "response" and r.uri.endswith("/article") and r.status == 200
    )
    from tests.support.replay_http import fetch, timestamp

    with PywbServer(env, tmp_path) as server:
        assert fetch(server.url(timestamp(article), article.uri, "id_")) == (200, article.payload)


def _rewrite(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, change(info.filename, old.read(info.filename)))
    return target


def _verify(path: Path, *extra: str) -> tuple[int, list[str]]:
    result = cli("verify", str(path), *extra)
    assert "Traceback" not in result.stderr
    return result.returncode, [line for line in result.stdout.splitlines() if line.startswith("FAIL")]


def _member(path: Path, prefix: str) -> str:
    with zipfile.ZipFile(path) as bundle:
        return next(name for name in bundle.namelist() if name.startswith(prefix))


def _inside_a_compressed_record(data: bytes) -> int:
    """An offset in the middle of the deflate data of the WARC's largest record: a byte flipped there
    changes what the record decodes to (one in a gzip header's time or OS field would not)."""
    members, start = [], 0
    while start < len(data):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        inflater.decompress(data[start:])
        end = len(data) - len(inflater.unused_data)
        members.append((end - start, start))
        start = end
    size, start = max(members)
    return start + 10 + (size - 18) // 2  # past the 10-byte header, before the 8-byte trailer


def test_a_flipped_byte_in_a_warc_is_caught(sealed: Path, tmp_path: Path) -> None:
    warc = _member(sealed, "archive/")

    def flip(name: str, data: bytes) -> bytes:
        if name != warc:
            return data
        at = _inside_a_compressed_record(data)
        return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]

    code, failures = _verify(_rewrite(sealed, tmp_path / "t.wacz", flip))
    assert code == 1
    assert any(warc in line and "has changed" in line for line in failures)
    assert any(warc in line and ("digest" in line or "unreadable" in line) for line in failures)


def test_an_edited_manifest_value_is_caught(sealed: Path, tmp_path: Path) -> None:
    manifest = _member(sealed, "manifests/2")

    def edit(name: str, data: bytes) -> bytes:
        return data.replace(b'"status": 200', b'"status": 201', 1) if name == manifest else data

    code, failures = _verify(_rewrite(sealed, tmp_path / "t.wacz", edit))
    assert code == 1 and any(manifest in line and "has changed" in line for line in failures)


def test_a_replaced_screenshot_is_caught(sealed: Path, tmp_path: Path) -> None:
    shot = _member(sealed, "screenshots/")

    def replace_png(name: str, data: bytes) -> bytes:
        from io import BytesIO

        from PIL import Image

        if name != shot:
            return data
        out = BytesIO()
        Image.new("RGB", (1280, 800), "white").save(out, "PNG")
        return out.getvalue()

    code, failures = _verify(_rewrite(sealed, tmp_path / "t.wacz", replace_png))
    assert code == 1
    assert any(shot in line for line in failures)


def test_an_edited_datapackage_is_caught_by_signature_and_timestamp(sealed: Path, tmp_path: Path) -> None:
    """Even with datapackage.json and its digest rewritten to match a changed file, the seal breaks."""
    import hashlib

    shot = _member(sealed, "screenshots/")
    with zipfile.ZipFile(sealed) as bundle:
        datapackage = json.loads(bundle.read("datapackage.json"))
    fake = b"\x89PNG not the screenshot"
    for resource in datapackage["resources"]:
        if resource["path"] == shot:
            resource.update(hash="sha256:" + hashlib.sha256(fake).hexdigest(), bytes=len(fake))
    new_datapackage = json.dumps(datapackage, indent=2).encode()

    def forge(name: str, data: bytes) -> bytes:
        if name == shot:
            return fake
        if name == "datapackage.json":
            return new_datapackage
        if name == "datapackage-digest.json":
            digest = json.loads(data)
            digest["hash"] = "sha256:" + hashlib.sha256(new_datapackage).hexdigest()
            return json.dumps(digest).encode()
        return data

    code, failures = _verify(_rewrite(sealed, tmp_path / "t.wacz", forge))
    assert code == 1
    assert any(line.startswith("FAIL signature:") for line in failures)
    assert any(line.startswith("FAIL timestamp from") and "another digest" in line for line in failures)
    assert any(shot in line for line in failures)  # the manifest still knows the real screenshot's hash


def _with_signed_data(sealed: Path, target: Path, signed_data: Callable[[dict], dict]) -> Path:
    def swap(name: str, data: bytes) -> bytes:
        if name != "datapackage-digest.json":
            return data
        digest = json.loads(data)
        digest["signedData"] = signed_data(digest)
        return json.dumps(digest).encode()

    return _rewrite(sealed, target, swap)


def test_a_signature_from_another_key_is_caught(sealed: Path, keys: dict[str, Path], tmp_path: Path) -> None:
    other = load_private_key(keys["other"])

    def resigned_keeping_my_public_key(digest: dict) -> dict:
        forged = sign_hash(other, digest["hash"], digest["signedData"]["created"], "archiver", "0")
        return {**forged, "publicKey": digest["signedData"]["publicKey"]}

    code, failures = _verify(_with_signed_data(sealed, tmp_path / "a.wacz", resigned_keeping_my_public_key))
    assert code == 1 and any("signature: the signature does not match" in line for line in failures)

    def resigned_entirely(digest: dict) -> dict:
        return sign_hash(other, digest["hash"], digest["signedData"]["created"], "archiver", "0")

    forged = _with_signed_data(sealed, tmp_path / "b.wacz", resigned_entirely)
    code, failures = _verify(forged, "--public-key", str(keys["mine"]) + ".pub")
    assert code == 1 and any("made with another key" in line for line in failures)


def test_a_timestamp_over_another_digest_is_caught(sealed: Path, tsa: LocalTsa, tmp_path: Path) -> None:
    other_stamp = request_timestamp(tsa.url, b"some other datapackage", [tsa.ca])

    def swap(name: str, data: bytes) -> bytes:
        if name != "datapackage-digest.json":
            return data
        digest = json.loads(data)
        digest["timestamps"] = [other_stamp]
        return json.dumps(digest).encode()

    code, failures = _verify(_rewrite(sealed, tmp_path / "t.wacz", swap))
    assert code == 1 and any("timestamp from" in line and "another digest" in line for line in failures)


def test_an_unsigned_bundle_verifies_as_unsigned(article_capture: RunOutcome, tmp_path: Path) -> None:
    output = tmp_path / "plain.wacz"
    assert cli("bundle", str(article_capture.run_dir), "--output", str(output)).returncode == 0
    result = cli("verify", str(output))
    assert result.returncode == 4, result.stdout  # self-consistent is not verified
    assert result.stdout.splitlines()[-1].startswith("self-consistent, NOT signed")
    assert "\nverified" not in result.stdout
    assert "note unsigned: no signature in datapackage-digest.json" in result.stdout
    assert "note no trusted timestamp" in result.stdout
    code, failures = _verify(output, "--require-signature")
    assert code == 1 and failures == ["FAIL unsigned: no signature in datapackage-digest.json"]


def test_an_unreachable_tsa_is_said_loudly_and_recorded(article_capture: RunOutcome, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{refused_port()}/tsr"
    output = tmp_path / "no-stamp.wacz"
    result = cli("bundle", str(article_capture.run_dir), "--output", str(output), "--tsa", dead)
    assert result.returncode == 0
    assert f"warning: NO TIMESTAMP from {dead}" in result.stderr
    assert "timestamp: NONE" in result.stderr
    with zipfile.ZipFile(output) as bundle:
        assert json.loads(bundle.read("datapackage-digest.json"))["timestamp_failures"][0]["tsa"] == dead
    verified = cli("verify", str(output))
    assert verified.returncode == 4 and f"note timestamp: none from {dead}" in verified.stdout

    required = tmp_path / "required.wacz"
    result = cli(
        "bundle", str(article_capture.run_dir), "--output", str(required), "--tsa", dead, "--require-timestamp"
    )
    assert result.returncode == 1
    assert "a trusted timestamp is required and could not be obtained" in result.stderr
    assert not required.exists() and not list(tmp_path.glob("required.wacz*"))


def test_a_signing_server_signs_instead_of_a_local_key(
    article_capture: RunOutcome, keys: dict[str, Path], tmp_path: Path
) -> None:
    key = load_private_key(keys["other"])

    class Signer(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            asked = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            body = json.dumps(sign_hash(key, asked["hash"], asked["created"], "test-signer", "1")).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Signer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        output = tmp_path / "server-signed.wacz"
        url = f"http://127.0.0.1:{server.server_address[1]}/sign"
        result = cli("bundle", str(article_capture.run_dir), "--output", str(output), "--sign-url", url)
        assert result.returncode == 0, result.stderr
    finally:
        server.shutdown()
    verified = cli("verify", str(output), "--require-signature", "--public-key", str(keys["other"]) + ".pub")
    assert verified.returncode == 0, verified.stdout


def test_a_bundle_signed_by_an_unchecked_key_is_not_called_verified(sealed: Path) -> None:
    result = cli("verify", str(sealed))
    assert result.returncode == 3, result.stdout
    assert "NOT checked against a trusted key" in result.stdout.splitlines()[-1]


def _hostile_copy(source: Path, target: Path, extra: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            copy.writestr(info, original.read(info))
        for name, data in extra:
            copy.writestr(zipfile.ZipInfo(name), data)
    return target


@pytest.mark.parametrize("name", ["../../escaped.txt", "/etc/absolute.txt", "manifests/files.json"])
def test_zip_slip_absolute_and_duplicate_member_names_fail(sealed: Path, tmp_path: Path, name: str) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
        hostile = _hostile_copy(sealed, tmp_path / "hostile.wacz", [(name, b"x")])
    code, failures = _verify(hostile)
    assert code == 1 and failures and ("outside the bundle" in failures[0] or "times" in failures[0]), failures


@pytest.mark.parametrize(
    "datapackage", [b"[]", b'{"resources": "no"}', b'{"resources": [1, 2]}', b'{"resources": [{"path": 3}]}']
)
def test_malformed_datapackages_fail_without_a_traceback(sealed: Path, tmp_path: Path, datapackage: bytes) -> None:
    def swap(name: str, data: bytes) -> bytes:
        return datapackage if name == "datapackage.json" else data

    result = cli("verify", str(_rewrite(sealed, tmp_path / "malformed.wacz", swap)))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "FAIL datapackage JSON malformed" in result.stdout


def test_a_datapackage_that_inflates_hugely_is_refused(sealed: Path, tmp_path: Path) -> None:
    huge = b'{"resources": [], "pad": "' + b" " * (80 << 20) + b'"}'

    def swap(name: str, data: bytes) -> bytes:
        return huge if name == "datapackage.json" else data

    result = cli("verify", str(_rewrite(sealed, tmp_path / "bomb.wacz", swap)))
    assert result.returncode == 1 and "larger than" in result.stdout


def test_bundle_refuses_paths_out_of_the_run_folder_and_symlinks(article_capture: RunOutcome, tmp_path: Path) -> None:
    import shutil

    run = tmp_path / "run"
    shutil.copytree(article_capture.run_dir, run, symlinks=True)
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["pages"][0]["files"][0]["path"] = "../../../../etc/hostname"
    (run / "manifest.json").write_text(json.dumps(manifest))
    result = cli("bundle", str(run), "--output", str(tmp_path / "out.wacz"))
    assert result.returncode == 1 and "outside its run folder" in result.stderr and "Traceback" not in result.stderr

    shutil.rmtree(run)
    shutil.copytree(article_capture.run_dir, run, symlinks=True)
    manifest = json.loads((run / "manifest.json").read_text())
    text = next(f for f in manifest["pages"][0]["files"] if f["role"] == "text")
    (run / text["path"]).unlink()
    (run / text["path"]).symlink_to("/etc/hostname")
    result = cli("bundle", str(run), "--output", str(tmp_path / "out.wacz"))
    assert result.returncode == 1 and "symbolic link" in result.stderr
    assert not (tmp_path / "out.wacz").exists()


def test_two_bundles_written_to_one_file_at_once_leave_a_sound_file(
    article_capture: RunOutcome, tmp_path: Path
) -> None:
    target = tmp_path / "both.wacz"
    both = [
        subprocess.Popen(
            [*ARCHIVER, "bundle", str(article_capture.run_dir), "--output", str(target)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    assert [process.wait(300) for process in both] == [0, 0]
    code, failures = _verify(target)
    assert code == 4 and failures == []  # self-consistent (unsigned): one whole bundle, not two interleaved
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize(
    "manifest",
    [
        b"{not json",
        b'{"run_id": "x", "pages": [{"state": "done"}]}',
        b"[" * 50_000,
        b'{"run_id": "../..", "pages": []}',
    ],
)
def test_a_malformed_manifest_in_a_bundle_fails_verification_without_a_traceback(
    sealed: Path, tmp_path: Path, manifest: bytes
) -> None:
    def swap(name: str, data: bytes) -> bytes:
        return manifest if name.startswith("manifests/") and not name.endswith(("files.json", "-qa.json")) else data

    code, failures = _verify(_rewrite(sealed, tmp_path / "m.wacz", swap))
    assert code == 1 and any("not a manifest archiver can read" in line for line in failures), failures
