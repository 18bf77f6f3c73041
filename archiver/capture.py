"""Capture one page: the unit of work a queue can hand to any worker.

In: a `CaptureJob` (URL, options, output folder, run id) and a launched browser.
Out: WARC file(s), screenshots and the DOM in `<output>/<capture_id>/`, and a `PageResult` that
becomes the page's manifest entry. The steps run in a fixed order, each bounded in time; the
steps that record what happened (screenshots, DOM, TLS, metadata, checksums) always run, so a
page that fails half-way is still recorded as what it is.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import platform
import shutil
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Browser, BrowserContext, CDPSession, Error as PlaywrightError, Page, Response, Route
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from archiver.behaviours import run_behaviours
from archiver.browser import BrowserInfo
from archiver.direct_fetch import DIRECT_FETCH_RESOURCE_TYPE, fetch_outside_browser
from archiver.errors import explain_net_error, first_line
from archiver.exchange import Exchange, StoredBody, body_sha256
from archiver.extract import extract
from archiver.identity import capture_id, page_id, sha256_bytes, strip_fragment
from archiver.normalize import normalize, warc_protocols
from archiver.options import CaptureJob, CaptureOptions
from archiver.largebody import stream_body
from archiver.netguard import NetworkGuard, address_problem, resolve_overrides
from archiver.network import NetworkActivity
from archiver.recorder import Recorder
from archiver.result import FAILED, PARTIAL, ArtifactFile, PageResult
from archiver.screenshots import Screenshot, full_page_screenshot, viewport_screenshot
from archiver.scripts import script
from archiver.tls import TlsWatcher
from archiver.versions import software_line
from archiver.warcwriter import RollingWarcWriter

# zstd is left out: pywb, wabac.js and older WARC readers cannot decode it.
ACCEPT_ENCODING = "gzip, deflate, br"
HTML_TYPES = ("text/html", "application/xhtml+xml")
SCREENSHOT_TIMEOUT = 10.0  # Playwright waits for web fonts; past this we take the page as it is
UNLOADED_SCREENSHOT_TIMEOUT = 3.0  # a page whose document never finished may never paint
FINISH_STEP_TIMEOUT = 10.0  # each step that saves what was captured (title, DOM, TLS)
DIRECT_FETCH_TIMEOUT_MS = 30_000

def _is_download(message: str) -> bool:
    return "Download is starting" in message or "net::ERR_ABORTED" in message


def _step_failure(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "the page did not answer in time"
    return first_line(str(exc))


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


class _PageCapture:
    """The state of one capture while it runs; `run()` is the ordered list of steps."""

    def __init__(self, browser: Browser, browser_info: BrowserInfo, job: CaptureJob) -> None:
        self.browser = browser
        self.browser_info = browser_info
        self.job = job
        self.options: CaptureOptions = job.options
        started = datetime.now(timezone.utc)
        cap_id = capture_id(job.url, started)
        self.result = PageResult(requested_url=job.url, page_id=page_id(job.url), capture_id=cap_id,
                                 started_at=started)
        self.page_dir = job.output_dir / cap_id
        self.writer = RollingWarcWriter(self.page_dir, cap_id, warcinfo_fields(job, browser_info, cap_id),
                                        self.options.warc_max_size, page_id=cap_id)
        self.record_ids: dict[str, str] = {}  # URL -> id of its latest response record
        self.document_hashes: dict[str, str] = {}  # URL -> SHA-256 of each document recorded
        self.recorder = Recorder(self._write_exchange, large_body=self._read_large_body)
        self.guard = NetworkGuard(job.url, self.options.allow_private)
        self.large_body_numbers = itertools.count()  # names for bodies streamed to disk, read concurrently
        self.network = NetworkActivity(stale_after=self.options.quiet_timeout)
        self.main_response: Response | None = None
        self.context: BrowserContext | None = None
        self.page: Page | None = None
        self.devtools: CDPSession | None = None
        self.loaded = False  # the page's load event fired
        self.download = False  # the browser treated the page as a file to download
        self.tls: TlsWatcher | None = None
        self.pending_resources: list[tuple[str, str, bytes]] = []  # written once the main record exists
        self.full_page: Screenshot | None = None
        self.dom: str | None = None
        self.text: str | None = None

    # -- the sink the recorder writes through ---------------------------------------------------

    def _write_exchange(self, exchange: Exchange) -> None:
        url = strip_fragment(exchange.url)
        server_problem = self._server_problem(exchange)
        if server_problem:
            self.guard.note(url, server_problem, "after connecting: not stored")
            return
        record_id = self.writer.write_exchange(normalize(exchange))
        self.record_ids[url] = record_id
        if exchange.resource_type in ("document", DIRECT_FETCH_RESOURCE_TYPE) or url == self._final_url():
            self.document_hashes[url] = body_sha256(exchange.response.body)
        if isinstance(exchange.response.body, StoredBody):
            exchange.response.body.path.unlink(missing_ok=True)  # it is in the WARC now

    def _server_problem(self, exchange: Exchange) -> str | None:
        """A public page's response that came from a private address after all (DNS rebinding)."""
        ip = exchange.response.server_ip
        host = (urlsplit(exchange.url).hostname or "").lower()
        if not self.guard.active or not ip or host in resolve_overrides():
            return None
        problem = address_problem(ip)
        return f"{host} answered from a {problem}" if problem else None

    async def _read_large_body(self, url: str, size: int) -> StoredBody:
        """A body too large for memory: the browser loads it again, streamed to a file, cut at the cap."""
        assert self.devtools is not None and self.page is not None
        folder = self.page_dir / ".bodies"
        folder.mkdir(exist_ok=True)
        target = folder / f"{next(self.large_body_numbers):05d}.body"
        frame = await self.devtools.send("Page.getFrameTree")
        return await stream_body(self.devtools, frame["frameTree"]["frame"]["id"], url, target,
                                 self.options.max_body_size)

    def _final_url(self) -> str:
        return strip_fragment(self.result.final_url or self.job.url)

    # -- the steps ------------------------------------------------------------------------------

    async def run(self) -> PageResult:
        try:
            await self._open()
            await asyncio.wait_for(self._load_and_behave(), self.options.page_timeout)
        except asyncio.TimeoutError:
            self._out_of_time()
        except PlaywrightError as exc:  # the browser itself failed under us
            self.result.mark(FAILED, f"browser error: {first_line(str(exc))}")
        finally:
            await self._finish()
        return self.result

    async def _load_and_behave(self) -> None:
        loaded_at = await self._navigate()
        if loaded_at is not None:
            await self._after_load(loaded_at)

    def _out_of_time(self) -> None:
        self._note_main_response()
        limit = f"{self.options.page_timeout:g}s"
        if self.main_response is None:
            self.result.mark(FAILED, f"no response within the page timeout ({limit})")
        else:
            self.result.mark(PARTIAL, f"the page ran out of time ({limit}); what it had loaded was saved")

    async def _open(self) -> None:
        options = self.options
        self.context = await self.browser.new_context(
            viewport={"width": options.viewport_width, "height": options.viewport_height},
            device_scale_factor=options.device_scale_factor,
            user_agent=options.user_agent or self.browser_info.user_agent,
            ignore_https_errors=options.ignore_https_errors,
            service_workers="block",  # a service worker could answer requests the recorder never sees
            accept_downloads=False,
            extra_http_headers={"Accept-Encoding": ACCEPT_ENCODING},
        )
        self.recorder.attach(self.context)
        self.network.attach(self.context)
        await self.guard.start()
        if self.guard.active:
            await self.context.route("**/*", self._keep_off_private_networks)
            self.context.on("response", self._watch_redirects)
        await self.context.add_init_script(script("eager"))
        self.page = await self.context.new_page()
        self.page.on("response", self._on_response)
        self.page.on("dialog", self._on_dialog)
        # One DevTools session, opened before navigating: opening one later can hang for as long
        # as a stalled navigation does.
        self.devtools = await self.context.new_cdp_session(self.page)
        self.tls = await TlsWatcher.attach(self.devtools)

    async def _keep_off_private_networks(self, route: Route) -> None:
        url = route.request.url
        problem = await self.guard.problem(url) if url.startswith(("http://", "https://")) else None
        if problem:
            self.guard.note(url, problem, "before connecting")
            await route.abort("blockedbyclient")
        else:
            await route.continue_()

    async def _watch_redirects(self, response: Response) -> None:
        """Playwright does not route redirect hops: one to a private address is noted here, and
        `_server_problem` keeps its response out of the WARC."""
        location = response.headers.get("location")
        if not (300 <= response.status < 400 and location):
            return
        target = urljoin(response.url, location)
        problem = await self.guard.problem(target) if target.startswith(("http://", "https://")) else None
        if problem:
            self.guard.note(target, problem, "redirect: followed by the browser, nothing from it stored")

    def _on_response(self, response: Response) -> None:
        assert self.page is not None
        if response.frame == self.page.main_frame and response.request.is_navigation_request():
            self.main_response = response

    def _on_dialog(self, dialog: Any) -> None:
        # alert/confirm/prompt/beforeunload would block the page: note and dismiss them.
        self.result.dialogs.append({"type": dialog.type, "message": dialog.message[:500]})
        asyncio.ensure_future(dialog.dismiss())

    async def _navigate(self) -> float | None:
        """Load the page; the monotonic time of load, or None when there is nothing to work on."""
        assert self.page is not None
        try:
            await self.page.goto(self.job.url, wait_until="load", timeout=self.options.navigation_timeout * 1000)
            self.loaded = True
            self._note_main_response()
            return time.monotonic()
        except PlaywrightTimeoutError:
            self._note_main_response()
            if self.main_response is None:
                self.result.mark(FAILED, f"no response within {self.options.navigation_timeout:g}s")
                return None
            self.result.mark(PARTIAL, f"page did not finish loading within {self.options.navigation_timeout:g}s")
            return time.monotonic()
        except PlaywrightError as exc:
            self._note_main_response()
            if self.main_response is not None and _is_download(str(exc)):
                self.download = True  # nothing rendered: the file is fetched directly in _after_load
                return time.monotonic()
            self.result.mark(FAILED, explain_net_error(str(exc)))
            return None

    def _note_main_response(self) -> None:
        response = self.main_response
        if response is None:
            return
        self.result.final_url = response.url
        self.result.status = response.status
        self.result.content_type = response.headers.get("content-type")

    def _is_html(self) -> bool:
        mime = (self.result.content_type or "").split(";")[0].strip().lower()
        return mime in HTML_TYPES

    async def _after_load(self, loaded_at: float) -> None:
        assert self.page is not None
        status = self.result.status
        if status is not None and status >= 400:
            self.result.warnings.append(f"the server answered HTTP {status}")
        if self.download:
            self.result.notes.append(f"the browser took this page as a download ({self.result.content_type})")
        else:
            await self._screenshot_viewport()
        if self._is_html():
            self.result.behaviours = await run_behaviours(self.page, self.network, self.options, loaded_at,
                                                           self.recorder.complete_urls)
            self.result.behaviours.ran.insert(0, "eager-loading")  # the init script installed in _open
            if self.result.behaviours.timed_out:
                self.result.mark(PARTIAL, f"behaviours ran out of time after {self.options.behaviour_timeout:g}s")
            if self.result.behaviours.scroll.stopped_by == "max_steps":
                self.result.warnings.append(f"scrolling stopped after {self.options.max_scroll_steps} steps")
        else:
            self.result.notes.append(f"not an HTML page ({self.result.content_type}): behaviours skipped")
        await self._fetch_whole_files()

    async def _fetch_whole_files(self) -> None:
        """Get one complete copy of media seen only as 206 pieces, and of documents a viewer replaced."""
        assert self.page is not None
        await self.network.wait_for_quiet(self.options.network_quiet, self.options.quiet_timeout)
        await self.recorder.drain()
        targets = [url for url in self.recorder.partial_media if url not in self.recorder.complete_urls]
        final = self._final_url()
        if self.main_response is not None and final not in self.recorder.complete_urls and not self._is_html():
            targets.append(final)
        if not targets:
            return
        if not self.download:
            try:
                await self.page.evaluate(script("fetch_direct"), [targets, DIRECT_FETCH_TIMEOUT_MS])
            except PlaywrightError as exc:
                self.result.warnings.append(f"direct fetch failed: {first_line(str(exc))}")
            await self.network.wait_for_quiet(self.options.network_quiet, self.options.quiet_timeout)
            await self.recorder.drain()
            if final in targets and final in self.recorder.complete_urls:
                self.result.notes.append("the file itself was fetched again from the page (Chromium showed it in a viewer)")
        if final in targets and final not in self.recorder.complete_urls:
            await self._fetch_outside_browser(final)

    async def _fetch_outside_browser(self, url: str) -> None:
        """A download never reaches a page, and a fetch from a blank page is aborted: ask Playwright's client."""
        assert self.context is not None
        problem = await self.guard.problem(url)
        if problem:  # Playwright's client is not routed: the guard must be asked here
            self.guard.note(url, problem, "before connecting (download)")
            return
        try:
            exchange = await fetch_outside_browser(self.context, url, self.options.user_agent or self.browser_info.user_agent,
                                                   DIRECT_FETCH_TIMEOUT_MS / 1000)
        except PlaywrightError as exc:
            self.result.warnings.append(f"could not fetch the file itself: {first_line(str(exc))}")
            return
        self.recorder.accept(exchange)
        self.result.notes.append("the file itself was fetched outside the browser (Playwright's HTTP client, "
                                 "HTTP/1.1); its request record holds the headers archiver sent")

    async def _screenshot_viewport(self) -> None:
        assert self.devtools is not None
        try:
            shot = await viewport_screenshot(self.devtools, self._screenshot_timeout())
        except (PlaywrightError, asyncio.TimeoutError) as exc:
            self.result.warnings.append(f"viewport screenshot failed: {_step_failure(exc)}")
            return
        self._save_screenshot(shot, "viewport.png", "screenshot_viewport", "urn:view:")

    def _screenshot_timeout(self) -> float:
        return SCREENSHOT_TIMEOUT if self.loaded else UNLOADED_SCREENSHOT_TIMEOUT

    def _save_screenshot(self, shot: Screenshot, name: str, role: str, urn_prefix: str) -> None:
        path = self.page_dir / name
        path.write_bytes(shot.png)
        self.result.files.append(ArtifactFile(path, role))
        self.result.screenshots[shot.kind] = {"path": path.relative_to(self.job.output_dir).as_posix(),
                                              **shot.describe(), "urn": urn_prefix + self._final_url()}
        self.pending_resources.append((urn_prefix + self._final_url(), "image/png", shot.png))

    async def _finish(self) -> None:
        """Always: full-page screenshot, DOM, TLS, then close the browser context and the WARC."""
        if self.page is not None and self.result.final_url and not self.download:
            await self._record_rendered_page()
        elif self.main_response is not None:
            self.result.server = await self._describe_server()
        await self._close_context()
        self._complete_media_fallback()
        self._summarize()
        self._write_capture_records()
        for path in reversed(self.writer.close()):
            self.result.files.insert(0, ArtifactFile(path, "warc"))
        shutil.rmtree(self.page_dir / ".bodies", ignore_errors=True)  # large bodies not stored (repeats, pieces)
        await self._extract_metadata()
        self.result.counts["records_written"] = self.writer.records_written
        self.result.counts["warc_files"] = len(self.writer.files)
        self.result.ended_at = datetime.now(timezone.utc)

    async def _record_rendered_page(self) -> None:
        assert self.page is not None and self.tls is not None and self.devtools is not None
        try:
            self.result.title = await asyncio.wait_for(self.page.title(), FINISH_STEP_TIMEOUT)
            self.result.final_url = self.page.url if self.page.url.startswith("http") else self.result.final_url
        except (PlaywrightError, asyncio.TimeoutError):
            pass  # a page whose script never yields: it keeps its title unknown
        if self.result.final_url and self._is_html():
            await self._capture_dom()
        try:
            self.full_page = await full_page_screenshot(self.page, self.devtools,
                                                        self.options.max_screenshot_height, self._screenshot_timeout())
            self._save_screenshot(self.full_page, "fullpage.png", "screenshot_full_page", "urn:fullPage:")
            if self.full_page.capped:
                self.result.warnings.append(
                    f"full-page screenshot capped at {self.options.max_screenshot_height}px "
                    f"(page is {self.full_page.page_height}px tall)")
        except (PlaywrightError, asyncio.TimeoutError) as exc:
            self.result.warnings.append(f"full-page screenshot failed: {_step_failure(exc)}")
        try:
            self.result.tls = await asyncio.wait_for(self.tls.details(self.result.final_url or self.job.url),
                                                     FINISH_STEP_TIMEOUT)
        except asyncio.TimeoutError:
            self.result.warnings.append("the TLS details did not come in time")
        self.result.server = await self._describe_server()

    async def _describe_server(self) -> dict[str, Any] | None:
        """Address and protocol of the server that answered the page's own request."""
        response = self.main_response
        if response is None:
            return None
        try:
            address = await response.server_addr()
            security = await response.security_details()
            http_version = await response.http_version()
        except PlaywrightError:
            return None
        return {
            "ip": address["ipAddress"] if address else None,
            "port": address["port"] if address else None,
            "protocols": warc_protocols(http_version, security.get("protocol") if security else None),
        }

    async def _capture_dom(self) -> None:
        assert self.page is not None
        try:
            dom = await asyncio.wait_for(self.page.content(), FINISH_STEP_TIMEOUT)
            text = await asyncio.wait_for(
                self.page.evaluate("() => document.body ? document.body.innerText : ''"), FINISH_STEP_TIMEOUT)
        except (PlaywrightError, asyncio.TimeoutError) as exc:
            self.result.warnings.append(f"could not read the rendered DOM: {_step_failure(exc)}")
            return
        self.dom, self.text = dom, text
        for name, role, content_type, content in (("dom.html", "dom", "text/html", dom),
                                                  ("text.txt", "text", "text/plain", text)):
            path = self.page_dir / name
            path.write_text(content, encoding="utf-8")
            self.result.files.append(ArtifactFile(path, role))
            self.pending_resources.append((f"urn:{role}:{self._final_url()}", f"{content_type}; charset=utf-8",
                                            content.encode("utf-8")))

    async def _close_context(self) -> None:
        if self.context is None:
            return
        try:
            await self.network.wait_for_quiet(self.options.network_quiet, min(2.0, self.options.quiet_timeout))
            await self.recorder.drain()
            # Closing the context ends the DevTools session too (detaching it first can hang
            # for as long as a stalled navigation does).
            await self.context.close()
        except PlaywrightError:
            pass
        await self.recorder.drain(timeout=5.0)

    async def _extract_metadata(self) -> None:
        """What the article says about itself and who took its pictures, read back from the WARC."""
        if not self._is_html() or self._final_url() not in self.document_hashes:
            return
        try:
            # CPU-bound parsing: in a thread, so pages captured alongside keep their event loop
            extracted = await asyncio.to_thread(extract, self.writer.files, self._final_url(), self.dom)
        except Exception as exc:  # noqa: BLE001 - the capture itself is sound; say what failed and keep it
            self.result.warnings.append(f"metadata extraction failed: {type(exc).__name__}: {exc}")
            return
        self.result.article = extracted["article"]
        self.result.images = extracted["images"]
        self.result.images_left_out = extracted["images_left_out"]

    def _complete_media_fallback(self) -> None:
        """Media with no complete copy: keep the pieces we have rather than nothing, and say so."""
        refetched, kept_pieces = [], []
        for url, pieces in self.recorder.partial_media.items():
            if url in self.recorder.complete_urls:
                refetched.append(url)
                continue
            for piece in pieces:
                self.recorder.write(piece)
            kept_pieces.append(url)
        if refetched or kept_pieces:
            self.result.media = {"refetched_whole": refetched, "kept_206_pieces": kept_pieces}
        for url in kept_pieces:
            self.result.warnings.append(f"only partial (206) copies of {url} could be recorded")

    def _write_capture_records(self) -> None:
        """Screenshots, DOM and certificates as resource records; the capture's facts as metadata."""
        main_id = self.record_ids.get(self._final_url())
        for uri, content_type, payload in self.pending_resources:
            self.writer.write_resource(uri, content_type, payload, concurrent_to=main_id)
        tls = self.result.tls or {}
        if tls.get("chain_pem"):
            self.writer.write_resource("urn:certificates:" + self._final_url(), "application/x-pem-file",
                                       "".join(tls["chain_pem"]).encode("ascii"), concurrent_to=main_id)
        self.writer.write_metadata(self._final_url(), self._metadata_fields(), refers_to=main_id)

    def _metadata_fields(self) -> list[tuple[str, str]]:
        result, tls = self.result, self.result.tls or {}
        fields = [
            ("capture-id", result.capture_id),
            ("page-id", result.page_id),
            ("requested-url", result.requested_url),
            ("final-url", result.final_url or ""),
            ("http-status", str(result.status or "")),
            ("state", result.state),
            ("reason", result.reason or ""),
            ("browser", f"Chromium {self.browser_info.version}"),
            ("user-agent", self.options.user_agent or self.browser_info.user_agent),
            ("server-ip", (result.server or {}).get("ip") or ""),
        ]
        for key in ("protocol", "cipher", "key_exchange", "issuer", "subject", "valid_from", "valid_to"):
            if tls.get(key):
                fields.append((f"tls-{key.replace('_', '-')}", str(tls[key])))
        for cert in tls.get("chain", []):
            fields.append(("tls-certificate-sha256", cert["sha256_fingerprint"]))
        if result.behaviours:
            fields.append(("behaviours", json.dumps(result.behaviours.to_dict(), separators=(",", ":"))))
        for failure in result.failed_requests[:200]:
            fields.append(("failed-request", f"{failure['method']} {failure['url']} {failure['error']}"))
        return [(k, v) for k, v in fields if v]

    def _summarize(self) -> None:
        result, recorder = self.result, self.recorder
        result.failed_requests = [f.to_dict() for f in recorder.failed]
        document = self.document_hashes.get(self._final_url())
        if document is not None:
            result.content_hashes["document_sha256"] = document
        elif result.state != FAILED and result.final_url:
            result.mark(PARTIAL, "the page's own document could not be recorded")
        if self.dom is not None:
            result.content_hashes["dom_sha256"] = sha256_bytes(self.dom.encode("utf-8"))
        if self.text is not None:
            result.content_hashes["text_sha256"] = sha256_bytes(" ".join(self.text.split()).encode("utf-8"))
        result.counts = {
            "requests": self.network.requests_started,
            "exchanges_written": recorder.counts["exchanges_written"],
            "failed_requests": len(recorder.failed),
            "partial_media_pieces": recorder.counts["partial_media_pieces"],
            "duplicates_skipped": recorder.counts["duplicates_skipped"],
            "not_modified_skipped": recorder.counts["not_modified_skipped"],
            "synthetic_skipped": recorder.counts["synthetic_skipped"],
            "blocked_requests": len(self.guard.blocked),
        }
        result.network_guard = self.guard.summary()
        result.large_bodies = recorder.large_bodies
        for body in recorder.large_bodies:
            if body["truncated"]:
                result.warnings.append(f"{body['url']} stored cut at {body['stored']} bytes of "
                                       f"{body['size']} (--max-body-size)")


async def capture_page(browser: Browser, browser_info: BrowserInfo, job: CaptureJob) -> PageResult:
    """Capture `job.url` into `job.output_dir`; never raises for the page's own failures."""
    return await _PageCapture(browser, browser_info, job).run()
