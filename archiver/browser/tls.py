"""The TLS connection the browser actually used for the page, and its certificate chain.

Playwright reports the protocol, issuer, subject and validity; the cipher, key exchange and the
chain itself come from the DevTools protocol (`Network.responseReceived`, `Network.getCertificate`)
of the same connection, not from a second connection made later that might reach another server.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from playwright.async_api import CDPSession
from playwright.async_api import Error as PlaywrightError

from archiver.identity import strip_fragment


class TlsWatcher:
    """Listens to the page's DevTools session for the security details of its documents."""

    def __init__(self, session: CDPSession) -> None:
        self._session = session
        self._documents: dict[str, dict[str, Any]] = {}
        session.on("Network.responseReceived", self._on_response)

    @classmethod
    async def attach(cls, session: CDPSession) -> TlsWatcher:
        # A small buffer: this session only reads headers; Playwright's own session keeps the bodies.
        await session.send("Network.enable", {"maxTotalBufferSize": 1024, "maxResourceBufferSize": 1024})
        return cls(session)

    def _on_response(self, event: dict[str, Any]) -> None:
        if event.get("type") != "Document":
            return
        response = event.get("response", {})
        self._documents[strip_fragment(response.get("url", ""))] = response

    async def details(self, url: str) -> dict[str, Any] | None:
        """Connection facts for the document at `url`, with its chain; None for plain HTTP."""
        response = self._documents.get(strip_fragment(url))
        if not response:
            return None
        security = response.get("securityDetails")
        if not security:
            return None
        chain = await self._chain(url)
        return {
            "protocol": security.get("protocol"),
            "key_exchange": security.get("keyExchange") or security.get("keyExchangeGroup"),
            "key_exchange_group": security.get("keyExchangeGroup"),
            "cipher": security.get("cipher"),
            "mac": security.get("mac"),
            "subject": security.get("subjectName"),
            "san": security.get("sanList", []),
            "issuer": security.get("issuer"),
            "valid_from": _iso(security.get("validFrom")),
            "valid_to": _iso(security.get("validTo")),
            "certificate_transparency": security.get("certificateTransparencyCompliance"),
            "server_ip": response.get("remoteIPAddress"),
            "server_port": response.get("remotePort"),
            "http_protocol": response.get("protocol"),
            "chain": [describe_certificate(pem) for pem in chain],
            "chain_pem": chain,
        }

    async def _chain(self, url: str) -> list[str]:
        parts = urlsplit(url)
        try:
            result = await self._session.send("Network.getCertificate", {"origin": f"{parts.scheme}://{parts.netloc}"})
        except PlaywrightError:
            return []
        return [der_to_pem(base64.b64decode(entry)) for entry in result.get("tableNames", [])]


def der_to_pem(der: bytes) -> str:
    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM).decode("ascii")


def describe_certificate(pem: str) -> dict[str, Any]:
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial_number": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256_fingerprint": cert.fingerprint(hashes.SHA256()).hex(),
    }


def _iso(epoch_seconds: float | None) -> str | None:
    if epoch_seconds is None:
        return None
    return datetime.fromtimestamp(epoch_seconds, tz=UTC).isoformat()
