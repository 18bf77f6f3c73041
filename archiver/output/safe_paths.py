"""Files written in an output folder others can write into: never through a link they planted.

An output folder may be shared (queue workers, a team's archive): anyone who can write into it
could plant a symbolic link where archiver is about to write, truncate or move, and have it
destroy or move a file of the user running archiver. So every such step here refuses to follow a
link: folders are checked component by component (`lstat`), files are opened with O_NOFOLLOW, and
a note is created only where nothing stood (a link in its place is removed, not followed).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from archiver.errors import ArchiverError


class PlantedLink(ArchiverError):
    """A symbolic link (or something else) where archiver was to write its own file or folder."""


def link_on_the_way(path: Path, inside: Path) -> Path | None:
    """The first component of `path` below `inside` that is a symbolic link, if one is."""
    step = inside
    for part in path.relative_to(inside).parts:
        step = step / part
        if step.is_symlink():
            return step
    return None


def real_folder(path: Path, inside: Path) -> Path:
    """`path` made as a folder of real folders below `inside`; PlantedLink when a link is on the way."""
    step = inside
    for part in path.relative_to(inside).parts:
        step = step / part
        if step.is_symlink() or (step.exists() and not step.is_dir()):
            raise PlantedLink(f"{step} is a symbolic link or not a folder; nothing is written through it")
        step.mkdir(exist_ok=True)
    return path


def open_regular(path: Path, flags: int) -> int:
    """A file descriptor for the regular file at `path`, never through a link."""
    fd = os.open(path, flags | os.O_NOFOLLOW)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PlantedLink(f"{path} is not a regular file")
    return fd


def write_new(path: Path, data: bytes) -> None:
    """Write archiver's own note at `path`: a link (or anything) standing there is removed first,
    never written through, and the file is created anew."""
    if os.path.lexists(path):
        path.unlink()  # a link is removed itself, not its target
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
