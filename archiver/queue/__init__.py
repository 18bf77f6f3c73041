"""Scale-out: pages queued in Redis, captured by workers on one machine or many.

    jobs        what travels through the queue: a URL with its capture options, versioned
    broker      the Redis side: a stream with one consumer group, leases, the atomic commit
    lease       a thread that keeps a worker's leases alive while it captures
    store       where a finished capture goes: kept in a run's manifest, or set aside
    recovery    what a dead worker left in the output folder: committed, set aside or cut
    worker      takes jobs, captures them with `capture.capture_page`, commits them once
    status      what the queue holds: queued, running (who, since), done, failed, retried

A job is delivered at least once; it is *recorded* once because the commit is one Redis step
(HSETNX on the done hash) and only the attempt that wins it reaches a manifest.
"""
