"""JSON files written so that a reader never sees half of one (manifests, the dedup index)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_json_atomic(path: Path, data: dict[str, Any], mode: int = 0o644) -> None:
    """Write to a temporary file, then rename: a reader never sees half a file. `mode`: the new
    file's permissions (0o600 for a file only its owner may read), set before anything is written."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two processes may write the same file
    try:
        if os.path.lexists(temporary):
            temporary.unlink()  # a leftover, or a link planted under its name: removed, never written through
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        os.fchmod(fd, mode)  # the umask cannot widen it, and a narrower one does not matter
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        os.replace(temporary, path)  # a link at `path` is replaced itself, not followed
    except OSError:
        temporary.unlink(missing_ok=True)  # a full disk leaves the last complete file, not a stub
        raise
