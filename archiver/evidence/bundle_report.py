"""The human-readable report inside an evidence bundle: one self-contained HTML file."""

from __future__ import annotations

import base64
from html import escape
from typing import Any

from archiver.output.stored import ArticleFields, QaReport, StoredPage, StoredRun, TlsFacts
from archiver.terms import FileRole

STYLE = """body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-top:3px solid #234;padding-top:.6em;margin-top:2em}
table{border-collapse:collapse;width:100%;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .5em;
text-align:left;vertical-align:top}th{background:#f2f4f7;width:14em}code{font-size:.85em;word-break:break-all}
img.shot{max-width:100%;border:1px solid #999}.bad{color:#a00;font-weight:bold}.ok{color:#070}"""


def _row(label: str, value: Any) -> str:
    return f"<tr><th>{escape(label)}</th><td>{value}</td></tr>" if value not in (None, "", []) else ""


def _text(value: Any) -> str:
    return escape(str(value)) if value is not None else ""


def _field(fields: ArticleFields, name: str) -> str:
    if name == "authors":
        return ", ".join(f"{_text(v.value)} <small>({_text(v.source)})</small>" for v in fields.authors)
    value = fields.get(name)
    if value is None:
        return ""
    return f"{_text(value.text)} <small>({_text(value.source)}, {_text(value.found_in)} HTML)</small>"


