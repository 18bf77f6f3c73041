"""The comparison as one self-contained HTML file a journalist can read and send on.

Everything is inside the file (styles, photos and screenshots as data: URIs): it opens offline,
from an attachment, years later. Every value from the captures is escaped: a page's headline is
text here, never markup.
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime
from html import escape
from typing import Any

from PIL import Image

from archiver.changes.compare import Comparison
from archiver.changes.photos import Photo, PhotoChange
from archiver.changes.snapshot import FIELDS, Snapshot
from archiver.terms import FileRole
from archiver.times import utc_iso
from archiver.versions import __version__

SCREENSHOT_WIDTH = 600  # screenshots are embedded scaled to this width, to keep the file small
PHOTO_WIDTH = 420

STYLE = """
body{font:16px/1.5 Georgia,serif;margin:0 auto;max-width:1280px;padding:24px;color:#111}
h1{font-size:1.6em;margin:.2em 0}h2{border-bottom:2px solid #111;margin-top:2em}
.meta{color:#555;font:14px/1.4 sans-serif}.summary li{margin:.2em 0}
table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:6px 8px;vertical-align:top;text-align:left}
th{background:#f3f3f3;font:600 14px sans-serif}tr.changed td{background:#fff8e1}
del{background:#ffd6d6;color:#900}ins{background:#d6f5d6;color:#060;text-decoration:none}
.text p{margin:.6em 0}.pair{display:flex;gap:16px;flex-wrap:wrap}.pair figure{margin:0;flex:1;min-width:280px}
figure img{max-width:100%;border:1px solid #ccc}figcaption{font:14px/1.4 sans-serif;color:#333}
.tag{display:inline-block;font:600 12px sans-serif;padding:1px 6px;border-radius:3px;background:#eee}
.edit{background:#c00;color:#fff}.noise{color:#666;font:13px sans-serif}
"""


def render_html(comparison: Comparison) -> str:
    old, new = comparison.old, comparison.new
    title = new.fields.get("headline") or old.fields.get("headline") or new.url
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>What changed: {escape(str(title))}</title><style>{STYLE}</style></head><body>",
        f"<p class='meta'>archiver change report &middot; {_v(new.url)}</p>",
        f"<h1>{_v(str(title))}</h1>",
        render_sections(comparison),
        f"<p class='meta'>Made by archiver {escape(__version__)} on {escape(utc_iso(datetime.now(UTC)))} "
        "from the two stored captures only (their manifests, WARC files, DOM and screenshots), "
        "never the live page.</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def render_sections(comparison: Comparison) -> str:
    """The report's body (captures, summary, fields, text, photos, screenshots, noise): what
    `archiver serve` shows on its diff page too. It needs no script and no style attribute."""
    return "\n".join(
        [
            _captures_table(comparison.old, comparison.new),
            _summary(comparison),
            _fields(comparison),
            _text(comparison),
            _photos(comparison.photos),
            _screenshots(comparison),
            _noise(comparison),
        ]
    )


def _v(value: Any) -> str:
    """A value from a captured page: escaped, and bidi-isolated, so a right-to-left override
    (U+202E) in a credit reverses nothing outside it."""
    return f"<bdi>{escape(str(value))}</bdi>"


def _captures_table(old: Snapshot, new: Snapshot) -> str:
    rows = "".join(
        f"<tr><th>{label}</th><td>{escape(s.capture_id)}</td><td>{escape(s.captured_at)}</td>"
        f"<td>{_v(s.folder)}</td></tr>"
        for label, s in (("before", old), ("after", new))
    )
    return f"<table class='meta'><tr><th></th><th>capture</th><th>captured at</th><th>folder</th></tr>{rows}</table>"


def _summary(comparison: Comparison) -> str:
    if not comparison.changed:
        return "<h2>Summary</h2><p>No edit between these two captures.</p>"
    items = "".join(f"<li>{_v(edit)}</li>" for edit in comparison.edits)
    return f"<h2>Summary</h2><ul class='summary'>{items}</ul>"


def _fields(comparison: Comparison) -> str:
    changed = {change.name for change in comparison.fields}
    rows = []
    for name, label in FIELDS.items():
        old, new = comparison.old.fields.get(name), comparison.new.fields.get(name)
        mark = "<span class='tag edit'>changed</span>" if name in changed else ""
        rows.append(
            f"<tr class='{'changed' if name in changed else ''}'><th>{escape(label)} {mark}</th>"
            f"<td>{_value(old)}</td><td>{_value(new)}</td></tr>"
        )
    return "<h2>Fields</h2><table><tr><th></th><th>before</th><th>after</th></tr>" + "".join(rows) + "</table>"


def _value(value: Any) -> str:
    if value is None or value == []:
        return "<span class='noise'>(none)</span>"
    return _v(", ".join(value) if isinstance(value, list) else str(value))


def _text(comparison: Comparison) -> str:
    diff = comparison.text
    heading = (
        f"<h2>Text</h2><p class='meta'>{len(diff.changes)} change(s): {diff.words_removed} word(s) "
        f"removed, {diff.words_added} added. Removed words are <del>struck</del>, added ones "
        "<ins>marked</ins>.</p>"
    )
    html: list[str] = []
    paragraph: list[str] = []
    for op, chunk in diff.segments:
        pieces = chunk.split("\n")
        for index, piece in enumerate(pieces):
            if index:
                html.append("<p>" + " ".join(paragraph) + "</p>")
                paragraph = []
            if piece.strip():
                tag = {-1: "del", 1: "ins"}.get(op)
                paragraph.append(f"<{tag}>{_v(piece.strip())}</{tag}>" if tag else _v(piece.strip()))
    if paragraph:
        html.append("<p>" + " ".join(paragraph) + "</p>")
    return heading + "<div class='text'>" + "".join(p for p in html if p != "<p></p>") + "</div>"


def _photos(changes: list[PhotoChange]) -> str:
    if not changes:
        return "<h2>Photos</h2><p>The same photos, captions and credits.</p>"
    blocks, shown = [], set()
    for change in changes:
        tag = "<span class='tag edit'>edit</span>" if change.is_edit else "<span class='tag'>not an edit</span>"
        blocks.append(f"<h3>{_v(change.describe())} {tag}</h3>")
        pair = (id(change.old), id(change.new))
        if pair not in shown:  # a photo replaced and re-credited is shown once
            blocks.append(
                f"<div class='pair'>{_photo_figure('before', change.old)}{_photo_figure('after', change.new)}</div>"
            )
            shown.add(pair)
    return "<h2>Photos</h2>" + "".join(blocks)


def _photo_figure(label: str, photo: Photo | None) -> str:
    if photo is None:
        return f"<figure><figcaption><b>{label}:</b> (not on the page)</figcaption></figure>"
    image = _data_uri(photo.data, PHOTO_WIDTH) if photo.data else None
    shown = f"<img src='{image}' alt='{escape(label)}'>" if image else "<p class='noise'>(bytes not stored)</p>"
    credits = "; ".join(photo.credits) or "(none)"
    return (
        f"<figure>{shown}<figcaption><b>{label}:</b> {_v(photo.caption or '(no caption)')}<br>"
        f"<b>credit:</b> {_v(credits)}<br><span class='noise'>{_v(photo.url)}<br>"
        f"SHA-256 {escape(photo.sha256 or '-')}</span></figcaption></figure>"
    )


def _screenshots(comparison: Comparison) -> str:
    shot = comparison.screenshot
    if shot is None:
        return "<h2>Screenshots</h2><p>One of the captures has no full-page screenshot.</p>"
    figures = []
    for label, snapshot in (("before", comparison.old), ("after", comparison.new)):
        path = snapshot.file(FileRole.FULL_PAGE)
        uri = _data_uri(path.read_bytes(), SCREENSHOT_WIDTH) if path else None
        if uri:
            figures.append(f"<figure><img src='{uri}' alt='{label}'><figcaption>{label}</figcaption></figure>")
    diff_uri = _data_uri(shot.image_png, SCREENSHOT_WIDTH)
    figures.append(
        f"<figure><img src='{diff_uri}' alt='difference'><figcaption>difference: "
        f"{shot.changed_fraction:.1%} of the pixels changed (red)</figcaption></figure>"
    )
    return (
        "<h2>Screenshots</h2><p class='meta'>Full-page screenshots. Page furniture (most-read boxes, "
        "footers) changes them too: the edits are the ones listed above.</p>"
        f"<div class='pair'>{''.join(figures)}</div>"
    )


def _noise(comparison: Comparison) -> str:
    noise = comparison.text.noise
    if not noise:
        return ""
    items = "".join(f"<li>{escape(item['kind'])}: {_v(item['old'])} &rarr; {_v(item['new'])}</li>" for item in noise)
    return f"<h2>Left out as noise</h2><ul class='noise'>{items}</ul>"


def _data_uri(data: bytes | None, width: int) -> str | None:
    """The image scaled down to `width` as a PNG or JPEG data: URI; None if Pillow cannot read it."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("RGB")
        if image.width > width:
            image = image.resize((width, max(1, image.height * width // image.width)))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82)
    except (OSError, ValueError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")
