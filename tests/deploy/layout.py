"""Where the deployment files are, and how the deploy tests read them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dockerfile as dockerfile_parser
import yaml

from gateway.settings import GatewayEnvironment
from servicekit.settings import Environment
from services.inquiries.settings import InquiryEnvironment
from services.profiles.mailer import MailEnvironment
from services.search.settings import SearchEnvironment

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE_FILE = DEPLOY / "compose.yaml"
DEFINITIONS_FILE = DEPLOY / "rabbitmq" / "definitions.json"
K8S = DEPLOY / "k8s"
APP_SERVICES = ("profiles", "approaches", "search", "inquiries", "gateway")


def is_read_by_the_processes(name: str) -> bool:
    """Whether some process reads environment variable `name`: a field of the settings read by
    pydantic-settings, built from a service name (PROFILES_URL, SEARCH_DB, ...), OpenTelemetry's,
    or named in the sources."""
    if name.startswith("OTEL_") or re.fullmatch(rf"({'|'.join(APP_SERVICES).upper()})_(URL|DB|PORT)", name):
        return True
    if name in _settings_variables():
        return True
    return any(
        f'"{name}"' in path.read_text(encoding="utf-8")
        for directory in ("servicekit", "services", "gateway")
        for path in (REPO / directory).rglob("*.py")
    )


def _settings_variables() -> set[str]:
    """The variables pydantic-settings reads for the settings classes: prefix and field name in
    capitals, or the field's alias."""
    names = set()
    for settings in (Environment, GatewayEnvironment, InquiryEnvironment, MailEnvironment, SearchEnvironment):
        prefix = settings.model_config.get("env_prefix", "")
        for field_name, info in settings.model_fields.items():
            alias = info.validation_alias
            names.add(alias if isinstance(alias, str) else f"{prefix}{field_name}".upper())
    return names


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def definitions() -> dict[str, Any]:
    return json.loads(DEFINITIONS_FILE.read_text(encoding="utf-8"))


@dataclass
class Instruction:
    keyword: str
    args: tuple[str, ...]
    flags: tuple[str, ...]
    exec_form: bool  # JSON array form, as CMD and HEALTHCHECK should be


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None


@dataclass
class Dockerfile:
    global_args: dict[str, str]
    stages: list[Stage]

    def stage(self, name: str) -> Stage:
        return next(stage for stage in self.stages if stage.name == name)


def dockerfile(path: Path = REPO / "Dockerfile") -> Dockerfile:
    """The Dockerfile as BuildKit's own parser reads it, grouped into stages."""
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for command in dockerfile_parser.parse_file(str(path)):
        keyword = command.cmd.upper()
        if keyword == "FROM":
            base, *rest = command.value
            stages.append(Stage(base=base, name=rest[1] if len(rest) == 2 else None))
        elif stages:
            stages[-1].instructions.append(Instruction(keyword, command.value, command.flags, command.json))
        elif keyword == "ARG":
            name, _, default = command.value[0].partition("=")
            global_args[name] = default
    return Dockerfile(global_args, stages)
