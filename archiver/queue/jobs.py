"""A queued page: its URL and capture options, in a versioned JSON form any worker can read.

A worker of another version may not know an option a job carries; it refuses the job (recorded as
failed with the reason) rather than capture it differently from what was asked.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from archiver.errors import ArchiverError
from archiver.identity import page_id
from archiver.options import CaptureOptions, option_problem
from archiver.times import utc_iso
from archiver.versions import __version__

JOB_FORMAT = 1  # bumped when a job's shape changes in a way older workers would misread
MAX_JOB_BYTES = 64 << 10  # an honest job is a URL and its options: well under a kilobyte or two
JOB_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


class UnreadableJob(ArchiverError):
    """A job this worker cannot carry out as asked (another version's, or damaged)."""


@dataclass(frozen=True)
class QueuedJob:
    job_id: str  # one per `queue add` of a page: the key of its commit
    url: str
    options: CaptureOptions
    recapture: bool = False  # capture even when the output already holds a complete capture
    origin: str = ""  # where the URL came from: "argument 1", "urls.txt line 7"
    queued_at: str = ""
    queued_by: str = __version__

    @property
    def page_key(self) -> str:
        """The same page queued twice while pending is one job: keyed by the canonical URL."""
        return page_id(self.url)

    @classmethod
    def new(cls, url: str, options: CaptureOptions, recapture: bool = False, origin: str = "") -> QueuedJob:
        return cls(secrets.token_hex(8), url, options, recapture, origin, utc_iso(datetime.now(UTC)))

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": JOB_FORMAT,
                "job_id": self.job_id,
                "url": self.url,
                "options": self.options.to_dict(),
                "recapture": self.recapture,
                "origin": self.origin,
                "queued_at": self.queued_at,
                "queued_by": self.queued_by,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, body: bytes | str) -> QueuedJob:
        """The job, or UnreadableJob saying why this worker will not capture it. A queue entry is
        whatever someone wrote into Redis: it is bounded in size, decoded strictly and parsed with
        its nesting bounded, so one malformed entry fails alone."""
        data = _parsed(body)
        if not isinstance(data, dict):
            raise UnreadableJob("the job is not a JSON object")
        if not isinstance(data.get("job_id"), str) or not JOB_ID.match(data["job_id"]):
            raise UnreadableJob("the job has no job id of the form archiver gives (letters, digits, - and _)")
        if not isinstance(data.get("url"), str):
            raise UnreadableJob("the job has no url to capture")
        by = data.get("queued_by", "an unknown version")
        if data.get("format") != JOB_FORMAT:
            raise UnreadableJob(
                f"job format {data.get('format')!r} (queued by archiver {by}); this worker "
                f"(archiver {__version__}) reads format {JOB_FORMAT}"
            )
        options = data.get("options")
        if not isinstance(options, dict):
            raise UnreadableJob("the job has no capture options")
        unknown = sorted(set(options) - {f.name for f in fields(CaptureOptions)})
        if unknown:
            raise UnreadableJob(
                f"capture options this worker (archiver {__version__}) does not know: "
                f"{', '.join(unknown)} (queued by archiver {by})"
            )
        wrong = [problem for name, value in sorted(options.items()) if (problem := option_problem(name, value))]
        if wrong:
            raise UnreadableJob(f"capture options out of their declared type or range: {'; '.join(wrong)}")
        try:
            return cls(
                str(data["job_id"]),
                str(data["url"]),
                CaptureOptions(**options),
                bool(data.get("recapture")),
                str(data.get("origin", "")),
                str(data.get("queued_at", "")),
                str(by),
            )
        except (KeyError, TypeError) as exc:
            raise UnreadableJob(f"the job lacks a field or has a wrong one: {exc}") from None

    @staticmethod
    def peek(body: bytes | str) -> dict[str, str]:
        """What can be read of a job even when it cannot be carried out (for the failed list): its
        job id, URL, origin and time, as text, when it has them."""
        try:
            data = _parsed(body)
        except UnreadableJob:
            return {}
        if not isinstance(data, dict):
            return {}
        return {
            key: value for key in ("job_id", "url", "origin", "queued_at") if isinstance(value := data.get(key), str)
        }


def _parsed(body: bytes | str) -> Any:
    raw = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body
    if len(raw) > MAX_JOB_BYTES:
        raise UnreadableJob(f"the job is {len(raw)} bytes, more than the {MAX_JOB_BYTES} a job may be")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableJob("the job is not UTF-8 text") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise UnreadableJob("the job's JSON is nested too deep") from None
    except ValueError:
        raise UnreadableJob("the job is not valid JSON") from None
