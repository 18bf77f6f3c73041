"""archiver: faithful, replayable, verifiable captures of news articles.

The data flows one way, and the sub-packages follow it (ARCHITECTURE.md has the picture):

    capture/    browser → recorded exchanges: one page in Chromium, the unit of work
    warc/       recorded exchanges → normalized WARC/1.1 records; lint, read back, crash recovery
    metadata/   WARC + rendered DOM → article fields, images, photo credits
    run/        many pages into one output folder: seeds, batches, the manifest, progress
    queue/      the same unit of work through Redis to workers on many machines
    changes/    what changed between two captures of a page
    replay/     pywb and replay QA at desktop and phone size
    evidence/   signed, timestamped WACZ bundles, checked offline
    cli/        the command line, a thin layer over all of this

The library API is importable from here (loaded on first use, so `archiver --help` stays fast):
`capture_page`, `capture_urls`, `CaptureOptions`, `CaptureJob`, `lint_paths`, `build_bundle`,
`verify_bundle`, and for the queue `Broker`, `enqueue`, `Worker`, `WorkerSettings`.
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

logging.getLogger("archiver").addHandler(logging.NullHandler())  # a library: its logs go where the caller says

__version__ = "0.1.0"

_API = {
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
}
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'archiver' has no attribute {name!r}")
