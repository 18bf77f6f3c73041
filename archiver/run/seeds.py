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
        return Seed(_as_text(without_credentials(url)), origin, str(exc))


def _as_text(text: str) -> str:
    """`text` as UTF-8 text: bytes that were not (undecodable input, as surrogates) escaped as \\xNN."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_seeds(arguments: Iterable[str], input_files: Iterable[str] = ()) -> list[Seed]:
    seeds = [_check(url, f"argument {n}") for n, url in enumerate(arguments, 1)]
    for name in input_files:
        seeds.extend(_read_file(name))
    return seeds


def _read_file(name: str) -> list[Seed]:
    label = "stdin" if name == "-" else name
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise ArchiverError(f"cannot read the input file {label}: {exc.strerror or exc}") from None
    seeds = []
    for number, raw_line in enumerate(raw.removeprefix(b"\xef\xbb\xbf").splitlines(), 1):
        origin = f"{label} line {number}"
        try:
            line = raw_line.decode("utf-8")
        except UnicodeDecodeError:
            # One line that is not text is that line's failure; the others are read as usual.
            seeds.append(
                Seed(_as_text(raw_line.decode("utf-8", "surrogateescape")), origin, "the line is not UTF-8 text")
            )
            continue
        words = line.split()
        if not words or words[0].startswith("#"):
            continue  # blank, or a comment line
        if len(words) > 1 and not words[1].startswith("#"):
            seeds.append(Seed(_as_text(line.strip()), origin, "more than one word on the line (one URL a line)"))
        else:
            seeds.append(_check(words[0], origin))
    return seeds
