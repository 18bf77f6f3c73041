"""A reader's visit, the floor a capture is measured against (run by scripts/bench.py, not a test).

`python scripts/bench_visit.py [--concurrency N] [--settle S] URL...` starts the same Chromium with
the same flags and user agent as `archiver capture`, and for each page (N at once): a new context of
the same viewport, `goto` until the load event, archiver's own scrolling (the same steps, pauses and
waits for a quiet network, again while the page grows), staying until --settle seconds after load,
back to the top, and the context closed. Nothing is recorded, no screenshot is taken, no image the
page did not load is fetched. Prints one JSON line: each page's seconds, in the order given.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from playwright.async_api import Browser, async_playwright

from archiver.browser.behaviours import run_behaviours
from archiver.browser.launch import BrowserInfo, find_browser, launch
from archiver.browser.network import NetworkActivity
from archiver.options import CaptureOptions


async def visit(browser: Browser, info: BrowserInfo, url: str, options: CaptureOptions) -> float:
    started = time.monotonic()
    context = await browser.new_context(
        viewport={"width": options.viewport_width, "height": options.viewport_height}, user_agent=info.user_agent
    )
    network = NetworkActivity(stale_after=options.quiet_timeout)
    network.attach(context)
    page = await context.new_page()
    await page.goto(url, wait_until="load", timeout=options.navigation_timeout * 1000)
    await run_behaviours(page, network, options, time.monotonic())
    await context.close()
    return time.monotonic() - started


async def visit_all(urls: list[str], concurrency: int, options: CaptureOptions) -> list[float]:
    async with async_playwright() as playwright:
        browser, info = await launch(playwright, find_browser(playwright))
        slots = asyncio.Semaphore(concurrency)

        async def one(url: str) -> float:
            async with slots:
                return await visit(browser, info, url, options)

        times = await asyncio.gather(*(one(url) for url in urls))
        await browser.close()
    return list(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", "-j", type=int, default=1)
    parser.add_argument("--settle", type=float, default=CaptureOptions().settle_after_load)
    parser.add_argument("urls", nargs="+")
    arguments = parser.parse_args()
    # Archiver's scrolling without its autofetch (a reader's browser loads only what the page asks for).
    options = CaptureOptions(settle_after_load=arguments.settle, autofetch=False)
    print(json.dumps(asyncio.run(visit_all(arguments.urls, arguments.concurrency, options))))


if __name__ == "__main__":
    main()
