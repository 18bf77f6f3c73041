"""Evidence bundles: one WACZ 1.1.1 file holding the WARCs, their index, the pages, the manifest,
the screenshots and a readable report, sealed by a signature and trusted timestamps.

Layout (every file one folder deep, as WACZ asks, and listed with its SHA-256 in datapackage.json):
    archive/*.warc.gz           the WARC files, stored uncompressed in the zip
    indexes/index.cdx.gz, .idx  CDXJ index in compressed blocks (cdxj-indexer), for pywb and wabac.js
    pages/pages.jsonl           the captured pages, with their visible text (what ReplayWeb.page searches)
    manifests/<run>.json        each run's manifest.json as written; <run>-qa.json when QA ran
    manifests/selection.json    for a bundle of some captures: which of the manifests' pages are in
    manifests/files.json        where each file a manifest lists sits in the bundle, and the earlier
                                captures' WARCs a re-capture's revisit records point at
    screenshots/, dom/, text/   the page files the manifests list
    report/index.html           the human-readable report
    datapackage.json            every file above with its hash and size
    datapackage-digest.json     the hash of datapackage.json, its signature, its timestamps
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cdxj_indexer.main import CDXJIndexer
from cryptography import x509

from archiver.errors import ArchiverError
from archiver.evidence.bundle_report import render_report
from archiver.evidence.signing import key_fingerprint, load_private_key, public_key_b64, sign_hash, sign_with_server
from archiver.evidence.timestamps import TimestampError, request_timestamp
from archiver.evidence.wacz_zip import SELECTION, SizeChanged, WaczZip
from archiver.identity import labelled_sha256, sha256_file
from archiver.output.runs import scan_runs
from archiver.output.stored import QaReport, Requirement, StoredFile, StoredPage, StoredRun
from archiver.terms import FileRole, PageState
from archiver.versions import __version__

WACZ_VERSION = "1.1.1"
MAX_PAGES_TEXT = 1 << 20  # bytes of page text ReplayWeb.page reads from one bundle (wabac.js multiwacz.ts)
SOFTWARE = f"archiver {__version__}"
INDEX_LINES = 1024  # CDXJ lines per compressed block
SAFE_MEMBER = re.compile(r"^[a-z]+/[A-Za-z0-9][A-Za-z0-9._-]*$")  # one folder deep, a plain file name
ROLE_FOLDERS = {
    "screenshot_viewport": ("screenshots", "-viewport.png"),
    "screenshot_full_page": ("screenshots", "-fullpage.png"),
    "screenshot_viewport_after_consent": ("screenshots", "-viewport-after-consent.png"),
    "screenshot_full_page_unobstructed": ("screenshots", "-fullpage-unobstructed.png"),
    "dom": ("dom", ".html"),
    "text": ("text", ".txt"),
}


class BundleError(ArchiverError):
    pass


@dataclass
class BundleOptions:
    sign_key: Path | None = None
    sign_url: str | None = None
    tsa_urls: list[str] = field(default_factory=list)
    tsa_ca_certificates: list[x509.Certificate] = field(default_factory=list)
    require_timestamp: bool = False


@dataclass
class BundleOutcome:
    path: Path
    datapackage_hash: str
    signed_by: str | None  # public key fingerprint, or the signing server
    timestamps: list[dict[str, Any]]
    timestamp_failures: list[dict[str, str]]
    pages: int


@dataclass
class _Run:
    stored: StoredRun
    qa: QaReport | None


def _load_runs(paths: Iterable[Path], captures: Collection[str] | None = None) -> list[_Run]:
    """The runs under `paths`; with `captures`, only the runs holding them, each narrowed to them
    (its manifest is still packed whole, as written: the selection says which of its pages are in)."""
    scan = scan_runs(paths)
    scan.raise_if_unreadable()  # evidence of some of the runs asked for would mislead
    if not scan.runs:
        raise BundleError(f"no manifest.json found in {', '.join(str(p) for p in paths)}")
    runs = scan.runs
    if captures is not None:
        wanted = set(captures)
        runs = [replace(run, pages=tuple(p for p in run.pages if p.capture_id in wanted)) for run in runs]
        runs = [run for run in runs if run.pages]
        missing = wanted - {page.capture_id for run in runs for page in run.pages}
        if missing:
            raise BundleError(f"no capture {sorted(missing)[0]} under {', '.join(str(p) for p in paths)}")
    return [_Run(run, QaReport.read(run.qa_path) if run.qa_path else None) for run in runs]


def _member_name(capture_id: str, entry: StoredFile) -> str:
    if entry.role == FileRole.WARC:
        return "archive/" + Path(entry.path).name
    folder, suffix = ROLE_FOLDERS.get(entry.role, ("files", "-" + Path(entry.path).name))
    return f"{folder}/{capture_id}{suffix}"


def _kept_pages(runs: list[_Run]) -> list[StoredPage]:
    return [page for run in runs for page in run.stored.pages if page.state != PageState.FAILED]


def _pages_jsonl(runs: list[_Run]) -> bytes:
    """The pages, each with its visible text (`text`, what ReplayWeb.page searches), the texts cut so
    that together they stay within what ReplayWeb.page reads of a bundle's text (MAX_PAGES_TEXT)."""
    pages = [page for page in _kept_pages(runs) if page.final_url]
    texts = _page_texts(pages)
    lines: list[dict[str, Any]] = [{"format": "json-pages-1.0", "id": "pages", "title": "Captured pages"}]
    for page, text in zip(pages, texts, strict=True):
        line: dict[str, Any] = {"id": page.capture_id, "url": page.final_url, "ts": page.started_at}
        line["title"] = page.headline or page.title or page.final_url
        if text:
            line["text"] = text
        if page.verdicts:  # is this a capture of the article? (a reader of the bundle sees it per page)
            line["verdicts"] = [
                {"verdict": v.verdict, "evidence": list(v.evidence), **({"as_asked": True} if v.as_asked else {})}
                for v in page.verdicts
            ]
        lines.append(line)
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")


