"""Snapshots of a replica's index on local disk, so that a restarted replica need not rebuild:
what one holds, how it is checked, and how an index is restored from it (`snapshot_store` keeps
the folders and writes them).

A snapshot is a folder under `SEARCH_SNAPSHOT_DIR/<database>/`: the engine's committed segment
files and the records files (both linked, not copied: segments never change once committed, and
records files are only appended to, so each is used and checked up to the length the rows use),
the slot table (numpy arrays and one JSON file) and `manifest.json`, which says what it covers:
the change-stream resume token, the identity (UUID) of the read-model collections, the index
format, when it was taken, how many rows, and the size and SHA-256 of every other file (of a
records file: of the part the rows use).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import importlib.metadata
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from services.search import geo
from services.search.index.columns import Column

if TYPE_CHECKING:
    from services.search.index.files import IndexFolder
    from services.search.index.search_index import SearchIndex

# The layout of a snapshot folder; the fingerprint below also covers what is indexed.
FORMAT = 2
MANIFEST = "manifest.json"
ENGINE = "tantivy"
RECORDS = "records."  # records.0, records.1, ...: the rows' records, in order
STATE = "state.json"
LOCK = "lock"
ARRAYS = ("row_version", "lat", "lon", "record_end", "min_fee", "code_rows")
# The code that decides what a row holds: any change to it makes older snapshots unusable.
_INDEXING_SOURCES = ("index", "domain", "geo.py", "store.py")
# Records files an index reads besides its own, at most.
MAX_RECORDS_PARTS = 8


class SnapshotRejected(Exception):
    """A snapshot that must not be served from; the message says why."""


def index_fingerprint() -> str:
    """The format, the engine's version and the indexing code, hashed together."""
    digest = hashlib.sha256(f"{FORMAT}:{importlib.metadata.version('tantivy')}".encode())
    package = Path(__file__).resolve().parents[1]
    for name in _INDEXING_SOURCES:
        path = package / name
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(str(source.relative_to(package)).encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def file_sha256(path: str, length: int | None = None) -> str:
    """Of the whole file, or of its first `length` bytes."""
    with open(path, "rb") as file:
        if length is None:
            return hashlib.file_digest(file, "sha256").hexdigest()
        digest = hashlib.sha256()
        left = length
        while left:
            chunk = file.read(min(left, 1 << 20))
            if not chunk:
                break  # shorter than the rows say: the digest will not match
            digest.update(chunk)
            left -= len(chunk)
        return digest.hexdigest()


def _appended_to(name: str) -> bool:
    """A records file: only its first `size` bytes are the snapshot's (it may have grown since)."""
    return name.startswith(RECORDS)


@dataclass
class Manifest:
    format: int
    fingerprint: str
    database: str
    collections: dict[str, str | None]  # name -> UUID (hex)
    resume_token: dict[str, Any]
    taken_at: str
    rows: int
    files: dict[str, dict[str, Any]]  # relative path -> {"size", "sha256"}

    def to_json(self) -> bytes:
        return orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2)

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            return cls(**orjson.loads(raw))
        except (orjson.JSONDecodeError, TypeError) as exc:
            raise SnapshotRejected(f"unreadable manifest: {exc}") from exc


def check_manifest(manifest: Manifest, *, database: str, collections: dict[str, str | None]) -> None:
    """Raise SnapshotRejected unless the manifest describes an index of this read model in this format."""
    if manifest.format != FORMAT or manifest.fingerprint != index_fingerprint():
        raise SnapshotRejected("taken by code that indexes differently")
    if manifest.database != database:
        raise SnapshotRejected("taken of another database")
    if None in collections.values() or manifest.collections != collections:
        raise SnapshotRejected("the read-model collections were recreated since (a rebuild)")
    if not manifest.resume_token:
        raise SnapshotRejected("no change-stream position")


def verify_files(folder: str, manifest: Manifest, *, threads: int = 2) -> None:
    """Raise SnapshotRejected unless every file is there with its recorded size and checksum."""
    on_disk = {
        os.path.relpath(os.path.join(root, name), folder)
        for root, _, names in os.walk(folder)
        for name in names
        if name not in (MANIFEST, LOCK)
    }
    if on_disk != set(manifest.files):
        raise SnapshotRejected("files missing or unexpected")
    for name, expected in manifest.files.items():
        size = os.path.getsize(os.path.join(folder, name))
        if size < expected["size"] or (size > expected["size"] and not _appended_to(name)):
            raise SnapshotRejected(f"{name}: wrong size")

    def digest(name: str) -> str:
        covered = manifest.files[name]["size"] if _appended_to(name) else None
        return file_sha256(os.path.join(folder, name), covered)

    # Hashing releases the GIL: the large files are checked side by side.
    names = sorted(manifest.files, key=lambda n: -manifest.files[n]["size"])
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        digests = pool.map(digest, names)
        for name, digest in zip(names, digests, strict=True):
            if digest != manifest.files[name]["sha256"]:
                raise SnapshotRejected(f"{name}: checksum mismatch")


