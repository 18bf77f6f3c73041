"""A person's summary of a run (`archiver show`): per page what it is, what it says, and where
its files are."""

from __future__ import annotations

from archiver.output.stored import StoredImage, StoredPage, StoredRun
from archiver.terms import PageState


def _credits(image: StoredImage) -> str:
    if not image.credits:
        return "no credit found"
    return "; ".join(f"{c.value} ({c.source})" for c in image.credits)


def page_summary(page: StoredPage) -> list[str]:
    title = page.headline or page.title or "(no title)"
    lines = [title, "=" * min(len(title), 100)]
    for label, name in (
        ("By", "authors"),
        ("Published", "published"),
        ("Updated", "modified"),
        ("Site", "site_name"),
        ("Section", "section"),
    ):
        value = page.article.text(name)
        if value:
            lines.append(f"{label + ':':<13}{value}")
    lines.append(f"{'URL:':<13}{page.url}")
    status = f"HTTP {page.status}" if page.status is not None else "no response"
    reason = f" ({page.reason})" if page.reason else ""
    lines.append(f"{'State:':<13}{page.state}, {status}{reason}")
    lines.append(f"{'Captured:':<13}{page.started_at}  (capture {page.capture_id})")
    lead = next((image for image in page.images if image.is_lead), None)
    if lead:
        archive = ", archive photo" if lead.archive_photo else ""
        lines.append(f"{'Lead image:':<13}{lead.url}{archive}")
        lines.append(f"{'Credit:':<13}{_credits(lead)}")
    credited = sum(1 for image in page.images if image.credits)
    lines.append(
        f"{'Counts:':<13}{page.counts.get('exchanges_written', 0)} exchanges, {len(page.images)} article "
        f"images ({credited} credited), {page.counts.get('failed_requests', 0)} failed requests"
    )
    dedup = page.dedup
    if dedup and dedup.revisits:
        lines.append(
            f"{'Dedup:':<13}{dedup.revisits} response(s) unchanged since an earlier capture, stored as "
            f"revisits ({dedup.bytes_saved:,} bytes saved); they need {len(dedup.requires)} earlier "
            "WARC file(s)"
        )
    if page.profile is not None:
        lines.append(f"{'Profile:':<13}{page.profile.line()}")
    if page.secrets is not None and (page.secrets.headers or not page.secrets.redacted):
        lines.append(f"{'Secrets:':<13}{page.secrets.line()}")
    for verdict in page.verdicts:
        lines.append(f"{'Verdict:':<13}{verdict.line()}{' (left as asked)' if verdict.as_asked else ''}")
    for obstacle in page.obstacles:
        lines.append(f"{'Done:':<13}{obstacle.line()}")
    for action in page.media_actions:
        lines.append(f"{'Done:':<13}{action}")
    for item in page.media:
        lines.append(f"{'Media:':<13}{item.line()}")
    for attempt in page.attempts:
        lines.append(f"{'Retried:':<13}after an attempt at {attempt.started_at}: {attempt.reason}")
    width = max((len(entry.role) for entry in page.files), default=0) + 4
    for entry in page.files:
        lines.append(f"{'  ' + entry.role + ':':<{width}}{page.run_dir / entry.path}")
    for warning in page.warnings:
        lines.append(f"{'Warning:':<13}{warning}")
    return lines


def run_summary(run: StoredRun) -> list[str]:
    counts = {state: len(run.pages_in([state])) for state in PageState}
    lines = [
        f"Run {run.run_id}: {len(run.pages)} page(s), {counts[PageState.COMPLETE]} complete, "
        f"{counts[PageState.PARTIAL]} partial, {counts[PageState.FAILED]} failed  ({run.path})"
    ]
    if run.qa:
        lines.append(f"Replay QA: {'passed' if run.qa.passed else 'FAILED'} ({run.qa.path})")
    for page in run.pages:
        lines += [""] + page_summary(page)
    return lines
