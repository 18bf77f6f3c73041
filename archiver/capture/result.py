"""The outcome of capturing one page: what becomes its manifest entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from archiver.browser.behaviours import BehaviourLog
from archiver.capture.steps import StepRecord
from archiver.identity import sha256_file
from archiver.terms import COMPLETE, FileRole, PageState
from archiver.times import utc_iso


@dataclass
class ArtifactFile:
    path: Path  # absolute
    role: FileRole

    def describe(self, relative_to: Path) -> dict[str, Any]:
        return {
            "path": self.path.relative_to(relative_to).as_posix(),
            "role": str(self.role),
            "sha256": sha256_file(self.path),
            "size": self.path.stat().st_size,
        }


@dataclass
class PageResult:
    requested_url: str
    page_id: str
    capture_id: str
    started_at: datetime
    state: PageState = COMPLETE
    reason: str | None = None
    ended_at: datetime | None = None
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    title: str | None = None
    server: dict[str, Any] | None = None
    tls: dict[str, Any] | None = None
    behaviours: BehaviourLog | None = None
    media: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    failed_requests: list[dict[str, str]] = field(default_factory=list)
    content_hashes: dict[str, str] = field(default_factory=dict)
    screenshots: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: list[ArtifactFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dialogs: list[dict[str, str]] = field(default_factory=list)
    consent: dict[str, Any] | None = None  # autoconsent: its version, the choice, platforms present
    obstacles: list[dict[str, Any]] = field(default_factory=list)  # consent dialogs, folds, paywalls: what was done
    verdicts: list[dict[str, Any]] = field(default_factory=list)  # is this a capture of the article? (capture.verdicts)
    retry_after: float | None = None  # seconds a rate-limited server asked us to wait
    article: dict[str, Any] | None = None  # see archiver.metadata.extract
    images: list[dict[str, Any]] = field(default_factory=list)
    images_left_out: int = 0  # images on the page that are not the article's (asides, appended articles)
    attempts: list[dict[str, str]] = field(default_factory=list)  # earlier attempts that failed (network)
    network_guard: dict[str, Any] | None = None  # requests kept off private networks
    blocking: dict[str, Any] | None = None  # --block: the filter list and what its rules refused
    secrets: dict[str, Any] | None = None  # which secret headers were redacted (or kept), and the key's id
    profile: dict[str, Any] | None = None  # --profile: its name, fingerprint, check, and whether it held
    large_bodies: list[dict[str, Any]] = field(default_factory=list)  # bodies streamed to disk, maybe cut
    dedup: dict[str, Any] | None = None  # revisits written, bytes saved, earlier WARCs they need
    steps: list[StepRecord] = field(default_factory=list)  # each step taken: its seconds and outcome
    browser_lost: bool = False  # not in the manifest: whoever runs the page gives the next one a new browser

    def mark(self, state: PageState, reason: str) -> None:
        """Lower the state (complete > partial > failed) and keep the first reason given for it."""
        if state.severity > self.state.severity or (state == self.state and self.reason is None):
            self.state, self.reason = state, reason

    def manifest_entry(self, run_dir: Path) -> dict[str, Any]:
        return {
            "page_id": self.page_id,
            "capture_id": self.capture_id,
            "requested_url": self.requested_url,
            "final_url": self.final_url,
            "status": self.status,
            "content_type": self.content_type,
            "title": self.title,
            "state": str(self.state),
            "reason": self.reason,
            "started_at": utc_iso(self.started_at),
            "ended_at": utc_iso(self.ended_at) if self.ended_at else None,
            "server": self.server,
            "tls": self.tls,
            "behaviours": self.behaviours.to_dict() if self.behaviours else None,
            "media": self.media,
            "counts": self.counts,
            "failed_requests": self.failed_requests,
            "content_hashes": self.content_hashes,
            "article": self.article,
            "images": self.images,
            "images_left_out": self.images_left_out,
            "attempts": self.attempts,
            "network_guard": self.network_guard,
            **({"blocking": self.blocking} if self.blocking is not None else {}),
            "secrets": self.secrets,
            **({"profile": self.profile} if self.profile is not None else {}),
            "large_bodies": self.large_bodies,
            "dedup": self.dedup,
            "screenshots": self.screenshots,
            "files": [f.describe(run_dir) for f in self.files if f.path.exists()],
            "dialogs": self.dialogs,
            "consent": self.consent,
            "obstacles": self.obstacles,
            "verdicts": self.verdicts,
            "warnings": self.warnings,
            "notes": self.notes,
            "steps": [step.to_dict() for step in self.steps],
        }