def _page_texts(pages: list[StoredPage]) -> list[str]:
    """Each page's stored visible text; when together they exceed MAX_PAGES_TEXT bytes, the longest
    are cut at a word (the whole text stays in the bundle's text/ files): every page keeps a share."""
    texts = []
    for page in pages:
        path = page.file(FileRole.TEXT)
        texts.append(" ".join(path.read_text(encoding="utf-8", errors="replace").split()) if path else "")
    budget, left = MAX_PAGES_TEXT, len(texts)
    for index in sorted(range(len(texts)), key=lambda i: len(texts[i].encode("utf-8"))):
        share = budget // left
        encoded = texts[index].encode("utf-8")
        if len(encoded) > share:
            cut = encoded[:share].decode("utf-8", errors="ignore")
            texts[index] = cut.rsplit(" ", 1)[0] if " " in cut else cut
        budget -= len(texts[index].encode("utf-8"))
        left -= 1
    return texts


def _write_index(bundle: WaczZip, warcs: list[Path], scratch: Path) -> None:
    """index.cdx.gz (compressed blocks) and index.idx (one line per block), by cdxj-indexer."""
    idx = io.BytesIO()
    idx_text = io.TextIOWrapper(idx, "utf-8", write_through=True)
    blocks = scratch / "index.cdx.gz"
    with blocks.open("wb") as out:  # on disk first: the zip entry's size must be known before it is written
        CDXJIndexer(
            idx_text,
            [str(w) for w in warcs],
            sort=True,
            post_append=True,
            compress=out,
            lines=INDEX_LINES,
            data_out_name="index.cdx.gz",
            digest_records=True,
            fields="referrer",
        ).process_all()
    bundle.add_file("indexes/index.cdx.gz", blocks)
    bundle.add_bytes("indexes/index.idx", idx.getvalue())


