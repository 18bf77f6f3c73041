"""archiver: faithful, replayable, verifiable captures of news articles.

The data flows one way, and the sub-packages follow it, each importing only those below it
(ARCHITECTURE.md has the picture; `./scripts/check` holds the package graph to it):

    cli/        the command line, a thin layer over all of this
    evidence/ replay/ changes/   readers of stored runs: bundles, replay and QA, what changed
    queue/      the unit of work through Redis to workers on many machines
    run/        many pages into one run folder: seeds, the batch, retries, progress
    output/     the output folder: manifests written and read back (typed), locks, dedup index
    capture/    one page, the unit of work: the steps that compose the layers below
    metadata/   WARC + rendered DOM -> article fields, images, photo credits
    warc/       recorded exchanges -> normalized WARC/1.1 records; lint, read back, salvage
    browser/    Chromium: launch, recorder, network guard, behaviours, screenshots, TLS
    (top)       options, identity, errors, terms, times, versions, jsonfile: shared by all

The library API is importable from here (loaded on first use, so `archiver --help` stays fast);
`API` says where each name lives.
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import TYPE_CHECKING, Any

from archiver.versions import __version__

logging.getLogger("archiver").addHandler(logging.NullHandler())  # a library: its logs go where the caller says

API = {
    "CaptureOptions": "archiver.options",
    "CaptureJob": "archiver.options",
    "capture_page": "archiver.capture.page",
    "PageResult": "archiver.capture.result",
    "capture_urls": "archiver.run.batch",
    "RunSettings": "archiver.run.batch",
    "lint_paths": "archiver.warc.lint",
    "build_bundle": "archiver.evidence.bundle",
    "BundleOptions": "archiver.evidence.bundle",
    "verify_bundle": "archiver.evidence.verify",
    "Broker": "archiver.queue.broker",
    "enqueue": "archiver.queue.enqueue",
    "Worker": "archiver.queue.worker",
    "WorkerSettings": "archiver.queue.worker",
    "VerifyOptions": "archiver.evidence.verify",
    "read_seeds": "archiver.run.seeds",
    "scan_runs": "archiver.output.runs",
    "StoredRun": "archiver.output.stored",
    "StoredPage": "archiver.output.stored",
    "PageState": "archiver.terms",
    "Watcher": "archiver.watch.watcher",
    "WatchSettings": "archiver.watch.settings",
    "WatchedSource": "archiver.watch.settings",
}
__all__ = [  # the same names as API (a test holds them together), written out for type checkers
    "__version__",
    "CaptureOptions",
    "CaptureJob",
    "capture_page",
    "PageResult",
    "capture_urls",
    "RunSettings",
    "lint_paths",
    "build_bundle",
    "BundleOptions",
    "verify_bundle",
    "Broker",
    "enqueue",
    "Worker",
    "WorkerSettings",
    "VerifyOptions",
    "read_seeds",
    "scan_runs",
    "StoredRun",
    "StoredPage",
    "PageState",
    "Watcher",
    "WatchSettings",
    "WatchedSource",
]

if TYPE_CHECKING:  # what type checkers see: the same names, from where they live
    from archiver.capture.page import capture_page
    from archiver.capture.result import PageResult
    from archiver.evidence.bundle import BundleOptions, build_bundle
    from archiver.evidence.verify import VerifyOptions, verify_bundle
    from archiver.options import CaptureJob, CaptureOptions
    from archiver.output.runs import scan_runs
    from archiver.output.stored import StoredPage, StoredRun
    from archiver.queue.broker import Broker
    from archiver.queue.enqueue import enqueue
    from archiver.queue.worker import Worker, WorkerSettings
    from archiver.run.batch import RunSettings, capture_urls
    from archiver.run.seeds import read_seeds
    from archiver.terms import PageState
    from archiver.warc.lint import lint_paths
    from archiver.watch.settings import WatchedSource, WatchSettings
    from archiver.watch.watcher import Watcher


def __getattr__(name: str) -> Any:
    if name in API:
        return getattr(import_module(API[name]), name)
    raise AttributeError(f"module 'archiver' has no attribute {name!r}")
