"""The snapshots of one database's index on a host: written into a hidden partial folder, synced,
and renamed into place, so a reader never sees a half-written one; one replica at a time writes
(a lock file), and a reader holds a shared lock on the snapshot it copies from, so pruning never
deletes it underneath. What a snapshot holds and how it is checked: `snapshot`.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from services.search.index.snapshot import (
    ENGINE,
    FORMAT,
    LOCK,
    MANIFEST,
    RECORDS,
    STATE,
    Manifest,
    SnapshotRejected,
    file_sha256,
    index_fingerprint,
    link_or_copy,
    records_parts,
    slot_table,
)

if TYPE_CHECKING:
    from services.search.index.search_index import SearchIndex

WRITER_LOCK = ".writer.lock"
PREFIX = "snapshot-"
PARTIAL = ".partial-"
# A merge finishing while the engine's files are linked can delete one of them: read again.
LINK_ATTEMPTS = 5


def committed_engine_files(engine_dir: str, meta: bytes) -> list[str]:
    """The engine files that a committed `meta.json` refers to (no merge in progress, no older deletes)."""
    segments = orjson.loads(meta)["segments"]
    wanted: dict[str, int | None] = {
        s["segment_id"].replace("-", ""): (s.get("deletes") or {}).get("opstamp") for s in segments
    }
    found = []
    for name in os.listdir(engine_dir):
        segment, _, rest = name.partition(".")
        if segment not in wanted:
            continue
        if rest.endswith("del") and rest != f"{wanted[segment]}.del":
            continue
        found.append(name)
    return sorted(found)


def fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SnapshotStore:
    """The snapshots of one database's index on this host, newest kept."""

    def __init__(self, parent: str, database: str, *, keep: int = 1) -> None:
        self.root = os.path.join(parent, database)
        self.database = database
        self.keep = keep
        # (device, inode, size) -> SHA-256 of segment files already described: a later snapshot
        # shares most of them.
        self.checksums: dict[tuple[int, int, int], str] = {}

    def snapshots(self) -> list[str]:
        """Complete snapshot folders, newest first."""
        return sorted(glob.glob(os.path.join(self.root, PREFIX + "*")), reverse=True)

    def begin(self) -> SnapshotWriter | None:
        """A writer for a new snapshot; None while another replica is writing one."""
        os.makedirs(self.root, exist_ok=True)
        lock = open(os.path.join(self.root, WRITER_LOCK), "ab")  # noqa: SIM115 (closed by the writer)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            return None
        # Partial folders seen while holding the writer lock were left by a writer that died.
        for partial in glob.glob(os.path.join(self.root, PARTIAL + "*")):
            shutil.rmtree(partial, ignore_errors=True)
        return SnapshotWriter(self, lock)

    def prune(self) -> None:
        for old in self.snapshots()[self.keep :]:
            self.discard(old)

    def discard(self, folder: str) -> bool:
        """Delete a snapshot unless a replica is reading it; True if it is gone."""
        try:
            lock = open(os.path.join(folder, LOCK), "rb")  # noqa: SIM115 (closed below)
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
            return not os.path.exists(folder)
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False
            # Out of the listing first, so no reader picks it while it is being deleted.
            hidden = os.path.join(self.root, PARTIAL + "gone-" + os.path.basename(folder))
            with contextlib.suppress(OSError):
                os.rename(folder, hidden)
                folder = hidden
            shutil.rmtree(folder, ignore_errors=True)
        return True

    @contextlib.contextmanager
    def reading(self, folder: str) -> Iterator[Manifest]:
        """The manifest of a snapshot, held against pruning while the caller copies from it."""
        try:
            lock = open(os.path.join(folder, LOCK), "rb")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise SnapshotRejected("gone or incomplete") from exc
        with lock:
            fcntl.flock(lock, fcntl.LOCK_SH)
            if not os.path.isdir(folder):
                raise SnapshotRejected("deleted meanwhile")
            try:
                raw = Path(folder, MANIFEST).read_bytes()
            except OSError as exc:
                raise SnapshotRejected("no manifest") from exc
            yield Manifest.from_json(raw)


