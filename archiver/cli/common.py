"""What every command shares: how expected failures end (one line, exit status 2 for set-up
problems), and how sizes, viewports and folders are read from the command line."""

from __future__ import annotations

import re
from pathlib import Path

import click

SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
VIEWPORT = re.compile(r"^(\d+)x(\d+)$")
DEFAULT_OUTPUT = Path("warcs")


class SetupError(click.ClickException):
    """The run could not start (no browser, ...): exit status 2, like a usage error."""

    exit_code = 2


def parse_size(value: str) -> int:
    match = SIZE.match(value)
    if not match:
        raise click.BadParameter(f"{value!r} is not a size such as 500M or 1G")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * 1024 ** " kmgt".index(unit or " "))


def parse_viewport(value: str) -> tuple[int, int]:
    match = VIEWPORT.match(value.strip())
    if not match:
        raise click.BadParameter(f"{value!r} is not WIDTHxHEIGHT, e.g. 1280x800")
    return int(match.group(1)), int(match.group(2))


def folders_or_default(dirs: tuple[Path, ...]) -> list[Path]:
    """The folders named, or warcs/ when none is."""
    return list(dirs) or [DEFAULT_OUTPUT]
