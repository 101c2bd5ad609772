"""Start the embedded MongoDB-compatible server (SecantusDB) as its own process.

It is GPL-licensed, so the project only runs its `secantusd-py` command and talks to it over
the MongoDB wire protocol; nothing here imports it. Production uses a real MongoDB replica set.
"""

from __future__ import annotations

import contextlib
import functools
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from pymongo import MongoClient


def die_with_parent(sig: int = signal.SIGTERM) -> None:  # pragma: no cover - runs in the child
    """Linux: the child gets `sig` when the process that started it dies, however it dies, so no
    database or service outlives a killed run."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, sig)  # PR_SET_PDEATHSIG


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


_handed_out: set[int] = set()


def free_port() -> int:
    """A port nothing listens on, for a server started a moment later.

    Chosen below the kernel's ephemeral range: a port the kernel hands out (port 0) can be taken
    by any outgoing connection before our server binds it, and with many tests that happens.
    """
    low, _ = _ephemeral_range()
    floor = 20_000 if low > 21_000 else 1_024
    for _ in range(200):
        port = random.randint(floor, low - 1)
        if port in _handed_out:  # given to a server of this process that may not listen yet
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            _handed_out.add(port)
            return port
    with socket.socket() as sock:  # everything below the range is taken: fall back to the kernel
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _command() -> str:
    beside_python = Path(sys.executable).parent / "secantusd-py"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("secantusd-py")
    if not found:
        raise RuntimeError(
            "secantusd-py not found: install the project's dev extras (pip install -e '.[dev]')"
        )
    return found


# The server is a Python process that handles each connection on a thread of its own and
# materialises a query's whole result before its first batch. With glibc's default of one malloc
# arena per thread, memory freed after one connection's scan is not reused by the next
# connection's thread: every new connection's first full scan faults its memory in afresh (on a
# 250,000-profile read model: ~740,000 page faults, 5-8 s of system time, 8-12 s before the first
# batch, against 3.6 s with one shared arena). One arena and a high trim threshold keep freed
# memory for the next scan; the server holds its GIL while it works, so threads lose nothing by
# sharing an arena. (Heap in transparent huge pages, glibc.malloc.hugetlb=1, was tried: a fresh
# server's first scan went faster, but the first scan after the benchmark's bulk load went from
# 4.4-7.7 s to 9.0-9.3 s before the first batch.) Only how this process is run: operators'
# MongoDB is untouched.
SERVER_ALLOCATOR = {"MALLOC_ARENA_MAX": "1", "MALLOC_TRIM_THRESHOLD_": str(2 << 30)}


class EmbeddedMongo:
    """One SecantusDB server; `storage=":memory:"` for tests, a directory for the run command."""

    def __init__(
        self,
        *,
        storage: str,
        port: int | None = None,
        log_path: Path | None = None,
        cache_size: str | None = None,
        oplog_entries: int | None = None,
    ):
        self.storage = storage
        # WiredTiger's cache ("1G" unless given, e.g. "6G"); in memory the data must fit in it.
        self.cache_size = cache_size
        # The oplog's cap in entries (the server's default unless given), as mongod's is sized: a
        # bulk load past the cap pays for deleting the oldest entries as it writes.
        self.oplog_entries = oplog_entries
        self.port = port or free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        # Retryable writes cover a primary's failover; a single node on loopback has none, and
        # this server keeps a record of each such write that every later one pays for (it is
        # scanned on each write), so its clients do without. Deployments keep them (deploy/).
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true&retryWrites=false"

    def start(self, timeout: float = 30.0) -> str:
        if self.storage != ":memory:":
            Path(self.storage).mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                _command(),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--storage-path",
                self.storage,
                "--log-level",
                "WARNING",
                # Keeps quiet change streams' resume tokens inside the oplog window.
                "--noop-heartbeat-seconds",
                "10",
                *(["--cache-size", self.cache_size] if self.cache_size else []),
                *(["--oplog-max-entries", str(self.oplog_entries)] if self.oplog_entries else []),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**SERVER_ALLOCATOR, **os.environ},
            preexec_fn=functools.partial(die_with_parent, signal.SIGTERM),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"secantusd-py exited with {self.process.returncode}")
            try:
                with MongoClient(self.uri, serverSelectionTimeoutMS=300) as client:
                    client.admin.command("ping")
                return self.uri
            except Exception:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the embedded MongoDB server did not start in time")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
