"""The run's manifest.json: what was captured, how, and the SHA-256 of every file.

It is rewritten (atomically) after every page, so a run that stops half-way still leaves a valid
manifest for the pages it finished. Its shape is described by schema/manifest.schema.json.
"""

from __future__ import annotations

import json
import platform
import sys
from datetime import datetime, timezone
from importlib.resources import files
from pathlib import Path
from typing import Any

from archiver.capture.browser import BrowserInfo
from archiver.capture.result import COMPLETE, FAILED, PARTIAL, PageResult
from archiver.times import utc_iso
from archiver.identity import sha256_file, without_credentials
from archiver.jsonfile import MANIFEST_NAME, write_json_atomic
from archiver.options import CaptureOptions
from archiver.versions import tool_versions

MANIFEST_VERSION = 1
SCHEMA_ID = "https://archiver.invalid/schema/manifest-1.json"


def load_schema() -> dict[str, Any]:
    return json.loads(files("archiver").joinpath("schema", "manifest.schema.json").read_text(encoding="utf-8"))


class RunManifest:
    def __init__(self, run_dir: Path, run_id: str, options: CaptureOptions, browser: BrowserInfo | None,
                 started_at: datetime, settings: dict[str, Any] | None = None,
                 recovered: list[dict[str, Any]] | None = None) -> None:
        self.run_dir = run_dir
        self.path = run_dir / MANIFEST_NAME
        self.run_id = run_id
        self.options = options
        self.browser = browser
        self.started_at = started_at
        self.ended_at: datetime | None = None
        self.pages: list[dict[str, Any]] = []
        self.settings = settings or {}
        self.skipped: list[dict[str, str]] = []  # pages an earlier run already captured completely
        self.recovered = recovered or []  # captures a killed run left, set aside before this run
        self.duplicates: list[dict[str, str]] = []  # seeds naming a page already listed in this run
        self.set_aside: list[dict[str, Any]] = []  # a queue worker's captures another attempt beat

    def add_page(self, result: PageResult) -> None:
        self.add_entry(result.manifest_entry(self.run_dir))

    def add_entry(self, entry: dict[str, Any]) -> None:
        """A page entry made earlier (a queue worker makes it before its commit)."""
        self.pages.append(entry)
        self.write()

    def add_set_aside(self, note: dict[str, Any]) -> None:
        self.set_aside.append(note)
        self.write()

    def add_duplicate(self, duplicate: dict[str, str]) -> None:
        self.duplicates.append(duplicate)
        self.write()

    def add_skipped(self, prior: dict[str, str]) -> None:
        self.skipped.append(prior)
        self.write()

    def finish(self) -> None:
        self.ended_at = datetime.now(timezone.utc)
        self.write()

    def to_dict(self) -> dict[str, Any]:
        return {
            "$schema": SCHEMA_ID,
            "manifest_version": MANIFEST_VERSION,
            "run_id": self.run_id,
            "started_at": utc_iso(self.started_at),
            "ended_at": utc_iso(self.ended_at) if self.ended_at else None,
            "tool": tool_versions(),
            "browser": self._browser(),
            "host": {"hostname": platform.node(), "platform": platform.platform(), "argv": [_as_text(without_credentials(a)) for a in sys.argv[1:]]},
            "options": self.options.to_dict(),
            "run_settings": self.settings,
            "summary": summarize_pages(self.pages),
            "pages": self.pages,
            "skipped": self.skipped,
            "recovered": self.recovered,
            "duplicates": self.duplicates,
            "set_aside": self.set_aside,
        }

    def _browser(self) -> dict[str, Any] | None:
        if self.browser is None:
            return None
        return {
            "name": "chromium",
            "version": self.browser.version,
            "executable": self.browser.executable,
            "args": list(self.browser.args),
            "user_agent": self.options.user_agent or self.browser.user_agent,
        }

    def write(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.path, self.to_dict())


def summarize_pages(pages: list[dict[str, Any]]) -> dict[str, int]:
    states = [page["state"] for page in pages]
    return {"pages": len(pages), COMPLETE: states.count(COMPLETE), PARTIAL: states.count(PARTIAL),
            FAILED: states.count(FAILED)}


def amend_manifest(manifest_path: Path, entries: list[dict[str, Any]], set_aside: list[dict[str, Any]]) -> None:
    """Add pages and set-aside notes to the manifest of a run whose writer is gone (what a killed
    worker had committed, or captured in vain)."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    listed = {page["capture_id"] for page in manifest["pages"]}
    manifest["pages"].extend(entry for entry in entries if entry["capture_id"] not in listed)
    manifest["summary"] = summarize_pages(manifest["pages"])
    manifest["set_aside"] = manifest.get("set_aside", []) + set_aside
    write_json_atomic(manifest_path, manifest)


def _as_text(argument: str) -> str:
    """An argument as UTF-8 text: bytes that were not (a non-UTF-8 argument) escaped as \\xNN."""
    return argument.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def record_qa(manifest_path: Path, qa_path: Path, passed: bool, checked_at: str) -> None:
    """List a run's qa.json in its manifest, with its checksum."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["qa"] = {
        "path": qa_path.relative_to(manifest_path.parent).as_posix(),
        "sha256": sha256_file(qa_path),
        "size": qa_path.stat().st_size,
        "checked_at": checked_at,
        "passed": passed,
    }
    write_json_atomic(manifest_path, manifest)
