"""Versions of the tool and the libraries that shaped its output, for warcinfo and the manifest."""

from __future__ import annotations

import importlib.metadata
import platform

__version__ = "0.1.0"  # as pyproject.toml says (a test holds them together)
RECORDED_PACKAGES = ("playwright", "warcio", "pillow", "cryptography", "click")


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def tool_versions() -> dict[str, str]:
    versions = {"archiver": __version__, "python": platform.python_version()}
    versions.update({name: package_version(name) for name in RECORDED_PACKAGES})
    return versions


def software_line() -> str:
    """The warcinfo `software` value."""
    return f"archiver/{__version__} (warcio/{package_version('warcio')}; playwright/{package_version('playwright')})"
