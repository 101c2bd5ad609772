"""`GET /openapi.json`: the OpenAPI 3.1 document, generated from the models that validate.

The request schemas are the same pydantic models the API validates with, so the document
cannot drift from what the service accepts.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from services.approaches.domain import Approach, ApproachContent

REF = "#/components/schemas/{model}"


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorContent(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. validation_failed")
    message: str
    details: list[ErrorDetail]


class Error(BaseModel):
    error: ErrorContent


class ApproachList(BaseModel):
    items: list[Approach] = Field(description="Sorted by name")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _json(name: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": _ref(name)}}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, **_json("Error")}


def _merge_patch_schema(new_approach: dict[str, Any]) -> dict[str, Any]:
    """The patch body: any subset of ApproachContent's fields; `null` removes (restores the default)."""
    schema = copy.deepcopy(new_approach)
    schema.pop("required", None)
    schema["title"] = "ApproachMergePatch"
    schema["description"] = (
        "JSON Merge Patch (RFC 7396) of an approach: fields present replace, objects merge, null "
        "removes. The patched approach must be a valid ApproachContent. Changing `slug` renames the "
        "approach; the old slug keeps resolving."
    )
    schema["properties"] = {
        name: {"anyOf": [prop, {"type": "null"}]} for name, prop in schema["properties"].items()
    }
    return schema


SLUG_PARAM = {
    "name": "slug", "in": "path", "required": True,
    "schema": {"type": "string"}, "description": "Current slug (an old slug redirects)",
}
ETAG_HEADER = {"ETag": {"schema": {"type": "string"}}}
AUTH_ERRORS = {
    "401": _error("Missing or invalid bearer token"),
    "403": _error("The token does not hold the admin role"),
}
MOVED = {
    "description": "The slug is an old one; Location names the current address",
    "headers": {"Location": {"schema": {"type": "string"}}},
}


@functools.cache
def openapi_document() -> dict[str, Any]:
    _, defs = models_json_schema(
        [(ApproachContent, "validation"), (Approach, "serialization"), (ApproachList, "serialization"),
         (Error, "serialization")],
        ref_template=REF,
    )
    schemas = defs["$defs"]
    schemas["ApproachMergePatch"] = _merge_patch_schema(schemas["ApproachContent"])
    approach = {"description": "The approach", "headers": ETAG_HEADER, **_json("Approach")}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Approaches service",
            "version": "1.0.0",
            "description": "The catalogue of therapy approaches behind the directory's approach pages.",
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "paths": {
            "/v1/approaches": {
                "get": {
                    "operationId": "listApproaches",
                    "summary": "All approaches, or those named by ?slug= (old slugs too), sorted by name",
                    "parameters": [{
                        "name": "slug", "in": "query", "required": False, "style": "form", "explode": True,
                        "schema": {"type": "array", "items": {"type": "string"}, "maxItems": 100},
                    }],
                    "responses": {
                        "200": {"description": "The approaches", "headers": ETAG_HEADER,
                                **_json("ApproachList")},
                        "304": {"description": "Unchanged since the ETag in If-None-Match"},
                        "400": _error("A slug parameter is not a slug"),
                    },
                },
                "post": {
                    "operationId": "createApproach",
                    "security": [{"bearer": []}],
                    "requestBody": {"required": True, **_json("ApproachContent")},
                    "responses": {
                        "201": {**approach, "headers": {
                            **ETAG_HEADER, "Location": {"schema": {"type": "string"}}}},
                        "400": _error("Malformed JSON"),
                        **AUTH_ERRORS,
                        "409": _error("The slug already names an approach (now or before a rename)"),
                        "415": _error("Not a JSON body"),
                        "422": _error("Invalid fields, each named in details"),
                    },
                },
            },
            "/v1/approaches/{slug}": {
                "parameters": [SLUG_PARAM],
                "get": {
                    "operationId": "getApproach",
                    "responses": {
                        "200": approach,
                        "301": MOVED,
                        "304": {"description": "Unchanged since the ETag in If-None-Match"},
                        "404": _error("No approach has this slug"),
                    },
                },
                "patch": {
                    "operationId": "patchApproach",
                    "security": [{"bearer": []}],
                    "parameters": [{"name": "If-Match", "in": "header", "required": False,
                                    "schema": {"type": "string"},
                                    "description": "The ETag (or version) the change is based on"}],
                    "requestBody": {"required": True, "content": {
                        "application/merge-patch+json": {"schema": _ref("ApproachMergePatch")},
                        "application/json": {"schema": _ref("ApproachMergePatch")},
                    }},
                    "responses": {
                        "200": approach,
                        "308": MOVED,
                        "400": _error("Malformed JSON"),
                        **AUTH_ERRORS,
                        "404": _error("No approach has this slug"),
                        "409": _error("The new slug already names another approach"),
                        "412": _error("If-Match names an older version"),
                        "415": _error("Not a JSON body"),
                        "422": _error("Invalid fields, each named in details"),
                    },
                },
                "delete": {
                    "operationId": "deleteApproach",
                    "security": [{"bearer": []}],
                    "responses": {
                        "204": {"description": "Deleted"},
                        "308": MOVED,
                        **AUTH_ERRORS,
                        "404": _error("No approach has this slug"),
                        "409": _error("Therapists still reference the approach; the message says how many"),
                        "412": _error("If-Match names an older version"),
                    },
                },
            },
        },
    }
