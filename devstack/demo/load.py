"""Load the demo catalogue and demo therapists through the services' public REST APIs.

Loading is idempotent: what already exists (409) is left as it is, so `./dev up` can run
again on the same data directory.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from devstack.demo.therapists import DemoTherapist, demo_therapists
from servicekit.tokens import mint_token

CATALOGUE = Path(__file__).with_name("approaches.json")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def load_approaches(http: aiohttp.ClientSession, base: str, admin_token: str) -> int:
    created = 0
    for approach in json.loads(CATALOGUE.read_text(encoding="utf-8")):
        async with http.post(f"{base}/v1/approaches", json=approach, headers=_bearer(admin_token)) as r:
            if r.status == 201:
                created += 1
            elif r.status != 409:
                raise RuntimeError(f"approach {approach.get('slug')}: {r.status} {await r.text()}")
    return created


async def _put_statement(
    http: aiohttp.ClientSession, url: str, statement: str, headers: dict[str, str]
) -> None:
    # Profiles learns approaches from their events; right after they were created it may not
    # know them yet, and says so with a 422. Wait for the events rather than failing.
    deadline = time.monotonic() + 60
    while True:
        async with http.put(url, json={"statement": statement}, headers=headers) as response:
            if response.status in (200, 201, 204):
                return
            body = await response.text()
            if response.status != 422 or time.monotonic() > deadline:
                raise RuntimeError(f"PUT {url}: {response.status} {body}")
        await asyncio.sleep(0.2)


async def load_therapist(http: aiohttp.ClientSession, base: str, number: int, demo: DemoTherapist) -> int:
    """Create one therapist with their statements; returns statements written (0 if present)."""
    headers = _bearer(mint_token(f"demo-therapist-{number:03d}", ["therapist"]))
    async with http.post(f"{base}/v1/therapists", json=demo.profile, headers=headers) as response:
        if response.status == 409:
            return 0
        if response.status != 201:
            raise RuntimeError(f"therapist {number}: {response.status} {await response.text()}")
        therapist_id = (await response.json())["id"]
    for slug, statement in demo.statements:
        await _put_statement(
            http, f"{base}/v1/therapists/{therapist_id}/approaches/{slug}", statement, headers
        )
    return len(demo.statements)


async def listed_count(http: aiohttp.ClientSession, base: str) -> int:
    """How many profiles the profiles service lists (a profile kept from an earlier run may have
    licences that have expired since, and search rightly leaves it out)."""
    listed, after = 0, None
    while True:
        params = {"first": "100", **({"after": after} if after else {})}
        async with http.get(f"{base}/v1/therapists", params=params) as response:
            if response.status != 200:
                raise RuntimeError(f"GET {base}/v1/therapists: {response.status} {await response.text()}")
            page = await response.json()
        listed += sum(1 for profile in page["items"] if profile.get("listed", True))
        after = page.get("next")
        if not after:
            return listed


async def wait_for_search(http: aiohttp.ClientSession, base: str, expected: int, timeout: float = 120):
    deadline = time.monotonic() + timeout
    total = 0
    while time.monotonic() < deadline:
        async with http.get(f"{base}/v1/therapists", params={"first": "1"}) as response:
            if response.status == 200:
                total = (await response.json())["totalCount"]
                if total >= expected:
                    return total
        await asyncio.sleep(0.5)
    raise RuntimeError(f"search shows {total} of {expected} demo therapists after {timeout:.0f} s")


async def load_demo_data(urls: dict[str, str], *, count: int = 300, concurrency: int = 8) -> None:
    started = time.monotonic()
    admin_token = mint_token("demo-admin", ["admin"])
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        approaches = await load_approaches(http, urls["approaches"], admin_token)
        # Licence expiry dates and availability confirmations are placed around today.
        therapists = demo_therapists(count, now=datetime.now(UTC))
        limit = asyncio.Semaphore(concurrency)

        async def one(number: int, demo: DemoTherapist) -> int:
            async with limit:
                return await load_therapist(http, urls["profiles"], number, demo)

        written = await asyncio.gather(*(one(n, d) for n, d in enumerate(therapists)))
        visible = await wait_for_search(http, urls["search"], await listed_count(http, urls["profiles"]))
    print(
        f"Demo data: {approaches} approaches and {sum(1 for w in written if w)} therapists created "
        f"({sum(written)} statements); {visible} therapists searchable "
        f"({time.monotonic() - started:.1f} s).",
        flush=True,
    )
