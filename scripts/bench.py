"""The archiving benchmark (not a test): `archiver capture` against a reader's visit of the same pages.

Runs on the test fixture site (tests/support/fixture_site.py, on 127.0.0.1), at archiver's default
capture settings, prints a table and writes it to bench-results.md (or the path given). Timings are
wall-clock on this machine; run it on an otherwise idle machine. The sections:

- overhead: `archiver capture` of the batch and a reader's visit of it (scripts/bench_visit.py),
  run alternately, PAIRS times; the median of the ratios, and each page's own median times;
- scaling: the batch three times over (SCALING_COPIES) at 1, 2, 4 and 8 at once (-j N / N contexts at once), pages
  per minute, the speed-up over one at a time, and the capture's speed-up as a share of the visit's;
- cost: CPU seconds and peak memory per page, browser included, at -j 1 and -j 4 (from the
  scaling runs), and memory over a 300-page batch at -j 4 (no growth from page to page);
- big response: what a page that fetches a 200 MB response adds to each process's peak memory,
  against a small page, in a capture and in a visit;
- wget: `wget --warc-file --page-requisites` on the batch, and the responses it gets;
- `--queue` (only when asked, it takes a quarter of an hour): queue workers against capture -j N.
`--only overhead,scaling,memory,big,wget` runs those sections alone.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archiver.times import parse_iso
from scripts.bench_procs import Cost, become_subreaper, measure
from tests.support import hooks
from tests.support.fixture_site import FixtureApp, ServerThread
from tests.support.warcs import read_records, records_of

ROOT = Path(__file__).resolve().parent.parent
hooks.install()  # the bench's pages are on loopback: no name is resolved through DNS

LOOPBACK_ONLY = '--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"'
TARGETS = {"overhead_ratio": 1.10, "scaling_share": 0.95, "memory_added_mb": 10.0, "queue_overhead_percent": 5}
PAIRS = 3
SCALING = (1, 2, 4, 8)
SCALING_COPIES = 3  # 24 pages: enough that pages per minute, not the last page's length, decide
FLAT_BATCH = 300
ARCHIVER = [sys.executable, "-m", "tests.support.run_archiver"]  # with the hooks: no DNS, as above
VISIT = [sys.executable, str(ROOT / "scripts" / "bench_visit.py")]
CLI_OPTIONS: list[str] = []  # archiver's defaults: what users run, and what the goals are stated at
Say = Callable[[str], None]
# Three of the CMS pages are short enough to be 'partial' (no-article-text): archiver then exits 1.
PARTIAL_EXIT = (0, 1)

# Pages of different shapes: what a capture must wait for differs on each.
BATCH = (
    "/article",  # lazy and srcset images, a timer's image, an iframe, more stories on scroll, audio
    "/cms/infinite",  # infinite scroll
    "/cms/wp-classic",  # CMS articles: figures with captions and credits
    "/cms/wp-block",
    "/cms/jsonld-credit",
    "/cms/agencies",
    "/cms/js-edited",  # edited by script after load
    "/tall?h=12000",  # a long page: many scroll steps
)


def batch(site: str, copies: int = 1, together: bool = True) -> list[str]:
    """The batch, each page `copies` times (as a day's list repeats a site: a later copy's images are
    revisits of the first's). `together`: the copies of a page one after the other, so that with N
    at once the long pages start first and the batch's end is not one long page alone (for both
    sides alike); otherwise the batch over and over."""
    pairs = [(path, n) for path in BATCH for n in range(copies)]
    if not together:
        pairs = [(path, n) for n in range(copies) for path in BATCH]
    return [f"{site}{path}{'&' if '?' in path else '?'}n={n}" if n else site + path for path, n in pairs]


def capture(urls: list[str], output: Path, concurrency: int = 1) -> tuple[Cost, list[float]]:
    """`archiver capture` as a user runs it: its cost, and each page's seconds (from its manifest)."""
    command = [*ARCHIVER, "capture", "--output", str(output), "-j", str(concurrency), *CLI_OPTIONS, *urls]
    cost = measure(command, allowed=PARTIAL_EXIT)
    return cost, page_seconds(output, urls)