class SnapshotWriter:
    """One snapshot being written. `capture` takes the index's state (with its lock held, right
    after a commit: it only links files and copies the slot table); `finish`, off the event loop,
    writes the rest and puts the snapshot in place. Holds the store's writer lock until closed."""

    def __init__(self, store: SnapshotStore, lock: Any) -> None:
        self.store = store
        self.lock = lock
        self.name = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.folder = os.path.join(store.root, PARTIAL + self.name)
        self.engine = os.path.join(self.folder, ENGINE)
        self.captured: tuple[dict[str, np.ndarray], dict[str, Any]] | None = None

    def capture(self, index: SearchIndex) -> None:
        engine = index.folder.engine
        for attempt in range(LINK_ATTEMPTS):
            shutil.rmtree(self.folder, ignore_errors=True)
            os.makedirs(self.engine)
            meta = Path(engine, "meta.json").read_bytes()
            try:
                for name in committed_engine_files(engine, meta):
                    link_or_copy(os.path.join(engine, name), os.path.join(self.engine, name))
                break
            except FileNotFoundError:
                if attempt == LINK_ATTEMPTS - 1:
                    raise
        Path(self.engine, "meta.json").write_bytes(meta)
        arrays, state = slot_table(index)
        # Linked now, while the index (and so its own records file) surely exists.
        parts = records_parts(index)
        for n, (path, _) in enumerate(parts):
            link_or_copy(path, os.path.join(self.folder, f"{RECORDS}{n}"))
        state["records"] = [length for _, length in parts]
        self.captured = (arrays, state)

    def finish(self, resume_token: dict[str, Any], collections: dict[str, str | None]) -> str:
        """Write the captured state out and rename it into place; returns the snapshot's folder."""
        assert self.captured is not None, "capture first"
        arrays, state = self.captured
        for name, values in arrays.items():
            np.save(os.path.join(self.folder, f"{name}.npy"), values, allow_pickle=False)
        Path(self.folder, STATE).write_bytes(orjson.dumps(state, option=orjson.OPT_NON_STR_KEYS))
        records = {f"{RECORDS}{n}": length for n, length in enumerate(state["records"])}
        files = {}
        for root, _, names in os.walk(self.folder):
            for name in names:
                relative = os.path.relpath(os.path.join(root, name), self.folder)
                files[relative] = self._describe(os.path.join(root, name), records.get(relative))
        manifest = Manifest(
            format=FORMAT,
            fingerprint=index_fingerprint(),
            database=self.store.database,
            collections=collections,
            resume_token=resume_token,
            taken_at=datetime.now(UTC).isoformat(),
            rows=len(state["ids"]),
            files=files,
        )
        Path(self.folder, LOCK).touch()
        for path in files:
            fsync(os.path.join(self.folder, path))
        # The manifest last: a folder without one is never used.
        with open(os.path.join(self.folder, MANIFEST), "wb") as file:
            file.write(manifest.to_json())
            file.flush()
            os.fsync(file.fileno())
        fsync(self.engine)
        fsync(self.folder)
        final = os.path.join(self.store.root, PREFIX + self.name)
        os.rename(self.folder, final)
        fsync(self.store.root)
        self.folder = final
        self.store.prune()
        return final

    def _describe(self, path: str, covered: int | None = None) -> dict[str, Any]:
        """Size and checksum of a file (of a records file: of its first `covered` bytes)."""
        stat = os.stat(path)
        size = stat.st_size if covered is None else covered
        # Linked files are the index's own: each is hashed once, by its inode and the size covered.
        shared = covered is not None or (
            path.startswith(self.engine + os.sep) and not path.endswith("meta.json")
        )
        key = (stat.st_dev, stat.st_ino, size)
        digest = self.store.checksums.get(key) if shared else None
        if digest is None:
            digest = file_sha256(path, covered)
            if shared:
                self.store.checksums[key] = digest
        return {"size": size, "sha256": digest}

    def close(self) -> None:
        """Release the writer lock; a snapshot not finished is removed."""
        if os.path.basename(self.folder).startswith(PARTIAL):
            shutil.rmtree(self.folder, ignore_errors=True)
        self.lock.close()
