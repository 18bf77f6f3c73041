"""The JavaScript the behaviours run in the page, kept as files in archiver/js/."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def script(name: str) -> str:
    return files("archiver").joinpath("js", f"{name}.js").read_text(encoding="utf-8")
