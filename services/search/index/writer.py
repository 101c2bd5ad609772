"""Writing an index: the engine writer's memory, the records file's writer thread, and handing
the build's freed memory back to the operating system."""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes

# Engine writer memory: generous for the initial build (fewer, larger segments), small for updates.
BUILD_HEAP = 256_000_000
UPDATE_HEAP = 40_000_000
# Documents are handed to the engine's writer in runs of up to this many: its indexing thread
# then stays busy through a run instead of being woken for each document.
PENDING_DOCUMENTS = 256


class RecordsWriter:
    """The writing end of an index's records file.

    Records are gathered in memory and written out a chunk at a time by a thread of its own (the
    write releases the GIL), so the thread that prepares documents during a build only copies
    bytes. `flush` returns once all that was written is in the file.
    """

    CHUNK = 1 << 20

    def __init__(self, path: str) -> None:
        self.file = open(path, "ab", buffering=0)  # noqa: SIM115 (closed with the index)
        self.chunk = bytearray()
        self.writing: concurrent.futures.Future | None = None
        self.thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="search-records")

    def write(self, data: bytes) -> None:
        self.chunk += data
        if len(self.chunk) >= self.CHUNK:
            self._hand_over()

    def _hand_over(self) -> None:
        if self.writing is not None:
            self.writing.result()  # one chunk in flight at a time, in order
        data, self.chunk = self.chunk, bytearray()
        self.writing = self.thread.submit(self._write_all, data)

    def _write_all(self, data: bytearray) -> None:
        view = memoryview(data)
        while view:
            view = view[self.file.write(view) :]

    def flush(self) -> None:
        if self.chunk:
            self._hand_over()
        if self.writing is not None:
            writing, self.writing = self.writing, None
            writing.result()

    def close(self) -> None:
        self.thread.shutdown(wait=True)
        self.file.close()


def return_freed_memory() -> None:
    """Hand the build's freed writer memory back to the OS (glibc keeps it otherwise)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
