"""The zip container of a WACZ, written so that every reader finds every entry's data.

wabac.js (inside ReplayWeb.page) reads a remote WACZ by ranges and computes where an entry's
data starts from its central directory record alone when that record has no extra field: the
local header must then have none either. Python's zipfile puts a ZIP64 extra field in the local
header alone for `force_zip64`, and for any entry within 5% under 4 GiB. Here an entry's headers
carry ZIP64 exactly when its size needs it (over 4 GiB), in both places.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

STORED_SUFFIXES = (".warc.gz", ".warc", ".cdx.gz", ".png", ".jpg", ".gz")  # already compressed: stored as is
BLOCK = 1 << 20
SELECTION = "manifests/selection.json"  # a bundle of some of its runs' captures names them here


class SizeChanged(Exception):
    """A file grew or shrank while it was being added."""


class _SizedZipInfo(zipfile.ZipInfo):
    """An entry of known size whose local header has a ZIP64 extra field only when it is over 4 GiB,
    as its central directory record will (zipfile decides that from the size alone)."""

    def FileHeader(self, zip64: bool | None = None) -> bytes:
        needs_zip64 = self.file_size > zipfile.ZIP64_LIMIT or self.compress_size > zipfile.ZIP64_LIMIT
        return super().FileHeader(needs_zip64)


class HashingWriter(io.RawIOBase):
    """Passes writes through to a zip member, counting and hashing them."""

    def __init__(self, target: io.RawIOBase | Any) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)


class WaczZip:
    """A zip being written, and the datapackage `resources` entry of every file listed in it."""

    def __init__(self, path: Path, created: datetime) -> None:
        self.zip = zipfile.ZipFile(path, "w", allowZip64=True)
        self.created = created.timetuple()[:6]
        self.resources: list[dict[str, Any]] = []

    def _info(self, name: str, size: int) -> zipfile.ZipInfo:
        info = _SizedZipInfo(name, self.created)
        info.compress_type = zipfile.ZIP_STORED if name.endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
        info.file_size = size  # known before writing: zipfile chooses ZIP64 from it
        return info

    def _listed(self, name: str, writer: HashingWriter) -> None:
        self.resources.append(
            {
                "name": os.path.basename(name).lower(),
                "path": name,
                "hash": "sha256:" + writer.digest.hexdigest(),
                "bytes": writer.size,
            }
        )

    def add_file(self, name: str, source: Path) -> None:
        size = source.stat().st_size
        with self.zip.open(self._info(name, size), "w") as member, source.open("rb") as fh:
            writer = HashingWriter(member)
            for block in iter(lambda: fh.read(BLOCK), b""):
                writer.write(block)
        if writer.size != size:
            raise SizeChanged(f"{source} changed size while it was being bundled")
        self._listed(name, writer)

    def add_bytes(self, name: str, data: bytes, listed: bool = True) -> None:
        with self.zip.open(self._info(name, len(data)), "w") as member:
            writer = HashingWriter(member)
            writer.write(data)
        if listed:
            self._listed(name, writer)

    def close(self) -> None:
        self.zip.close()
