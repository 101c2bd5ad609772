"""schemathesis over every service's OpenAPI document and the gateway's GraphQL schema, against
the running processes, with a fixed seed and a bounded budget: whatever is sent, valid or not,
authorised or not, no 5xx and no internal error text; and each document says exactly what its
service accepts (what the document forbids is refused, every answer matches the document)."""

from __future__ import annotations

import asyncio

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis.checks import negative_data_rejection, not_a_server_error, response_schema_conformance
from schemathesis.generation.modes import GenerationMode

from tests.security.conftest import Caller
from tests.support import token

REST_EXAMPLES = 12
CONFORMANCE_EXAMPLES = 25
CONFORMANCE_CHECKS = [not_a_server_error, response_schema_conformance, negative_data_rejection]
GRAPHQL_EXAMPLES = 15
INTERNAL = ("Traceback", "Internal error", 'File "', "Exception:")
# Every service that serves an OpenAPI document.
SERVICES = ("profiles", "approaches", "search", "inquiries")


def budget(examples: int):
    return hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.generate],
    )


def no_server_error(response: requests.Response, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text[:300])
    assert not any(marker in response.text for marker in INTERNAL), (what, response.text[:300])


def fuzz_openapi(base_url: str, fixed: dict[str, str], headers: dict[str, str]) -> list[str]:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    exercised = []
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            what = f"{operation.method.upper()} {operation.path}"
            parameters = {k: v for k, v in fixed.items() if f"{{{k}}}" in operation.path}
            if operation.method.upper() == "DELETE" and not operation.path.endswith("}/approaches/{slug}"):
                parameters = {}  # generated ids only: deleting the shared fixtures would starve the rest
            cases = st.one_of(
                *(
                    operation.as_strategy(mode, path_parameters=parameters or None)
                    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                )
            )

            @budget(REST_EXAMPLES)
            @given(case=cases)
            def survives(case) -> None:
                no_server_error(
                    case.call(base_url=base_url, session=session, headers=headers, timeout=30),
                    f"{case.method} {case.path}",
                )

            survives()
            exercised.append(what)
    return exercised


def conformance_failures(base_url: str, fixed: dict[str, str], headers: dict[str, str]) -> dict[str, str]:
    """Every operation with negative data: what fails the conformance checks, by operation."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: dict[str, str] = {}
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            what = f"{operation.method.upper()} {operation.path}"
            parameters = {k: v for k, v in fixed.items() if f"{{{k}}}" in operation.path}
            if operation.method.upper() == "DELETE":
                parameters = {}  # generated ids only: deleting the shared fixtures would starve the rest

            @budget(CONFORMANCE_EXAMPLES)
            @given(case=operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=parameters or None))
            def conforms(case) -> None:
                case.call_and_validate(
                    base_url=base_url, session=session, headers=headers, checks=CONFORMANCE_CHECKS, timeout=30
                )

            try:
                conforms()
            except hypothesis.errors.Unsatisfiable:
                pass  # every part of the request is fixed: nothing the document forbids can be sent
            except Exception as exc:  # schemathesis raises its failure group; keep the first lines
                failures[what] = str(exc)[:1500]
    return failures


def fuzz_graphql(url: str, headers: dict[str, str]) -> list[str]:
    schema = schemathesis.graphql.from_url(url)
    exercised = []
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()

            @budget(GRAPHQL_EXAMPLES)
            @given(case=operation.as_strategy())
            def survives(case) -> None:
                no_server_error(case.call(session=session, headers=headers, timeout=30), case.operation.label)

            survives()
            exercised.append(operation.label)
    return exercised


async def test_no_generated_request_breaks_a_service(stack, caller: Caller, approach: str):
    admin = {"Authorization": f"Bearer {token('sec-fuzz-admin', 'admin')}"}
    status, created = await caller.create_profile("Fuzz Target", admin, owner_sub="sec-fuzz-owner")
    assert status in (201, 409), created
    fixed = {"id": created.get("id", "unknown"), "slug": approach}
    exercised = {}
    for name in SERVICES:
        exercised[name] = await asyncio.to_thread(fuzz_openapi, stack.urls[name], fixed, admin)
    print({name: len(ops) for name, ops in exercised.items()})
    assert all(exercised.values())


@pytest.mark.parametrize("service", SERVICES)
async def test_each_document_says_exactly_what_its_service_accepts(
    stack, caller: Caller, approach: str, service: str
):
    admin = {"Authorization": f"Bearer {token('sec-fuzz-admin', 'admin')}"}
    status, created = await caller.create_profile("Conformance", admin, owner_sub="sec-conformance-owner")
    assert status in (201, 409), created
    fixed = {"id": created.get("id", "unknown"), "slug": approach}
    failures = await asyncio.to_thread(conformance_failures, stack.urls[service], fixed, admin)
    assert failures == {}, "\n\n".join(f"{op}:\n{text}" for op, text in failures.items())


async def test_no_generated_graphql_operation_breaks_the_gateway(stack):
    admin = {"Authorization": f"Bearer {token('sec-fuzz-admin', 'admin')}"}
    exercised = await asyncio.to_thread(fuzz_graphql, f"{stack.urls['gateway']}/graphql", admin)
    print(exercised)
    assert {
        "Query.searchTherapists",
        "Query.findMatch",
        "Mutation.updateMyProfile",
        "Mutation.sendInquiry",
        "Query.myInquiries",
        "Mutation.markInquiryAnswered",
    } <= set(exercised)
