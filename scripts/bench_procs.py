"""What a command costs, browser included (for scripts/bench.py, not a test): wall time, CPU seconds of
its whole process tree, the tree's peak memory, each process's own peak, and memory over time.

The bench process makes itself the child subreaper: a process whose parent exits before it does
(Chromium's helpers, at browser exit) is handed to the bench, which reaps it, so that its CPU time
is counted too. Memory is sampled every SAMPLE_SECONDS: the tree's proportional set size (PSS:
pages shared between Chromium's processes counted once, split among them) and, per process, its
own high-water mark of resident memory (VmHWM: the kernel's own peak, not a sample).
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.5  # often enough for the tree's peak; reading /proc costs the measured processes CPU too
PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def role(pid: int, root: int) -> str:
    """What a process of the tree is: the command's own Python, Playwright's driver, or a Chromium
    process by its --type (the browser process has none)."""
    if pid == root:
        return "python"
    try:
        # Chromium rewrites its command line as one string: its arguments are split on spaces too
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
    except OSError:
        return "gone"
    if not arguments:
        return "gone"
    text = b" ".join(arguments)
    if b"node" in arguments[0] or b"playwright" in text and b"run-driver" in text:
        return "driver"
    kind = next((a.split(b"=", 1)[1].decode() for a in arguments if a.startswith(b"--type=")), None)
    if kind is None:
        return "browser" if b"chrom" in arguments[0] else arguments[0].decode(errors="replace").rsplit("/", 1)[-1]
    if kind == "utility":
        sub = next((a.split(b"=", 1)[1].decode() for a in arguments if a.startswith(b"--utility-sub-type=")), "")
        return "network" if "network" in sub.lower() else f"utility {sub.rsplit('.', 1)[-1]}"
    return kind


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(parent, []).append(int(entry))
    return tree


def descendants(root: int) -> list[int]:
    tree, found, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


def _kib(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Sample:
    seconds: float  # since the command started
    tree_pss_mb: float
    python_rss_mb: float


@dataclass
class Cost:
    started_at: float  # time.time() at the start: the samples' clock against a manifest's times
    wall_seconds: float
    cpu_seconds: float  # user + system, every process of the tree
    peak_tree_mb: float  # the largest sum of PSS over the tree at one sample
    peak_by_role: dict[str, float] = field(default_factory=dict)  # MB: the largest VmHWM of a process of that role
    cpu_by_role: dict[str, float] = field(default_factory=dict)  # CPU seconds, as last sampled (a lower bound)
    samples: list[Sample] = field(default_factory=list)
    stdout: str = ""


class _Sampler(threading.Thread):
    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.started = time.monotonic()
        self.stop = threading.Event()
        self.samples: list[Sample] = []
        self.peak_tree_kib = 0
        self.hwm: dict[int, tuple[str, int]] = {}  # pid: (role, VmHWM KiB), the last seen
        self.cpu: dict[int, float] = {}  # pid: its own CPU seconds, the last seen

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(SAMPLE_SECONDS)

    def sample(self) -> None:
        total = 0
        for pid in descendants(self.root):
            total += _kib(f"/proc/{pid}/smaps_rollup", "Pss:")
            peak = _kib(f"/proc/{pid}/status", "VmHWM:")
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), _cpu_seconds(pid))
            if peak:
                known = self.hwm.get(pid)
                self.hwm[pid] = (known[0] if known else role(pid, self.root), max(peak, known[1] if known else 0))
        self.peak_tree_kib = max(self.peak_tree_kib, total)
        python = _kib(f"/proc/{self.root}/status", "VmRSS:")
        self.samples.append(Sample(time.monotonic() - self.started, total / 1024, python / 1024))


def measure(command: list[str], allowed: tuple[int, ...] = (0,)) -> Cost:
    """Run `command` to its end; raise when it exits with a status not `allowed`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started_at, started = time.time(), time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = _Sampler(process.pid)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.monotonic() - started
    sampler.stop.set()
    sampler.join()
    _reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode not in allowed:
        raise RuntimeError(f"{command[:4]} exited {process.returncode}: {stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    by_role: dict[str, float] = {}
    for kind, peak in sampler.hwm.values():
        by_role[kind] = max(by_role.get(kind, 0.0), peak / 1024)
    cpu_by_role: dict[str, float] = {}
    for pid, seconds in sampler.cpu.items():
        kind = sampler.hwm.get(pid, ("gone", 0))[0]
        cpu_by_role[kind] = cpu_by_role.get(kind, 0.0) + seconds
    return Cost(
        started_at, wall, cpu, sampler.peak_tree_kib / 1024, by_role, cpu_by_role, sampler.samples, stdout.decode()
    )


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _reap_orphans(patience: float = 5.0) -> None:
    """Reap what the tree left to us (see the module's note), waiting for it to end."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if not _orphans_alive():
                return
            time.sleep(0.05)


def _orphans_alive() -> bool:
    return bool(_children().get(os.getpid()))
