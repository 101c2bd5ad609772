"""The GraphQL-over-HTTP conventions web and mobile clients rely on: graphql-http's own audit
suite (npm `graphql-http`, `auditServer`) run against the gateway, every audit ok."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from tests.integration.gateway.backends import StubDirectory
from tests.integration.gateway.conftest import running_gateway

HERE = Path(__file__).parent


async def audit(url: str, *options: str) -> list[dict]:
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "graphql-http").is_dir():
        pytest.fail("Node.js and tests/audit's packages are needed: ./dev test installs them (npm ci)")
    process = await asyncio.create_subprocess_exec(
        node,
        str(HERE / "audit.mjs"),
        url,
        *options,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    return [json.loads(line) for line in out.decode().splitlines() if line.strip()]


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_every_graphql_over_http_audit_passes(infra, environment):
    # The audit sends documents of its own, some with `__type`: production refuses arbitrary
    # documents and introspection, so both are allowed here; its requests carry
    # GraphQL-Require-Preflight, as production requires of a GET.
    allowances = {"allow_arbitrary_queries": True, "introspection": True}
    async with running_gateway(
        infra, StubDirectory.with_demo_data(), environment=environment, **allowances
    ) as gw:
        options = ("--preflight",) if environment == "production" else ()
        results = await audit(f"{gw.url}/graphql", *options)
    assert len(results) >= 60
    failing = [result for result in results if result["status"] != "ok"]
    assert failing == [], json.dumps(failing, indent=1)
