"""From recorded exchanges to WARC records: the recorder's sink, and the capture's own records.

Each finished exchange is normalized, its secret header values redacted (archiver.warc.redact),
and written at once (nothing waits in memory), with the address the network guard's proxy
connected to as its WARC-IP-Address. At the end the
screenshots, DOM, text and certificate chain become `resource` records under `urn:` URIs, and the
capture's facts a `metadata` record, all pointing at the page's own response record.
"""

from __future__ import annotations

import json

from archiver.browser.direct_fetch import DIRECT_FETCH_RESOURCE_TYPE
from archiver.browser.exchange import Exchange, StoredBody, body_length, body_sha256
from archiver.browser.largebody import main_frame_id, stream_body
from archiver.browser.recorder import Recorder
from archiver.capture.attachments import write_attachments
from archiver.capture.media import observe
from archiver.capture.session import CaptureSession
from archiver.identity import strip_fragment
from archiver.warc.dedup import Original, payload_digest
from archiver.warc.normalize import NormalizedExchange, normalize

FAILED_REQUESTS_IN_RECORD = 200  # the metadata record lists this many failed requests at most


def attach_recorder(session: CaptureSession) -> Recorder:
    """The recorder of this capture, writing every exchange into the capture's WARC."""

    def sink(exchange: Exchange) -> None:
        write_exchange(session, exchange)

    async def large_body(url: str, size: int) -> StoredBody:
        return await read_large_body(session, url, size)

    session.recorder = Recorder(sink, large_body=large_body)
    return session.recorder


def write_exchange(session: CaptureSession, exchange: Exchange) -> None:
    url = strip_fragment(exchange.url)
    # The browser connected to the guard's proxy; the server is where the proxy connected to.
    exchange.response.server_ip = session.guard.address_for(exchange.url) or exchange.response.server_ip
    normalized = session.redactor.redact(normalize(exchange))
    # A stream's master playlist or manifest tells both replay clients which rendition to play.
    try:
        replay_cap = observe(
            session.media,
            url,
            exchange.response.status,
            exchange.response.headers,
            exchange.response.body,
            session.options.media_max_height,
        )
    except Exception as exc:  # noqa: BLE001 - a manifest nobody foresaw must never cost the response its record
        session.result.warnings.append(f"the stream manifest {url} could not be read: {type(exc).__name__}: {exc}")
        replay_cap = {}
    original = _same_as_before(session, exchange, normalized)
    if original is not None:
        record_id = session.writer.write_revisit(normalized, original)
        session.dedup.noted(original)
    else:
        record_id = session.writer.write_exchange(normalized, replay_cap or None)
    session.record_ids[url] = record_id
    if exchange.resource_type in ("document", DIRECT_FETCH_RESOURCE_TYPE) or url == session.final_url():
        session.document_hashes[url] = body_sha256(exchange.response.body)
    if isinstance(exchange.response.body, StoredBody):
        exchange.response.body.path.unlink(missing_ok=True)  # it is in the WARC now


def _same_as_before(session: CaptureSession, exchange: Exchange, normalized: NormalizedExchange) -> Original | None:
    """The earlier capture's response this one repeats byte for byte, if it may be a revisit:
    a complete 200 with a body, and not a document (the page's own HTML is always stored whole)."""
    if session.dedup.index is None or exchange.resource_type == "document":
        return None
    page_urls = (session.final_url(), strip_fragment(session.job.url))
    if exchange.resource_type == DIRECT_FETCH_RESOURCE_TYPE and normalized.target_uri in page_urls:
        return None  # the page itself, taken as a download
    if exchange.response.status != 200 or normalized.truncated or body_length(normalized.response_body) == 0:
        return None
    if not session.dedup.index.has_capture_of(normalized.target_uri):
        return None  # never captured before: no need to hash the body here
    return session.dedup.index.find(normalized.target_uri, payload_digest(normalized.response_body))


async def read_large_body(session: CaptureSession, url: str, size: int) -> StoredBody:
    """A body too large for memory: the browser loads it again, streamed to a file, cut at the cap."""
    assert session.devtools is not None and session.page is not None
    return await stream_body(
        session.devtools,
        await main_frame_id(session.devtools),
        url,
        session.new_body_file(),
        session.options.max_body_size,
    )


def write_capture_records(session: CaptureSession) -> None:
    """Screenshots, DOM and certificates as resource records; the capture's facts as metadata."""
    writer, final = session.writer, session.final_url()
    main_id = session.record_ids.get(final)
    for resource in session.pending_resources:
        writer.write_resource(resource.uri, resource.content_type, resource.payload, concurrent_to=main_id)
    write_attachments(session, main_id)
    tls = session.result.tls or {}
    if tls.get("chain_pem"):
        writer.write_resource(
            "urn:certificates:" + final,
            "application/x-pem-file",
            "".join(tls["chain_pem"]).encode("ascii"),
            concurrent_to=main_id,
        )
    writer.write_metadata(final, metadata_fields(session), refers_to=main_id)


def metadata_fields(session: CaptureSession) -> list[tuple[str, str]]:
    result, tls = session.result, session.result.tls or {}
    fields = [
        ("capture-id", result.capture_id),
        ("page-id", result.page_id),
        ("requested-url", result.requested_url),
        ("final-url", result.final_url or ""),
        ("http-status", str(result.status or "")),
        ("state", result.state),
        ("reason", result.reason or ""),
        ("browser", f"Chromium {session.browser_info.version}"),
        ("user-agent", session.user_agent),
        ("server-ip", (result.server or {}).get("ip") or ""),
    ]
    for key in ("protocol", "cipher", "key_exchange", "issuer", "subject", "valid_from", "valid_to"):
        if tls.get(key):
            fields.append((f"tls-{key.replace('_', '-')}", str(tls[key])))
    for cert in tls.get("chain", []):
        fields.append(("tls-certificate-sha256", cert["sha256_fingerprint"]))
    if result.behaviours:
        fields.append(("behaviours", json.dumps(result.behaviours.to_dict(), separators=(",", ":"))))
    if result.secrets is not None:
        fields.append(("secrets", json.dumps(result.secrets, separators=(",", ":"))))
    if result.profile is not None:
        fields.append(("profile", f"{result.profile['name']} fingerprint {result.profile['fingerprint']}"))
    for failure in result.failed_requests[:FAILED_REQUESTS_IN_RECORD]:
        fields.append(("failed-request", f"{failure['method']} {failure['url']} {failure['error']}"))
    return [(k, v) for k, v in fields if v]
