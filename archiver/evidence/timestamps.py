"""RFC 3161 trusted timestamps over the datapackage, from one or more TSAs, checked offline later.

rfc3161-client builds the requests and verifies the responses; the HTTP exchange is ours. Each
response is kept whole, with the certificates needed to check it (the TSA's own, from the response,
and any CA certificates given), so a verifier needs nothing but the bundle.
"""

from __future__ import annotations

import base64
import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from rfc3161_client import (
    HashAlgorithm,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from archiver.errors import ArchiverError

TIMESTAMP_QUERY = "application/timestamp-query"


class TimestampError(ArchiverError):
    pass


def request_timestamp(
    url: str, data: bytes, ca_certificates: list[x509.Certificate], timeout: float = 30.0
) -> dict[str, Any]:
    """A timestamp over sha256(`data`) from the TSA at `url`, checked before it is kept."""
    request = TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256).build()
    http = urllib.request.Request(url, data=request.as_bytes(), headers={"Content-Type": TIMESTAMP_QUERY})
    try:
        with urllib.request.urlopen(http, timeout=timeout) as response:
            reply = response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise TimestampError(f"TSA {url} unreachable: {getattr(exc, 'reason', exc)}") from None
    try:
        decoded = decode_timestamp_response(reply)
    except ValueError as exc:
        raise TimestampError(f"TSA {url} answered something that is not a timestamp: {exc}") from None
    certificates = _certificates(decoded, ca_certificates)
    entry: dict[str, Any] = {
        "tsa": url,
        "hash_algorithm": "sha256",
        "response": base64.b64encode(reply).decode("ascii"),
        "certificates": [c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certificates],
    }
    check = verify_timestamp(entry, data, nonce=request.nonce)
    if not check.valid and not check.unanchored:
        raise TimestampError(f"TSA {url} gave a timestamp that does not verify: {check.detail}")
    entry["gen_time"] = check.gen_time
    entry["chain_checked"] = check.valid
    return entry


def _certificates(decoded: Any, extra: list[x509.Certificate]) -> list[x509.Certificate]:
    found = [x509.load_der_x509_certificate(der) for der in decoded.signed_data.certificates]
    for certificate in extra:
        if certificate not in found:
            found.append(certificate)
    return found


@dataclass
class TimestampCheck:
    valid: bool
    detail: str
    gen_time: str | None = None
    tsa: str | None = None
    root_fingerprint: str | None = None
    unanchored: bool = False  # imprint checked, signature not: no CA certificate to chain it to


def verify_timestamp(
    entry: dict[str, Any], data: bytes, nonce: int | None = None, trusted_roots: list[x509.Certificate] | None = None
) -> TimestampCheck:
    """Check a kept timestamp: its imprint is sha256(`data`), and it is signed by a TSA whose chain
    ends at a root among the kept certificates (or among `trusted_roots`, when given)."""
    try:
        decoded = decode_timestamp_response(base64.b64decode(entry["response"]))
        certificates = [x509.load_pem_x509_certificate(pem.encode("ascii")) for pem in entry.get("certificates", [])]
    except (KeyError, ValueError) as exc:
        return TimestampCheck(False, f"unreadable timestamp: {exc}")
    gen_time = decoded.tst_info.gen_time.isoformat()
    imprint = decoded.tst_info.message_imprint.message
    if imprint != hashlib.sha256(data).digest():
        return TimestampCheck(False, "the timestamp is over another digest than this datapackage's", gen_time)
    leaf = _leaf(decoded, certificates)
    roots = trusted_roots if trusted_roots is not None else [c for c in certificates if _self_signed(c)]
    if not roots:
        return TimestampCheck(
            False,
            "the imprint matches, but the TSA's signature cannot be checked: no CA "
            "certificate in the bundle (give the TSA's with --tsa-ca)",
            gen_time,
            unanchored=True,
        )
    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    for certificate in certificates:
        if not _self_signed(certificate):
            builder = builder.add_intermediate_certificate(certificate)
    if nonce is not None:
        builder = builder.nonce(nonce)
    try:
        builder.build().verify(decoded, imprint)
    except VerificationError as exc:
        return TimestampCheck(False, f"the TSA's signature does not verify: {exc}", gen_time)
    anchor = roots[0] if len(roots) == 1 else None
    detail = f"valid, chained to {anchor.subject.rfc4514_string()}" if anchor else "valid, chained to a given CA"
    return TimestampCheck(
        True,
        detail,
        gen_time,
        leaf.subject.rfc4514_string() if leaf else None,
        anchor.fingerprint(hashes.SHA256()).hex() if anchor else None,
    )


def _self_signed(certificate: x509.Certificate) -> bool:
    return certificate.issuer == certificate.subject


def _leaf(decoded: Any, certificates: list[x509.Certificate]) -> x509.Certificate | None:
    for info in decoded.signed_data.signer_infos:
        for certificate in certificates:
            if certificate.issuer == info.issuer and certificate.serial_number == info.serial_number:
                return certificate
    return None


def load_certificates(pem: bytes) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise TimestampError(f"not a PEM certificate file: {exc}") from None
