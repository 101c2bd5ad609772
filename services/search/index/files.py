"""Where an index lives on disk: a folder of its own, locked while the index lives, deleted with it.

The OS page cache holds the index files, so a replica's resident memory is its heap plus the
pages that queries touch, and a build's merges never hold two copies of the index in the heap.
A replica killed before it could clean up (kill -9, out of memory) leaves its folder behind, and
each can be gigabytes: the next replica on the host removes every folder whose lock nobody holds.
"""

from __future__ import annotations

import bisect
import fcntl
import glob
import os
import shutil
import tempfile
from typing import Any

# Where replicas keep their index folders (default: the system's temporary directory).
INDEX_DIR_ENV = "SEARCH_INDEX_DIR"
INDEX_PREFIX = "search-index-"
LOCK_FILE = "lock"


class IndexFolder:
    """The folder of one index: the engine's files (`engine`) and the rows' records (`records`)."""

    def __init__(self) -> None:
        self.files = tempfile.TemporaryDirectory(
            prefix=INDEX_PREFIX, dir=os.environ.get(INDEX_DIR_ENV) or None, ignore_cleanup_errors=True
        )
        self.path = self.files.name
        # Locked before it gets its name: a lock file is never seen unlocked while its index lives.
        self.lock = open(os.path.join(self.path, LOCK_FILE + ".new"), "wb")  # noqa: SIM115 (closed in close)
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        os.rename(self.lock.name, os.path.join(self.path, LOCK_FILE))
        self.engine = os.path.join(self.path, "tantivy")
        os.mkdir(self.engine)
        self.records = os.path.join(self.path, "records")

    def part(self, n: int) -> str:
        """The path of the `n`-th earlier records file (linked from a snapshot)."""
        return os.path.join(self.path, f"records.{n}")

    def close(self) -> None:
        self.lock.close()
        self.files.cleanup()


class RecordsReader:
    """The reading end of an index's records: the index's own file, after any earlier parts.

    Records files are only ever appended to, so a prefix once written never changes. An index
    restored from a snapshot links the snapshot's records files as its earlier parts, reads each
    only up to the length its rows use (another index may still append to the same file), and
    appends to a file of its own: nothing is copied, and no two indexes append to one file.
    """

    def __init__(self, own: str) -> None:
        self.own = open(own, "rb", buffering=0)  # noqa: SIM115 (closed in close)
        self.parts: list[tuple[str, int]] = []  # (path, length used)
        self.starts: list[int] = []  # offset of each part's first byte in the rows' numbering
        self.files: list[Any] = []
        self.own_start = 0  # offset of the own file's first byte

    def attach(self, path: str, length: int) -> None:
        """Put an earlier part (its first `length` bytes) after those attached so far."""
        self.files.append(open(path, "rb", buffering=0))  # noqa: SIM115 (closed in close)
        self.parts.append((path, length))
        self.starts.append(self.own_start)
        self.own_start += length

    def read(self, start: int, end: int) -> bytes:
        if start >= self.own_start:
            return os.pread(self.own.fileno(), end - start, start - self.own_start)
        n = bisect.bisect_right(self.starts, start) - 1
        return os.pread(self.files[n].fileno(), end - start, start - self.starts[n])

    def close(self) -> None:
        for file in (*self.files, self.own):
            file.close()


def release(folder: IndexFolder, *files: Any) -> None:
    """An index is gone: close its open files, then delete its folder."""
    for file in files:
        file.close()
    folder.close()


def remove_abandoned_indexes(parent: str | None = None) -> list[str]:
    """Delete the index folders of replicas that died without cleaning up; returns their paths.

    A folder whose lock can be taken belongs to no running process. Folders without a lock file
    were not made by an index and are left alone.
    """
    parent = parent or os.environ.get(INDEX_DIR_ENV) or tempfile.gettempdir()
    removed = []
    for folder in sorted(glob.glob(os.path.join(parent, INDEX_PREFIX + "*"))):
        try:
            lock = open(os.path.join(folder, LOCK_FILE), "rb")
        except OSError:
            continue
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a running replica's index
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
