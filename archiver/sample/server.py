"""The bundled sample news article, served on 127.0.0.1 so `./scripts/archive` works offline.

It carries the lazy patterns the capture must defeat: a <picture> with srcset renditions for other
screens, a ticker filled on a timer after load, and a "Most Popular" box fetched only when scrolled
into view, with lazy thumbnails. Its images are drawn at start-up with Pillow.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from io import BytesIO

from PIL import Image, ImageDraw

ARTICLE_PATH = "/2022/11/02/azerbaijan-to-open-embassy-in-israel/"
_STATIC = {
    ARTICLE_PATH: ("article.html", "text/html; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
    "/api/popular.json": ("popular.json", "application/json"),
    "/api/ticker.json": ("ticker.json", "application/json"),
}
_IMAGES = {  # path -> (width, height, format, label)
    "/media/lead-600.jpg": (600, 338, "JPEG", "lead image 600w"),
    "/media/lead-1200.jpg": (1200, 675, "JPEG", "lead image 1200w"),
    "/media/lead-600.webp": (600, 338, "WEBP", "lead image 600w (webp)"),
    "/media/lead-1200.webp": (1200, 675, "WEBP", "lead image 1200w (webp)"),
    "/media/popular-1.jpg": (240, 136, "JPEG", "popular 1"),
    "/media/popular-2.jpg": (240, 136, "JPEG", "popular 2"),
    "/media/popular-3.jpg": (240, 136, "JPEG", "popular 3"),
}
_CONTENT_TYPES = {"JPEG": "image/jpeg", "WEBP": "image/webp"}


@cache
def _image(path: str) -> bytes:
    width, height, fmt, label = _IMAGES[path]
    image = Image.new("RGB", (width, height), (40, 60, 90))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 16):  # a gradient, so the image compresses like a photo, not a flat fill
        draw.line([(x, 0), (x, height)], fill=(40 + x * 120 // width, 70, 110))
    draw.text((16, 16), f"sample {label}", fill=(255, 255, 255))
    out = BytesIO()
    image.save(out, fmt, quality=80)
    return out.getvalue()


class _Handler(BaseHTTPRequestHandler):
    server_version = "archiver-sample/1"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/":
            self._send(302, b"", "text/plain", (("Location", ARTICLE_PATH),))
        elif path in _STATIC:
            name, content_type = _STATIC[path]
            self._send(200, files("archiver.sample").joinpath(name).read_bytes(), content_type)
        elif path in _IMAGES:
            self._send(200, _image(path), _CONTENT_TYPES[_IMAGES[path][2]], (("Cache-Control", "max-age=3600"),))
        else:
            self._send(404, b"not found\n", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str, extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet: the capture reports what matters
        pass


@contextmanager
def serve_sample(port: int = 0) -> Iterator[str]:
    """Serve the sample site on 127.0.0.1; yields the article's URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    thread = threading.Thread(target=server.serve_forever, name="archiver-sample", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{ARTICLE_PATH}"
    finally:
        server.shutdown()
        server.server_close()
