"""Is this a capture of the article? Verdicts, each with its evidence, from what the page showed.

A verdict that says the article is not there (a dialog that stayed over it, a hard paywall, a
login wall, a bot challenge or captcha instead of the page, a rate limit, an article page with
no article text) makes the page `partial`, with the verdict as its reason: the batch's exit
status and the queue's retries see it. A rate-limited page also says how long the server asked
us to wait (`retry_after`), which the batch honours within --retries. A soft paywall is recorded
but is not partial: the article's text is in the page (and in the unobstructed screenshot).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from archiver.browser.obstacles import PageScan
from archiver.capture.obstacles import SOFT_PAYWALL_WORDS
from archiver.capture.session import CaptureSession
from archiver.terms import PARTIAL

NO_TEXT_WORDS = 50  # an article page with fewer words in its article region has no article text
LOGIN_PATH = ("/login", "/signin", "/sign-in", "/log-in", "/account/login", "/anmelden", "/connexion")
# A verdict in this set means the article is not (all) there: the page is partial.
NOT_THE_ARTICLE = {
    "consent-dialog-remained",
    "paywall-hard",
    "login-wall",
    "bot-challenge",
    "rate-limited",
    "captcha",
    "no-article-text",
}


def judge(session: CaptureSession) -> None:
    result = session.result
    verdicts = _rate_limit(session) + _logged_out(session)
    verdicts += _from_scan(session, session.scan) if session.scan else []
    if not any(v["verdict"] in NOT_THE_ARTICLE for v in verdicts) and session.scan is not None:
        verdicts += _no_article_text(session.scan)
    result.verdicts = verdicts
    for verdict in verdicts:
        if verdict["verdict"] in NOT_THE_ARTICLE and not verdict.get("as_asked"):
            result.mark(PARTIAL, f"{verdict['verdict']}: {verdict['evidence'][0]}")


def _verdict(name: str, evidence: list[str], **extra: Any) -> dict[str, Any]:
    return {"verdict": name, "evidence": [text[:300] for text in evidence if text], **extra}


def _rate_limit(session: CaptureSession) -> list[dict[str, Any]]:
    response, status = session.main_response, session.result.status
    if response is None or status not in (429, 503):
        return []
    header = response.headers.get("retry-after")
    wait = retry_after_seconds(header)
    if status == 503 and header is None:
        return []  # a 503 that names no wait is a server error, not a rate limit
    session.result.retry_after = wait
    said = f" with Retry-After: {header}" if header is not None else ""
    return [_verdict("rate-limited", [f"the server answered HTTP {status}{said}"], retry_after=wait)]


def retry_after_seconds(header: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds, or an HTTP date (RFC 9110 10.2.3)."""
    if header is None:
        return None
    text = header.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _logged_out(session: CaptureSession) -> list[dict[str, Any]]:
    """A page captured with a profile whose check is not on it: the session expired, or the site
    logged the account out (the profile itself is left as it was)."""
    profile = session.profile
    if profile is None or profile.check is None or session.logged_in is not False:
        return []
    return [
        _verdict(
            "login-wall",
            [
                f"profile {profile.name!r}: its check ({profile.check.describe()}) is not on the page, "
                f"so it was not seen logged in (an expired session?); archiver profile refresh {profile.name}",
                *(_login_wall(session, session.scan) if session.scan else []),
            ],
        )
    ]


def _from_scan(session: CaptureSession, scan: PageScan) -> list[dict[str, Any]]:
    verdicts: list[dict[str, Any]] = []
    little_text = scan.article_words < SOFT_PAYWALL_WORDS
    consent = scan.overlays_of("consent")
    if consent:
        left = session.options.consent == "leave"
        dialogs = [o for o in session.result.obstacles if o.get("kind") == "consent-dialog"]
        evidence = [f"{o['selector']} covers {o['coverage']:.0%} of the viewport: {o['text'][:120]}" for o in consent]
        evidence += [f"{d['platform']}: {d['action']}" for d in dialogs]
        verdicts.append(_verdict("consent-dialog-remained", evidence, as_asked=left))
    paywall = [f"{o['selector']}: {o['text'][:120]}" for o in scan.overlays_of("paywall")] + scan.paywall_marks
    if scan.paywall_text:
        paywall.append(f"the page says: {scan.paywall_text}")
    clipped = (
        [f"{s}: the page cannot scroll" for s in scan.overflow_hidden]
        + [f"{s}: blurred" for s in scan.blurred]
        + [f"{s}: clamped in height" for s in scan.clamped]
    )
    if (paywall or clipped) and not little_text and session.obstructed:
        verdicts.append(_verdict("paywall-soft", paywall + clipped, article_words=scan.article_words))
    elif paywall and little_text:
        verdicts.append(_verdict("paywall-hard", paywall, article_words=scan.article_words))
    # a profile's page seen logged out: its login wall is said once, by _logged_out
    login = _login_wall(session, scan) if little_text and session.logged_in is not False else []
    if login:
        verdicts.append(_verdict("login-wall", login))
    if scan.challenge:
        verdicts.append(_verdict("bot-challenge", [*scan.challenge, f"page title: {scan.title}"]))
    challenged = (session.main_response.headers.get("cf-mitigated") if session.main_response else None) or ""
    if "challenge" in challenged.lower() and not scan.challenge:
        verdicts.append(_verdict("bot-challenge", [f"the response says cf-mitigated: {challenged}"]))
    if scan.captcha and little_text:
        verdicts.append(_verdict("captcha", scan.captcha))
    return verdicts


def _login_wall(session: CaptureSession, scan: PageScan) -> list[str]:
    evidence = []
    if scan.password_fields:
        evidence.append(f"{scan.password_fields} password field(s) on the page")
    if scan.login_text:
        evidence.append(f"the page says: {scan.login_text}")
    evidence += [f"{o['selector']}: {o['text'][:120]}" for o in scan.overlays_of("login")]
    path = urlsplit(session.final_url()).path.lower()
    requested = urlsplit(session.job.url).path.lower()
    if path != requested and path.startswith(LOGIN_PATH):
        evidence.append(f"the page was sent to a login address: {session.final_url()}")
    return evidence if (scan.password_fields and len(evidence) > 1) or path.startswith(LOGIN_PATH) else []


def _no_article_text(scan: PageScan) -> list[dict[str, Any]]:
    if not scan.is_article or scan.article_words >= NO_TEXT_WORDS:
        return []
    return [
        _verdict(
            "no-article-text",
            [f"an article page (by its markup) with {scan.article_words} words in its article region"],
            article_words=scan.article_words,
        )
    ]
