"""Which pages an output folder already holds a complete capture of: what a resumed run, or a
queue worker asked for a page again, skips."""

from __future__ import annotations

from pathlib import Path

from archiver.output.runs import find_manifests
from archiver.output.stored import StoredRun, UnreadableManifest
from archiver.terms import PageState

Done = dict[str, dict[str, str]]  # page id -> {run_id, capture_id, url} of its complete capture


def completed_pages(output: Path) -> Done:
    """page id -> where it was captured completely, over every run already in `output`."""
    return CompletedPages(output).current()


class CompletedPages:
    """The same, kept up to date by a long-lived reader (a queue worker asks before every page):
    only the manifests changed since the last look are read again."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self._seen: dict[Path, tuple[tuple[int, int, int], Done]] = {}

    def current(self) -> Done:
        done: Done = {}
        for manifest_path in find_manifests([self.output]):
            try:
                stat = manifest_path.stat()
            except OSError:
                continue
            stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)  # a manifest is replaced whole: a new inode
            cached = self._seen.get(manifest_path)
            if cached is None or cached[0] != stamp:
                cached = (stamp, _complete_in(manifest_path))
                self._seen[manifest_path] = cached
            done.update(cached[1])
        return done


def _complete_in(manifest_path: Path) -> Done:
    try:
        run = StoredRun.read(manifest_path)
    except UnreadableManifest:
        return {}  # damaged: it vouches for nothing
    return {page.page_id: page.locator() for page in run.pages if page.state == PageState.COMPLETE}
