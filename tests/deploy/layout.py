"""Where the deployment files are, and how the deploy tests read them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE_FILE = DEPLOY / "compose.yaml"
DEFINITIONS_FILE = DEPLOY / "rabbitmq" / "definitions.json"
K8S = DEPLOY / "k8s"
APP_SERVICES = ("profiles", "approaches", "search", "gateway")


def is_read_by_the_processes(name: str) -> bool:
    """Whether some process reads environment variable `name`: named in the sources, built from
    a service name by servicekit/settings.py (PROFILES_URL, SEARCH_DB, ...), or OpenTelemetry's."""
    if name.startswith("OTEL_") or re.fullmatch(rf"({'|'.join(APP_SERVICES).upper()})_(URL|DB|PORT)", name):
        return True
    return any(
        f'"{name}"' in path.read_text(encoding="utf-8")
        for directory in ("servicekit", "services", "gateway")
        for path in (REPO / directory).rglob("*.py")
    )


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def definitions() -> dict[str, Any]:
    return json.loads(DEFINITIONS_FILE.read_text(encoding="utf-8"))


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]

    def last(self, keyword: str) -> str | None:
        found = self.all(keyword)
        return found[-1] if found else None


@dataclass
class Dockerfile:
    global_args: dict[str, str]
    stages: list[Stage]

    def stage(self, name: str) -> Stage:
        return next(stage for stage in self.stages if stage.name == name)


def dockerfile(path: Path = REPO / "Dockerfile") -> Dockerfile:
    """The Dockerfile's stages with their instructions (continuations joined, comments dropped)."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", args.strip(), re.IGNORECASE)
            assert match, line
            stages.append(Stage(base=match[1], name=match[2]))
        elif stages:
            stages[-1].instructions.append((keyword, args.strip()))
        elif keyword == "ARG":
            name, _, default = args.strip().partition("=")
            global_args[name] = default
    return Dockerfile(global_args, stages)
