"""Capture options: one frozen, JSON-serializable object, recorded verbatim in the manifest.

Each option is declared once, here: its type (the annotation), its default, its command-line flag
and help, and its lowest allowed value. The click options (`archiver.cli.capture_options`), the
checks a queued job's options get (`archiver.queue.jobs`) and the README's list are derived from
these declarations. A queue can hand `CaptureJob.to_dict()` to any worker; `CaptureJob.from_dict`
rebuilds it.
"""

from __future__ import annotations

import typing
from dataclasses import Field, asdict, dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

VIEWPORT_FLAG = "--viewport"  # one flag, WIDTHxHEIGHT, for the two viewport fields
CONSENT_CHOICES = ("reject", "accept", "leave")


def option(
    default: Any,
    flag: str,
    help: str = "",
    *,
    minimum: float | None = None,
    size: bool = False,
    choices: tuple[str, ...] | None = None,
    metavar: str | None = None,
) -> Any:
    """Declare a capture option: its default, its flag (`--no-...` for an option on by default),
    its help, its lowest allowed value, whether it is a size in bytes (written 500M, 1G), and the
    words a text option may be, and what `--help` calls its value."""
    metadata = {"flag": flag, "help": help, "minimum": minimum, "size": size, "choices": choices, "metavar": metavar}
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class CaptureOptions:
    # What the browser looks like
    viewport_width: int = option(1280, VIEWPORT_FLAG, "Browser window size, WIDTHxHEIGHT.", minimum=1)
    viewport_height: int = option(800, VIEWPORT_FLAG, minimum=1)
    device_scale_factor: float = option(
        1.0, "--device-scale-factor", "Device pixel ratio (2 for a high-DPI screen).", minimum=0.1
    )
    user_agent: str | None = option(
        None, "--user-agent", "User-Agent to send (default: the browser's, without 'Headless')."
    )
    operator: str | None = option(None, "--operator", "Who runs the capture; written into every WARC's warcinfo.")
    ignore_https_errors: bool = option(
        False, "--ignore-https-errors", "Capture sites whose certificate the browser rejects."
    )

    # Time bounds, in seconds
    page_timeout: float = option(
        180.0,
        "--page-timeout",
        "Seconds for loading and behaviours together; past it the capture is saved as 'partial'.",
        minimum=0.1,
    )
    navigation_timeout: float = option(
        30.0, "--navigation-timeout", "Seconds to wait for the page's load event.", minimum=0.1
    )
    behaviour_timeout: float = option(
        60.0,
        "--behaviour-timeout",
        "Seconds for scrolling, waiting and autofetch together; past it the capture is 'partial'.",
        minimum=0,
    )
    network_quiet: float = option(
        0.5, "--network-quiet", "Seconds without network activity that count as 'quiet'.", minimum=0
    )
    quiet_timeout: float = option(
        5.0,
        "--quiet-timeout",
        "Longest wait, in seconds, for one quiet period (a request in flight longer than this no longer counts).",
        minimum=0,
    )
    settle_after_load: float = option(
        3.0, "--settle", "Stay at least this many seconds after load, for content that arrives on a timer.", minimum=0
    )

    # Scrolling
    scroll_step: int = option(0, "--scroll-step", "Pixels per scroll step (0: half the viewport height).", minimum=0)
    scroll_delay: float = option(
        0.1, "--scroll-delay", "Seconds to pause after each scroll step, before waiting for quiet.", minimum=0
    )
    max_scroll_steps: int = option(
        150, "--max-scroll-steps", "Stop scrolling after this many steps (bounds endless infinite scroll).", minimum=0
    )

    # What to do
    autofetch: bool = option(
        True, "--no-autofetch", "Do not fetch srcset/<picture>/data-src/noscript images the page did not load itself."
    )
    allow_private: bool = option(
        False,
        "--allow-private",
        "Let a public page reach private, loopback and link-local addresses (blocked by default).",
    )
    consent: str = option(
        "reject",
        "--consent",
        "Consent dialogs (answered by DuckDuckGo's autoconsent): give the least consent (reject), "
        "accept, or leave them as they are; each dialog and answer is recorded.",
        choices=CONSENT_CHOICES,
    )
    consent_wait: float = option(
        2.0,
        "--consent-wait",
        "Seconds after load to wait for a consent dialog to show before the first screenshot "
        "(less when autoconsent finds none sooner).",
        minimum=0,
    )
    expand: bool = option(
        True,
        "--no-expand",
        "Do not click the buttons that only expand the article body ('Continue reading', 'Read more').",
    )
    block: str | None = option(
        None,
        "--block",
        "A filter list (Adblock Plus syntax, e.g. EasyList) whose rules for whole hosts refuse their "
        "connections; each refusal is recorded. Off by default: the ads are part of what a reader saw.",
        metavar="FILE",
    )
    profile: str | None = option(
        None,
        "--profile",
        "Capture logged in, with the browser profile NAME (archiver profile create/import); its "
        "secrets are redacted from what is stored, and its check proves each page was seen logged in.",
        metavar="NAME",
    )
    keep_secrets: bool = option(
        False,
        "--keep-secrets",
        "Store Cookie, Authorization and Set-Cookie values as sent (by default they are replaced by "
        "keyed hashes); the manifest and the bundle's report warn that the archive holds them.",
    )
    dedup: bool = option(
        True,
        "--no-dedup",
        "Store every response whole, even one byte-identical to the last "
        "capture of its URL in --output (by default such a response is a WARC revisit record "
        "pointing at it).",
    )

    # Video and audio
    media: bool = option(
        True,
        "--no-media",
        "Do not start the page's video and audio or store every segment of their streams (the "
        "files the page fetched itself are stored all the same).",
    )
    media_max_height: int = option(
        720,
        "--media-max-height",
        "Store HLS/DASH streams at the best rendition up to this height (and what each replay "
        "client plays); the records tell pywb and ReplayWeb.page to play that one.",
        minimum=1,
    )
    media_max_bytes: int = option(
        500 << 20,
        "--media-max-bytes",
        "Stop fetching a page's stream segments past this many bytes (e.g. 200M); recorded as partial media.",
        minimum=0,
        size=True,
    )
    media_max_seconds: float = option(
        60.0,
        "--media-max-seconds",
        "Seconds spent fetching a page's streams; a live stream is followed this long, then recorded as partial.",
        minimum=0,
    )
    media_attachments: bool = option(
        False,
        "--media-attachments",
        "Also download each embedded player's video with yt-dlp (within --media-max-bytes and "
        "--media-max-seconds) and store the file, its info JSON and subtitles as WARC resource records.",
    )

    # Output
    max_screenshot_height: int = option(
        16384,
        "--max-screenshot-height",
        "Cut full-page screenshots of taller pages here (recorded as capped).",
        minimum=1,
    )
    warc_max_size: int = option(
        1 << 30, "--warc-max-size", "Start a new WARC file past this size (e.g. 500M, 1G).", minimum=1, size=True
    )
    max_body_size: int = option(
        100 << 20,
        "--max-body-size",
        "Store larger response bodies cut here, marked WARC-Truncated (e.g. 50M, 1G).",
        minimum=0,
        size=True,
    )

    def effective_scroll_step(self) -> int:
        return self.scroll_step or max(100, self.viewport_height // 2)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaptureOptions:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@cache
def option_types() -> dict[str, Any]:
    """Each option's type, as declared (`int`, `float`, `bool`, `str | None`)."""
    return typing.get_type_hints(CaptureOptions)


def declared_options() -> tuple[Field[Any], ...]:
    return fields(CaptureOptions)


def option_problem(name: str, value: Any) -> str | None:
    """Why `value` cannot be option `name` (wrong type, or below its minimum); None when it can."""
    kind = option_types()[name]
    if kind is bool:
        ok = isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value  # not NaN
    elif kind is str:
        ok = isinstance(value, str)
    else:  # text or nothing
        ok = value is None or isinstance(value, str)
    if not ok:
        return f"{name} must be {getattr(kind, '__name__', 'text or null')}"
    metadata = next(f for f in declared_options() if f.name == name).metadata
    if metadata["choices"] and value not in metadata["choices"]:
        return f"{name} must be one of {', '.join(metadata['choices'])}"
    minimum = metadata["minimum"]
    if minimum is not None and value < minimum:
        return f"{name} must be at least {minimum:g}"
    return None


@dataclass(frozen=True)
class CaptureJob:
    """One unit of work: capture `url` with `options` into `output_dir` as part of run `run_id`."""

    url: str
    output_dir: Path
    run_id: str
    options: CaptureOptions = field(default_factory=CaptureOptions)
    profiles_dir: Path | None = None  # this machine's profiles (default: the user's data folder); not sent

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "output_dir": str(self.output_dir),
            "run_id": self.run_id,
            "options": self.options.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaptureJob:
        return cls(
            url=data["url"],
            output_dir=Path(data["output_dir"]),
            run_id=data["run_id"],
            options=CaptureOptions.from_dict(data.get("options", {})),
        )
