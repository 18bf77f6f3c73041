"""What the capture amounts to: its content hashes, counts, warnings, and whether its own
document was stored at all (a page whose document could not be recorded is `partial`)."""

from __future__ import annotations

from archiver.capture.session import CaptureSession
from archiver.identity import sha256_bytes, strip_fragment
from archiver.terms import FAILED, PARTIAL

ADDRESSES_NOTED = 20  # a page that pushes thousands of addresses: the first ones, and a count


def conclude(session: CaptureSession) -> None:
    result, recorder = session.result, session.recorder
    result.failed_requests = [f.to_dict() for f in recorder.failed]
    document = session.document_hashes.get(session.final_url())
    if document is not None:
        result.content_hashes["document_sha256"] = document
    elif result.state != FAILED and result.final_url:
        result.mark(PARTIAL, "the page's own document could not be recorded")
    if session.dom is not None:
        result.content_hashes["dom_sha256"] = sha256_bytes(session.dom.encode("utf-8"))
    if session.text is not None:
        result.content_hashes["text_sha256"] = sha256_bytes(" ".join(session.text.split()).encode("utf-8"))
    failed_urls = [failure.url for failure in recorder.failed]
    result.network_guard = session.guard.summary(failed_urls)
    result.blocking = session.guard.blocking_summary(failed_urls)
    result.counts = {
        "requests": session.network.requests_started,
        "exchanges_written": recorder.counts["exchanges_written"],
        "failed_requests": len(recorder.failed),
        "partial_media_pieces": recorder.counts["partial_media_pieces"],
        "duplicates_skipped": recorder.counts["duplicates_skipped"],
        "not_modified_skipped": recorder.counts["not_modified_skipped"],
        "synthetic_skipped": recorder.counts["synthetic_skipped"],
        "blocked_requests": len(result.network_guard["blocked"]),
        "filtered_requests": sum(len(entry["requests"]) for entry in (result.blocking or {}).get("blocked", [])),
    }
    _note_secrets(session)
    _note_what_is_missing(session)
    _note_addresses_written(session)
    result.large_bodies = recorder.large_bodies
    lost = [f for f in recorder.failed if "body" in f.error and ("unavailable" in f.error or "not recorded" in f.error)]
    if lost:
        result.warnings.append(
            f"{len(lost)} response(s) arrived but their bodies could not be stored "
            f"(see failed_requests), e.g. {lost[0].url}"
        )
    for body in recorder.large_bodies:
        if body["truncated"]:
            result.warnings.append(
                f"{body['url']} stored cut at {body['stored']} bytes (--max-body-size); it was "
                f"longer ({body['size']} bytes announced, before any decoding)"
            )


def _note_secrets(session: CaptureSession) -> None:
    """Which secrets were redacted (or kept, with --keep-secrets), and the profile used, by name
    and fingerprint only."""
    result = session.result
    result.secrets = session.redactor.summary()
    if session.options.keep_secrets:
        kept = ", ".join(f"{count} {name}" for name, count in result.secrets["kept"].items()) or "none seen"
        result.secrets["warning"] = (
            f"--keep-secrets: session secrets are stored as sent ({kept}); whoever holds this archive "
            "may be able to use the account"
        )
        result.warnings.append(result.secrets["warning"])
    if session.profile is not None:
        result.profile = {**session.profile.describe(), "check_held": session.logged_in}


def _note_what_is_missing(session: CaptureSession) -> None:
    """What the capture could not get, said rather than left out: requests still loading at the
    end (a dripping or endless response), an HTML page without its rendered DOM or full-page
    screenshot (one that kept navigating or reloading), dialogs past the recorded ones."""
    result = session.result
    # (a document loaded again once its renderer stopped answering is stored after all)
    unfinished = [url for url in session.still_loading if strip_fragment(url) not in session.recorder.complete_urls]
    if unfinished:
        result.counts["unfinished_requests"] = len(unfinished)
        result.warnings.append(
            f"{len(unfinished)} request(s) were still loading when the capture ended "
            f"and are not stored, e.g. {unfinished[0]}"
        )
    rendered_missing = [
        what
        for what, had in (
            ("rendered DOM", session.dom is not None),
            ("full-page screenshot", session.full_page is not None),
        )
        if not had
    ]
    if session.is_html() and not session.download and result.final_url and rendered_missing and result.state != FAILED:
        result.mark(PARTIAL, f"no {' and no '.join(rendered_missing)} could be taken of the page")
    if session.dialogs_dismissed > len(result.dialogs):
        result.warnings.append(
            f"{session.dialogs_dismissed} dialogs were dismissed; the first {len(result.dialogs)} are recorded"
        )


def _note_addresses_written(session: CaptureSession) -> None:
    written = [url for url in session.addresses_written if url != session.final_url()]
    if written:
        shown = ", ".join(written[:ADDRESSES_NOTED]) + (
            f" and {len(written) - ADDRESSES_NOTED} more" if len(written) > ADDRESSES_NOTED else ""
        )
        session.result.notes.append(
            f"the page wrote other addresses into the address bar (history API) without loading them: {shown}; "
            f"the document captured is the one loaded from {session.final_url()}"
        )
