"""The services' checked-in OpenAPI documents as a contract for the gateway tests' stand-ins:
every answer a stand-in serves must be one the real service could give, so a change to a
service that the gateway would not survive fails these tests instead of passing them."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
from aiohttp import web

SERVICES = Path(__file__).resolve().parents[3] / "services"


@functools.cache
def document(service: str) -> dict[str, Any]:
    return json.loads((SERVICES / service / "openapi.json").read_text())


def response_schema(service: str, method: str, path: str, status: int) -> dict[str, Any] | None:
    """The JSON schema of the answer `status` to `method path` (a route template such as
    `/v1/therapists/{id}`); None when the document has the answer without a JSON body.
    KeyError when the document has no such operation or answer."""
    doc = document(service)
    operation = doc["paths"][path][method.lower()]
    answer = operation["responses"].get(str(status)) or operation["responses"][f"{str(status)[0]}XX"]
    content = answer.get("content", {}).get("application/json")
    if content is None:
        return None
    # The document's components travel with the schema, so its `#/components/...` refs resolve.
    return {**content["schema"], "components": doc["components"]}


FORMATS = jsonschema.FormatChecker()


@functools.cache
def _validator(service: str, method: str, path: str, status: int) -> jsonschema.Draft202012Validator | None:
    schema = response_schema(service, method, path, status)
    return None if schema is None else jsonschema.Draft202012Validator(schema, format_checker=FORMATS)


def violations(service: str, method: str, path: str, status: int, body: Any) -> list[str]:
    what = f"{service}: {method} {path} -> {status}"
    try:
        validator = _validator(service, method, path, status)
    except KeyError:
        return [f"{what}: the service's document has no such operation or answer"]
    if validator is None:
        return []
    return [
        f"{what}: {'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message[:200]}"
        for e in validator.iter_errors(body)
    ]


def checking_middleware(service: str, found: list[str]):
    """aiohttp middleware for a stand-in of `service`: records in `found` every answer its
    document does not allow (the operational routes, which the documents leave out, excepted)."""

    @web.middleware
    async def check(request: web.Request, handler):
        response = await handler(request)
        resource = request.match_info.route.resource
        path = resource.canonical if resource is not None else request.path
        if path in ("/healthz", "/readyz", "/metrics"):
            return response
        body = json.loads(response.body) if isinstance(response, web.Response) and response.body else None
        found.extend(violations(service, request.method, path, response.status, body))
        return response

    return check
