"""Asking a replay server (pywb on loopback) for a record, as a client would, without following redirects."""

from __future__ import annotations

import urllib.error
import urllib.request

from tests.support.warcs import Record


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None, follow: bool = False
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    opener = urllib.request.build_opener() if follow else OPENER
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def timestamp(record: Record) -> str:
    return "".join(ch for ch in record.warc("WARC-Date") if ch.isdigit())[:14]
