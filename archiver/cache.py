"""Where what archiver fetches on first use is kept: pywb's own environment, ReplayWeb.page's and
autoconsent's files ($ARCHIVER_CACHE, else $XDG_CACHE_HOME/archiver, else ~/.cache/archiver)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    explicit = os.environ.get("ARCHIVER_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "archiver"
