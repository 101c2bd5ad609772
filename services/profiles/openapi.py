"""The profiles service's OpenAPI 3.1 document, built from the pydantic models that validate its
requests and shape its answers, so that it says exactly what the service accepts.

The document is checked in as `openapi.json` beside this module; a unit test fails when the two
differ. `python -m services.profiles.openapi` prints it, `--write` rewrites the file.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from integration_events.therapists import TherapistPublicProfile
from servicekit import openapi
from servicekit.errors import ErrorBody
from services.profiles.api import ListingQuery, VerificationLogQuery
from services.profiles.domain import (
    ApproachStatementText,
    AvailabilityConfirmation,
    NewTherapistProfile,
    OwnerView,
    ProfilePatch,
    PublicProfilePage,
    VerificationLogPage,
    VerificationRecord,
    VerificationRequest,
)

DOCUMENT_PATH = Path(__file__).with_name("openapi.json")
REF = "#/components/schemas/{model}"
JSON = ("application/json",)
MERGE_PATCH = ("application/merge-patch+json", "application/json")

ERRORS = {
    400: "Malformed JSON, an empty body, or a query parameter or header that is not valid (named)",
    401: "No bearer token, or one that is not valid (expired, wrong audience, wrong signature)",
    403: "A valid token that may not do this (not the owner, not an admin, no therapist role)",
    404: "No such therapist profile (or statement, or licence)",
    409: "The account already has a profile, or the profile kept changing concurrently",
    412: "If-Match does not name the current version",
    413: "The body is too large",
    415: "The body is not JSON",
    422: "The input is well-formed but not valid; `details` names each field",
    503: "MongoDB is unavailable; nothing was changed",
}
BODY_ERRORS = (400, 413, 415, 422)
WRITE_ERRORS = (400, 401, 403, 404, 409, 412, 503)
HEADERS = {
    "ETag": {"description": "The profile's version, quoted", "schema": {"type": "string"}},
    "Location": {"description": "Where the new profile lives", "schema": {"type": "string"}},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1},
    "description": 'The version the change is based on (`3`, `"3"` or the ETag): stale 412, garbled 400',
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1},
    "description": "An ETag the client holds; 304 if it is current",
}


@dataclasses.dataclass(frozen=True)
class Operation:
    """One route of the document: `route` is "method path"; `answer` is the success status, its
    description and the model of its body (None for no body)."""

    route: str
    operation_id: str
    summary: str
    answer: tuple[int, str, type[BaseModel] | None]
    headers: tuple[str, ...] = ("ETag",)
    errors: tuple[int, ...] = WRITE_ERRORS
    body: type[BaseModel] | None = None
    media_types: tuple[str, ...] = JSON
    query: type[BaseModel] | None = None
    parameters: tuple[dict[str, Any], ...] = ()
    secured: bool = True


OPERATIONS = (
    Operation(
        "get /v1/therapists",
        "listTherapists",
        "Every profile's public view, in pages (for rebuilding read models)",
        answer=(200, "A page of public profiles", PublicProfilePage),
        headers=(),
        errors=(400, 503),
        query=ListingQuery,
        secured=False,
    ),
    Operation(
        "post /v1/therapists",
        "createTherapist",
        "Create the caller's therapist profile",
        answer=(201, "The new profile (owner's view)", OwnerView),
        headers=("ETag", "Location"),
        errors=(401, 403, 409, 503, *BODY_ERRORS),
        body=NewTherapistProfile,
    ),
    Operation(
        "get /v1/therapists/{id}",
        "getTherapist",
        "The public view of a profile",
        answer=(200, "The public profile", TherapistPublicProfile),
        errors=(400, 404, 503),
        parameters=(IF_NONE_MATCH,),
        secured=False,
    ),
    Operation(
        "patch /v1/therapists/{id}",
        "patchTherapist",
        "Change a profile (JSON Merge Patch)",
        answer=(200, "The changed profile (owner's view)", OwnerView),
        errors=(*WRITE_ERRORS, *BODY_ERRORS),
        body=ProfilePatch,
        media_types=MERGE_PATCH,
        parameters=(IF_MATCH,),
    ),
    Operation(
        "delete /v1/therapists/{id}",
        "deleteTherapist",
        "Delete a profile everywhere",
        answer=(204, "Deleted", None),
        headers=(),
        parameters=(IF_MATCH,),
    ),
    Operation(
        "get /v1/therapists/{id}/private",
        "getTherapistPrivate",
        "The whole profile, for its owner or an admin",
        answer=(200, "The owner's view", OwnerView),
        errors=(401, 403, 404, 503),
    ),
    Operation(
        "get /v1/me",
        "getMyProfile",
        "The caller's own profile, found by the token's account (404 while it has none)",
        answer=(200, "The owner's view, as getTherapistPrivate answers it", OwnerView),
        errors=(401, 403, 404, 503),
    ),
    Operation(
        "get /v1/therapists/{id}/ownership",
        "checkTherapistOwnership",
        "Whether the caller owns the profile or is an admin (other services ask, forwarding the token)",
        answer=(204, "The caller owns the profile or is an admin", None),
        headers=(),
        errors=(401, 403, 404, 503),
    ),
    Operation(
        "put /v1/therapists/{id}/approaches/{slug}",
        "putApproachStatement",
        "Set the therapist's statement for an approach (up to 2,000 characters)",
        answer=(200, "The changed profile (owner's view)", OwnerView),
        errors=(*WRITE_ERRORS, *BODY_ERRORS),
        body=ApproachStatementText,
        parameters=(IF_MATCH,),
    ),
    Operation(
        "delete /v1/therapists/{id}/approaches/{slug}",
        "deleteApproachStatement",
        "Remove the statement for an approach",
        answer=(204, "Removed", None),
        parameters=(IF_MATCH,),
    ),
    Operation(
        "post /v1/therapists/{id}/availability",
        "confirmAvailability",
        "Confirm the new-client status now (sets status and availabilityConfirmedAt)",
        answer=(200, "The changed profile (owner's view)", OwnerView),
        errors=(*WRITE_ERRORS, *BODY_ERRORS),
        body=AvailabilityConfirmation,
        parameters=(IF_MATCH,),
    ),
    Operation(
        "post /v1/therapists/{id}/licence-verifications",
        "decideLicenceVerification",
        "Verify a licence of the profile, or reject it with a reason (admins only): a new version, "
        "announced as therapist.updated, and a record in the audit log",
        answer=(201, "The decision as the audit log keeps it", VerificationRecord),
        errors=(*WRITE_ERRORS, *BODY_ERRORS),
        body=VerificationRequest,
        parameters=(IF_MATCH,),
    ),
    Operation(
        "get /v1/licence-verifications",
        "listLicenceVerifications",
        "The audit log of licence verification decisions, newest first (admins only)",
        answer=(200, "A page of decisions", VerificationLogPage),
        headers=(),
        errors=(400, 401, 403, 503),
        query=VerificationLogQuery,
    ),
)


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", path)
    ]


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    return [
        {
            "name": name,
            "in": "query",
            "required": name in schema.get("required", ()),
            "description": prop.pop("description", ""),
            "schema": {key: value for key, value in prop.items() if key != "title"},
        }
        for name, prop in schema["properties"].items()
    ]


def _operation(op: Operation, ref: dict[type[BaseModel], dict[str, str]]) -> dict[str, Any]:
    status, description, model = op.answer
    answer: dict[str, Any] = {"description": description}
    if model is not None:
        answer["content"] = {"application/json": {"schema": ref[model]}}
    if op.headers:
        answer["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in op.headers}
    responses = {str(status): answer}
    if IF_NONE_MATCH in op.parameters:
        responses["304"] = {
            "description": "Not modified: the client's copy is current",
            "headers": answer["headers"],
        }
    error = {"content": {"application/json": {"schema": ref[ErrorBody]}}}
    responses |= {str(code): {"description": ERRORS[code], **error} for code in sorted(op.errors)}
    parameters = [*_path_parameters(op.route), *op.parameters]
    if op.query is not None:
        parameters += _query_parameters(op.query)
    document: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary}
    if parameters:
        document["parameters"] = parameters
    if op.secured:
        document["security"] = [{"bearerAuth": []}]
    if op.body is not None:
        schema = {"schema": ref[op.body]}
        document["requestBody"] = {"required": True, "content": {media: schema for media in op.media_types}}
    document["responses"] = responses
    return document


@cache
def _document() -> dict[str, Any]:
    bodies = dict.fromkeys(op.body for op in OPERATIONS if op.body is not None)
    answers = dict.fromkeys([*(op.answer[2] for op in OPERATIONS if op.answer[2] is not None), ErrorBody])
    keys, generated = models_json_schema(
        [(model, "validation") for model in bodies] + [(model, "serialization") for model in answers],
        ref_template=REF,
    )
    ref = {model: schema for (model, _), schema in keys.items()}
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        method, path = op.route.split(" ")
        paths.setdefault(path, {})[method] = _operation(op, ref)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Therapist directory: profiles",
            "version": "1.0.0",
            "description": "Therapists' own profiles. Private fields (email, phone, unpublished licence "
            "numbers, private street addresses) appear only in the owner's view.",
        },
        "paths": paths,
        "components": {
            "schemas": generated["$defs"],
            "headers": HEADERS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def openapi_document() -> dict[str, Any]:
    return copy.deepcopy(_document())


def document_text() -> str:
    return openapi.document_text(openapi_document())


if __name__ == "__main__":
    raise SystemExit(openapi.document_command(openapi_document, DOCUMENT_PATH))
