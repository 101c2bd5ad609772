"""CPU time spent by each process of a running directory, so a benchmark can print where the time
of each request went (the machine is shared: CPU per request says more than requests/s alone)."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
# What a process's command line says it is (`python -m devstack` and what it starts).
ROLES = (
    ("secantusd", "database"),
    ("services.profiles", "profiles"),
    ("services.approaches", "approaches"),
    ("services.search", "search"),
    ("services.inquiries", "inquiries"),
    ("-m gateway", "gateway"),
    ("devstack", "devstack (supervisor, SMTP)"),
)


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # after the command name, which may hold spaces


def _cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = int(fields[1])
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def role_of(pid: int) -> str | None:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    return next((role for needle, role in ROLES if needle in command), None)


@dataclass
class CpuSample:
    by_role: dict[str, float]
    generator: float  # the load generator: this process and the children it has waited for


class SystemCpu:
    """The processes of one `python -m devstack` (found once, by role) and the load generator."""

    def __init__(self, root: int) -> None:
        self.pids = {pid: role for pid in descendants(root) if (role := role_of(pid)) is not None}

    def sample(self) -> CpuSample:
        by_role: dict[str, float] = {}
        for pid, role in self.pids.items():
            by_role[role] = by_role.get(role, 0.0) + _cpu_seconds(pid)
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return CpuSample(by_role, own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime)

    @staticmethod
    def per_request(before: CpuSample, after: CpuSample, requests: int) -> dict[str, float]:
        """Milliseconds of CPU per request of each role, the load generator's and the total."""
        spent = {role: after.by_role[role] - before.by_role.get(role, 0.0) for role in after.by_role}
        spent["load generator"] = after.generator - before.generator
        spent["total"] = sum(spent.values())
        return {role: seconds * 1000 / max(requests, 1) for role, seconds in spent.items()}


def cpu_line(per_request: dict[str, float]) -> str:
    return "CPU ms/request: " + ", ".join(f"{role} {ms:.2f}" for role, ms in per_request.items())
