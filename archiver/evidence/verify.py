"""Check an evidence bundle offline: every hash, every WARC record digest, the manifests against the
files they list, the signature and each timestamp. One line per check."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography import x509
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archiver.evidence.signing import verify_signed_data
from archiver.evidence.timestamps import verify_timestamp
from archiver.evidence.wacz_zip import SELECTION
from archiver.identity import labelled_sha256
from archiver.output.stored import StoredRun, UnreadableManifest
from archiver.warc.salvage import gzip_problem

OK, FAIL, NOTE = "ok", "FAIL", "note"
MAX_JSON_BYTES = 64 << 20  # datapackage, manifests: larger is no honest bundle's
EXIT_VERIFIED, EXIT_FAILED, EXIT_UNTRUSTED_KEY, EXIT_UNSIGNED = 0, 1, 3, 4
DIGEST_FILES = ("datapackage.json", "datapackage-digest.json")


@dataclass
class Check:
    status: str  # ok | FAIL | note
    what: str

    def __str__(self) -> str:
        return f"{self.status:<4} {self.what}"


@dataclass
class VerifyOptions:
    require_signature: bool = False
    require_timestamp: bool = False
    public_key: str | None = None  # base64 DER the signature must be made with
    tsa_roots: list[x509.Certificate] | None = None  # CA certificates the timestamps must chain to


class _Bundle:
    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path)
        self.listing = self.zip.namelist()  # duplicates kept: a zip may name one member twice
        self.names = set(self.listing)
        self._hashes: dict[str, tuple[str, int]] = {}  # several checks hash the same member

    def read(self, name: str, limit: int = MAX_JSON_BYTES) -> bytes:
        """A member, refused past `limit` bytes (a small file can inflate to gigabytes)."""
        if self.zip.getinfo(name).file_size > limit:
            raise ValueError(f"{name} is larger than {limit} bytes")
        with self.zip.open(name) as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise ValueError(f"{name} is larger than {limit} bytes")
        return data

    def hash(self, name: str) -> tuple[str, int]:
        if name not in self._hashes:
            self._hashes[name] = self._hash(name)
        return self._hashes[name]

    def _hash(self, name: str) -> tuple[str, int]:
        digest, size = hashlib.sha256(), 0
        with self.zip.open(name) as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
        return "sha256:" + digest.hexdigest(), size


@dataclass
class Verdict:
    """What a bundle's checks proved, in one line, and the exit status that goes with it."""

    status: int
    line: str


def verdict(checks: list[Check]) -> Verdict:
    """`verified` only for a bundle whose every check held and whose signature is by the key the
    verifier named; a self-consistent bundle that is unsigned, or signed by a key nobody vouched
    for, is said to be exactly that, with its own exit status."""
    failures = [check for check in checks if check.status == FAIL]
    if failures:
        return Verdict(EXIT_FAILED, f"NOT VERIFIED: {len(failures)} check(s) failed")
    signature = next((check for check in checks if check.what.startswith("signature: ")), None)
    if signature is None:
        return Verdict(
            EXIT_UNSIGNED,
            "self-consistent, NOT signed: every hash holds, but nothing says who made it "
            "(anyone could have edited and re-hashed it)",
        )
    if "the expected key" not in signature.what:
        signer = signature.what.split(" by ", 1)[-1].split(" (")[0]
        return Verdict(
            EXIT_UNTRUSTED_KEY,
            f"self-consistent and signed by key {signer}, NOT checked against a "
            "trusted key (give --public-key to check it)",
        )
    return Verdict(EXIT_VERIFIED, "verified")


