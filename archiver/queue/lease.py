"""A worker's leases, kept alive by a thread of their own.

A lease is the idle time of a job's entry in the group's pending list: every `lease / 4` seconds
this thread resets it for every job the worker holds, and says the worker is alive. It runs in its
own thread, so a capture that keeps the event loop busy for a while does not lose its job; a worker
that is killed, frozen (SIGSTOP, a hung machine) or cut off from Redis stops renewing, and another
worker claims the job once it has been idle for the whole lease.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from archiver.queue.broker import REDIS_DOWN, Broker


class LeaseKeeper:
    def __init__(
        self,
        broker: Broker,
        worker: str,
        lease_seconds: float,
        about: Callable[[], dict[str, Any]],
        on_lost: Callable[[str], None] = lambda entry: None,
    ) -> None:
        self.broker = broker
        self.worker = worker
        self.interval = max(0.2, lease_seconds / 4)
        self.about = about  # what the worker says about itself with each heartbeat
        self.on_lost = on_lost
        self._held: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="archiver-leases", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def hold(self, entry_id: str) -> None:
        with self._lock:
            self._held.add(entry_id)

    def release(self, entry_id: str) -> None:
        with self._lock:
            self._held.discard(entry_id)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.beat()

    def beat(self) -> None:
        with self._lock:
            held = sorted(self._held)
        try:
            for entry in self.broker.renew(self.worker, held):
                self.release(entry)  # claimed by another worker: our attempt may still finish; the commit decides
                self.on_lost(entry)
            self.broker.seen(self.worker, self.about())
        except REDIS_DOWN:
            pass  # Redis restarting or out of reach: try again next beat; the lease may run out meanwhile
