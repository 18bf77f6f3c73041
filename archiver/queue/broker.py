"""The Redis side of the queue: one stream of jobs read by one consumer group.

Redis does the bookkeeping a queue must not get wrong: an entry a worker has read stays in the
group's pending list, with its owner and delivery count, until the worker acknowledges it; a worker
keeps its entries' idle time near zero while it works (see `lease`), so an entry idle past the lease
belongs to a worker that died or froze, and the next worker claims it (XCLAIM checks the idle time
atomically, so two workers never both claim one entry).

Keys, all under the prefix (default "archiver:"):
    jobs      stream of queued jobs (fields: "job", its JSON; "page", its page key); group "workers"
    pending   hash  page key -> job id, for every job not yet finished: one job per page while pending
    running   hash  stream entry id -> who is capturing it, since when
    outcomes  hash  job id -> how it ended; HSETNX on it is the commit: one attempt wins, once
    retried   hash  job id -> JSON list of attempts that ended without an answer (lease expired)
    set_aside list  attempts that finished after another attempt of the same job was committed
    workers   hash  worker id -> host, pid, output, started, last heartbeat
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeout

from archiver.errors import ArchiverError

GROUP = "workers"
MIN_REDIS = (6, 2)  # XPENDING IDLE and XAUTOCLAIM-era stream semantics
REDIS_DOWN = (RedisConnectionError, RedisTimeout, OSError)
FORGET_AFTER_LEASES = 10  # a worker silent this many leases is taken for dead and no longer listed

# Queue a job unless one for the same page is pending: (1, job id) or (0, the pending job's id).
ADD = """
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {0, existing} end
redis.call('XADD', KEYS[2], '*', 'job', ARGV[3], 'page', ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return {1, ARGV[2]}
"""
# Reset the idle time of entries this worker still owns; return those another worker now owns
# (an entry no longer pending was just finished: neither renewed nor lost).
RENEW = """
local lost = {}
for i, id in ipairs(ARGV) do
  if i > 1 then
    local entry = redis.call('XPENDING', KEYS[1], 'workers', id, id, 1)
    if entry[1] and entry[1][2] == ARGV[1] then
      redis.call('XCLAIM', KEYS[1], 'workers', ARGV[1], 0, id, 'JUSTID')
    elseif entry[1] then
      table.insert(lost, id)
    end
  end
end
return lost
"""
# The commit: the first outcome recorded for a job wins. (1, ours) or (0, the winner's).
COMMIT = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then return {1, ARGV[2]} end
return {0, redis.call('HGET', KEYS[1], ARGV[1])}
"""
# A job leaves the queue: acknowledged, deleted from the stream, no longer pending or running.
FINISH = """
redis.call('XACK', KEYS[1], 'workers', ARGV[1])
redis.call('XDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[3], ARGV[2]) == ARGV[3] then redis.call('HDEL', KEYS[3], ARGV[2]) end
return 1
"""


class QueueUnreachable(ArchiverError):
    pass


@dataclass(frozen=True)
class Delivery:
    """A job handed to this worker: fresh from the stream, or claimed from a worker that stopped answering."""

    entry_id: str
    body: bytes  # the job as it sits in the stream: not yet known to be text, JSON, or of a sane size
    page_key: bytes  # the pending-page key it was queued under (readable even when the job is not)
    deliveries: int  # how many times the job was handed out, this one included (kills count)
    previous_owner: str | None = None  # the worker whose lease expired, when claimed
    idle_seconds: float = 0.0  # how long the previous owner had been silent


def _text(value: bytes | str) -> str:
    """An id Redis made (a stream entry id): ASCII."""
    return value.decode("ascii", "replace") if isinstance(value, bytes) else value


def display_url(url: str) -> str:
    """The Redis URL without its password, for messages and manifests."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + netloc, parts.path, parts.query, parts.fragment))


class Broker:
    def __init__(
        self, client: redis.Redis, url: str, prefix: str = "archiver:", raw: redis.Redis | None = None
    ) -> None:
        # redis-py types every answer as the union of its sync and async clients' answers: the
        # answers are read as what the commands return, and checked where they come from a job.
        self.client: Any = client
        # Stream entries are read as bytes: anyone who can write to the queue can put there bytes
        # that are not UTF-8, and one such entry must not stop every reader of the stream.
        self.raw: Any = raw if raw is not None else client
        self.url = url
        self.prefix = prefix
        self._add = client.register_script(ADD)
        self._renew = client.register_script(RENEW)
        self._commit = client.register_script(COMMIT)
        self._finish = client.register_script(FINISH)

    @classmethod
    def connect(cls, url: str) -> Broker:
        """A broker on a Redis that answers, or QueueUnreachable with one line saying why."""
        try:
            settings: dict[str, Any] = {"socket_connect_timeout": 5, "socket_timeout": 30, "health_check_interval": 15}
            client = redis.Redis.from_url(url, decode_responses=True, **settings)
            raw = redis.Redis.from_url(url, decode_responses=False, **settings)
            version = client.info("server").get("redis_version", "0")
        except ValueError as exc:
            raise QueueUnreachable(f"not a Redis URL: {display_url(url)} ({exc})") from None
        except REDIS_DOWN as exc:
            raise QueueUnreachable(f"cannot reach Redis at {display_url(url)}: {exc}") from None
        except ResponseError as exc:  # e.g. a password is needed
            raise QueueUnreachable(f"Redis at {display_url(url)} refused: {exc}") from None
        if tuple(int(p) for p in version.split(".")[:2]) < MIN_REDIS:
            raise QueueUnreachable(f"Redis at {display_url(url)} is {version}; the queue needs 6.2 or newer")
        broker = cls(client, url, raw=raw)
        broker.ensure_group()
        return broker

    def key(self, name: str) -> str:
        return self.prefix + name

    def ensure_group(self) -> None:
        """The consumer group, created with the stream (again after a Redis that lost its data)."""
        try:
            self.client.xgroup_create(self.key("jobs"), GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    # -- queueing --------------------------------------------------------------------------------

    def add(self, page_key: str, job_id: str, job_json: str) -> tuple[bool, str]:
        added, job = self._add(keys=[self.key("pending"), self.key("jobs")], args=[page_key, job_id, job_json])
        return bool(added), str(job)

    # -- taking work -----------------------------------------------------------------------------

    def claim_expired(self, worker: str, lease_seconds: float) -> Delivery | None:
        """The oldest job whose worker has not renewed its lease for `lease_seconds`, now ours."""
        lease_ms = int(lease_seconds * 1000)
        for stale in self.client.xpending_range(self.key("jobs"), GROUP, "-", "+", 10, idle=lease_ms):
            claimed = self.raw.xclaim(self.key("jobs"), GROUP, worker, lease_ms, [stale["message_id"]])
            if claimed and claimed[0][1]:
                entry_id, fields = claimed[0]
                return Delivery(
                    _text(entry_id),
                    fields.get(b"job", b""),
                    fields.get(b"page", b""),
                    int(stale["times_delivered"]) + 1,
                    stale["consumer"],
                    stale["time_since_delivered"] / 1000,
                )
            if claimed:  # its entry is gone from the stream (deleted by hand): nothing to do
                self.client.xack(self.key("jobs"), GROUP, stale["message_id"])
        return None

    def read_new(self, worker: str, block_seconds: float) -> Delivery | None:
        """The next job nobody has taken yet, waiting up to `block_seconds` for one."""
        answer = self.raw.xreadgroup(
            GROUP, worker, {self.key("jobs"): ">"}, count=1, block=max(1, int(block_seconds * 1000))
        )
        if not answer:
            return None
        entry_id, fields = answer[0][1][0]
        fields = fields or {}
        return Delivery(_text(entry_id), fields.get(b"job", b""), fields.get(b"page", b""), 1)

    def mark_running(self, delivery: Delivery, worker: str, since: str, job_id: str, url: str) -> None:
        self.client.hset(
            self.key("running"),
            delivery.entry_id,
            json.dumps(
                {"worker": worker, "since": since, "job_id": job_id, "url": url, "delivery": delivery.deliveries}
            ),
        )

    def note_retry(self, job_id: str, attempt: dict[str, Any]) -> None:
        """Record an attempt that ended without an answer (its lease expired)."""
        key = self.key("retried")
        attempts = json.loads(self.client.hget(key, job_id) or "[]")
        self.client.hset(key, job_id, json.dumps(attempts + [attempt]))

    def renew(self, worker: str, entry_ids: list[str]) -> list[str]:
        """Keep our leases alive; the entries another worker has claimed meanwhile."""
        if not entry_ids:
            return []
        return list(self._renew(keys=[self.key("jobs")], args=[worker, *entry_ids]))

    # -- ending a job ----------------------------------------------------------------------------

    def outcome(self, job_id: str) -> dict[str, Any] | None:
        text = self.client.hget(self.key("outcomes"), job_id)
        return json.loads(text) if text else None

    def commit(self, job_id: str, outcome: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        """Record how a job ended, unless another attempt did first: (won, the recorded outcome)."""
        won, recorded = self._commit(keys=[self.key("outcomes")], args=[job_id, json.dumps(outcome)])
        return bool(won), json.loads(recorded)

    def finish(self, delivery: Delivery, job_id: str) -> None:
        self._finish(
            keys=[self.key("jobs"), self.key("running"), self.key("pending")],
            args=[delivery.entry_id, delivery.page_key, job_id],
        )

    def note_set_aside(self, note: dict[str, Any]) -> None:
        self.client.rpush(self.key("set_aside"), json.dumps(note))

    def nothing_left(self) -> bool:
        """No job queued or being captured anywhere."""
        return self.client.hlen(self.key("pending")) == 0

    # -- workers ---------------------------------------------------------------------------------

    def register(self, worker: str, about: dict[str, Any]) -> None:
        """Say this worker is alive; forget workers long silent (killed ones never say goodbye)."""
        self.seen(worker, about)
        now = self.client.time()[0]
        for other, text in self.client.hgetall(self.key("workers")).items():
            seen = json.loads(text)
            if now - seen.get("seen_at_epoch", now) > FORGET_AFTER_LEASES * seen.get("lease_seconds", 60):
                self.unregister(other)

    def seen(self, worker: str, about: dict[str, Any]) -> None:
        self.client.hset(self.key("workers"), worker, json.dumps({**about, "seen_at_epoch": self.client.time()[0]}))

    def unregister(self, worker: str) -> None:
        self.client.hdel(self.key("workers"), worker)
        for consumer in self.client.xinfo_consumers(self.key("jobs"), GROUP):
            # Deleting a consumer drops its pending entries: only one that holds none is forgotten.
            if consumer["name"] == worker and consumer["pending"] == 0:
                self.client.xgroup_delconsumer(self.key("jobs"), GROUP, worker)
