"""From a finished capture to what the article says about itself: metadata and photo credits.

Reads only what the capture stored: the document as the server sent it (from the WARC), the DOM
after the behaviours (dom.html), and the image files (from the WARC, never fetched again).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archiver.metadata.article import article_fields, compare, structured_data
from archiver.metadata.images import article_images
from archiver.warc.lookup import WarcLookup


def decode_html(body: bytes, content_type: str) -> str:
    charset = "utf-8"
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip("\"' ")
    try:
        return body.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", errors="replace")


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


def extract(warcs: list[Path], url: str, dom: str | None) -> dict[str, Any]:
    """The `article` and `images` sections of a page's manifest entry."""
    lookup = WarcLookup(warcs)
    stored = lookup.find(url)
    body = lookup.payload(url) if stored else None
    original_html = decode_html(body, stored.content_type) if body is not None and stored else ""
    original_data = structured_data(original_html, url) if original_html else {}
    rendered_data = structured_data(dom, url) if dom else {}
    original = article_fields(original_html, url, original_data) if original_html else {}
    rendered = article_fields(dom, url, rendered_data) if dom else {}
    html_for_images = dom or original_html
    images, left_out = article_images(html_for_images, url, rendered_data if dom else original_data,
                                      lookup.payload)
    return {
        "article": {
            "fields": _merge(original, rendered),
            "differences": compare(original, rendered) if original and rendered else [],
            "structured_data": {
                "original": original_data or None,
                "rendered": rendered_data if rendered_data != original_data else None,
            },
        },
        "images": [image.to_dict(lambda u: u in lookup) for image in images],
        "images_left_out": left_out,
    }
