"""`queue add` as a function: seeds in, jobs queued; the same page pending twice is one job."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from archiver.options import CaptureOptions
from archiver.queue.broker import Broker
from archiver.queue.jobs import QueuedJob
from archiver.run.seeds import Seed


@dataclass
class Enqueued:
    queued: list[dict[str, str]] = field(default_factory=list)  # url, origin, job_id
    already_pending: list[dict[str, str]] = field(default_factory=list)  # url, origin, the pending job's id
    rejected: list[dict[str, str]] = field(default_factory=list)  # url, origin, problem

    def to_dict(self) -> dict[str, list[dict[str, str]]]:
        return {"queued": self.queued, "already_pending": self.already_pending, "rejected": self.rejected}


def enqueue(broker: Broker, seeds: Iterable[Seed], options: CaptureOptions, recapture: bool = False) -> Enqueued:
    report = Enqueued()
    for seed in seeds:
        if seed.problem:
            report.rejected.append({"url": seed.url, "origin": seed.origin, "problem": seed.problem})
            continue
        job = QueuedJob.new(seed.url, options, recapture, seed.origin)
        added, job_id = broker.add(job.page_key, job.job_id, job.to_json())
        (report.queued if added else report.already_pending).append(
            {"url": seed.url, "origin": seed.origin, "job_id": job_id}
        )
    return report
