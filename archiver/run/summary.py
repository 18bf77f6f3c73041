"""A person's summary of a run: per page what it is, what it says, and where its files are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _value(fields: dict[str, Any], name: str) -> str | None:
    field = fields.get(name)
    if isinstance(field, list):
        return ", ".join(str(item["value"]) for item in field) or None
    return str(field["value"]) if field else None


def _credits(image: dict[str, Any]) -> str:
    if not image["credits"]:
        return "no credit found"
    return "; ".join(f"{c['value']} ({c['source']})" for c in image["credits"])


def page_summary(page: dict[str, Any], run_dir: Path) -> list[str]:
    fields = (page.get("article") or {}).get("fields", {})
    title = _value(fields, "headline") or page.get("title") or "(no title)"
    lines = [title, "=" * min(len(title), 100)]
    for label, name in (("By", "authors"), ("Published", "published"), ("Updated", "modified"),
                        ("Site", "site_name"), ("Section", "section")):
        value = _value(fields, name)
        if value:
            lines.append(f"{label + ':':<13}{value}")
    lines.append(f"{'URL:':<13}{page.get('final_url') or page['requested_url']}")
    status = f"HTTP {page['status']}" if page.get("status") is not None else "no response"
    reason = f" ({page['reason']})" if page.get("reason") else ""
    lines.append(f"{'State:':<13}{page['state']}, {status}{reason}")
    lines.append(f"{'Captured:':<13}{page['started_at']}  (capture {page['capture_id']})")
    lead = next((image for image in page.get("images", []) if image["is_lead"]), None)
    if lead:
        archive = ", archive photo" if lead["archive_photo"] else ""
        lines.append(f"{'Lead image:':<13}{lead['url']}{archive}")
        lines.append(f"{'Credit:':<13}{_credits(lead)}")
    credited = sum(1 for image in page.get("images", []) if image["credits"])
    counts = page.get("counts", {})
    lines.append(f"{'Counts:':<13}{counts.get('exchanges_written', 0)} exchanges, {len(page.get('images', []))} article "
                 f"images ({credited} credited), {counts.get('failed_requests', 0)} failed requests")
    dedup = page.get("dedup")
    if dedup and dedup["revisits"]:
        lines.append(f"{'Dedup:':<13}{dedup['revisits']} response(s) unchanged since an earlier capture, stored as "
                     f"revisits ({dedup['bytes_saved']:,} bytes saved); they need {len(dedup['requires'])} earlier "
                     "WARC file(s)")
    for entry in page.get("files", []):
        lines.append(f"{'  ' + entry['role'] + ':':<24}{run_dir / entry['path']}")
    for warning in page.get("warnings", []):
        lines.append(f"{'Warning:':<13}{warning}")
    return lines


def run_summary(manifest_path: Path) -> list[str]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    summary = manifest["summary"]
    lines = [f"Run {manifest['run_id']}: {summary['pages']} page(s), {summary['complete']} complete, "
             f"{summary['partial']} partial, {summary['failed']} failed  ({manifest_path})"]
    if manifest.get("qa"):
        lines.append(f"Replay QA: {'passed' if manifest['qa']['passed'] else 'FAILED'} ({manifest['qa']['path']})")
    for page in manifest["pages"]:
        lines += [""] + page_summary(page, manifest_path.parent)
    return lines