def build_bundle(
    paths: list[Path],
    output: Path,
    options: BundleOptions,
    warn: Callable[[str], None] = lambda message: None,
    captures: Collection[str] | None = None,
) -> BundleOutcome:
    """Pack the runs under `paths` (with `captures`: only those captures, and the earlier WARCs
    their revisits need) into the WACZ `output`, sealed as `options` say."""
    runs = _load_runs(paths, captures)
    created = datetime.now(UTC).replace(microsecond=0)
    created_iso = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    key = load_private_key(options.sign_key) if options.sign_key else None
    # A name of its own: two bundles written to one file at once must not write one partial file
    # together (each reported success for a corrupt result); the last complete one is the file.
    partial = output.with_name(f".{output.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")
    bundle = WaczZip(partial, created)
    try:
        placed = _add_capture_files(bundle, runs)
        with tempfile.TemporaryDirectory(prefix="archiver-bundle-") as scratch:
            _write_index(
                bundle, [source for source, name in placed.values() if name.startswith("archive/")], Path(scratch)
            )
        bundle.add_bytes("pages/pages.jsonl", _pages_jsonl(runs))
        if captures is not None:  # which pages of the packed manifests are in (verify checks those)
            selection = {"captures": sorted(page.capture_id for run in runs for page in run.stored.pages)}
            bundle.add_bytes(SELECTION, json.dumps(selection, indent=2).encode("utf-8"))
        for run in runs:
            run_id = run.stored.run_id
            bundle.add_file(f"manifests/{run_id}.json", run.stored.path)
            if run.stored.qa is not None:
                bundle.add_file(f"manifests/{run_id}-qa.json", _source_inside(run.stored, run.stored.qa.path))
        files_map = {key: name for key, (_, name) in placed.items()}
        bundle.add_bytes("manifests/files.json", json.dumps(files_map, indent=2).encode("utf-8"))
        sealing = _sealing_lines(key, options)
        report = render_report([(r.stored, r.qa) for r in runs], files_map, sealing)
        bundle.add_bytes("report/index.html", report.encode("utf-8"))
        datapackage = _datapackage(bundle.resources, runs, created_iso)
        digest = labelled_sha256(datapackage)
        sealed = _seal(datapackage, digest, created_iso, key, options, warn)
        bundle.add_bytes("datapackage.json", datapackage, listed=False)
        bundle.add_bytes("datapackage-digest.json", json.dumps(sealed, indent=2).encode("utf-8"), listed=False)
        bundle.close()
    except SizeChanged as exc:
        bundle.close()
        partial.unlink(missing_ok=True)
        raise BundleError(str(exc)) from None
    except BaseException:
        bundle.close()
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, output)
    signed_by = key_fingerprint(sealed["signedData"]["publicKey"]) if key else options.sign_url
    pages = len(_kept_pages(runs))
    return BundleOutcome(
        output, digest, signed_by, sealed.get("timestamps", []), sealed.get("timestamp_failures", []), pages
    )


def _add_capture_files(bundle: WaczZip, runs: list[_Run]) -> dict[str, tuple[Path, str]]:
    """Every file the manifests list, once: '<run id>/<manifest path>' -> (source, name in the bundle)."""
    placed: dict[str, tuple[Path, str]] = {}
    taken: set[str] = set()
    for run in runs:
        for page in run.stored.pages:
            for entry in page.files:
                name = _member_name(page.capture_id, entry)
                if not SAFE_MEMBER.match(name):
                    raise BundleError(
                        f"{run.stored.path} lists a file that would be named {name!r} in the bundle; "
                        "refusing it (not a capture's own file name)"
                    )
                if name in taken:
                    raise BundleError(f"two files would both be {name} in the bundle")
                source = _source_inside(run.stored, entry.path)
                bundle.add_file(name, source)
                taken.add(name)
                placed[f"{run.stored.run_id}/{entry.path}"] = (source, name)
    for run in runs:
        for page in run.stored.pages:
            for requirement in page.requirements:
                _add_original(bundle, run.stored, requirement, placed, taken)
    return placed


