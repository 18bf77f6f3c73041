"""Files of a pinned npm package, fetched once with `npm pack` into the cache folder.

ReplayWeb.page (replay) and DuckDuckGo's autoconsent (capture) are JavaScript that archiver
serves or injects, not Python: each is fetched from the npm registry at one version and checked
against that version's `dist.integrity` (SHA-512) before any file of it is used. A tarball that
differs is refused. Fetching happens under a lock, since parallel workers may ask at once.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archiver.cache import cache_dir
from archiver.errors import ArchiverError


class NpmPackageError(ArchiverError):
    """A pinned npm package could not be fetched, or was not the one expected."""


@dataclass(frozen=True)
class NpmPackage:
    name: str  # as the registry spells it, e.g. "@duckduckgo/autoconsent"
    version: str
    integrity: str  # the registry's dist.integrity of that version: "sha512-..."
    files: tuple[str, ...]  # paths inside the package ("dist/x.js"), kept under their base names
    purpose: str  # for the messages: "ReplayWeb.page", "autoconsent"

    @property
    def folder(self) -> Path:
        safe = self.name.replace("@", "").replace("/", "-")
        return cache_dir() / f"{safe}-{self.version}"

    def path(self, file: str) -> Path:
        return self.folder / Path(file).name


def ensure_package(package: NpmPackage, log: Callable[[str], None] = lambda message: None) -> Path:
    """The folder holding `package.files`, fetched once (under a lock) with npm."""
    folder = package.folder
    if _complete(package):
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be fetching it right now
        if _complete(package):
            return folder
        log(f"fetching {package.purpose} {package.version} (npm {package.name}) into {folder} (once)")
        with tempfile.TemporaryDirectory(prefix="archiver-npm-") as scratch:
            tarball = _npm_pack(package, Path(scratch))
            _check_integrity(package, tarball)
            staging = Path(scratch) / "files"
            _extract(package, tarball, staging)
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(staging, folder)
    return folder


def _complete(package: NpmPackage) -> bool:
    return all(package.path(file).is_file() for file in package.files)


def _npm_pack(package: NpmPackage, into: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise NpmPackageError(
            f"{package.purpose} comes from npm, and npm is not installed (Debian: apt-get install npm)"
        )
    result = subprocess.run(
        [npm, "pack", f"{package.name}@{package.version}", "--json", "--pack-destination", str(into)],
        cwd=into,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise NpmPackageError(f"could not fetch {package.purpose} with npm: {detail[-1] if detail else 'npm failed'}")
    return into / json.loads(result.stdout)[0]["filename"]


def _check_integrity(package: NpmPackage, tarball: Path) -> None:
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode("ascii")
    if digest != package.integrity:
        raise NpmPackageError(
            f"the {package.name} {package.version} package from npm is not the one expected "
            f"({digest}, expected {package.integrity}); refusing to use it"
        )


def _extract(package: NpmPackage, tarball: Path, into: Path) -> None:
    into.mkdir()
    with tarfile.open(tarball) as archive:
        for file in package.files:
            member = archive.extractfile(f"package/{file}")
            if member is None:
                raise NpmPackageError(f"the {package.name} package has no {file}")
            (into / Path(file).name).write_bytes(member.read())
