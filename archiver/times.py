"""Times as every file of the project writes them: ISO 8601, in UTC, with a Z."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as every time in the manifest is written."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