def _credits(page: StoredPage) -> str:
    rows = []
    for image in page.images:
        credits = "<br>".join(f"{_text(c.value)} <small>({_text(c.source)})</small>" for c in image.credits)
        flags = ", ".join(flag for flag, on in (("lead", image.is_lead), ("archive photo", image.archive_photo)) if on)
        rows.append(
            f"<tr><td><code>{_text(image.url)}</code><br><small>{_text(flags)}</small></td>"
            f"<td>{_text(image.caption)}</td><td>{credits or '<i>no credit found</i>'}</td></tr>"
        )
    if not rows:
        return ""
    return (
        "<h3>Photo credits</h3><table><tr><th>Image</th><th>Caption</th><th>Credits (source)</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _tls(tls: TlsFacts | None) -> str:
    if not tls:
        return "plain HTTP (no TLS)"
    chain = "<br>".join(f"{_text(c.subject)} <code>sha256:{_text(c.sha256_fingerprint)}</code>" for c in tls.chain)
    return (
        f"{_text(tls.protocol)}, {_text(tls.cipher)}, key exchange {_text(tls.key_exchange)}"
        f"<br>subject {_text(tls.subject)}, issuer {_text(tls.issuer)}"
        f"<br>valid {_text(tls.valid_from)} to {_text(tls.valid_to)}<br>{chain}"
    )


def _qa(qa: QaReport | None, capture_id: str) -> str:
    if not qa:
        return "not run"
    profiles = qa.by_capture.get(capture_id)
    if profiles is None:
        return "not run for this page"
    parts = []
    for profile in profiles:
        verdict = '<span class="ok">pass</span>' if profile.passed else '<span class="bad">FAIL</span>'
        parts.append(
            f"{verdict} {escape(profile.profile)}: {profile.misses} missing, {profile.broken} broken, "
            f"screenshot {profile.screenshot_similarity}, text {profile.text_similarity}"
        )
    return "<br>".join(parts)


def _page(page: StoredPage, qa: QaReport | None, bundled: dict[str, str]) -> str:
    title = page.headline or page.title or page.requested_url
    shot = ""
    viewport = page.file(FileRole.VIEWPORT)  # never one reached through a link
    if viewport is not None:
        data = base64.b64encode(viewport.read_bytes()).decode("ascii")
        shot = f'<img class="shot" alt="screenshot at load" src="data:image/png;base64,{data}">'
    state = escape(page.state) + (f" — {escape(page.reason)}" if page.reason else "")
    server = page.server
    files = "".join(
        f"<tr><td><code>{_text(bundled.get(f.path, f.path))}</code></td><td>{_text(f.role)}</td>"
        f"<td>{f.size}</td><td><code>{_text(f.sha256)}</code></td></tr>"
        for f in page.files
    )
    table = "".join(
        [
            _row("Requested URL", f"<code>{_text(page.requested_url)}</code>"),
            _row("Final URL", f"<code>{_text(page.final_url)}</code>"),
            _row("Captured", f"{_text(page.started_at)} to {_text(page.ended_at)}"),
            _row("HTTP status", _text(page.status)),
            _row("State", state),
            _row("Headline", _field(page.article, "headline")),
            _row("By", _field(page.article, "authors")),
            _row("Published", _field(page.article, "published")),
            _row("Modified", _field(page.article, "modified")),
            _row(
                "Server",
                f"{_text(server.ip)} port {_text(server.port)}, {_text(', '.join(server.protocols))}" if server else "",
            ),
            _row("TLS", _tls(page.tls)),
            _row(
                "Verdicts",
                "<br>".join(_text(v.line() + (" (left as asked)" if v.as_asked else "")) for v in page.verdicts),
            ),
            _row("Done to the page", "<br>".join(_text(o.line()) for o in page.obstacles)),
            _row("Logged in as", _text(page.profile.line()) if page.profile else "no profile: not logged in"),
            _row("Session secrets", _secrets(page)),
            _row("Replay QA", _qa(qa, page.capture_id)),
            _row("Capture id", f"<code>{_text(page.capture_id)}</code> (page id <code>{_text(page.page_id)}</code>)"),
        ]
    )
    return (
        f"<h2>{_text(title)}</h2>{shot}<table>{table}</table>{_credits(page)}"
        f"<h3>Files</h3><table><tr><th>In this bundle</th><th>Role</th><th>Bytes</th><th>SHA-256</th></tr>"
        f"{files}</table>"
    )


def _secrets(page: StoredPage) -> str:
    if page.secrets is None:
        return "not recorded (a capture from before secrets were redacted)"
    line = _text(page.secrets.line())
    return line if page.secrets.redacted else f'<span class="bad">WARNING: {line}</span>'


def render_report(runs: list[tuple[StoredRun, QaReport | None]], bundled: dict[str, str], sealing: list[str]) -> str:
    """The report for `runs` (each with its QA report); `sealing` says how the bundle is signed and timestamped."""
    sections = []
    for run, qa in runs:
        tool = ", ".join(f"{name} {version}" for name, version in run.tool.items())
        sections.append(
            f"<h2>Run {_text(run.run_id)}</h2><table>"
            + _row("Started", _text(run.started_at))
            + _row("Ended", _text(run.ended_at))
            + _row("Tools", _text(tool))
            + _row("Browser", f"Chromium {_text(run.browser_version)}, user agent {_text(run.user_agent)}")
            + _row("Host", _text(run.hostname))
            + "</table>"
            + "".join(_page(page, qa, _bundled_for(bundled, run.run_id)) for page in run.pages)
        )
    seal = "".join(f"<li>{escape(line)}</li>" for line in sealing)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Evidence bundle report</title>'
        f"<style>{STYLE}</style></head><body><h1>Evidence bundle report</h1>"
        f"<p>This bundle is a WACZ file: the WARC files below replay in pywb or ReplayWeb.page, and every file "
        f"in it is listed with its SHA-256 in <code>datapackage.json</code>, whose own hash is in "
        f"<code>datapackage-digest.json</code>. Check it all offline with <code>archiver verify</code>.</p>"
        f"<h3>Signature and timestamps</h3><ul>{seal}</ul>{''.join(sections)}</body></html>"
    )


def _bundled_for(bundled: dict[str, str], run_id: str) -> dict[str, str]:
    """Manifest paths of one run -> where the files are in the bundle."""
    prefix = run_id + "/"
    return {key[len(prefix) :]: value for key, value in bundled.items() if key.startswith(prefix)}
