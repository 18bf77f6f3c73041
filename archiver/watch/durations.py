"""Durations as people write them for a schedule: 90s, 15m, 3h, 2d, 1w (a number alone is seconds)."""

from __future__ import annotations

import re

from archiver.errors import ArchiverError

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.I)


class BadDuration(ArchiverError):
    pass


def parse_duration(text: str) -> float:
    """Seconds, from '90s', '15m', '3h', '2d', '1w' or a plain number of seconds."""
    match = DURATION.match(text)
    if not match or float(match.group(1)) <= 0:
        raise BadDuration(f"{text!r} is not a duration such as 90s, 15m, 3h or 2d")
    return float(match.group(1)) * UNITS[(match.group(2) or "s").lower()]


def parse_ladder(text: str) -> tuple[float, ...]:
    """The re-check ladder, '15m,1h,3h,1d': each step at least as long as the one before."""
    steps = tuple(parse_duration(part) for part in text.split(",") if part.strip())
    if not steps:
        raise BadDuration("the re-check ladder has no step")
    if any(later < earlier for earlier, later in zip(steps, steps[1:], strict=False)):
        raise BadDuration(f"the re-check ladder {text!r} must not get shorter from one step to the next")
    return steps


def format_duration(seconds: float) -> str:
    for unit, size in (("w", UNITS["w"]), ("d", UNITS["d"]), ("h", UNITS["h"]), ("m", UNITS["m"])):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
