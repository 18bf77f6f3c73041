"""Anonymous WACZ signatures (wacz-auth 0.1.0): ECDSA P-384 over the datapackage hash string.

ReplayWeb.page (wabac.js) checks them the same way: SHA-256 ECDSA of the UTF-8 `hash`, the
signature as raw r||s in base64, the public key as base64 SubjectPublicKeyInfo DER.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from archiver.errors import ArchiverError
from archiver.identity import labelled_sha256

P384_BYTES = 48  # r and s are 48 bytes each on P-384


class SigningError(ArchiverError):
    pass


def generate_key(private_path: Path) -> Path:
    """A new P-384 key pair: the private key at `private_path` (mode 600), the public key beside it (.pub)."""
    if private_path.exists():
        raise SigningError(f"{private_path} exists already; refusing to overwrite a key")
    key = ec.generate_private_key(ec.SECP384R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as fh:
        fh.write(pem)
    public_path = private_path.with_name(private_path.name + ".pub")
    public_path.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return public_path


def load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningError(f"cannot read a private key from {path}: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP384R1):
        raise SigningError(f"{path} is not an ECDSA P-384 key (make one with `archiver keygen`)")
    return key


def public_key_b64(key: ec.EllipticCurvePublicKey) -> str:
    return base64.b64encode(
        key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    ).decode("ascii")


def load_public_key_b64(path: Path) -> str:
    """A public key file (PEM) as the base64 DER the signature carries, for comparing the two."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise SigningError(f"cannot read a public key from {path}: {exc}") from None
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return public_key_b64(key)


def key_fingerprint(public_key_b64_der: str) -> str:
    return labelled_sha256(base64.b64decode(public_key_b64_der))


def sign_hash(
    key: ec.EllipticCurvePrivateKey, digest: str, created: str, software: str, version: str
) -> dict[str, Any]:
    """The anonymous `signedData` for `digest` ("sha256:<hex>" of datapackage.json)."""
    der = key.sign(digest.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    raw = r.to_bytes(P384_BYTES, "big") + s.to_bytes(P384_BYTES, "big")
    return {
        "hash": digest,
        "created": created,
        "software": software,
        "version": version,
        "signature": base64.b64encode(raw).decode("ascii"),
        "publicKey": public_key_b64(key.public_key()),
    }


@dataclass
class SignatureCheck:
    valid: bool
    detail: str
    fingerprint: str | None = None


def verify_signed_data(signed: dict[str, Any], digest: str) -> SignatureCheck:
    """Check an anonymous signature: over `digest`, by the public key it carries."""
    if signed.get("hash") != digest:
        return SignatureCheck(False, f"signs {signed.get('hash')}, not this datapackage ({digest})")
    if not signed.get("publicKey"):
        return SignatureCheck(False, "no publicKey: a domain (authsign) signature, not checked offline")
    try:
        key = serialization.load_der_public_key(base64.b64decode(signed["publicKey"]))
        raw = base64.b64decode(signed["signature"])
    except (ValueError, KeyError, TypeError) as exc:
        return SignatureCheck(False, f"unreadable signature or key: {exc}")
    fingerprint = key_fingerprint(signed["publicKey"])
    if not isinstance(key, ec.EllipticCurvePublicKey) or len(raw) != 2 * P384_BYTES:
        return SignatureCheck(False, "not an ECDSA P-384 signature", fingerprint)
    der = encode_dss_signature(int.from_bytes(raw[:P384_BYTES], "big"), int.from_bytes(raw[P384_BYTES:], "big"))
    try:
        key.verify(der, digest.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return SignatureCheck(False, "the signature does not match the datapackage hash and key", fingerprint)
    return SignatureCheck(True, "valid ECDSA P-384 signature", fingerprint)


def sign_with_server(url: str, digest: str, created: str, timeout: float = 30.0) -> dict[str, Any]:
    """Ask an authsign-style server to sign: POST {"hash", "created"}, get the signedData back."""
    body = json.dumps({"hash": digest, "created": created}).encode("utf-8")
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            signed = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise SigningError(f"signing server {url} failed: {exc}") from None
    if signed.get("hash") != digest or signed.get("created") != created:
        raise SigningError(f"signing server {url} signed something else than this datapackage")
    return signed
