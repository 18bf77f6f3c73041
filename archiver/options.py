"""Capture options: one frozen, JSON-serializable object, recorded verbatim in the manifest.

A queue can hand `CaptureJob.to_dict()` to any worker; `CaptureJob.from_dict` rebuilds it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CaptureOptions:
    # What the browser looks like
    viewport_width: int = 1280
    viewport_height: int = 800
    device_scale_factor: float = 1.0
    user_agent: str | None = None  # None: the browser's own, without "Headless"
    operator: str | None = None  # who ran the capture; written into warcinfo
    ignore_https_errors: bool = False

    # Time bounds, in seconds
    page_timeout: float = 180.0  # loading and behaviours together; then what was captured is saved
    navigation_timeout: float = 30.0  # until the page's load event
    behaviour_timeout: float = 60.0  # scrolling, waiting, autofetch together
    network_quiet: float = 0.5  # no request started or finished for this long = quiet
    quiet_timeout: float = 5.0  # longest wait for one quiet period
    settle_after_load: float = 3.0  # keep watching at least this long after load (timers)

    # Scrolling
    scroll_step: int = 0  # pixels per step; 0 means half the viewport height
    scroll_delay: float = 0.1  # pause after each step, before waiting for quiet
    max_scroll_steps: int = 150

    # What to do
    autofetch: bool = True  # fetch every srcset/picture/data-src/noscript image
    allow_private: bool = False  # let a public page reach private/loopback/link-local addresses
    dedup: bool = True  # a response identical to the last capture of its URL in the output is a revisit

    # Output
    max_screenshot_height: int = 16384  # taller pages are cut here (recorded as capped)
    warc_max_size: int = 1_000_000_000  # roll over to a new WARC file past this many bytes
    max_body_size: int = 100 << 20  # bodies past this are stored cut here, with WARC-Truncated

    def effective_scroll_step(self) -> int:
        return self.scroll_step or max(100, self.viewport_height // 2)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CaptureOptions":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class CaptureJob:
    """One unit of work: capture `url` with `options` into `output_dir` as part of run `run_id`."""

    url: str
    output_dir: Path
    run_id: str
    options: CaptureOptions = field(default_factory=CaptureOptions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "output_dir": str(self.output_dir),
            "run_id": self.run_id,
            "options": self.options.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CaptureJob":
        return cls(
            url=data["url"],
            output_dir=Path(data["output_dir"]),
            run_id=data["run_id"],
            options=CaptureOptions.from_dict(data.get("options", {})),
        )
