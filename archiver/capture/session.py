"""The state one capture shares between its steps, made explicit: what was opened, what was seen.

Every step of `archiver.capture.page` takes a `CaptureSession` and reads or fills the parts it
needs; nothing else is shared. The session also owns where the capture's files go.
"""

from __future__ import annotations

import itertools
import platform
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, CDPSession, Page, Response

from archiver.browser.blocking import FilterListError, load_blocker
from archiver.browser.consent import ConsentHandler
from archiver.browser.guard_proxy import GuardProxy
from archiver.browser.launch import BrowserInfo
from archiver.browser.netguard import NetworkAccess, NetworkGuard
from archiver.browser.network import NetworkActivity
from archiver.browser.obstacles import FoldClick, PageScan
from archiver.browser.recorder import Recorder
from archiver.browser.screenshots import Screenshot
from archiver.browser.tls import TlsWatcher
from archiver.capture.media import MediaWork
from archiver.capture.result import PageResult
from archiver.identity import capture_id, page_id, strip_fragment
from archiver.options import CaptureJob, CaptureOptions
from archiver.profiles.store import Profile, ProfileError, ProfileStore, user_redaction_key
from archiver.versions import software_line
from archiver.warc.dedup import DedupTally, OriginalsIndex
from archiver.warc.redact import Redactor
from archiver.warc.writer import RollingWarcWriter

HTML_TYPES = ("text/html", "application/xhtml+xml")


async def no_wait() -> bool:
    """A page's turn to load, when nothing else decides it: at once, in the browser it opened in."""
    return True


@dataclass
class PendingResource:
    """A non-HTTP record (screenshot, DOM, text) written once the page's own response record exists."""

    uri: str
    content_type: str
    payload: bytes


