"""The fixture article over HTTPS and HTTP/2: protocol, status lines, and the TLS evidence."""

from __future__ import annotations

import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from archiver.run.batch import RunOutcome
from archiver.warc.lint import lint_paths
from tests.support.tls_ca import CA_NAME
from tests.support.warcs import Record, records_of, responses

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(tls_capture: RunOutcome) -> dict:
    return json.loads(tls_capture.manifest_path.read_text())["pages"][0]


@pytest.fixture(scope="module")
def records(tls_capture: RunOutcome) -> list[Record]:
    return records_of(tls_capture.run_dir)


def test_https_h2_capture_is_complete(page: dict) -> None:
    assert page["state"] == "complete", page["reason"]
    assert page["status"] == 200
    assert page["server"] == {"ip": "127.0.0.1", "port": page["server"]["port"], "protocols": ["h2", "tls/1.3"]}


def test_h2_responses_get_http11_status_lines_and_the_real_protocol_in_warc(records: list[Record]) -> None:
    by_url = responses(records)
    assert len(by_url) > 20
    for url, found in by_url.items():
        for record in found:
            assert record.http.protocol == "HTTP/1.1", url
            assert record.http.statusline.split(" ", 1)[1], f"{url}: no reason phrase"
            assert record.headers.get_header("WARC-Protocol") is not None
            protocols = [v for k, v in record.headers.headers if k == "WARC-Protocol"]
            assert protocols == ["h2", "tls/1.3"], url
            assert not any(name.startswith(":") for name, _ in record.http.headers), url


def test_h2_requests_have_a_host_and_no_pseudo_headers(records: list[Record], tls_site) -> None:
    for record in records:
        if record.type == "request":
            assert record.http.get_header("Host") in (f"localhost:{tls_site.port}", f"127.0.0.1:{tls_site.port}")
            assert not any(name.startswith(":") for name, _ in record.http.headers)


def test_tls_details_describe_the_connection_used(page: dict, server_certificate) -> None:
    tls = page["tls"]
    assert tls["protocol"] == "TLS 1.3"
    assert tls["cipher"]
    assert tls["issuer"] == CA_NAME
    assert tls["subject"] == "localhost"
    assert tls["http_protocol"] == "h2"
    leaf = x509.load_pem_x509_certificate(tls["chain_pem"][0].encode())
    assert leaf == server_certificate.leaf
    assert tls["chain"][0]["sha256_fingerprint"] == server_certificate.leaf.fingerprint(hashes.SHA256()).hex()
    assert tls["valid_to"].startswith(server_certificate.leaf.not_valid_after_utc.date().isoformat())


def test_tls_details_are_in_the_warc_too(page: dict, records: list[Record]) -> None:
    (metadata,) = [r for r in records if r.type == "metadata"]
    fields = [line.split(": ", 1) for line in metadata.payload.decode().strip().splitlines()]
    values = dict(fields)
    assert values["tls-protocol"] == "TLS 1.3"
    assert values["tls-issuer"] == CA_NAME
    assert values["tls-cipher"] == page["tls"]["cipher"]
    fingerprints = [v for k, v in fields if k == "tls-certificate-sha256"]
    assert fingerprints == [c["sha256_fingerprint"] for c in page["tls"]["chain"]]
    (chain,) = [r for r in records if r.type == "resource" and r.uri == "urn:certificates:" + page["final_url"]]
    assert chain.payload.decode() == "".join(page["tls"]["chain_pem"])


def test_lint_is_clean_over_h2(tls_capture: RunOutcome) -> None:
    assert [str(issue) for issue in lint_paths([tls_capture.run_dir])] == []
