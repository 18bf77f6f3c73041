"""The browser a run's pages are captured in: launched on first use, and replaced when it is lost.

Each launch has its own Playwright driver. A browser is replaced when a page reports it lost (it
failed under the page, or a page would not close: a renderer stuck in a script can take the whole
browser with it); the next page gets a new one at once, and the old one is ended, with its
driver, once the pages still using it are done: a driver that exits takes its browser's processes
with it, so a browser that will not close cannot cost the next page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Browser, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from archiver.browser.launch import BrowserInfo, browser_process_id, end_browser_process, find_browser, launch

log = logging.getLogger(__name__)

END_TIMEOUT = 15.0  # closing a replaced browser, then its driver, takes no longer


@dataclass
class _Launch:
    playwright: Playwright
    browser: Browser
    info: BrowserInfo
    pid: int | None = None  # the browser process, ended by force when it is lost (it may hang)
    users: int = 0
    lost: bool = False
    ended: asyncio.Event = field(default_factory=asyncio.Event)


@contextlib.contextmanager
def _in_own_session() -> Iterator[None]:
    """Start Playwright's driver (and so the browser) in a session of its own. Ctrl-C at a terminal
    signals the whole foreground process group: the browser would quit under the pages a worker is
    finishing. The driver still exits when its parent dies (its stdin closes), closing the browser."""
    original = asyncio.create_subprocess_exec

    async def in_own_session(*args: Any, **kwargs: Any) -> Any:
        return await original(*args, **{**kwargs, "start_new_session": True})

    asyncio.create_subprocess_exec = in_own_session
    try:
        yield
    finally:
        asyncio.create_subprocess_exec = original


class BrowserHolder:
    def __init__(self, browser_path: str | None = None, own_session: bool = False) -> None:
        self.browser_path = browser_path
        self.own_session = own_session  # a queue worker's: Ctrl-C at its terminal does not reach the browser
        self.executable: str | None = None
        self._current: _Launch | None = None
        self._retired: list[_Launch] = []
        self._ending: set[asyncio.Task[None]] = set()  # replaced browsers being ended meanwhile
        self._lock = asyncio.Lock()
        self._spare: Playwright | None = None  # the driver that located the browser, kept for its first launch

    async def _start_driver(self) -> Playwright:
        with _in_own_session() if self.own_session else contextlib.nullcontext():
            return await async_playwright().start()

    async def locate(self) -> str:
        """The browser's executable, found before anything else is touched (so a missing one is
        said before the output folder is)."""
        if self.executable is None:
            playwright = await self._start_driver()
            try:
                self.executable = find_browser(playwright, self.browser_path)
            except BaseException:
                await playwright.stop()
                raise
            self._spare = playwright  # starting a driver takes a third of a second: the launch uses this one
        return self.executable

    async def _launch(self) -> _Launch:
        executable = await self.locate()
        playwright, self._spare = self._spare or await self._start_driver(), None
        try:
            browser, info = await launch(playwright, executable)
            pid = await browser_process_id(browser)
        except BaseException:
            await playwright.stop()
            raise
        return _Launch(playwright, browser, info, pid)

    async def get(self) -> tuple[Browser, BrowserInfo]:
        """The current browser (launched when there is none, or it was lost)."""
        launch_ = await self._usable(use=False)
        return launch_.browser, launch_.info

    async def _usable(self, use: bool) -> _Launch:
        async with self._lock:
            current = self._current
            if current is None or current.lost or not current.browser.is_connected():
                if current is not None:
                    self._retire(current)
                current = self._current = await self._launch()
            if use:
                current.users += 1  # under the lock: it cannot be ended between being handed out and used
            return current

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[tuple[Browser, BrowserInfo]]:
        """The current browser, for one page: a browser replaced meanwhile is ended once its last page is done."""
        launch_ = await self._usable(use=True)
        try:
            yield launch_.browser, launch_.info
        finally:
            launch_.users -= 1
            if launch_.lost and launch_.users == 0:
                self._end_soon(launch_)  # the next page does not wait for it

    def lost(self, browser: Browser, why: str) -> None:
        """A page found its browser lost: the next page gets a new one."""
        launch_ = self._launch_of(browser)
        if not launch_.lost:
            log.info("browser %s replaced: %s", launch_.info.version, why)
            launch_.lost = True

    def is_lost(self, browser: Browser) -> bool:
        """Whether `browser` was found lost (pages still using it finish; no new page loads in it)."""
        try:
            return self._launch_of(browser).lost
        except LookupError:
            return True

    def _launch_of(self, browser: Browser) -> _Launch:
        for launch_ in [self._current, *self._retired]:
            if launch_ is not None and launch_.browser is browser:
                return launch_
        raise LookupError("a browser this holder did not launch")

    def _retire(self, launch_: _Launch) -> None:
        launch_.lost = True
        self._retired.append(launch_)
        if self._current is launch_:
            self._current = None
        if launch_.users == 0:
            self._end_soon(launch_)

    def _end_soon(self, launch_: _Launch) -> None:
        task = asyncio.ensure_future(self._end(launch_))
        self._ending.add(task)
        task.add_done_callback(self._ending.discard)

    async def _end(self, launch_: _Launch) -> None:
        """Close the browser, then stop its driver. A lost browser is not asked to close: it may
        not answer, and a browser whose own process hangs (a page flooding it) does not even end
        with its driver, so its process is killed first."""
        if launch_.ended.is_set():
            return
        launch_.ended.set()
        if launch_.lost and launch_.pid is not None:
            end_browser_process(launch_.pid)
        closings = (launch_.playwright.stop,) if launch_.lost else (launch_.browser.close, launch_.playwright.stop)
        for closing in closings:
            with contextlib.suppress(PlaywrightError, asyncio.TimeoutError, OSError):
                await asyncio.wait_for(closing(), END_TIMEOUT)
        if launch_ in self._retired:
            self._retired.remove(launch_)

    async def close(self) -> None:
        async with self._lock:
            launches = [launch_ for launch_ in [self._current, *self._retired] if launch_ is not None]
            self._current = None
            spare, self._spare = self._spare, None
        if spare is not None:
            with contextlib.suppress(PlaywrightError, OSError):
                await spare.stop()
        for launch_ in launches:
            await self._end(launch_)
        if self._ending:
            await asyncio.wait(set(self._ending), timeout=2 * END_TIMEOUT)
