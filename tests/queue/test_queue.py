"""The queue with a real redis-server and real `archiver worker` processes against the fixture site:
every queued page ends captured complete exactly once in the output's manifests (or failed with its
reason), whatever happens to the workers: SIGKILL mid-capture, killed between capture and commit,
frozen past the lease, a page that kills every worker, Redis restarted under them, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from archiver.options import CaptureOptions
from archiver.output.manifest import load_schema
from archiver.queue.jobs import QueuedJob, UnreadableJob
from tests.support.queue_support import (
    ARCHIVER,
    FAST,
    RedisServer,
    WorkerProcess,
    listed_urls,
    manifest_pages,
    outcomes,
    queue_add,
    running,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.redis]

LEASE = ["--lease", "3"]  # short, so a dead worker's page is taken over within seconds


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def _validate(output: Path) -> None:
    validator = jsonschema.Draft202012Validator(load_schema())
    for manifest in output.glob("*/manifest.json"):
        validator.validate(json.loads(manifest.read_text()))


def _complete_once(output: Path, urls: list[str]) -> None:
    """Every URL listed exactly once over all manifests, complete, with its WARC on disk."""
    assert listed_urls(output) == sorted(urls)
    for run_dir, page in manifest_pages(output):
        assert page["state"] == "complete", page["reason"]
        assert all((run_dir / f["path"]).is_file() for f in page["files"])
    _validate(output)


def test_three_workers_share_the_queue_and_capture_each_page_once_as_capture_does(site, redis_server, tmp_path):
    output = tmp_path / "out"
    broker = redis_server.broker()
    # Waiting for work first, so that every worker is there when the pages come.
    workers = [WorkerProcess(redis_server.url, output, tmp_path / f"w{n}.log", *LEASE) for n in range(3)]
    wait_for(lambda: broker.client.hlen(broker.key("workers")) == 3, 90, "three workers to start")
    urls = [site.url(f"/queue/story-{n}") for n in range(1, 7)]
    inputs = tmp_path / "urls.txt"
    inputs.write_text("\n".join(urls[1:]) + "\n" + urls[2] + "\nnot a url\n")
    added = queue_add(redis_server.url, urls[0], urls[0], "--input", str(inputs))
    assert added.returncode == 1, added.stderr  # the bad line is reported, the others queued
    assert "urls.txt line 7" in added.stderr and "queued 6 page(s); 2 already pending; 1 rejected" in added.stdout
    # A job from a newer archiver, with an option this one does not know: refused, with the reason.
    job = QueuedJob.new(site.url("/queue/story-future"), CaptureOptions())
    future = json.loads(job.to_json())
    future["options"]["hover_everything"] = True
    broker.add(job.page_key, job.job_id, json.dumps(future))
    wait_for(broker.nothing_left, 120, "every page")
    for worker in workers:
        worker.signal(signal.SIGTERM)  # idle: stops at once
    assert [w.wait() for w in workers] == [0, 0, 0], [w.said() for w in workers]

    _complete_once(output, urls)
    runs = {run_dir.name for run_dir, _ in manifest_pages(output)}
    assert len(runs) >= 2  # each worker wrote its own run folder
    for run_dir, _ in manifest_pages(output):
        worker = json.loads((run_dir / "manifest.json").read_text())["run_settings"]["worker"]
        assert worker["queue"] == redis_server.url and worker["max_attempts"] == 3
    done = outcomes(broker)
    refused = done.pop(future["job_id"])
    assert refused["state"] == "failed" and "hover_everything" in refused["reason"]
    assert sorted(o["url"] for o in done.values()) == sorted(urls)

    status = json.loads(
        subprocess.run(
            [*ARCHIVER, "queue", "status", "--redis", redis_server.url, "--json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert status["counts"] | {"workers": 0} == {
        "queued": 0,
        "running": 0,
        "done": 6,
        "failed": 1,
        "retried": 0,
        "set_aside": 0,
        "workers": 0,
    }
    shown = subprocess.run([*ARCHIVER, "show", str(output)], capture_output=True, text=True)
    assert shown.returncode == 0 and all(url in shown.stdout for url in urls)
    bundle = tmp_path / "all.wacz"  # one bundle over every worker's run folder
    assert (
        subprocess.run([*ARCHIVER, "bundle", str(output), "--output", str(bundle)], capture_output=True).returncode == 0
    )
    verified = subprocess.run([*ARCHIVER, "verify", str(bundle)], capture_output=True, text=True)
    assert verified.returncode == 4, verified.stdout + verified.stderr  # every hash holds; unsigned
    with zipfile.ZipFile(bundle) as packed:
        listed = [json.loads(line) for line in packed.read("pages/pages.jsonl").decode().splitlines()[1:]]
    assert sorted(page["url"] for page in listed) == sorted(urls)

    # Queued again once done: skipped, as `capture` skips a page the output holds complete.
    assert queue_add(redis_server.url, urls[0]).returncode == 0
    again = WorkerProcess(redis_server.url, output, tmp_path / "again.log", "--until-empty", *LEASE)
    assert again.wait() == 0, again.said()
    assert listed_urls(output) == sorted(urls)
    skipped = [o for o in outcomes(broker).values() if o["state"] == "skipped"]
    assert [o["url"] for o in skipped] == [urls[0]]
    assert [s["seed"] for m in output.glob("*/manifest.json") for s in json.loads(m.read_text())["skipped"]] == [
        urls[0]
    ]

    # The same page captured by `archiver capture` with the same options: the same files, the same entry.
    direct = subprocess.run(
        [*ARCHIVER, "capture", "--output", str(tmp_path / "direct"), *FAST, urls[0]], capture_output=True, text=True
    )
    assert direct.returncode == 0, direct.stderr
    ((_, by_capture),) = manifest_pages(tmp_path / "direct")
    by_worker = next(page for _, page in manifest_pages(output) if page["requested_url"] == urls[0])
    assert sorted(f["role"] for f in by_worker["files"]) == sorted(f["role"] for f in by_capture["files"])
    assert set(by_worker) == set(by_capture) and by_worker["counts"] == by_capture["counts"]
    assert by_worker["content_hashes"] == by_capture["content_hashes"]


@pytest.mark.parametrize("stop", ["SIGKILL", "SIGTERM twice"])
def test_a_killed_worker_s_page_is_captured_again_and_its_open_warc_set_aside(site, redis_server, tmp_path, stop):
    """SIGKILL, or a second SIGTERM (stop now), mid-capture: the next worker takes over."""
    slow, quick = site.url("/queue/slow-1?delay=6"), site.url("/queue/story-k1")
    assert queue_add(redis_server.url, slow, quick).returncode == 0
    output = tmp_path / "out"
    first = WorkerProcess(redis_server.url, output, tmp_path / "first.log", *LEASE)
    broker = redis_server.broker()
    wait_for(lambda: list((output).glob("*/*/*.warc.gz.open")), 90, "the first worker to be writing its capture")
    worker_id = wait_for(lambda: first_worker_id(broker), 10, "its id")
    assert list(running(broker).values()) == [worker_id]
    status = subprocess.run(
        [*ARCHIVER, "queue", "status"],
        capture_output=True,
        text=True,
        env={**os.environ, "ARCHIVER_REDIS": redis_server.url},
    )
    assert f"running  {slow}  by {worker_id} since 20" in status.stdout, status.stdout
    if stop == "SIGKILL":
        first.signal(signal.SIGKILL)
        assert first.wait() == -signal.SIGKILL
    else:
        first.signal(signal.SIGTERM)  # finish the page, then stop...
        wait_for(lambda: "finishing 1 page(s)" in first.said(), 30, "the worker to hear it")
        first.signal(signal.SIGTERM)  # ...no: stop now
        assert first.wait() == 128 + signal.SIGTERM, first.said()

    second = WorkerProcess(redis_server.url, output, tmp_path / "second.log", "--until-empty", *LEASE)
    assert second.wait() == 0, second.said()
    _complete_once(output, [slow, quick])
    interrupted = list((output / "interrupted").glob("*/*/INTERRUPTED.json"))
    assert len(interrupted) == 1 and "killed or crashed" in json.loads(interrupted[0].read_text())["why"]
    retried = {job: json.loads(text) for job, text in broker.client.hgetall(broker.key("retried")).items()}
    assert [attempt["why"] for lost in retried.values() for attempt in lost] == [
        "lease expired: no heartbeat from its worker"
    ]
    assert [o["attempt"] for o in outcomes(broker).values() if o["url"] == slow] == [2]
    recovered = [json.loads(m.read_text())["recovered"] for m in output.glob("*/manifest.json")]
    assert sum(len(notes) for notes in recovered) == 1  # noted in the second worker's manifest


def outcome_job_id(broker) -> str:
    (job_id,) = outcomes(broker)
    return job_id


def first_worker_id(broker) -> str | None:
    workers = broker.client.hkeys(broker.key("workers"))
    return workers[0] if len(workers) == 1 else None


@pytest.mark.parametrize("stage", ["commit", "keep"])
def test_a_worker_killed_around_its_commit_leaves_the_page_recorded_once(site, redis_server, tmp_path, stage):
    """commit: killed after capturing, before committing (the capture is set aside, the page taken
    over); keep: killed after winning the commit, before its manifest (the next worker finishes it)."""
    url = site.url(f"/queue/story-{stage}")
    assert queue_add(redis_server.url, url).returncode == 0
    output = tmp_path / "out"
    doomed = WorkerProcess(redis_server.url, output, tmp_path / "doomed.log", *LEASE, fault=f"{stage}:story-{stage}")
    assert doomed.wait() == -signal.SIGKILL
    broker = redis_server.broker()
    assert bool(outcomes(broker)) == (stage == "keep")

    after = WorkerProcess(redis_server.url, output, tmp_path / "after.log", "--until-empty", *LEASE)
    assert after.wait() == 0, after.said()
    _complete_once(output, [url])
    ((run_dir, page),) = manifest_pages(output)
    (outcome,) = outcomes(broker).values()
    assert (outcome["run_id"], outcome["capture_id"]) == (run_dir.name, page["capture_id"])
    set_aside = list((output / "set-aside").glob("*/*/SET-ASIDE.json"))
    if stage == "commit":  # the doomed worker's capture is out of every manifest, noted
        assert len(set_aside) == 1 and "before committing" in json.loads(set_aside[0].read_text())["why"]
        doomed_run = json.loads((output / set_aside[0].parent.parent.name / "manifest.json").read_text())
        assert [note["job_id"] for note in doomed_run["set_aside"]] == [outcome_job_id(broker)]
        assert outcome["attempt"] == 2
    else:  # the doomed worker's capture was the one committed: added to its run, not captured again
        assert not set_aside and outcome["attempt"] == 1
        assert not list(run_dir.glob(".staged/*.json"))


def test_a_frozen_worker_that_finishes_late_loses_the_commit_and_its_capture_is_set_aside(site, redis_server, tmp_path):
    url = site.url("/queue/slow-2?delay=4")
    assert queue_add(redis_server.url, url).returncode == 0
    output = tmp_path / "out"
    frozen = WorkerProcess(redis_server.url, output, tmp_path / "frozen.log", "--until-empty", *LEASE)
    wait_for(lambda: list(output.glob("*/*/*.warc.gz.open")), 90, "the first worker to be capturing the page")
    broker = redis_server.broker()
    frozen.signal(signal.SIGSTOP)  # a hung machine: no heartbeat, but it will wake up and carry on
    try:
        other = WorkerProcess(redis_server.url, output, tmp_path / "other.log", "--until-empty", *LEASE)
        assert other.wait() == 0, other.said()
    finally:
        frozen.signal(signal.SIGCONT)
    assert frozen.wait() == 0, frozen.said()

    _complete_once(output, [url])
    (outcome,) = outcomes(broker).values()
    notes = list((output / "set-aside").glob("*/*/SET-ASIDE.json"))
    assert len(notes) == 1
    note = json.loads(notes[0].read_text())
    assert note["kept"]["worker"] == outcome["worker"] and "committed first" in note["why"]
    frozen_run = output / notes[0].parent.parent.name
    assert json.loads((frozen_run / "manifest.json").read_text())["set_aside"][0]["now"] == note["now"]
    assert broker.client.llen(broker.key("set_aside")) == 1


def test_a_page_that_kills_every_worker_ends_failed_after_the_attempt_limit(site, redis_server, tmp_path):
    crash, fine = site.url("/queue/story-crash"), site.url("/queue/story-fine")
    assert queue_add(redis_server.url, crash, fine).returncode == 0
    output = tmp_path / "out"
    codes = []
    for n in range(5):  # a supervisor restarting a worker each time it dies
        worker = WorkerProcess(
            redis_server.url,
            output,
            tmp_path / f"w{n}.log",
            "--until-empty",
            "--lease",
            "2",
            "--max-attempts",
            "2",
            fault="capture:story-crash",
        )
        codes.append(worker.wait())
        if codes[-1] == 0:
            break
    assert codes == [-signal.SIGKILL, -signal.SIGKILL, 0]
    broker = redis_server.broker()
    failed = [o for o in outcomes(broker).values() if o["state"] == "failed"]
    assert [o["url"] for o in failed] == [crash] and "gave up after 2 attempts" in failed[0]["reason"]
    _complete_once(output, [fine])
    assert broker.nothing_left()


def test_workers_ride_out_a_redis_restart_and_sigterm_finishes_the_page_in_progress(site, redis_server, tmp_path):
    output = tmp_path / "out"
    workers = [WorkerProcess(redis_server.url, output, tmp_path / f"w{n}.log", *LEASE) for n in range(2)]
    broker = redis_server.broker()
    first = site.url("/queue/story-r1")
    assert queue_add(redis_server.url, first).returncode == 0
    wait_for(lambda: len(outcomes(broker)) == 1, 90, "the first page")

    redis_server.stop()  # while both workers wait for work
    assert queue_add(redis_server.url, site.url("/queue/story-r2")).returncode == 2  # one line, exit 2
    wait_for(lambda: all("unreachable" in w.said() for w in workers), 30, "the workers to notice")
    redis_server.start()
    slow, second = site.url("/queue/slow-r3?delay=4"), site.url("/queue/story-r2")
    assert queue_add(redis_server.url, slow, second).returncode == 0
    broker = redis_server.broker()
    taken = wait_for(
        lambda: [w for w in workers if slow in w.said() or _capturing(broker, w, slow)],
        90,
        "a worker to take the slow page",
    )
    busy = taken[0]
    busy.signal(signal.SIGTERM)  # finish the page in progress, then stop
    assert busy.wait() == 0, busy.said()
    wait_for(lambda: len(outcomes(broker)) == 3, 90, "every page")
    idle = next(w for w in workers if w is not busy)
    idle.signal(signal.SIGTERM)
    assert idle.wait() == 0, idle.said()

    _complete_once(output, [first, slow, second])
    assert all("is back" in w.said() for w in workers)
    assert not broker.client.hlen(broker.key("workers"))  # both said goodbye


def _capturing(broker, worker: WorkerProcess, url: str) -> bool:
    for text in broker.client.hvals(broker.key("workers")):
        about = json.loads(text)
        if about.get("pid") == worker.pid and url in about.get("capturing", []):
            return True
    return False


def test_an_unreachable_redis_is_one_line_and_exit_2(tmp_path):
    for command in (
        ["queue", "add", "http://example.test/"],
        ["queue", "status"],
        ["worker", "--output", str(tmp_path / "out")],
    ):
        result = subprocess.run(
            [*ARCHIVER, *command, "--redis", "redis://127.0.0.1:9/0"], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 2, command
        assert result.stderr.strip().count("\n") == 0 and "cannot reach Redis at redis://127.0.0.1:9/0" in result.stderr
        assert "Traceback" not in result.stderr
    missing = subprocess.run(
        [*ARCHIVER, "queue", "status"], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}
    )
    assert missing.returncode == 2 and "--redis" in missing.stderr


def test_a_job_is_read_back_as_queued_and_one_from_another_version_is_refused_with_the_reason():
    job = QueuedJob.new(
        "https://news.example/story",
        CaptureOptions(operator="desk", page_timeout=90),
        recapture=True,
        origin="urls.txt line 3",
    )
    again = QueuedJob.from_json(job.to_json())
    assert again == job and again.page_key == QueuedJob.new("https://NEWS.example/story#top", CaptureOptions()).page_key
    data = json.loads(job.to_json())
    refusals = {
        "format": {**data, "format": 2},
        "unknown": {**data, "options": {**data["options"], "hover_everything": True}},
        "type": {**data, "options": {**data["options"], "page_timeout": "soon"}},
        "missing": {key: value for key, value in data.items() if key != "url"},
    }
    reasons = {}
    for name, bad in refusals.items():
        with pytest.raises(UnreadableJob) as refused:
            QueuedJob.from_json(json.dumps(bad))
        reasons[name] = str(refused.value)
    assert "format 2" in reasons["format"] and "hover_everything" in reasons["unknown"]
    assert "page_timeout" in reasons["type"] and "url" in reasons["missing"]
    with pytest.raises(UnreadableJob):
        QueuedJob.from_json("not json")
