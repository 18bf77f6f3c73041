"""pywb, run the way it must be: from its own virtual environment, as a subprocess on 127.0.0.1.

pywb pins old packages and patches gevent on import, so it is never imported here. Its environment
is created on first use in the cache folder ($ARCHIVER_CACHE, else $XDG_CACHE_HOME/archiver, else
~/.cache/archiver); a collection is a folder of symbolic links to the WARC files plus the CDXJ index
pywb's own `wb-manager reindex` makes.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from archiver.cache import cache_dir
from archiver.errors import ArchiverError

PYWB_VERSION = "2.10.0"
COLLECTION = "archiver"
START_TIMEOUT = 60.0


class ReplayError(ArchiverError):
    pass


@dataclass(frozen=True)
class PywbEnvironment:
    path: Path

    @property
    def wayback(self) -> Path:
        return self.path / "bin" / "wayback"

    @property
    def wb_manager(self) -> Path:
        return self.path / "bin" / "wb-manager"


def ensure_pywb(log: Callable[[str], None] = lambda message: None) -> PywbEnvironment:
    """The pywb environment, created (once, under a lock) when missing."""
    env = PywbEnvironment(cache_dir() / f"pywb-{PYWB_VERSION}")
    ready = env.path / ".archiver-ready"
    if ready.exists():
        return env
    env.path.parent.mkdir(parents=True, exist_ok=True)
    with open(env.path.parent / f".pywb-{PYWB_VERSION}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be creating it right now
        if ready.exists():
            return env
        log(f"creating pywb {PYWB_VERSION}'s own environment in {env.path} (once)")
        shutil.rmtree(env.path, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(env.path)], "create pywb's virtual environment")
        _run(
            [str(env.path / "bin" / "python"), "-m", "pip", "install", "--quiet", f"pywb=={PYWB_VERSION}"],
            f"install pywb {PYWB_VERSION}",
        )
        ready.write_text(PYWB_VERSION + "\n")
    return env


def _run(command: list[str], what: str, cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise ReplayError(f"could not {what}: {detail[-1] if detail else f'exit status {result.returncode}'}")


def build_collection(env: PywbEnvironment, root: Path, warcs: Iterable[Path], framed: bool = True) -> Path:
    """A pywb collection under `root` holding `warcs` (linked, not copied), indexed by pywb itself.

    `framed` replay (pywb's banner above the page in a frame) is for people; checks want the page
    itself at the top, or pywb's script moves it into a frame.
    """
    archive = root / "collections" / COLLECTION / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    (root / "collections" / COLLECTION / "indexes").mkdir(exist_ok=True)
    for index, warc in enumerate(sorted({Path(w).resolve() for w in warcs})):
        (archive / f"{index:05d}-{warc.name}").symlink_to(warc)
    (root / "config.yaml").write_text(f"collections_root: collections\nframed_replay: {str(framed).lower()}\n")
    _run([str(env.wb_manager), "reindex", COLLECTION], "index the WARC files with pywb", cwd=root)
    return root / "collections" / COLLECTION / "indexes" / "index.cdxj"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PywbServer:
    """`wayback` on 127.0.0.1:`port`, serving the collection under `root`; a context manager."""

    def __init__(self, env: PywbEnvironment, root: Path, port: int | None = None) -> None:
        self.env = env
        self.root = root
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = root / "wayback.log"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, timestamp: str, target: str, modifier: str = "") -> str:
        return f"{self.origin}/{COLLECTION}/{timestamp}{modifier}/{target}"

    def start(self) -> PywbServer:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                raise ReplayError(f"port {self.port} on 127.0.0.1 is already in use")
        log = open(self.log_path, "wb")
        env = {**os.environ, "PYWB_CONFIG_FILE": str(self.root / "config.yaml")}
        self.process = subprocess.Popen(
            [str(self.env.wayback), "-b", "127.0.0.1", "-p", str(self.port)],
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        log.close()
        self._wait_until_serving()
        return self

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ReplayError(f"pywb exited at start: {self._log_tail()}")
            try:
                with urllib.request.urlopen(self.origin + "/", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise ReplayError(f"pywb did not answer on {self.origin} within {START_TIMEOUT:g}s")

    def _log_tail(self) -> str:
        lines = self.log_path.read_text(errors="replace").strip().splitlines() if self.log_path.exists() else []
        return lines[-1] if lines else "no output"

    def wait(self) -> int:
        assert self.process is not None
        return self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> PywbServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # python -m archiver.replay.pywb: create the environment now (scripts/test does)
    try:
        print(ensure_pywb(lambda message: print(message, file=sys.stderr)).path)
    except ReplayError as exc:
        print(f"archiver: {exc}", file=sys.stderr)
        sys.exit(2)
