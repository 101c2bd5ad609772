"""The whole directory as real processes (as in production), shared by the security tests, with
DEBUG logs captured to files so tests can check what never reaches them; and a helper to drive it."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from tests.reliability.processes import ProcessStack, running_stack
from tests.support import token

SLUG = "security-approach"


@dataclass
class Caller:
    stack: ProcessStack
    http: aiohttp.ClientSession

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, str]:
        async with self.http.request(
            method, self.stack.urls[service] + path, json=json, data=data, headers=headers
        ) as response:
            text = await response.text(errors="replace")
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
            return response.status, body, text

    async def create_profile(
        self, display_name: str, headers: dict[str, str], *, owner_sub: str | None = None
    ) -> tuple[int, Any]:
        """POST a minimal profile (for `owner_sub` when an admin creates it); status and body."""
        body: dict[str, Any] = {
            "displayName": display_name,
            "title": "Licensed Psychologist",
            "location": {"state": "TX"},
        }
        if owner_sub is not None:
            body["ownerSub"] = owner_sub
        status, created, _ = await self.call("profiles", "POST", "/v1/therapists", headers=headers, json=body)
        return status, created

    async def put_statement(
        self, profile_id: str, slug: str, statement: str, headers: dict[str, str]
    ) -> tuple[int, Any]:
        """PUT the profile's statement for approach `slug`; status and body."""
        status, body, _ = await self.call(
            "profiles",
            "PUT",
            f"/v1/therapists/{profile_id}/approaches/{slug}",
            headers=headers,
            json={"statement": statement},
        )
        return status, body

    async def graphql(
        self, query: str, variables: dict | None = None, *, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, str]:
        return await self.call(
            "gateway",
            "POST",
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
        )


@pytest.fixture(scope="package")
async def stack(amqp_url, tmp_path_factory):
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("the process stack needs rabbitmqctl to manage its broker vhost")
    async with running_stack(
        tmp_path_factory.mktemp("security"), amqp_url, extra_env={"LOG_LEVEL": "DEBUG"}
    ) as started:
        yield started


@pytest.fixture(scope="package")
async def caller(stack):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        yield Caller(stack, http)


@pytest.fixture(scope="package")
async def approach(caller):
    """An approach every test may refer to (made known to profiles through its event)."""
    status, body, _ = await caller.call(
        "approaches",
        "POST",
        "/v1/approaches",
        headers={"Authorization": f"Bearer {token('sec-admin', 'admin')}"},
        json={
            "slug": SLUG,
            "name": "Security Approach",
            "summary": "A summary.",
            "description": "A description.",
        },
    )
    assert status in (201, 409), body
    deadline = time.monotonic() + 30
    probe_sub = f"sec-probe-{time.time_ns()}"
    headers = {"Authorization": f"Bearer {token(probe_sub)}"}
    status, created = await caller.create_profile("Probe", headers)
    assert status == 201, created
    while True:  # profiles learns approaches from events: wait until it knows this one
        status, _ = await caller.put_statement(created["id"], SLUG, "Probe statement.", headers)
        if status == 200 or time.monotonic() > deadline:
            break
    assert status == 200
    return SLUG
