"""A fixed CPU workload timed at the start of each benchmark, so that absolute figures measured
on different machines can be compared: this project's speed goals were set on one machine, and
its benchmarks run wherever they are checked out.

The workload is pure Python (the services are Python): the best of three runs of a loop of
10 million integer additions, CPython 3.11 or newer.
"""

from __future__ import annotations

import os
import platform
import time

LOOP = 10_000_000


def _loop() -> float:
    started = time.perf_counter()
    total = 0
    for i in range(LOOP):
        total += i
    elapsed = time.perf_counter() - started
    assert total == LOOP * (LOOP - 1) // 2
    return elapsed


def machine_line() -> str:
    """One line naming the machine's CPU, its cores and how fast it runs the workload."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    seconds = min(_loop() for _ in range(3))
    return (
        f"machine: {model}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"reference loop ({LOOP:,} additions) {seconds:.2f} s"
    )
