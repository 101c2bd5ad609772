"""The service's OpenAPI 3.1 document, generated from the pydantic models that validate requests
and shape responses, so the document cannot drift from what the service does."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from integration_events.therapists import TherapistPublicProfile
from services.profiles.domain import (
    ApproachStatementText,
    AvailabilityConfirmation,
    NewTherapistProfile,
    ProfileContent,
    TherapistProfile,
)

REF = "#/components/schemas/{model}"
JSON_CONTENT = ("application/json",)
PATCH_CONTENT = ("application/merge-patch+json", "application/json")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]]


class ErrorBody(BaseModel):
    error: ErrorDetail


ERROR_STATUSES = {
    "400": "Malformed JSON or an empty body",
    "401": "No bearer token, or one that is not valid (expired, wrong audience, wrong signature)",
    "403": "A valid token that may not do this (not the owner, not an admin, no therapist role)",
    "404": "No such therapist profile (or statement)",
    "409": "The account already has a profile, or the profile kept changing concurrently",
    "412": "If-Match does not name the current version",
    "413": "The body is too large",
    "415": "The body is not JSON",
    "422": "The input is well-formed but not valid; `details` names each field",
    "503": "MongoDB is unavailable; nothing was changed",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _referenced_object(prop: dict[str, Any], schemas: dict[str, Any]) -> str | None:
    """The component an object-valued property refers to (`$ref`, possibly `| null`)."""
    options = prop.get("anyOf", [prop])
    for option in options:
        ref = option.get("$ref", "")
        name = ref.rsplit("/", 1)[-1]
        if name and schemas.get(name, {}).get("type") == "object":
            return name
    return None


def _merge_patch_component(name: str, schemas: dict[str, Any]) -> str:
    """A JSON Merge Patch (RFC 7396) variant of an object schema: nothing required, any field
    may be null (removes it), nested objects are patches themselves, arrays are replaced whole."""
    patch_name = f"{name}MergePatch"
    if patch_name in schemas:
        return patch_name
    original = schemas[name]
    schemas[patch_name] = {}  # reserve the name (guards against cycles)
    properties = {}
    for key, prop in original.get("properties", {}).items():
        nested = _referenced_object(prop, schemas)
        if nested is not None:
            value: dict[str, Any] = _ref(_merge_patch_component(nested, schemas))
        else:
            value = {k: v for k, v in prop.items() if k != "default"}
            options = [o for o in value.pop("anyOf", [value]) if o.get("type") != "null"]
            value = options[0] if len(options) == 1 else {"anyOf": options}
        properties[key] = {"anyOf": [value, {"type": "null"}]}
    schemas[patch_name] = {
        "type": "object", "title": f"{original.get('title', name)} (merge patch)",
        "description": "JSON Merge Patch (RFC 7396): give only what changes; null removes a field.",
        "properties": properties, "additionalProperties": False,
    }
    return patch_name


def _body(name: str, media_types: tuple[str, ...] = JSON_CONTENT) -> dict[str, Any]:
    return {"required": True, "content": {media: {"schema": _ref(name)} for media in media_types}}


def _responses(ok_status: str, ok_name: str | None, description: str, *errors: str,
               headers: tuple[str, ...] = ("ETag",)) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": description}
    if ok_name is not None:
        ok["content"] = {"application/json": {"schema": _ref(ok_name)}}
    if headers:
        ok["headers"] = {header: {"$ref": f"#/components/headers/{header}"} for header in headers}
    responses = {ok_status: ok}
    for status in errors:
        responses[status] = {
            "description": ERROR_STATUSES[status],
            "content": {"application/json": {"schema": _ref("ErrorBody")}},
        }
    return responses


ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
IF_MATCH = {
    "name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
    "description": "The version the change is based on (`3`, `\"3\"` or the ETag); stale -> 412",
}
AUTH = [{"bearerAuth": []}]
WRITE_ERRORS = ("400", "401", "403", "404", "409", "412", "413", "415", "422", "503")


@cache
def _document() -> dict[str, Any]:
    models: list[tuple[type[BaseModel], Any]] = [
        (NewTherapistProfile, "validation"), (ProfileContent, "validation"),
        (TherapistProfile, "serialization"), (TherapistPublicProfile, "serialization"),
        (ApproachStatementText, "validation"), (AvailabilityConfirmation, "validation"),
        (ErrorBody, "serialization"),
    ]
    keys, generated = models_json_schema(models, ref_template=REF)
    schemas = generated["$defs"]
    name = {(model, mode): key["$ref"].rsplit("/", 1)[-1] for (model, mode), key in keys.items()}
    profile = name[(TherapistProfile, "serialization")]
    public = name[(TherapistPublicProfile, "serialization")]
    patch = _merge_patch_component(name[(ProfileContent, "validation")], schemas)

    paths = {
        "/v1/therapists": {
            "get": {
                "operationId": "listTherapists",
                "summary": "Every profile's public view, in pages (for rebuilding read models)",
                "parameters": [
                    {"name": "first", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
                    {"name": "after", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "The `next` of the previous page"},
                ],
                "responses": {
                    "200": {"description": "A page of public profiles", "content": {"application/json": {
                        "schema": {"type": "object", "required": ["items", "next"], "properties": {
                            "items": {"type": "array", "items": _ref(public)},
                            "next": {"type": ["string", "null"]},
                        }}}}},
                    "400": {"description": ERROR_STATUSES["400"],
                            "content": {"application/json": {"schema": _ref("ErrorBody")}}},
                    "503": {"description": ERROR_STATUSES["503"],
                            "content": {"application/json": {"schema": _ref("ErrorBody")}}},
                },
            },
            "post": {
                "operationId": "createTherapist", "summary": "Create the caller's therapist profile",
                "security": AUTH, "requestBody": _body(name[(NewTherapistProfile, "validation")]),
                "responses": _responses("201", profile, "The new profile (owner's view)",
                                        "400", "401", "403", "409", "413", "415", "422", "503",
                                        headers=("ETag", "Location")),
            },
        },
        "/v1/therapists/{id}": {
            "parameters": [ID],
            "get": {
                "operationId": "getTherapist", "summary": "The public view of a profile",
                "parameters": [{"name": "If-None-Match", "in": "header", "required": False,
                                "schema": {"type": "string"},
                                "description": "An ETag the client holds; 304 if it is current"}],
                "responses": {**_responses("200", public, "The public profile", "404", "503"),
                              "304": {"description": "Not modified: the client's copy is current"}},
            },
            "patch": {
                "operationId": "patchTherapist", "summary": "Change a profile (JSON Merge Patch)",
                "security": AUTH, "parameters": [IF_MATCH], "requestBody": _body(patch, PATCH_CONTENT),
                "responses": _responses("200", profile, "The changed profile (owner's view)", *WRITE_ERRORS),
            },
            "delete": {
                "operationId": "deleteTherapist", "summary": "Delete a profile everywhere",
                "security": AUTH, "parameters": [IF_MATCH],
                "responses": _responses("204", None, "Deleted", "401", "403", "404", "409", "412", "503",
                                        headers=()),
            },
        },
        "/v1/therapists/{id}/private": {
            "parameters": [ID],
            "get": {
                "operationId": "getTherapistPrivate",
                "summary": "The whole profile, for its owner or an admin", "security": AUTH,
                "responses": _responses("200", profile, "The owner's view", "401", "403", "404", "503"),
            },
        },
        "/v1/therapists/{id}/approaches/{slug}": {
            "parameters": [ID, SLUG],
            "put": {
                "operationId": "putApproachStatement",
                "summary": "Set the therapist's statement for an approach (up to 2,000 characters)",
                "security": AUTH, "parameters": [IF_MATCH],
                "requestBody": _body(name[(ApproachStatementText, "validation")]),
                "responses": _responses("200", profile, "The changed profile (owner's view)", *WRITE_ERRORS),
            },
            "delete": {
                "operationId": "deleteApproachStatement", "summary": "Remove the statement for an approach",
                "security": AUTH, "parameters": [IF_MATCH],
                "responses": _responses("204", None, "Removed", *WRITE_ERRORS),
            },
        },
        "/v1/therapists/{id}/availability": {
            "parameters": [ID],
            "post": {
                "operationId": "confirmAvailability",
                "summary": "Confirm the new-client status now (sets status and availabilityConfirmedAt)",
                "security": AUTH, "parameters": [IF_MATCH],
                "requestBody": _body(name[(AvailabilityConfirmation, "validation")]),
                "responses": _responses("200", profile, "The changed profile (owner's view)", *WRITE_ERRORS),
            },
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Therapist directory: profiles", "version": "1.0.0",
            "description": "Therapists' own profiles. Private fields (email, phone, unpublished licence "
                           "numbers, private street addresses) appear only in the owner's view.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "headers": {
                "ETag": {"description": "The profile's version, quoted", "schema": {"type": "string"}},
                "Location": {"description": "Where the new profile lives", "schema": {"type": "string"}},
            },
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def openapi_document() -> dict[str, Any]:
    return copy.deepcopy(_document())
