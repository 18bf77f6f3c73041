"""Find a Chromium and launch it the way an archiving browser should run."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Browser, Playwright
from playwright.sync_api import Playwright as SyncPlaywright

from archiver.errors import BrowserNotFound

BROWSER_ENV = "ARCHIVER_BROWSER"
EXTRA_ARGS_ENV = "ARCHIVER_BROWSER_ARGS"  # more Chromium flags, e.g. a proxy or host-resolver rules
PLAYWRIGHT_PIPE_FLAG = b"--remote-debugging-pipe"  # on every browser Playwright launches
SYSTEM_BROWSERS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
)

# Without the first group Chromium keeps calling Google's services, which a closed network refuses
# and which would otherwise show up as noise beside the page's own traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    # HttpsUpgrades would silently try https:// for an http:// seed; Translate and MediaRouter
    # phone home. None of them is part of what a reader's page loads.
    "--disable-features=HttpsUpgrades,Translate,MediaRouter,PaintHolding",
    # WebRTC sends UDP (STUN, media), which no SOCKS proxy carries: it would reach any address
    # around the network guard. Only proxied traffic, so every connection is checked.
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
]

NO_BROWSER_HELP = (
    "no Chromium found: install one (Debian/Ubuntu: `apt-get install chromium`; "
    "elsewhere: `playwright install chromium`), or pass --browser PATH or set ARCHIVER_BROWSER"
)


@dataclass(frozen=True)
class BrowserInfo:
    executable: str
    version: str
    user_agent: str  # what the browser sends, after our "Headless" removal
    args: tuple[str, ...] = ()  # the flags it was started with


def browser_args() -> list[str]:
    return CHROMIUM_ARGS + shlex.split(os.environ.get(EXTRA_ARGS_ENV, ""))


def find_browser(playwright: Playwright | SyncPlaywright, explicit: str | None = None) -> str:
    """Path of the Chromium to drive: --browser, then $ARCHIVER_BROWSER, then Playwright's, then the system's."""
    for chosen, origin in ((explicit, "--browser"), (os.environ.get(BROWSER_ENV), BROWSER_ENV)):
        if chosen:
            resolved = shutil.which(chosen) or chosen
            if not Path(resolved).is_file():
                raise BrowserNotFound(f"{origin} names {chosen!r}, which is not a browser executable")
            return resolved
    bundled = _playwright_chromium(playwright)
    if bundled:
        return bundled
    for name in SYSTEM_BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotFound(NO_BROWSER_HELP)


def _playwright_chromium(playwright: Playwright | SyncPlaywright) -> str | None:
    try:
        path = playwright.chromium.executable_path
    except Exception:  # noqa: BLE001 - Playwright raises when its browsers were never installed
        return None
    return path if path and Path(path).is_file() else None


async def launch(playwright: Playwright, executable: str) -> tuple[Browser, BrowserInfo]:
    args = browser_args()
    browser = await playwright.chromium.launch(executable_path=executable, args=args)
    session = await browser.new_browser_cdp_session()
    version = await session.send("Browser.getVersion")
    await session.detach()
    # Many news sites refuse "HeadlessChrome"; the browser is the same Chromium either way.
    user_agent = version["userAgent"].replace("HeadlessChrome", "Chrome")
    return browser, BrowserInfo(executable=executable, version=browser.version, user_agent=user_agent, args=tuple(args))


async def browser_process_id(browser: Browser) -> int | None:
    """The browser process's own id, from the browser: the one process to end when it stops
    answering (its renderers and helpers end with it; Playwright cannot close a browser that hangs)."""
    session = await browser.new_browser_cdp_session()
    try:
        processes = (await session.send("SystemInfo.getProcessInfo"))["processInfo"]
    finally:
        await session.detach()
    return next((int(p["id"]) for p in processes if p.get("type") == "browser"), None)


def end_browser_process(pid: int) -> None:
    """SIGKILL the browser process `pid`, if it is still a browser Playwright drives (an id is
    reused once its process is gone)."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return  # gone already (or no /proc: stopping the driver is all there is)
    if PLAYWRIGHT_PIPE_FLAG not in arguments:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def locate() -> str:
    """The browser `capture` would use, found the same way (for the set-up scripts)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        return find_browser(playwright)


if __name__ == "__main__":  # python -m archiver.browser.launch: print the browser's path, or say why there is none
    import sys

    try:
        print(locate())
    except BrowserNotFound as exc:
        print(f"archiver: {exc}", file=sys.stderr)
        sys.exit(1)