def verify_bundle(path: Path, options: VerifyOptions) -> list[Check]:
    try:
        bundle = _Bundle(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return [Check(FAIL, f"{path} is not a readable WACZ (zip) file: {exc}")]
    names = list(_check_member_names(bundle))
    if names:
        return names  # a bundle that would write outside its folder, or names one file twice: nothing to trust
    if not {"datapackage.json", "datapackage-digest.json"} <= bundle.names:
        return [Check(FAIL, "datapackage.json or datapackage-digest.json is missing")]
    try:
        datapackage_bytes = bundle.read("datapackage.json")
        datapackage = json.loads(datapackage_bytes)
        sealed = json.loads(bundle.read("datapackage-digest.json"))
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        return [Check(FAIL, f"datapackage JSON unreadable: {exc}")]
    shape = _shape_problem(datapackage, sealed)
    if shape:
        return [Check(FAIL, f"datapackage JSON malformed: {shape}")]
    checks = list(_check_resources(bundle, datapackage))
    digest = labelled_sha256(datapackage_bytes)
    checks.append(
        Check(OK, f"datapackage.json matches datapackage-digest.json ({digest})")
        if sealed.get("hash") == digest
        else Check(FAIL, f"datapackage.json is {digest}, datapackage-digest.json says {sealed.get('hash')}")
    )
    checks += _check_warcs(bundle, datapackage)
    checks += _check_manifests(bundle)
    checks += _check_signature(sealed, digest, datapackage, options)
    checks += _check_timestamps(sealed, datapackage_bytes, options)
    return checks


def _check_member_names(bundle: _Bundle) -> Iterator[Check]:
    """Every member one plain relative name, once: no absolute names, no `..`, no repeats."""
    for name in bundle.listing:
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts or "\\" in name:
            yield Check(FAIL, f"member name {name!r} points outside the bundle (absolute, or with ..)")
    for name, count in Counter(bundle.listing).items():
        if count > 1:
            yield Check(FAIL, f"member {name!r} is in the bundle {count} times (a reader would see only one of them)")


def _shape_problem(datapackage: Any, sealed: Any) -> str | None:
    if not isinstance(datapackage, dict) or not isinstance(sealed, dict):
        return "datapackage.json and datapackage-digest.json must each hold an object"
    resources = datapackage.get("resources")
    if not isinstance(resources, list):
        return "datapackage.json has no list of resources"
    for resource in resources:
        if not (
            isinstance(resource, dict)
            and isinstance(resource.get("path"), str)
            and isinstance(resource.get("hash"), str)
            and isinstance(resource.get("bytes"), int)
        ):
            return f"a resource is not {{path, hash, bytes}}: {str(resource)[:120]}"
    if "signedData" in sealed and not isinstance(sealed["signedData"], dict):
        return "signedData is not an object"
    if not isinstance(sealed.get("timestamps", []), list) or not isinstance(sealed.get("timestamp_failures", []), list):
        return "timestamps are not a list"
    return None


def _check_resources(bundle: _Bundle, datapackage: dict[str, Any]) -> Iterator[Check]:
    listed = {resource["path"]: resource for resource in datapackage.get("resources", [])}
    bad = 0
    for name, resource in listed.items():
        if name not in bundle.names:
            bad += 1
            yield Check(FAIL, f"{name} is listed in datapackage.json but missing")
            continue
        actual, size = bundle.hash(name)
        if (actual, size) != (resource.get("hash"), resource.get("bytes")):
            bad += 1
            yield Check(
                FAIL,
                f"{name} has changed: {actual}, {size} bytes; datapackage.json says "
                f"{resource.get('hash')}, {resource.get('bytes')} bytes",
            )
    for name in sorted(bundle.names - set(listed) - set(DIGEST_FILES)):
        if not name.endswith("/"):
            bad += 1
            yield Check(FAIL, f"{name} is in the bundle but not listed in datapackage.json")
    if not bad:
        yield Check(OK, f"all {len(listed)} files match their SHA-256 and size in datapackage.json")


def _check_warcs(bundle: _Bundle, datapackage: dict[str, Any]) -> Iterator[Check]:
    warcs = [r["path"] for r in datapackage.get("resources", []) if r["path"].startswith("archive/")]
    if not warcs:
        yield Check(FAIL, "no WARC file in archive/")
    originals: dict[str, tuple[str, str]] = {}  # response record id -> (URI, payload digest)
    revisits: list[tuple[str, str, str, str]] = []  # (WARC file, refers-to id, URI, payload digest)
    for name in warcs:
        if name not in bundle.names:
            continue
        records, problems = 0, []
        try:
            with bundle.zip.open(name) as fh:
                for record in ArchiveIterator(fh, check_digests=True):
                    record.content_stream().read()  # reading is what checks the digests
                    records += 1
                    problems += record.digest_checker.problems
                    _note_dedup_record(record, name, originals, revisits)
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            problems.append(f"unreadable: {exc}")
        if name.endswith(".gz"):
            with bundle.zip.open(name) as fh:
                damaged = gzip_problem(fh)
            if damaged:
                problems.insert(0, f"unreadable: {damaged}")
        if problems:
            yield Check(FAIL, f"{name}: {len(problems)} record digest problem(s), first: {problems[0]}")
        else:
            yield Check(OK, f"{name}: {records} records, every block and payload digest holds")
    yield from _check_revisits(originals, revisits, datapackage)


def _note_dedup_record(
    record: Any, warc: str, originals: dict[str, tuple[str, str]], revisits: list[tuple[str, str, str, str]]
) -> None:
    headers = record.rec_headers
    uri, digest = headers.get_header("WARC-Target-URI") or "", headers.get_header("WARC-Payload-Digest") or ""
    if record.rec_type == "response":
        originals[headers.get_header("WARC-Record-ID") or ""] = (uri, digest)
    elif record.rec_type == "revisit":
        revisits.append((warc, headers.get_header("WARC-Refers-To") or "", uri, digest))


def _check_revisits(
    originals: dict[str, tuple[str, str]], revisits: list[tuple[str, str, str, str]], datapackage: dict[str, Any]
) -> Iterator[Check]:
    """Every revisit (a deduplicated response) must find its original, with the same URL and
    payload digest, in the bundle; or the bundle must name the bundles it depends on."""
    if not revisits:
        return
    missing = [(warc, uri) for warc, refers_to, uri, digest in revisits if originals.get(refers_to) != (uri, digest)]
    if not missing:
        yield Check(OK, f"all {len(revisits)} revisit records find their original response in the bundle")
        return
    relation = datapackage.get("relation")
    requires = relation.get("requires") if isinstance(relation, dict) else None
    first = f"{missing[0][1]} in {missing[0][0]}"
    if requires:
        yield Check(
            NOTE,
            f"{len(missing)} revisit record(s) point at originals in the bundles this one depends on "
            f"({', '.join(map(str, requires))}), not checked here; first: {first}",
        )
    else:
        yield Check(
            FAIL,
            f"{len(missing)} revisit record(s) point at an original response that is not in the "
            f"bundle (it would not replay); first: {first}",
        )


def _check_manifests(bundle: _Bundle) -> Iterator[Check]:
    if "manifests/files.json" not in bundle.names:
        yield Check(FAIL, "manifests/files.json is missing: cannot match the manifests to the files")
        return
    try:
        placed = json.loads(bundle.read("manifests/files.json"))
    except (ValueError, RecursionError, zipfile.BadZipFile, OSError) as exc:
        yield Check(FAIL, f"manifests/files.json is unreadable: {exc}")
        return
    if not isinstance(placed, dict) or not all(isinstance(v, str) for v in placed.values()):
        yield Check(FAIL, "manifests/files.json is not an object of file names")
        return
    selection = _selection(bundle)
    if isinstance(selection, Check):
        yield selection
        return
    for name in sorted(
        n
        for n in bundle.names
        if n.startswith("manifests/")
        and n.endswith(".json")
        and n not in ("manifests/files.json", SELECTION)
        and not n.endswith("-qa.json")
    ):
        try:
            run = StoredRun.from_bytes(bundle.read(name), Path("."), Path(name))
        except (UnreadableManifest, ValueError, zipfile.BadZipFile, OSError) as exc:
            yield Check(FAIL, f"{name} is not a manifest archiver can read: {exc}")
            continue
        listed = len(run.pages)
        if selection is not None:
            run = replace(run, pages=tuple(page for page in run.pages if page.capture_id in selection))
            selection -= run.capture_ids
        yield _check_manifest(bundle, run, placed, listed)
        kept = [page for page in run.pages if page.secrets is not None and not page.secrets.redacted]
        if kept:  # not a failure of the bundle, but whoever receives it must know
            yield Check(
                NOTE,
                f"manifest {run.run_id}: {len(kept)} page(s) captured with --keep-secrets: the bundle holds "
                f"session secrets (cookies, tokens) as sent, e.g. {kept[0].url}",
            )
    if selection:
        yield Check(FAIL, f"{SELECTION} names {len(selection)} capture(s) no manifest lists: {sorted(selection)[0]}")


def _selection(bundle: _Bundle) -> set[str] | None | Check:
    """The captures a bundle of some of its runs' pages holds (None: every page), or why not known."""
    if SELECTION not in bundle.names:
        return None
    try:
        captures = json.loads(bundle.read(SELECTION)).get("captures")
    except (ValueError, RecursionError, AttributeError, zipfile.BadZipFile, OSError) as exc:
        return Check(FAIL, f"{SELECTION} is unreadable: {exc}")
    if not isinstance(captures, list) or not captures or not all(isinstance(c, str) for c in captures):
        return Check(FAIL, f"{SELECTION} does not list the captures it holds")
    return set(captures)


def _check_manifest(bundle: _Bundle, run: StoredRun, placed: dict[str, str], listed: int) -> Check:
    """Every file the manifest lists, and every earlier WARC its revisits need, is in the bundle as listed."""
    wrong = []
    entries = [entry for page in run.pages for entry in page.files]
    for entry in entries:
        member = placed.get(f"{run.run_id}/{entry.path}")
        if member is None or member not in bundle.names:
            wrong.append(f"{entry.path} is not in the bundle")
            continue
        actual, size = bundle.hash(member)
        if actual != "sha256:" + entry.sha256 or size != entry.size:
            wrong.append(f"{member} does not match the manifest's SHA-256 for {entry.path}")
    for page in run.pages:
        for requirement in page.requirements:
            member = placed.get(f"{requirement.run_id}/{requirement.path}")
            if member is None or member not in bundle.names:
                wrong.append(f"{requirement.path} (the originals of its revisits) is not in the bundle")
            elif bundle.hash(member)[0] != "sha256:" + requirement.sha256:
                wrong.append(f"{member} is not the earlier capture's WARC its revisits point at")
    qa_member = f"manifests/{run.run_id}-qa.json"
    if run.qa and qa_member in bundle.names and bundle.hash(qa_member)[0] != "sha256:" + run.qa.sha256:
        wrong.append("the QA report does not match the manifest's SHA-256 for it")
    if wrong:
        return Check(
            FAIL, f"manifest {run.run_id}: {wrong[0]}" + (f" (+{len(wrong) - 1} more)" if len(wrong) > 1 else "")
        )
    return Check(OK, f"manifest {run.run_id}: all {len(entries)} files it lists match their SHA-256{_of(run, listed)}")


def _of(run: StoredRun, listed: int) -> str:
    """Which of the run's pages were checked, when the bundle holds some of them."""
    return f" (the {len(run.pages)} page(s) of its {listed} the bundle holds)" if len(run.pages) != listed else ""


def _check_signature(
    sealed: dict[str, Any], digest: str, datapackage: dict[str, Any], options: VerifyOptions
) -> Iterator[Check]:
    signed = sealed.get("signedData")
    if not signed:
        yield Check(FAIL if options.require_signature else NOTE, "unsigned: no signature in datapackage-digest.json")
        return
    check = verify_signed_data(signed, digest)
    if not check.valid:
        yield Check(FAIL, f"signature: {check.detail}")
        return
    if signed.get("created") != datapackage.get("created"):
        yield Check(FAIL, "signature: its 'created' time is not the datapackage's")
        return
    if options.public_key and signed.get("publicKey") != options.public_key:
        yield Check(FAIL, f"signature: valid, but made with another key ({check.fingerprint}) than the one expected")
        return
    trust = "the expected key" if options.public_key else "a key this bundle names, not checked against a known key"
    yield Check(OK, f"signature: {check.detail} by {check.fingerprint} ({trust})")


def _check_timestamps(sealed: dict[str, Any], datapackage_bytes: bytes, options: VerifyOptions) -> Iterator[Check]:
    timestamps = sealed.get("timestamps", [])
    for failure in sealed.get("timestamp_failures", []):
        yield Check(NOTE, f"timestamp: none from {failure['tsa']} at bundling time ({failure['error']})")
    if not timestamps:
        yield Check(FAIL if options.require_timestamp else NOTE, "no trusted timestamp in datapackage-digest.json")
        return
    for entry in timestamps:
        check = verify_timestamp(entry, datapackage_bytes, trusted_roots=options.tsa_roots)
        source = entry.get("tsa", "?")
        if check.valid:
            yield Check(
                OK,
                f"timestamp from {source}: {check.gen_time}, imprint is this datapackage, "
                f"signed by {check.tsa}; {check.detail} (sha256:{check.root_fingerprint})",
            )
        else:
            yield Check(FAIL, f"timestamp from {source}: {check.detail}")
