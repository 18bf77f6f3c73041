"""JSON files written so that a reader never sees half of one (manifests, the dedup index)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write to a temporary file, then rename: a reader never sees half a file."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two processes may write the same file
    try:
        if os.path.lexists(temporary):
            temporary.unlink()  # a leftover, or a link planted under its name: removed, never written through
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        os.replace(temporary, path)  # a link at `path` is replaced itself, not followed
    except OSError:
        temporary.unlink(missing_ok=True)  # a full disk leaves the last complete file, not a stub
        raise
