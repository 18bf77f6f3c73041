"""The archiving benchmark: archiver against a plain browser visit, concurrency, memory, and wget.

Runs against the test fixture site on 127.0.0.1 (tests/fixture_site.py), prints a table, writes
it to bench-results.md (or the path given). Timings are wall-clock on this machine; run it on an
otherwise idle machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

from archiver.browser.behaviours import run_behaviours
from archiver.browser.launch import find_browser, launch
from archiver.browser.network import NetworkActivity
from archiver.options import CaptureOptions
from archiver.run.batch import RunSettings, capture_urls
from tests.support import hooks
from tests.support.fixture_site import FixtureApp, ServerThread
from tests.support.news_pages import PAGES
from tests.support.warcs import read_records, records_of

ROOT = Path(__file__).resolve().parent.parent
hooks.install()  # the bench's pages are on loopback: no name is resolved through DNS

LOOPBACK_ONLY = '--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"'
OPTIONS = CaptureOptions(settle_after_load=1.0, network_quiet=0.3)
TARGETS = {"overhead_ratio": 1.3, "concurrency_speedup": 2.5, "memory_added_mb": 100, "queue_overhead_percent": 5}


def pages(site_url: str) -> list[str]:
    """The fixture article and the CMS-style pages, twice over (as a day's list would repeat a site)."""
    single = [site_url + "/article"] + [site_url + f"/cms/{name}" for name in PAGES]
    return single + [url + "?again" for url in single]


async def plain_visits(urls: list[str]) -> list[float]:
    """Each page loaded and scrolled with the same behaviours, nothing recorded."""
    times = []
    async with async_playwright() as playwright:
        browser, info = await launch(playwright, find_browser(playwright))
        for url in urls:
            started = time.monotonic()
            context = await browser.new_context(viewport={"width": 1280, "height": 800}, user_agent=info.user_agent)
            network = NetworkActivity(stale_after=OPTIONS.quiet_timeout)
            network.attach(context)
            page = await context.new_page()
            await page.goto(url, wait_until="load")
            await run_behaviours(page, network, OPTIONS, time.monotonic())
            await context.close()
            times.append(time.monotonic() - started)
        await browser.close()
    return times


async def archived(urls: list[str], output: Path, concurrency: int = 1) -> tuple[float, list[float]]:
    started = time.monotonic()
    outcome = await capture_urls(urls, output, OPTIONS, settings=RunSettings(concurrency=concurrency, resume=False))
    total = time.monotonic() - started
    per_page = [(r.ended_at - r.started_at).total_seconds() for r in outcome.results if r.ended_at]
    assert all(r.state == "complete" for r in outcome.results), [(r.requested_url, r.reason) for r in outcome.results]
    return total, per_page


def peak_memory(url: str) -> dict[str, float]:
    """Peak resident memory (MB) of a capture of `url`, run in its own process: archiver's Python and
    Playwright's driver."""
    code = f"""
import asyncio, json, resource, tempfile, threading, time, os
from pathlib import Path
from archiver.options import CaptureOptions
from archiver.run.batch import RunSettings, capture_urls

driver_peak = [0]
def watch():
    while True:
        for pid in os.listdir('/proc'):
            if pid.isdigit():
                try:
                    cmd = open(f'/proc/{{pid}}/cmdline','rb').read()
                    if b'playwright' in cmd and b'node' in cmd and str(os.getpid()).encode():
                        for line in open(f'/proc/{{pid}}/status'):
                            if line.startswith('VmHWM'):
                                driver_peak[0] = max(driver_peak[0], int(line.split()[1]))
                except OSError:
                    pass
        time.sleep(0.2)
threading.Thread(target=watch, daemon=True).start()
asyncio.run(capture_urls([{url!r}], Path(tempfile.mkdtemp()),
            CaptureOptions(settle_after_load=1.0, network_quiet=0.3, max_body_size=300 << 20),
            settings=RunSettings(resume=False)))
time.sleep(0.5)
print(json.dumps({{"python_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "driver_mb": driver_peak[0] / 1024}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def wget(urls: list[str], workdir: Path) -> tuple[float, dict[str, int]]:
    """wget --warc-file with page requisites: its time and how many distinct URLs it got per page."""
    got = {}
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    for index, url in enumerate(urls):
        prefix = workdir / f"wget-{index}"
        subprocess.run(
            [
                "wget",
                "--quiet",
                "--page-requisites",
                "--no-verbose",
                f"--warc-file={prefix}",
                "--no-warc-compression",
                "-e",
                "robots=off",
                "-P",
                str(workdir / f"files-{index}"),
                url,
            ],
            capture_output=True,
        )
        got[url] = len(
            {r.uri for r in read_records(workdir / f"wget-{index}.warc") if r.type == "response" and r.status == 200}
        )
    return time.monotonic() - started, got


def our_counts(output: Path, urls: list[str]) -> dict[str, int]:
    counts = {}
    for manifest_path in output.glob("*/manifest.json"):
        for page in json.loads(manifest_path.read_text())["pages"]:
            folder = manifest_path.parent / page["capture_id"]
            counts[page["requested_url"]] = len(
                {r.uri for r in records_of(folder) if r.type == "response" and r.status == 200}
            )
    return {url: counts.get(url, 0) for url in urls}


CLI_OPTIONS = ["--settle", str(OPTIONS.settle_after_load), "--network-quiet", str(OPTIONS.network_quiet)]
ARCHIVER = [sys.executable, "-m", "tests.support.run_archiver"]  # with the hooks: no DNS, as above


def capture_span(output: Path) -> float:
    """Seconds from the first page's start to the last page's end, over every manifest in `output`:
    the capturing itself, with whatever happens between pages (for workers: taking the job, staging,
    the commit), but not the start of the processes and their browsers."""
    from datetime import datetime

    starts, ends = [], []
    for manifest_path in output.glob("*/manifest.json"):
        for page in json.loads(manifest_path.read_text())["pages"]:
            assert page["state"] == "complete", (page["requested_url"], page["reason"])
            starts.append(datetime.fromisoformat(page["started_at"].replace("Z", "+00:00")))
            ends.append(datetime.fromisoformat(page["ended_at"].replace("Z", "+00:00")))
    return (max(ends) - min(starts)).total_seconds()


def by_capture(urls: list[str], output: Path, concurrency: int) -> tuple[float, float]:
    """`archiver capture --concurrency N`, as a user runs it: wall time, and the capturing span."""
    started = time.monotonic()
    subprocess.run(
        [*ARCHIVER, "capture", "--output", str(output), "--concurrency", str(concurrency), *CLI_OPTIONS, *urls],
        check=True,
        capture_output=True,
    )
    return time.monotonic() - started, capture_span(output)


def by_workers(
    urls: list[str], output: Path, workers: int, concurrency: int, redis_folder: Path
) -> tuple[float, float]:
    """The same pages queued, then `workers` worker processes (`--concurrency` each) started with
    --until-empty: wall time from queueing to the last worker's exit, and the capturing span."""
    from tests.support.queue_support import RedisServer

    redis_server = RedisServer(redis_folder).start()
    try:
        started = time.monotonic()
        subprocess.run(
            [*ARCHIVER, "queue", "add", "--redis", redis_server.url, *CLI_OPTIONS, *urls],
            check=True,
            capture_output=True,
        )
        running = [
            subprocess.Popen(
                [
                    ARCHIVER,
                    "worker",
                    "--redis",
                    redis_server.url,
                    "--output",
                    str(output),
                    "--concurrency",
                    str(concurrency),
                    "--until-empty",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        assert [process.wait() for process in running] == [0] * workers
        return time.monotonic() - started, capture_span(output)
    finally:
        redis_server.stop()


def queue_section(urls: list[str], work: Path, say: Any, repeats: int = 3) -> None:
    """Per N pages at once: capture -j N, one worker -j N (the queue's own cost: same browser, same
    concurrency) and N worker processes (the scale-out shape: N browsers, here on the same cores).
    Each is run `repeats` times, interleaved, and the median is reported: runs differ by about 5%."""
    say(
        "| pages at once | capture -j N | 1 worker -j N | N workers | 1 worker -j N vs capture | N workers vs capture |"
    )
    say("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in (1, 2, 3):
        runs: dict[str, list[tuple[float, float]]] = {"capture": [], "one": [], "many": []}
        for attempt in range(repeats):
            runs["capture"].append(by_capture(urls, work / f"capture-j{n}-{attempt}", n))
            runs["one"].append(by_workers(urls, work / f"one-j{n}-{attempt}", 1, n, work / f"redis-one-{n}-{attempt}"))
            runs["many"].append(
                by_workers(urls, work / f"many-{n}-{attempt}", n, 1, work / f"redis-many-{n}-{attempt}")
            )
        total = {name: statistics.median(t for t, _ in timed) for name, timed in runs.items()}
        span = {name: statistics.median(s for _, s in timed) for name, timed in runs.items()}
        cell = {name: f"{len(urls) / total[name] * 60:.1f}/min, {span[name] / len(urls):.2f} s/page" for name in runs}
        added = {name: (span[name] / span["capture"] - 1) * 100 for name in ("one", "many")}
        say(
            f"| {n} | {cell['capture']} | {cell['one']} | {cell['many']} | {added['one']:+.1f}% "
            f"| {added['many']:+.1f}% |"
        )
    say(
        f"(median of {repeats} interleaved runs each. pages/min: wall time, with each process and browser starting; "
        f"s/page: from the first page's start to the last page's end, divided by the pages. Target: the queue adds "
        f"< {TARGETS['queue_overhead_percent']}% to the time of a page at the same concurrency.)"
    )


def main() -> None:
    arguments = [a for a in sys.argv[1:] if a != "--queue"]
    only_queue = "--queue" in sys.argv[1:]
    report_path = Path(arguments[0]) if arguments else ROOT / "bench-results.md"
    os.environ["ARCHIVER_BROWSER_ARGS"] = (os.environ.get("ARCHIVER_BROWSER_ARGS", "") + " " + LOOPBACK_ONLY).strip()
    app = FixtureApp()
    server = ServerThread(app).start()
    app.embed_origin = f"http://localhost:{server.port}"
    site = f"http://127.0.0.1:{server.port}"
    urls = pages(site)
    work = Path(tempfile.mkdtemp(prefix="archiver-bench-"))
    lines: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    try:
        say(f"# archiver benchmark ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores)")
        say(f"{len(urls)} fixture pages; settle {OPTIONS.settle_after_load}s, network quiet {OPTIONS.network_quiet}s")
        say()
        if only_queue:
            queue_section(urls, work, say)
            return
        plain = asyncio.run(plain_visits(urls))
        total1, captured = asyncio.run(archived(urls, work / "c1", 1))
        ratio = sum(captured) / sum(plain)
        say("| page | plain visit (s) | archived (s) | ratio |")
        say("| --- | ---: | ---: | ---: |")
        for url, p, c in zip(urls, plain, captured, strict=True):
            say(f"| {url.replace(site, '')} | {p:.2f} | {c:.2f} | {c / p:.2f} |")
        say(
            f"| **all** | {sum(plain):.2f} | {sum(captured):.2f} | **{ratio:.2f}** (target <= {TARGETS['overhead_ratio']}) |"
        )
        say()
        rates = {1: len(urls) / total1 * 60}
        for n in (2, 4):
            total, _ = asyncio.run(archived(urls, work / f"c{n}", n))
            rates[n] = len(urls) / total * 60
        say("| concurrency | pages/minute | speed-up |")
        say("| ---: | ---: | ---: |")
        for n, rate in rates.items():
            say(f"| {n} | {rate:.1f} | {rate / rates[1]:.2f}x |")
        say(f"(target: concurrency 4 >= {TARGETS['concurrency_speedup']}x concurrency 1)")
        say()
        base = peak_memory(site + "/embed/widget.html")
        big = peak_memory(site + "/big-page-200")
        added = big["python_mb"] - base["python_mb"]
        say("| peak memory (MB) | archiver (Python) | Playwright driver |")
        say("| --- | ---: | ---: |")
        say(f"| small page | {base['python_mb']:.0f} | {base['driver_mb']:.0f} |")
        say(f"| page fetching a 200 MB response | {big['python_mb']:.0f} | {big['driver_mb']:.0f} |")
        say(f"| added by the 200 MB response | **{added:.0f}** | {big['driver_mb'] - base['driver_mb']:.0f} |")
        say(f"(target: < {TARGETS['memory_added_mb']} MB added)")
        say()
        wget_time, wget_got = wget(urls, work / "wget")
        ours = our_counts(work / "c1", urls)
        say("| page | wget responses (200) | archiver responses (200) |")
        say("| --- | ---: | ---: |")
        for url in urls:
            say(f"| {url.replace(site, '')} | {wget_got[url]} | {ours[url]} |")
        say(f"| **time for all pages** | {wget_time:.1f} s | {sum(captured):.1f} s |")
        say()
        queue_section(urls, work, say)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    report_path.write_text("\n".join(lines) + "\n")
    print(f"\nwritten to {report_path}")


if __name__ == "__main__":
    main()