def visit(urls: list[str], concurrency: int = 1) -> tuple[Cost, list[float]]:
    cost = measure([*VISIT, "-j", str(concurrency), *urls])
    return cost, json.loads(cost.stdout.strip().splitlines()[-1])


def stored_pages(output: Path) -> list[dict[str, Any]]:
    return [page for path in output.glob("*/manifest.json") for page in json.loads(path.read_text())["pages"]]


def page_seconds(output: Path, urls: list[str]) -> list[float]:
    pages = {page["requested_url"]: page for page in stored_pages(output)}
    failed = [url for url in urls if pages.get(url, {}).get("state") not in ("complete", "partial")]
    assert not failed, f"not captured: {failed}"
    return [_own_seconds(pages[url]) for url in urls]


def _own_seconds(page: dict[str, Any]) -> float:
    """A page's seconds from its start to its end, but for the time its open context waited for
    its turn to load (while the pages before it loaded)."""
    waited = sum(step["seconds"] for step in page.get("steps", []) if step["name"] == "wait_for_turn")
    return (parse_iso(page["ended_at"]) - parse_iso(page["started_at"])).total_seconds() - waited


def overhead_section(site: str, work: Path, say: Say) -> None:
    urls = batch(site)
    ratios, captured, visited = [], [], []
    for attempt in range(PAIRS):
        cap, cap_pages = capture(urls, work / f"overhead-{attempt}")
        vis, vis_pages = visit(urls)
        ratios.append(cap.wall_seconds / vis.wall_seconds)
        captured.append((cap.wall_seconds, cap_pages))
        visited.append((vis.wall_seconds, vis_pages))
    say(f"### Overhead: `archiver capture` against a reader's visit ({len(urls)} pages, one at a time)")
    say("")
    say("| page | visit (s) | capture (s) | ratio |")
    say("| --- | ---: | ---: | ---: |")
    for index, url in enumerate(urls):
        v = statistics.median(pages[index] for _, pages in visited)
        c = statistics.median(pages[index] for _, pages in captured)
        say(f"| {url.replace(site, '')} | {v:.2f} | {c:.2f} | {c / v:.2f} |")
    v_total = statistics.median(total for total, _ in visited)
    c_total = statistics.median(total for total, _ in captured)
    say(
        f"| **the whole command** (start to exit) | {v_total:.2f} | {c_total:.2f} | "
        f"**{statistics.median(ratios):.3f}** (target <= {TARGETS['overhead_ratio']}) |"
    )
    say("")
    say(
        f"(median of {PAIRS} pairs run alternately; ratios of the pairs: {', '.join(f'{r:.3f}' for r in ratios)}. "
        "A page's own seconds: the capture's from its manifest (context opened to records written, less the "
        "time its open context waited for the page before it to load: pages overlap), the visit's from a new "
        "context to its close.)"
    )
    say("")


