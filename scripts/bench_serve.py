"""`./scripts/bench --serve`: the review app's index over 10,000 synthetic captures.

10,000 captures (700 articles re-captured, each a real run folder with a WARC, a screenshot, a
rendered DOM and the manifest the run writer writes) are indexed from nothing; then the article
list (50 newest) and a three-word search are each asked 15 times. Reports the indexing rate, the
median answer times and the process's peak memory. These are the index's own answers, which
the app's pages and API wrap (no HTTP in the figures).
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archiver.search.index import SearchIndex
from tests.support.stored_runs import stored_run

CAPTURES = 10_000
ARTICLES = 700


def _story(n: int) -> str:
    body = "".join(
        f"<p>Paragraph {k} of story {n} about the council, the river and word{n % 97}.</p>" for k in range(8)
    )
    return f"<html><body><article><h1>Story {n}</h1>{body}</article></body></html>"


def _median_ms(ask: Callable[[], object]) -> float:
    times = []
    for _ in range(15):
        start = time.perf_counter()
        ask()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 1)


def main() -> None:
    output = Path(tempfile.mkdtemp(prefix="archiver-bench-serve-"))
    for n in range(CAPTURES):
        started = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
        url = f"https://news.example/story/{n % ARTICLES}"
        manifest, _ = stored_run(output, started=started, dom=_story(n), url=url, warc_prefix=f"w{n}")
        manifest.write()
    index = SearchIndex(output)
    start = time.perf_counter()
    indexed = index.update()
    seconds = time.perf_counter() - start
    lines = [
        "| measure | value |",
        "| --- | --- |",
        f"| captures indexed from nothing | {indexed} in {seconds:.1f} s ({indexed / seconds:.0f} per second) |",
        f"| article list (50 newest), median | {_median_ms(lambda: index.articles(limit=50))} ms |",
        f"| search `council river word42`, median | {_median_ms(lambda: index.search('council river word42'))} ms |",
        f"| peak memory (RSS) | {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB |",
    ]
    table = "\n".join(lines)
    print(table)
    Path(sys.argv[1] if len(sys.argv) > 1 else "bench-serve.md").write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
