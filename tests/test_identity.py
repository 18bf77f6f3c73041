"""Stable page identities, seeds, options that travel."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archiver.errors import InvalidURL, explain_net_error
from archiver.identity import canonical_url, capture_id, page_id, validate_seed
from archiver.options import CaptureJob, CaptureOptions


def test_page_id_is_the_same_for_the_same_page() -> None:
    assert page_id("HTTP://Example.ORG:80/story#comments") == page_id("http://example.org/story")
    assert page_id("https://example.org/") == page_id("https://example.org")
    assert page_id("https://example.org/a") != page_id("https://example.org/b")
    assert page_id("https://example.org/a?x=1") != page_id("https://example.org/a?x=2")
    assert canonical_url("https://Example.org:8443/a?q=1#f") == "https://example.org:8443/a?q=1"


def test_capture_id_sorts_by_time_and_names_the_page() -> None:
    when = datetime(2026, 11, 26, 18, 0, 5, tzinfo=UTC)
    assert capture_id("https://example.org/a", when) == "20261126T180005Z-" + page_id("https://example.org/a")


@pytest.mark.parametrize(
    "bad, why",
    [
        ("ftp://example.org/", "not an http(s) URL"),
        ("file:///etc/passwd", "not an http(s) URL"),
        ("example.org/story", "not an http(s) URL"),
        ("http:///nohost", "has no host"),
        ("http://example.org:99999/", "not a valid URL"),
    ],
)
def test_only_http_seeds_with_a_host(bad: str, why: str) -> None:
    with pytest.raises(InvalidURL, match=re.escape(why)):
        validate_seed(bad)


def test_seed_is_trimmed() -> None:
    assert validate_seed("  https://example.org/a \n") == "https://example.org/a"


def test_job_round_trips_through_a_queue_message() -> None:
    job = CaptureJob(
        "https://example.org/a",
        Path("/data/run"),
        "run-1",
        CaptureOptions(viewport_width=390, device_scale_factor=2.0, autofetch=False),
    )
    assert CaptureJob.from_dict(job.to_dict()) == job


def test_net_errors_read_as_sentences() -> None:
    assert (
        explain_net_error("Page.goto: net::ERR_NAME_NOT_RESOLVED at http://x/\nCall log:")
        == "DNS lookup failed: no such host (net::ERR_NAME_NOT_RESOLVED)"
    )
    assert (
        explain_net_error("net::ERR_CERT_AUTHORITY_INVALID at https://x/")
        == "TLS certificate rejected (net::ERR_CERT_AUTHORITY_INVALID)"
    )