def scaling_section(site: str, work: Path, say: Say) -> dict[int, tuple[Cost, Cost]]:
    urls = batch(site, copies=SCALING_COPIES)
    runs: dict[int, tuple[Cost, Cost]] = {}
    for n in SCALING:
        cap, _ = capture(urls, work / f"scaling-{n}", n)
        vis, _ = visit(urls, n)
        runs[n] = (cap, vis)
    say(f"### Scaling: {len(urls)} pages, N at once")
    say("")
    say("| N | capture pages/min | visit pages/min | capture speed-up | visit speed-up | share of the visit's |")
    say("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, (cap, vis) in runs.items():
        cap_up = runs[1][0].wall_seconds / cap.wall_seconds
        vis_up = runs[1][1].wall_seconds / vis.wall_seconds
        target = f" (target >= {TARGETS['scaling_share']:.0%})" if n in (2, 4) else ""
        say(
            f"| {n} | {len(urls) / cap.wall_seconds * 60:.1f} | {len(urls) / vis.wall_seconds * 60:.1f} "
            f"| {cap_up:.2f}x | {vis_up:.2f}x | **{cap_up / vis_up:.0%}**{target} |"
        )
    say("")
    say("(wall time of each whole command, start to exit, one run each.)")
    say("")
    return runs


def cost_section(runs: dict[int, tuple[Cost, Cost]], pages: int, say: Say) -> None:
    say("### Cost per page, browser included")
    say("")
    say(
        "| N at once | capture CPU s/page | visit CPU s/page | capture peak MB | visit peak MB | capture peak MB per page at once |"
    )
    say("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in (1, 4):
        if n in runs:
            cap, vis = runs[n]
            say(
                f"| {n} | {cap.cpu_seconds / pages:.2f} | {vis.cpu_seconds / pages:.2f} | {cap.peak_tree_mb:.0f} "
                f"| {vis.peak_tree_mb:.0f} | {cap.peak_tree_mb / n:.0f} |"
            )
    say("")
    say(
        "(CPU: user + system seconds of every process of the command, Python, Playwright's driver and "
        "Chromium's, divided by the pages; peak MB: the largest sum of the processes' PSS, sampled every "
        "0.5 s.)"
    )
    say("")


def flat_memory_section(site: str, work: Path, say: Say) -> None:
    """A long batch at -j 4: memory once the pages have warmed up against memory at the end."""
    urls = batch(site, copies=FLAT_BATCH // len(BATCH) + 1, together=False)[:FLAT_BATCH]
    output = work / "flat"
    cost = measure(
        [*ARCHIVER, "capture", "--output", str(output), "-j", "4", *CLI_OPTIONS, *urls], allowed=PARTIAL_EXIT
    )
    ends = sorted(parse_iso(page["ended_at"]).timestamp() - cost.started_at for page in stored_pages(output))
    assert len(ends) == len(urls), f"{len(ends)} of {len(urls)} pages stored"

    def done_at(seconds: float) -> int:
        return sum(1 for end in ends if end <= seconds)

    points = [(done_at(sample.seconds), sample) for sample in cost.samples]

    def window(low: int, high: int, value: Callable[[Any], float]) -> float:
        return statistics.median(value(sample) for done, sample in points if low <= done < high)

    def slope(value: Callable[[Any], float]) -> float:
        pairs = [(done, value(sample)) for done, sample in points if done >= 50]
        return statistics.linear_regression([d for d, _ in pairs], [v for _, v in pairs]).slope * 100

    say(f"### Memory over a {len(urls)}-page batch (-j 4)")
    say("")
    say("| memory (MB) | pages 50-100 done | pages 250-300 done | growth per 100 pages (fit over 50-300) |")
    say("| --- | ---: | ---: | ---: |")
    for name, value in (
        ("archiver's Python (RSS)", lambda sample: sample.python_rss_mb),
        ("every process (PSS)", lambda sample: sample.tree_pss_mb),
    ):
        say(
            f"| {name} | {window(50, 100, value):.0f} | {window(250, FLAT_BATCH + 1, value):.0f} "
            f"| {slope(value):+.1f} |"
        )
    say("")
    say(
        f"({len(urls)} pages in {cost.wall_seconds:.0f} s, {cost.cpu_seconds / len(urls):.2f} CPU s/page; medians of "
        "the samples taken while that many pages were done.)"
    )
    say("")


def big_response_section(site: str, work: Path, say: Say) -> None:
    """Each process's own peak with a page that fetches 200 MB against a small page: in a capture
    (which stores the 200 MB) and in a visit (which only loads them)."""
    big_options = ["--max-body-size", str(300 << 20)]
    small, big = site + "/embed/widget.html", site + "/big-page-200"
    runs = {
        "capture": [
            measure(
                [*ARCHIVER, "capture", "--output", str(work / f"big-{name}"), *big_options, url], allowed=PARTIAL_EXIT
            )
            for name, url in (("small", small), ("big", big))
        ],
        "visit": [measure([*VISIT, url]) for url in (small, big)],
    }
    roles = sorted(set(runs["capture"][0].peak_by_role) | set(runs["capture"][1].peak_by_role))
    say("### A page that fetches a 200 MB response: each process's peak memory (MB)")
    say("")
    say(
        "| process | capture, small page | capture, 200 MB | added by the capture | added by a visit | the capture's own |"
    )
    say("| --- | ---: | ---: | ---: | ---: | ---: |")
    worst = 0.0
    for kind in roles:
        c_small, c_big = (run.peak_by_role.get(kind, 0.0) for run in runs["capture"])
        v_small, v_big = (run.peak_by_role.get(kind, 0.0) for run in runs["visit"])
        own = (c_big - c_small) - max(0.0, v_big - v_small)
        worst = max(worst, own)
        say(f"| {kind} | {c_small:.0f} | {c_big:.0f} | {c_big - c_small:+.0f} | {v_big - v_small:+.0f} | {own:+.0f} |")
    say("")
    say(
        f"(VmHWM, the kernel's peak of each process, the largest of each kind. The page's own script reads "
        f"the 200 MB, so its renderer holds them in a visit too: 'the capture's own' is what archiving adds "
        f"beyond the visit. Largest: {worst:+.0f} MB; target <= {TARGETS['memory_added_mb']:.0f} MB.)"
    )
    say("")


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


def capture_span(output: Path) -> float:
    """Seconds from the first page's start to the last page's end, over every manifest in `output`:
    the capturing itself, with whatever happens between pages (for workers: taking the job, staging,
    the commit), but not the start of the processes and their browsers."""
    pages = stored_pages(output)
    for page in pages:
        assert page["state"] == "complete", (page["requested_url"], page["reason"])
    starts = [parse_iso(page["started_at"]) for page in pages]
    ends = [parse_iso(page["ended_at"]) for page in pages]
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


def wget_section(site: str, work: Path, say: Say) -> None:
    urls = batch(site)
    output = work / "wget-ours"
    ours_cost, ours_pages = capture(urls, output)
    wget_time, wget_got = wget(urls, work / "wget")
    ours = our_counts(output, urls)
    say("### wget --warc-file --page-requisites on the batch")
    say("")
    say("| page | wget responses (200) | archiver responses (200) |")
    say("| --- | ---: | ---: |")
    for url in urls:
        say(f"| {url.replace(site, '')} | {wget_got[url]} | {ours[url]} |")
    say(f"| **time for all pages** | {wget_time:.1f} s | {ours_cost.wall_seconds:.1f} s |")
    say("")


SECTIONS = ("overhead", "scaling", "memory", "big", "wget")


def main() -> None:
    arguments = sys.argv[1:]
    only_queue = "--queue" in arguments
    chosen = list(SECTIONS)
    if "--only" in arguments:
        at = arguments.index("--only")
        chosen = arguments[at + 1].split(",")
        del arguments[at : at + 2]
        unknown = set(chosen) - set(SECTIONS)
        if unknown:
            sys.exit(f"bench: no such section: {', '.join(sorted(unknown))} (sections: {', '.join(SECTIONS)})")
    arguments = [a for a in arguments if a != "--queue"]
    report_path = Path(arguments[0]) if arguments else ROOT / "bench-results.md"
    os.environ["ARCHIVER_BROWSER_ARGS"] = (os.environ.get("ARCHIVER_BROWSER_ARGS", "") + " " + LOOPBACK_ONLY).strip()
    become_subreaper()
    app = FixtureApp()
    server = ServerThread(app).start()
    app.embed_origin = f"http://localhost:{server.port}"
    site = f"http://127.0.0.1:{server.port}"
    work = Path(tempfile.mkdtemp(prefix="archiver-bench-"))
    lines: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    try:
        say(f"# archiver benchmark ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores)")
        say("")
        say(f"`./scripts/bench {' '.join(sys.argv[1:])}`".replace(" `", "`"))
        say("")
        if only_queue:
            queue_section(batch(site, copies=2), work, say)
            return
        if "overhead" in chosen:
            overhead_section(site, work, say)
        if "scaling" in chosen:
            runs = scaling_section(site, work, say)
            cost_section(runs, len(batch(site, copies=SCALING_COPIES)), say)
        if "memory" in chosen:
            flat_memory_section(site, work, say)
        if "big" in chosen:
            big_response_section(site, work, say)
        if "wget" in chosen:
            wget_section(site, work, say)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
        report_path.write_text("\n".join(lines) + "\n")
        print(f"\nwritten to {report_path}")


if __name__ == "__main__":
    main()
