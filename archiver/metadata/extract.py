"""From a finished capture to what the article says about itself: metadata and photo credits.

Reads only what the capture stored: the document as the server sent it (from the WARC), the DOM
after the behaviours (dom.html), and the image files (from the WARC, never fetched again).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from archiver.metadata.article import ArticleReading, compare, read_article, structured_data
from archiver.metadata.images import article_images
from archiver.warc.lookup import WarcLookup

META_CHARSET_WINDOW = 4096  # browsers look for <meta charset> in the first bytes
META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w-]+)", re.I)


def decode_html(body: bytes, content_type: str) -> str:
    """The HTML as a browser decodes it: the charset of the Content-Type header, else the one the
    document declares (<meta charset>), else UTF-8."""
    charset = _declared_charset(content_type) or _meta_charset(body[:META_CHARSET_WINDOW]) or "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", errors="replace")


def _declared_charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


def _meta_charset(head: bytes) -> str | None:
    match = META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def stored_html(lookup: WarcLookup, url: str) -> str:
    """The document of `url` as the server sent it, decoded as a browser does; "" if not stored."""
    stored = lookup.find(url)
    body = lookup.payload(url) if stored else None
    return decode_html(body, stored.content_type) if body is not None and stored else ""


def _merge(original: dict[str, Any], rendered: dict[str, Any]) -> dict[str, Any]:
    """The server's values, and the rendered DOM's where the server's HTML had none; each says where."""
    merged: dict[str, Any] = {}
    for name in list(original) + [n for n in rendered if n not in original]:
        field, where = (original[name], "original") if name in original else (rendered[name], "rendered")
        if isinstance(field, list):
            merged[name] = [{**item, "in": where} for item in field]
        else:
            merged[name] = {**field, "in": where}
    return merged


def _candidates(original: ArticleReading | None, rendered: ArticleReading | None) -> dict[str, list[Any]]:
    """Every headline and author the page states, with its source and in which HTML: the fields
    hold the chosen one, these let a reader see what else the page claimed."""
    merged: dict[str, list[Any]] = {"headline": [], "authors": []}
    for where, reading in (("original", original), ("rendered", rendered)):
        for name, values in (reading.candidates if reading else {}).items():
            for value in values:
                if not any(v["value"] == value["value"] and v["source"] == value["source"] for v in merged[name]):
                    merged[name].append({**value, "in": where})
    return merged


def extract(warcs: list[Path], url: str, dom: str | None, originals: list[Path] | None = None) -> dict[str, Any]:
    """The `article` and `images` sections of a page's manifest entry (`originals`: the earlier
    captures' WARCs that hold what this capture's revisits point at)."""
    lookup = WarcLookup(warcs, originals or ())
    original_html = stored_html(lookup, url)
    original_data = structured_data(original_html, url) if original_html else {}
    rendered_data = structured_data(dom, url) if dom else {}
    original_reading = read_article(original_html, url, original_data) if original_html else None
    rendered_reading = read_article(dom, url, rendered_data) if dom else None
    original = original_reading.fields if original_reading else {}
    rendered = rendered_reading.fields if rendered_reading else {}
    html_for_images = dom or original_html
    images, left_out = article_images(html_for_images, url, rendered_data if dom else original_data, lookup.payload)
    if dom and original_html:
        replaced, _ = article_images(original_html, url, original_data, lookup.payload, besides=images)
        images += replaced
    return {
        "article": {
            "fields": _merge(original, rendered),
            "differences": compare(original, rendered) if original and rendered else [],
            "candidates": _candidates(original_reading, rendered_reading),
            "structured_data": {
                "original": original_data or None,
                "rendered": rendered_data if rendered_data != original_data else None,
            },
        },
        "images": [image.to_dict(lambda u: u in lookup) for image in images],
        "images_left_out": left_out,
    }
