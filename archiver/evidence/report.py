"""The human-readable report inside an evidence bundle: one self-contained HTML file."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path
from typing import Any

STYLE = """body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-top:3px solid #234;padding-top:.6em;margin-top:2em}
table{border-collapse:collapse;width:100%;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .5em;
text-align:left;vertical-align:top}th{background:#f2f4f7;width:14em}code{font-size:.85em;word-break:break-all}
img.shot{max-width:100%;border:1px solid #999}.bad{color:#a00;font-weight:bold}.ok{color:#070}"""


def _row(label: str, value: Any) -> str:
    return f"<tr><th>{escape(label)}</th><td>{value}</td></tr>" if value not in (None, "", []) else ""


def _text(value: Any) -> str:
    return escape(str(value)) if value is not None else ""


def _field(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if isinstance(value, list):
        return ", ".join(f"{_text(v['value'])} <small>({_text(v['source'])})</small>" for v in value)
    if not value:
        return ""
    shown = ", ".join(value["value"]) if isinstance(value["value"], list) else value["value"]
    return f"{_text(shown)} <small>({_text(value['source'])}, {_text(value['in'])} HTML)</small>"


def _credits(page: dict[str, Any]) -> str:
    rows = []
    for image in page.get("images", []):
        credits = "<br>".join(f"{_text(c['value'])} <small>({_text(c['source'])})</small>" for c in image["credits"])
        flags = ", ".join(flag for flag, on in (("lead", image["is_lead"]), ("archive photo", image["archive_photo"])) if on)
        rows.append(f"<tr><td><code>{_text(image['url'])}</code><br><small>{_text(flags)}</small></td>"
                    f"<td>{_text(image['caption'])}</td><td>{credits or '<i>no credit found</i>'}</td></tr>")
    if not rows:
        return ""
    return ("<h3>Photo credits</h3><table><tr><th>Image</th><th>Caption</th><th>Credits (source)</th></tr>"
            + "".join(rows) + "</table>")


def _tls(tls: dict[str, Any] | None) -> str:
    if not tls:
        return "plain HTTP (no TLS)"
    chain = "<br>".join(f"{_text(c['subject'])} <code>sha256:{_text(c['sha256_fingerprint'])}</code>"
                        for c in tls.get("chain", []))
    return (f"{_text(tls.get('protocol'))}, {_text(tls.get('cipher'))}, key exchange {_text(tls.get('key_exchange'))}"
            f"<br>subject {_text(tls.get('subject'))}, issuer {_text(tls.get('issuer'))}"
            f"<br>valid {_text(tls.get('valid_from'))} to {_text(tls.get('valid_to'))}<br>{chain}")


def _qa(qa: dict[str, Any] | None, capture_id: str) -> str:
    if not qa:
        return "not run"
    for page in qa.get("pages", []):
        if page["capture_id"] == capture_id:
            parts = []
            for profile in page["profiles"]:
                verdict = '<span class="ok">pass</span>' if profile["passed"] else '<span class="bad">FAIL</span>'
                parts.append(f"{verdict} {escape(profile['profile'])}: {len(profile['misses'])} missing, "
                             f"{len(profile['broken_images']) + len(profile['broken_media'])} broken, "
                             f"screenshot {profile['screenshot_similarity']}, text {profile['text_similarity']}")
            return "<br>".join(parts)
    return "not run for this page"


def _page(page: dict[str, Any], run_dir: Path, qa: dict[str, Any] | None, bundled: dict[str, str]) -> str:
    fields = (page.get("article") or {}).get("fields", {})
    title = (fields.get("headline") or {}).get("value") or page.get("title") or page["requested_url"]
    shot = ""
    viewport = (page.get("screenshots") or {}).get("viewport")
    if viewport and (run_dir / viewport["path"]).exists():
        data = base64.b64encode((run_dir / viewport["path"]).read_bytes()).decode("ascii")
        shot = f'<img class="shot" alt="screenshot at load" src="data:image/png;base64,{data}">'
    state = escape(page["state"]) + (f" — {escape(page['reason'])}" if page.get("reason") else "")
    server = page.get("server") or {}
    files = "".join(f"<tr><td><code>{_text(bundled.get(f['path'], f['path']))}</code></td><td>{_text(f['role'])}</td>"
                    f"<td>{f['size']}</td><td><code>{_text(f['sha256'])}</code></td></tr>" for f in page.get("files", []))
    table = "".join([
        _row("Requested URL", f"<code>{_text(page['requested_url'])}</code>"),
        _row("Final URL", f"<code>{_text(page.get('final_url'))}</code>"),
        _row("Captured", f"{_text(page['started_at'])} to {_text(page.get('ended_at'))}"),
        _row("HTTP status", _text(page.get("status"))),
        _row("State", state),
        _row("Headline", _field(fields, "headline")),
        _row("By", _field(fields, "authors")),
        _row("Published", _field(fields, "published")),
        _row("Modified", _field(fields, "modified")),
        _row("Server", f"{_text(server.get('ip'))} port {_text(server.get('port'))}, "
                       f"{_text(', '.join(server.get('protocols', [])))}" if server else ""),
        _row("TLS", _tls(page.get("tls"))),
        _row("Replay QA", _qa(qa, page["capture_id"])),
        _row("Capture id", f"<code>{_text(page['capture_id'])}</code> (page id <code>{_text(page['page_id'])}</code>)"),
    ])
    return (f"<h2>{_text(title)}</h2>{shot}<table>{table}</table>{_credits(page)}"
            f"<h3>Files</h3><table><tr><th>In this bundle</th><th>Role</th><th>Bytes</th><th>SHA-256</th></tr>"
            f"{files}</table>")


def render_report(runs: list[tuple[Path, dict[str, Any], dict[str, Any] | None]], bundled: dict[str, str],
                  sealing: list[str]) -> str:
    """The report for `runs` ((run folder, manifest, qa report)); `sealing` says how the bundle is signed and timestamped."""
    sections = []
    for run_dir, manifest, qa in runs:
        tool = ", ".join(f"{name} {version}" for name, version in manifest["tool"].items())
        browser = manifest.get("browser") or {}
        sections.append(
            f"<h2>Run {_text(manifest['run_id'])}</h2><table>"
            + _row("Started", _text(manifest["started_at"])) + _row("Ended", _text(manifest.get("ended_at")))
            + _row("Tools", _text(tool))
            + _row("Browser", f"Chromium {_text(browser.get('version'))}, user agent {_text(browser.get('user_agent'))}")
            + _row("Host", _text(manifest["host"]["hostname"]))
            + "</table>"
            + "".join(_page(page, run_dir, qa, _bundled_for(bundled, manifest["run_id"]))
                      for page in manifest["pages"]))
    seal = "".join(f"<li>{escape(line)}</li>" for line in sealing)
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Evidence bundle report</title>"
            f"<style>{STYLE}</style></head><body><h1>Evidence bundle report</h1>"
            f"<p>This bundle is a WACZ file: the WARC files below replay in pywb or ReplayWeb.page, and every file "
            f"in it is listed with its SHA-256 in <code>datapackage.json</code>, whose own hash is in "
            f"<code>datapackage-digest.json</code>. Check it all offline with <code>archiver verify</code>.</p>"
            f"<h3>Signature and timestamps</h3><ul>{seal}</ul>{''.join(sections)}</body></html>")


def _bundled_for(bundled: dict[str, str], run_id: str) -> dict[str, str]:
    """Manifest paths of one run -> where the files are in the bundle."""
    prefix = run_id + "/"
    return {key[len(prefix):]: value for key, value in bundled.items() if key.startswith(prefix)}