@dataclass
class CaptureSession:
    browser: Browser
    browser_info: BrowserInfo
    job: CaptureJob
    result: PageResult
    page_dir: Path  # <run folder>/<capture id>/: the WARC files, screenshots, DOM and text
    writer: RollingWarcWriter
    guard: NetworkGuard
    network: NetworkActivity
    redactor: Redactor  # secret header values -> keyed hashes, before anything is written
    recorder: Recorder = field(init=False)  # set by archiver.capture.storing, which is its sink
    profile: Profile | None = None  # --profile: the logged-in state the context starts with (read only)
    logged_in: bool | None = None  # the profile's check held on the page (None: not checked)
    # Opened by the context step
    context: BrowserContext | None = None
    page: Page | None = None
    devtools: CDPSession | None = None  # one DevTools session, opened before navigating
    main_frame_id: str | None = None  # the page's main frame, as DevTools names it
    tls: TlsWatcher | None = None
    proxy: GuardProxy | None = None  # the network guard's proxy, which every connection goes through
    # What the load saw
    main_response: Response | None = None  # the response to the page's own (last) navigation
    loaded_response: Response | None = None  # the response the first load ended with
    loaded_at: float | None = None  # monotonic time the load ended (None: nothing to work on)
    loaded: bool = False  # the page's load event fired
    download: bool = False  # the browser treated the page as a file to download
    setup_problem: str | None = None  # the capture cannot start (a --block list that cannot be read)
    unresponsive: bool = False  # the page stopped answering (a script that never yields)
    browser_hung: bool = False  # ... and so did its browser: nothing more goes through it
    navigated_to_error: bool = False  # after loading, it sent itself to an address that failed
    whole_file_targets: list[str] = field(default_factory=list)  # files seen only in pieces, or not at all
    addresses_written: list[str] = field(default_factory=list)  # by the history API, never loaded
    still_loading: list[str] = field(default_factory=list)  # requests in flight when the context closed
    dialogs_dismissed: int = 0  # every JS dialog, also those past the recorded ones
    consent: ConsentHandler | None = None  # autoconsent in every frame (archiver.browser.consent)
    fold_clicks: list[FoldClick] = field(default_factory=list)
    scan: PageScan | None = None  # what stood between the reader and the article, after the behaviours
    media: MediaWork = field(default_factory=MediaWork)  # the page's video and audio (archiver.capture.media)
    obstructed: bool = False  # the article's text is in the page but covered or clipped
    # What was stored
    record_ids: dict[str, str] = field(default_factory=dict)  # URL -> id of its latest response record
    document_hashes: dict[str, str] = field(default_factory=dict)  # URL -> SHA-256 of each document stored
    pending_resources: list[PendingResource] = field(default_factory=list)
    dedup: DedupTally = field(default_factory=DedupTally)  # revisits of earlier captures, when deduplicating
    large_body_numbers: itertools.count = field(default_factory=itertools.count)  # names of streamed bodies
    full_page: Screenshot | None = None
    turn: Callable[[], Awaitable[bool]] = field(default=no_wait, repr=False)  # its slot to load
    hand_over: Callable[[PageResult], None] = field(default=lambda result: None, repr=False)  # loaded: the next may
    replaced: bool = False  # its browser was replaced while it waited to load: not loaded
    dom: str | None = None
    text: str | None = None

    @classmethod
    def start(
        cls,
        browser: Browser,
        browser_info: BrowserInfo,
        job: CaptureJob,
        dedup: OriginalsIndex | None = None,
        access: NetworkAccess | None = None,
    ) -> CaptureSession:
        options = job.options
        started = datetime.now(UTC)
        cap_id = capture_id(job.url, started)
        result = PageResult(requested_url=job.url, page_id=page_id(job.url), capture_id=cap_id, started_at=started)
        page_dir = job.output_dir / cap_id
        writer = RollingWarcWriter(
            page_dir, cap_id, warcinfo_fields(job, browser_info, cap_id), options.warc_max_size, page_id=cap_id
        )
        blocker, problem, profile = None, None, None
        if options.block:
            try:
                blocker = load_blocker(options.block)
            except FilterListError as exc:
                problem = str(exc)  # the page fails with it, on the record (a worker without the list)
        if options.profile:
            try:
                profile = ProfileStore(job.profiles_dir).load(options.profile)
            except ProfileError as exc:
                problem = problem or str(exc)  # a worker without this profile: failed, on the record
        return cls(
            browser,
            browser_info,
            job,
            result,
            page_dir,
            writer,
            redactor=Redactor(profile.key if profile else user_redaction_key(), keep=options.keep_secrets),
            profile=profile,
            guard=NetworkGuard(job.url, options.allow_private, access or NetworkAccess(), blocker=blocker),
            network=NetworkActivity(stale_after=options.quiet_timeout),
            dedup=DedupTally(dedup if options.dedup else None),
            setup_problem=problem,
        )

    @property
    def options(self) -> CaptureOptions:
        return self.job.options

    @property
    def user_agent(self) -> str:
        return self.options.user_agent or self.browser_info.user_agent

    def new_body_file(self) -> Path:
        """A file for a body streamed to disk (in `.bodies/`, removed once the capture is written)."""
        folder = self.page_dir / ".bodies"
        folder.mkdir(exist_ok=True)
        return folder / f"{next(self.large_body_numbers):05d}.body"

    def working(self) -> bool:
        """The page answered: there is something to screenshot, scroll and fetch."""
        return self.loaded_at is not None

    def rendered(self) -> bool:
        """A page was rendered (not a download, not a failure): title, DOM and screenshots can be read."""
        return self.page is not None and bool(self.result.final_url) and not self.download

    def responsive(self) -> bool:
        return self.rendered() and not self.unresponsive and not self.browser_hung

    def shows_the_page(self) -> bool:
        """What the browser shows is the page loaded (not Chromium's error page after it left)."""
        return self.responsive() and not self.navigated_to_error

    def final_url(self) -> str:
        return strip_fragment(self.result.final_url or self.job.url)

    def is_html(self) -> bool:
        mime = (self.result.content_type or "").split(";")[0].strip().lower()
        return mime in HTML_TYPES

    def note_main_response(self) -> None:
        """Copy what the page's own response said (final URL, status, type) into the result."""
        response = self.main_response
        if response is None:
            return
        self.result.final_url = response.url
        self.result.status = response.status
        self.result.content_type = response.headers.get("content-type")


def warcinfo_fields(job: CaptureJob, browser_info: BrowserInfo, cap_id: str) -> dict[str, str]:
    options = job.options
    return {
        "software": software_line(),
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "browser": f"Chromium {browser_info.version}",
        "http-header-user-agent": options.user_agent or browser_info.user_agent,
        "viewport": f"{options.viewport_width}x{options.viewport_height} @{options.device_scale_factor}x",
        "operator": options.operator or "",
        "hostname": platform.node(),
        "isPartOf": job.run_id,
        "description": f"capture {cap_id} of {job.url}",
    }