def _add_original(
    bundle: WaczZip, run: StoredRun, requirement: Requirement, placed: dict[str, tuple[Path, str]], taken: set[str]
) -> None:
    """An earlier capture's WARC that holds originals this run's revisits point at: packed too, so
    the bundle replays and verifies on its own. It must still be the file the manifest names."""
    key = f"{requirement.run_id}/{requirement.path}"
    if key in placed:
        return
    name = "archive/" + Path(requirement.path).name
    if not SAFE_MEMBER.match(name) or name in taken:
        raise BundleError(
            f"{run.path} names an original WARC {key!r} that cannot be packed "
            "(not a capture's own file name, or one already taken)"
        )
    source = _source_inside(run, requirement.path, run.run_dir.parent / requirement.run_id)
    if sha256_file(source) != requirement.sha256:
        raise BundleError(
            f"{source} holds originals this capture's revisits point at, but it is no longer "
            "the file the manifest names (its SHA-256 differs)"
        )
    bundle.add_file(name, source)
    taken.add(name)
    placed[key] = (source, name)


def _source_inside(run: StoredRun, listed: str, run_dir: Path | None = None) -> Path:
    """The file a manifest lists, which must be a regular file inside its run folder, reached
    through no symbolic link: a link out of the run folder would pack someone else's file into the
    evidence (paths with `..` are refused when the manifest is read)."""
    run_dir = run_dir or run.run_dir
    source = run_dir / listed
    for step in [source, *source.parents]:
        if step == run_dir:
            break
        if step.is_symlink():
            raise BundleError(f"{step} is a symbolic link; a bundle packs only the files the capture wrote")
    if run_dir.is_symlink():
        raise BundleError(f"{run_dir} is a symbolic link; a bundle packs only the files the capture wrote")
    if not source.is_file():
        raise BundleError(f"{source}, listed in {run.path}, is missing")
    return source


def _datapackage(resources: list[dict[str, Any]], runs: list[_Run], created: str) -> bytes:
    package: dict[str, Any] = {"profile": "data-package", "resources": resources}
    pages = _kept_pages(runs)
    package["title"] = f"archiver evidence bundle: {len(pages)} page(s)"
    if len(pages) == 1 and pages[0].final_url:
        package["mainPageURL"] = pages[0].final_url
        package["mainPageDate"] = pages[0].started_at
    package.update(created=created, wacz_version=WACZ_VERSION, software=SOFTWARE)
    return json.dumps(package, indent=2).encode("utf-8")


def _sealing_lines(key: Any, options: BundleOptions) -> list[str]:
    lines = []
    if key is not None:
        lines.append(
            "Signed (anonymous ECDSA P-384, wacz-auth) by the key with fingerprint "
            f"{key_fingerprint(public_key_b64(key.public_key()))}; the signature is in datapackage-digest.json."
        )
    elif options.sign_url:
        lines.append(f"Signed by the signing server {options.sign_url}; the signature is in datapackage-digest.json.")
    else:
        lines.append("Not signed.")
    if options.tsa_urls:
        lines.append(
            "RFC 3161 timestamps over datapackage.json requested from: "
            + ", ".join(options.tsa_urls)
            + ". What each TSA answered is in datapackage-digest.json."
        )
    else:
        lines.append("No trusted timestamp requested.")
    return lines


def _seal(
    datapackage: bytes, digest: str, created: str, key: Any, options: BundleOptions, warn: Callable[[str], None]
) -> dict[str, Any]:
    sealed: dict[str, Any] = {"path": "datapackage.json", "hash": digest}
    if key is not None:
        sealed["signedData"] = sign_hash(key, digest, created, "archiver", __version__)
    elif options.sign_url:
        sealed["signedData"] = sign_with_server(options.sign_url, digest, created)
    timestamps, failures = [], []
    for url in options.tsa_urls:
        try:
            stamp = request_timestamp(url, datapackage, options.tsa_ca_certificates)
            timestamps.append(stamp)
            if not stamp["chain_checked"]:
                warn(
                    f"the timestamp from {url} is kept, but without the TSA's CA certificate (--tsa-ca) "
                    "nobody can check its signature offline"
                )
        except TimestampError as exc:
            failures.append({"tsa": url, "error": str(exc)})
            warn(f"NO TIMESTAMP from {url}: {exc}")
    if options.require_timestamp and (failures or not timestamps):
        reason = failures[0]["error"] if failures else "no TSA given (--tsa URL)"
        raise BundleError(f"a trusted timestamp is required and could not be obtained: {reason}")
    if timestamps:
        sealed["timestamps"] = timestamps
    if failures:
        sealed["timestamp_failures"] = failures
    return sealed
