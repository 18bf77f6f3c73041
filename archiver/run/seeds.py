"""The URLs to capture: from the command line and from input files (one a line, `#` comments, `-` for stdin)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from archiver.errors import ArchiverError, InvalidURL
from archiver.identity import validate_seed, without_credentials


@dataclass(frozen=True)
class Seed:
    url: str  # as given, stripped
    origin: str  # where it came from: "argument 2", "urls.txt line 7"
    problem: str | None = None  # why it cannot be captured, if it cannot


def _check(url: str, origin: str) -> Seed:
    try:
        return Seed(validate_seed(url), origin)
    except InvalidURL as exc:
        safe = without_credentials(url).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return Seed(safe, origin, str(exc))


def read_seeds(arguments: Iterable[str], input_files: Iterable[str] = ()) -> list[Seed]:
    seeds = [_check(url, f"argument {n}") for n, url in enumerate(arguments, 1)]
    for name in input_files:
        seeds.extend(_read_file(name))
    return seeds


def _read_file(name: str) -> list[Seed]:
    label = "stdin" if name == "-" else name
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiverError(f"cannot read the input file {label}: {exc}") from None
    seeds = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue  # blank, or a comment line
        origin = f"{label} line {number}"
        if len(words) > 1 and not words[1].startswith("#"):
            seeds.append(Seed(line.strip(), origin, "more than one word on the line (one URL a line)"))
        else:
            seeds.append(_check(words[0], origin))
    return seeds
