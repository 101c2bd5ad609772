"""The approaches service against its own OpenAPI document (schemathesis): whatever is sent,
valid or not, never a 5xx, and every answer matches the document (status, headers, body)."""

from __future__ import annotations

import asyncio

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def conformance_run(base_url: str, known_slug: str, admin_token: str, examples: int = 30) -> list[str]:
    """Positive and negative cases for each operation; reads and patches aim at `known_slug`
    (deletes at generated slugs, so the known one survives); returns the operations run."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    run = []
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            fixed = (
                None
                if operation.method.upper() == "DELETE" or "{slug}" not in operation.path
                else {"slug": known_slug}
            )
            cases = st.one_of(
                *(
                    operation.as_strategy(mode, path_parameters=fixed)
                    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                )
            )

            @hypothesis.settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                phases=[hypothesis.Phase.generate],
            )
            @given(case=cases)
            def matches_the_document(case) -> None:
                response = case.call(
                    base_url=base_url,
                    session=session,
                    allow_redirects=False,
                    headers={"Authorization": f"Bearer {admin_token}"},
                )
                case.validate_response(response, checks=CHECKS)

            matches_the_document()
            run.append(f"{operation.method.upper()} {operation.path}")
    return run


async def test_the_service_conforms_to_its_own_openapi_document(service):
    known = await service.create()
    admin_token = service.admin["Authorization"].removeprefix("Bearer ")
    base_url = str(service.http._base_url).rstrip("/")
    run = await asyncio.to_thread(conformance_run, base_url, known["slug"], admin_token)
    assert sorted(run) == sorted(
        [
            "GET /v1/approaches",
            "POST /v1/approaches",
            "GET /v1/approaches/{slug}",
            "PATCH /v1/approaches/{slug}",
            "DELETE /v1/approaches/{slug}",
        ]
    )
