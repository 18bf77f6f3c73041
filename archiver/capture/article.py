"""What the article says about itself and who took its pictures, read back from what the capture
stored (the WARC, through revisits to the earlier captures that hold unchanged files, and the DOM)."""

from __future__ import annotations

import asyncio
import importlib
import logging

from archiver.capture.session import CaptureSession
from archiver.warc.dedup import requirement_paths

log = logging.getLogger(__name__)
EXTRACTORS = "archiver.metadata.extract"  # imported on first use: a third of a second of parsers and patterns


def load_extractors() -> None:
    """Import the extractors now (a run does it in a thread while its browser starts)."""
    try:
        importlib.import_module(EXTRACTORS)
    except Exception:  # said again, and on the record, by the first page's article step
        log.debug("loading the extractors ahead failed", exc_info=True)


def has_an_article(session: CaptureSession) -> bool:
    return session.is_html() and session.final_url() in session.document_hashes


async def read_article(session: CaptureSession) -> None:
    originals = requirement_paths(session.job.output_dir.parent, session.dedup.requires.values())
    # CPU-bound parsing: in a thread, so pages captured alongside keep their event loop
    extract = importlib.import_module(EXTRACTORS).extract
    extracted = await asyncio.to_thread(extract, session.writer.files, session.final_url(), session.dom, originals)
    session.result.article = extracted["article"]
    session.result.images = extracted["images"]
    session.result.images_left_out = extracted["images_left_out"]
