"""The approaches service's OpenAPI 3.1 document, generated from the pydantic models that
validate its requests and shape its answers, so it says exactly what the service accepts.

Checked in as `services/approaches/openapi.json` (a unit test fails when it differs):

    python -m services.approaches.openapi          # print the document
    python -m services.approaches.openapi --write  # rewrite openapi.json from the code
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from servicekit import openapi
from servicekit.errors import ErrorBody
from services.approaches.api import BASE, ApproachList, CatalogueQuery
from services.approaches.domain import Approach, ApproachContent, ApproachPatch

DOCUMENT_PATH = Path(__file__).with_name("openapi.json")
REF = "#/components/schemas/{model}"

# What the service answers for each status, wherever the operation can answer it.
ERRORS = {
    "400": "Malformed JSON, an empty body, or a malformed query parameter or If-Match / If-None-Match",
    "401": "Missing or invalid bearer token",
    "403": "The token does not hold the admin role",
    "404": "No approach has this slug (now or before a rename)",
    "409": "The slug already names an approach (now or before a rename), or therapists still "
    "reference the approach (`details` says how many)",
    "412": "If-Match names a version that is no longer current",
    "413": "The body is larger than 1 MiB",
    "415": "Not a JSON body",
    "422": "Invalid fields, each named in `details`",
    "503": "MongoDB is unavailable; nothing was changed",
}
ETAG = {"ETag": {"schema": {"type": "string"}, "description": "The representation's entity tag"}}
LOCATION = {"Location": {"schema": {"type": "string"}, "description": "The approach's address"}}
MOVED = {"description": "The slug is a former one; Location names the current address", "headers": LOCATION}
NOT_MODIFIED = {"description": "Unchanged since an ETag the request's If-None-Match names", "headers": ETAG}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _body(name: str, media_types: tuple[str, ...] = ("application/json",)) -> dict[str, Any]:
    return {"content": {media_type: {"schema": _ref(name)} for media_type in media_types}}


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: {"description": ERRORS[status], **_body("ErrorBody")} for status in statuses}


def _approach(description: str, **headers: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "headers": {**ETAG, **headers}, **_body("Approach")}


IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag (or bare version number) the change is based on",
}
SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "Current slug (a former one redirects)",
}
ADMIN = {"security": [{"bearer": []}]}


def _schemas() -> dict[str, Any]:
    models = [
        (ApproachContent, "validation"),
        (ApproachPatch, "validation"),
        (Approach, "serialization"),
        (ApproachList, "serialization"),
        (ErrorBody, "serialization"),
    ]
    _, definitions = TypeAdapter.json_schemas(
        [(model.__name__, mode, TypeAdapter(model)) for model, mode in models], ref_template=REF
    )
    return definitions["$defs"]


def _slug_filter() -> dict[str, Any]:
    schema = CatalogueQuery.model_json_schema()["properties"]["slug"]
    description = schema.pop("description")
    schema.pop("title", None)
    schema.pop("default", None)
    return {
        "name": "slug",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": True,
        "schema": schema,
        "description": description,
    }


@functools.cache
def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Approaches service",
            "version": "1.0.0",
            "description": "The catalogue of therapy approaches behind the directory's approach pages.",
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "paths": {
            BASE: {
                "get": {
                    "operationId": "listApproaches",
                    "summary": "All approaches, or those named by ?slug= (old slugs too), sorted by name",
                    "parameters": [_slug_filter()],
                    "responses": {
                        "200": {"description": "The approaches", "headers": ETAG, **_body("ApproachList")},
                        "304": NOT_MODIFIED,
                        **_errors("400", "503"),
                    },
                },
                "post": {
                    "operationId": "createApproach",
                    "summary": "Add an approach to the catalogue",
                    **ADMIN,
                    "requestBody": {"required": True, **_body("ApproachContent")},
                    "responses": {
                        "201": _approach("The approach as created", **LOCATION),
                        **_errors("400", "401", "403", "409", "413", "415", "422", "503"),
                    },
                },
            },
            BASE + "/{slug}": {
                "parameters": [SLUG],
                "get": {
                    "operationId": "getApproach",
                    "summary": "One approach",
                    "responses": {
                        "200": _approach("The approach"),
                        "301": MOVED,
                        "304": NOT_MODIFIED,
                        **_errors("400", "404", "503"),
                    },
                },
                "patch": {
                    "operationId": "patchApproach",
                    "summary": "Change an approach with a JSON Merge Patch (a new slug renames it)",
                    **ADMIN,
                    "parameters": [IF_MATCH],
                    "requestBody": {
                        "required": True,
                        **_body(ApproachPatch.__name__, ("application/merge-patch+json", "application/json")),
                    },
                    "responses": {
                        "200": _approach(
                            "The approach as it is now (Location is set after a rename)", **LOCATION
                        ),
                        "308": MOVED,
                        **_errors("400", "401", "403", "404", "409", "412", "413", "415", "422", "503"),
                    },
                },
                "delete": {
                    "operationId": "deleteApproach",
                    "summary": "Remove an approach no therapist references",
                    **ADMIN,
                    "parameters": [IF_MATCH],
                    "responses": {
                        "204": {"description": "Deleted"},
                        "308": MOVED,
                        **_errors("400", "401", "403", "404", "409", "412", "503"),
                    },
                },
            },
        },
    }


def document_text() -> str:
    return openapi.document_text(openapi_document())


if __name__ == "__main__":
    raise SystemExit(openapi.document_command(openapi_document, DOCUMENT_PATH))
