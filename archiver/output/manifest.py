"""The run's manifest.json: what was captured, how, and the SHA-256 of every file.

It is rewritten (atomically) after every page, so a run that stops half-way still leaves a valid
manifest for the pages it finished. Its shape is described by schema/manifest.schema.json.
"""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from archiver.browser.launch import BrowserInfo
from archiver.capture.result import PageResult
from archiver.identity import credentials_taken_out, sha256_file
from archiver.jsonfile import write_json_atomic
from archiver.options import CaptureOptions
from archiver.output.stored import MANIFEST_NAME, StoredPage, StoredRun
from archiver.terms import PageState
from archiver.times import utc_iso
from archiver.versions import tool_versions

MANIFEST_VERSION = 1
SCHEMA_ID = "https://archiver.invalid/schema/manifest-1.json"


def load_schema() -> dict[str, Any]:
    return json.loads(files("archiver").joinpath("schema", "manifest.schema.json").read_text(encoding="utf-8"))


class RunManifest:
    def __init__(
        self,
        run_dir: Path,
        run_id: str,
        options: CaptureOptions,
        browser: BrowserInfo | None,
        started_at: datetime,
        settings: dict[str, Any] | None = None,
        recovered: list[dict[str, Any]] | None = None,
    ) -> None:
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

    def entry_of(self, result: PageResult) -> StoredPage:
        """The page's manifest entry (checksums of its files included), read back as stored."""
        return StoredPage.from_entry(self.run_dir, self.run_id, result.manifest_entry(self.run_dir))

    def add_page(self, result: PageResult) -> StoredPage:
        page = self.entry_of(result)
        self.add_entry(page)
        return page

    def add_entry(self, page: StoredPage) -> None:
        """A page entry made earlier (a queue worker makes it before its commit)."""
        self.pages.append(dict(page.entry))
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
        self.ended_at = datetime.now(UTC)
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
            "host": {
                "hostname": platform.node(),
                "platform": platform.platform(),
                "argv": [_as_text(credentials_taken_out(a)) for a in sys.argv[1:]],
            },
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
    states = [str(page["state"]) for page in pages]  # entries this module wrote
    return {"pages": len(pages), **{state.value: states.count(state.value) for state in PageState}}


def amend_manifest(run: StoredRun, pages: list[StoredPage], set_aside: list[dict[str, Any]]) -> None:
    """Add pages and set-aside notes to the manifest of a run whose writer is gone (what a killed
    worker had committed, or captured in vain)."""
    manifest = dict(run.data)
    entries = [dict(page.entry) for page in run.pages]
    entries += [dict(page.entry) for page in pages if page.capture_id not in run.capture_ids]
    manifest["pages"] = entries
    manifest["summary"] = summarize_pages(entries)
    manifest["set_aside"] = list(manifest.get("set_aside") or []) + set_aside
    write_json_atomic(run.path, manifest)


def _as_text(argument: str) -> str:
    """An argument as UTF-8 text: bytes that were not (a non-UTF-8 argument) escaped as \\xNN."""
    return argument.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def record_qa(run: StoredRun, qa_path: Path, passed: bool, checked_at: str) -> None:
    """List a run's qa.json in its manifest, with its checksum."""
    manifest = dict(StoredRun.read(run.path).data)  # as it is now, not as it was when QA began
    manifest["qa"] = {
        "path": qa_path.relative_to(run.run_dir).as_posix(),
        "sha256": sha256_file(qa_path),
        "size": qa_path.stat().st_size,
        "checked_at": checked_at,
        "passed": passed,
    }
    write_json_atomic(run.path, manifest)
