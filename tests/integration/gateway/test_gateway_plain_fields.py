"""Every registered operation, and the web client's, answers the same through the gateway's
executor for plain fields (gateway.plain_fields) as through strawberry's general executor: two
gateways, each in front of its own stand-ins with the same data, are sent the same requests in
the same order (writes included), with the contract's variables and with generated ones."""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, datetime
from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from tests.integration.gateway.backends import StubDirectory
from tests.integration.gateway.conftest import RunningGateway, running_gateway
from tests.integration.gateway.test_gateway_cost import ORDER, OWNER, REGISTERED, WEB_CLIENT, variables_for

SLUGS = [
    "relational-therapy",
    "emdr",
    "eye-movement-desensitization",
    "narrative-therapy",
    "no-such-approach",
]
FILTERS: list[dict[str, Any]] = [
    {"state": "TX"},
    {"city": "Austin", "state": "TX", "radius": 25, "radiusUnit": "MI"},
    {"approaches": ["emdr"], "formats": ["VIDEO"]},
    {"languages": ["es"], "slidingScale": True},
    {"zip": "00000"},  # not a place: an error from search
]


def generated(rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """Reads with variables drawn at random, odd ones included (unknown ids, bad page sizes)."""
    cases: list[tuple[str, dict[str, Any]]] = []
    for _ in range(25):
        first = rng.choice([1, 2, 5, 10, 20, 50, 100, 0, 101, None])
        cases.append(("ApproachPage", {"slug": rng.choice(SLUGS), "first": first}))
        search: dict[str, Any] = {"filter": rng.choice(FILTERS), "first": rng.choice([1, 5, 20])}
        if rng.random() < 0.4:
            search["text"] = rng.choice(["anxiety", "couples", "grief", "zzz"])
        cases.append(("Search", search))
        cases.append(("Therapist", {"id": rng.choice(["t0001", "t0007", "t0029", "nobody"])}))
    return cases


def without_clock(value: Any) -> Any:
    """`value` with the times the stand-ins take from the clock (a confirmation's) as `<now>`."""
    today = datetime.now(UTC).date().isoformat()
    if isinstance(value, dict):
        return {key: without_clock(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_clock(item) for item in value]
    return "<now>" if isinstance(value, str) and value.startswith(f"{today}T") else value


async def both(
    general: RunningGateway, plain: RunningGateway, number: int, query: str, variables: dict, owner: bool
) -> tuple[Any, Any]:
    headers = {"X-Request-Id": f"same-request-{number}", **(OWNER if owner else {})}
    answers = []
    for gw in (general, plain):
        status, body = await gw.post(query, variables, headers=headers)
        answers.append((status, without_clock(body)))
    return answers[0], answers[1]


async def test_the_plain_field_executor_answers_every_operation_as_the_general_one(infra):
    async with contextlib.AsyncExitStack() as stack:
        general = await stack.enter_async_context(running_gateway(infra, StubDirectory.with_demo_data()))
        plain = await stack.enter_async_context(running_gateway(infra, StubDirectory.with_demo_data()))
        general.gateway.view.schema.execution_context_class = StrawberryGraphQLCoreExecutionContext
        operations = {**REGISTERED, **WEB_CLIENT}
        cases = [(name, variables_for(operations[name]), True) for name in ORDER]
        cases += [(name, variables, False) for name, variables in generated(random.Random(22))]
        compared = 0
        for number, (name, variables, owner) in enumerate(cases):
            expected, answered = await both(general, plain, number, operations[name], variables, owner)
            assert answered == expected, (name, variables)
            compared += 1
        assert compared == len(ORDER) + 75