def link_or_copy(source: str, target: str) -> None:
    # Segment files are never changed once committed, so snapshot and index may share them.
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:  # another file system
        shutil.copyfile(source, target)


# ------------------------------------------------------------------ what an index holds besides its files


def slot_table(index: SearchIndex) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Copies of the index's slot table: its arrays, and the rest as JSON-ready values."""
    table = index.facet_table
    rows = table.code_rows
    arrays = {
        "row_version": index.row_version.view().copy(),
        "lat": index.lat.view().copy(),
        "lon": index.lon.view().copy(),
        "record_end": index.record_end.view().copy(),
        "min_fee": table.min_fee.view().copy(),
        "code_rows": rows.rows[: rows.size].copy(),
    }
    state = {
        "ids": list(index.ids),
        "slot_of": dict(index.slot_of),
        "versions": dict(index.versions),
        "more_points": [
            [slot, [[p.lat, p.lon] for p in points]] for slot, points in index.more_points.items()
        ],
        "codes": {facet: dict(known) for facet, known in table.codes.items()},
        "code_values": list(table.code_values),
        "approaches": index.approaches.saved(),
    }
    return arrays, state


def records_parts(index: SearchIndex) -> list[tuple[str, int]]:
    """The index's records files, each with the length its rows use, in order."""
    reader = index.records_in
    used = int(index.record_end.data[len(index.ids)])
    parts = list(reader.parts)
    if used > reader.own_start:
        parts.append((index.folder.records, used - reader.own_start))
    return parts


def restore_slot_table(index: SearchIndex, folder: str) -> None:
    """Give an index opened on a snapshot's engine files the slot table saved beside them, and
    its records files as the index's read-only parts."""
    state = orjson.loads(Path(folder, STATE).read_bytes())
    arrays = {name: np.load(os.path.join(folder, f"{name}.npy"), allow_pickle=False) for name in ARRAYS}
    rows = len(state["ids"])
    sizes = {name: len(values) for name, values in arrays.items()}
    if (
        any(size != rows for name, size in sizes.items() if name != "record_end")
        or sizes["record_end"] != rows + 1
    ):
        raise SnapshotRejected("slot table arrays disagree in length")

    def column(values: np.ndarray) -> Column:
        restored = Column(values.dtype)
        restored.extend(values)
        return restored

    index.ids = state["ids"]
    index.slot_of = state["slot_of"]
    index.versions = state["versions"]
    index.more_points = {
        slot: tuple(geo.Point(lat, lon) for lat, lon in points) for slot, points in state["more_points"]
    }
    index.row_version = column(arrays["row_version"])
    index.lat = column(arrays["lat"])
    index.lon = column(arrays["lon"])
    index.record_end = column(arrays["record_end"])
    table = index.facet_table
    table.codes = state["codes"]
    table.code_values = [tuple(value) for value in state["code_values"]]
    table.min_fee = column(arrays["min_fee"])
    table.code_rows.restore(arrays["code_rows"])
    index.approaches.restore(state["approaches"])
    lengths = state["records"]
    if sum(lengths) != int(arrays["record_end"][rows]):
        raise SnapshotRejected("the records files and the rows disagree in length")
    # Each restart of a replica adds a part (what it appended since); past a few, all but the
    # first (the build's, by far the largest) are copied into the index's own file.
    linked = lengths if len(lengths) <= MAX_RECORDS_PARTS else lengths[:1]
    for n, length in enumerate(linked):
        index.records_in.attach(index.folder.part(n), length)
    with open(index.folder.records, "ab") as own:
        for n in range(len(linked), len(lengths)):
            with open(index.folder.part(n), "rb") as part:
                left = lengths[n]
                while left:
                    chunk = part.read(min(left, 1 << 20))
                    if not chunk:
                        raise SnapshotRejected(f"records part {n} is shorter than its rows say")
                    own.write(chunk)
                    left -= len(chunk)
            os.remove(index.folder.part(n))


def filler(folder: str) -> Callable[[IndexFolder], None]:
    """Puts a verified snapshot's files into a new index's own folder, before its engine opens."""

    def fill(index_folder: IndexFolder) -> None:
        source = os.path.join(folder, ENGINE)
        for name in os.listdir(source):
            target = os.path.join(index_folder.engine, name)
            if name == "meta.json":
                shutil.copyfile(os.path.join(source, name), target)  # replaced at every commit
            else:
                link_or_copy(os.path.join(source, name), target)
        # Read-only parts of the new index, which appends to a records file of its own.
        for name in os.listdir(folder):
            if name.startswith(RECORDS):
                link_or_copy(os.path.join(folder, name), index_folder.part(int(name[len(RECORDS) :])))

    return fill
