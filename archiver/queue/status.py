"""What the queue holds, read from Redis: queued, running (by whom, since when), done, failed,
retried, set aside, and the workers that said they were alive."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from archiver.queue.broker import GROUP, Broker, display_url
from archiver.queue.jobs import QueuedJob
from archiver.terms import COMPLETE, PARTIAL

LISTED = 10_000  # at most this many queued or running entries are read for one status


@dataclass
class QueueStatus:
    redis: str
    queued: list[dict[str, Any]] = field(default_factory=list)
    running: list[dict[str, Any]] = field(default_factory=list)
    done: list[dict[str, Any]] = field(default_factory=list)  # captured (complete or partial) or skipped
    failed: list[dict[str, Any]] = field(default_factory=list)
    retried: list[dict[str, Any]] = field(default_factory=list)
    set_aside: list[dict[str, Any]] = field(default_factory=list)
    workers: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "queued": len(self.queued),
            "running": len(self.running),
            "done": len(self.done),
            "failed": len(self.failed),
            "retried": len(self.retried),
            "set_aside": len(self.set_aside),
            "workers": len(self.workers),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "redis": self.redis,
            "counts": self.counts(),
            "queued": self.queued,
            "running": self.running,
            "done": self.done,
            "failed": self.failed,
            "retried": self.retried,
            "set_aside": self.set_aside,
            "workers": self.workers,
        }


def read_status(broker: Broker) -> QueueStatus:
    client = broker.client
    status = QueueStatus(display_url(broker.url))
    entries = broker.raw.xrange(broker.key("jobs"), "-", "+", count=LISTED)  # bytes: anyone may have written them
    owners = {p["message_id"]: p for p in client.xpending_range(broker.key("jobs"), GROUP, "-", "+", LISTED)}
    running = {entry: json.loads(text) for entry, text in client.hgetall(broker.key("running")).items()}
    for raw_id, fields in entries:
        entry_id = raw_id.decode("ascii", "replace")
        job = QueuedJob.peek((fields or {}).get(b"job", b""))
        item = {
            "entry": entry_id,
            "job_id": job.get("job_id"),
            "url": job.get("url"),
            "queued_at": job.get("queued_at"),
            "origin": job.get("origin"),
        }
        owner = owners.get(entry_id)
        if owner is None:
            status.queued.append(item)
            continue
        since = running.get(entry_id, {})
        status.running.append(
            {
                **item,
                "worker": owner["consumer"],
                "since": since.get("since"),
                "silent_seconds": round(owner["time_since_delivered"] / 1000, 1),
                "attempt": int(owner["times_delivered"]),
            }
        )
    for job_id, text in client.hgetall(broker.key("outcomes")).items():
        outcome = {"job_id": job_id, **json.loads(text)}
        (status.done if outcome.get("state") in (COMPLETE, PARTIAL, "skipped") else status.failed).append(outcome)
    status.done.sort(key=lambda o: o.get("at") or "")
    status.failed.sort(key=lambda o: o.get("at") or "")
    for job_id, text in client.hgetall(broker.key("retried")).items():
        status.retried.append({"job_id": job_id, "attempts_lost": json.loads(text)})
    status.set_aside = [json.loads(text) for text in client.lrange(broker.key("set_aside"), 0, -1)]
    now = client.time()[0]  # Redis's clock, as the heartbeats were stamped: the machines' clocks may differ
    for worker, text in sorted(client.hgetall(broker.key("workers")).items()):
        about = json.loads(text)
        status.workers.append({"id": worker, **about, "heartbeat_age_seconds": now - about.get("seen_at_epoch", now)})
    return status


def render_text(status: QueueStatus) -> list[str]:
    counts = status.counts()
    states = {state: sum(o.get("state") == state for o in status.done) for state in (COMPLETE, PARTIAL, "skipped")}
    lines = [
        f"queue at {status.redis}",
        f"  queued {counts['queued']}, running {counts['running']}, done {counts['done']} "
        f"({states[COMPLETE]} complete, {states[PARTIAL]} partial, {states['skipped']} skipped), "
        f"failed {counts['failed']}, retried {counts['retried']}, set aside {counts['set_aside']}",
    ]
    for item in status.running:
        lines.append(
            f"  running  {item['url']}  by {item['worker']} since {item['since'] or '?'} "
            f"(attempt {item['attempt']}, last heartbeat {item['silent_seconds']:g} s ago)"
        )
    for item in status.queued[:20]:
        lines.append(f"  queued   {item['url']}  ({item['origin'] or 'queued'} at {item['queued_at']})")
    if len(status.queued) > 20:
        lines.append(f"  ... and {len(status.queued) - 20} more queued")
    for item in status.failed:
        lines.append(f"  failed   {item.get('url') or item['job_id']}: {item.get('reason')}")
    for item in status.retried:
        lost = item["attempts_lost"]
        lines.append(f"  retried  job {item['job_id']}: {len(lost)} attempt(s) lost, last by {lost[-1]['worker']}")
    for item in status.workers:
        age = item["heartbeat_age_seconds"]
        silent = age > 2 * item.get("lease_seconds", 60)
        lines.append(
            f"  worker   {item['id']}  output {item.get('output')}, heartbeat {age:g} s ago"
            + (" (stopping)" if item.get("stopping") else "")
            + (" (silent: dead?)" if silent else "")
        )
    return lines
