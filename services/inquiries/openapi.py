"""The inquiries service's OpenAPI 3.1 document, generated from the pydantic models that validate
its requests and shape its answers, so it says exactly what the service accepts.

Checked in as `services/inquiries/openapi.json` (a unit test fails when it differs):

    python -m services.inquiries.openapi          # print the document
    python -m services.inquiries.openapi --write  # rewrite openapi.json from the code
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from servicekit import openapi
from servicekit.errors import ErrorBody
from services.inquiries.api import BASE, CLIENT_HEADER, InquiriesQuery
from services.inquiries.domain import InquiryConnection, InquiryForm, InquiryNode, InquiryReceipt

DOCUMENT_PATH = Path(__file__).with_name("openapi.json")
REF = "#/components/schemas/{model}"

# What the service answers for each status, wherever the operation can answer it.
ERRORS = {
    "400": "Malformed JSON, an empty body, or a query parameter that is not valid (named)",
    "401": "No bearer token, or one that is not valid",
    "404": "No such therapist or inquiry, or one the caller may not see (the same answer)",
    "413": "The body is larger than 1 MiB",
    "415": "Not a JSON body",
    "422": "Invalid fields, each named in `details`",
    "503": "A backing service is unavailable; nothing was changed",
}
HEADER = {"schema": {"type": "string"}}
NO_STORE = {"Cache-Control": {**HEADER, "description": "`no-store`: what a visitor wrote is never cached"}}
RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before sending again"}
}
RATE_LIMITED = (
    "Too many inquiries from this client or to this therapist for now; `Retry-After` and "
    "`details[0].retryAfterSeconds` say how long to wait"
)
SECURED = {"security": [{"bearer": []}]}
MODELS = [
    (InquiryForm, "validation"),
    (InquiryReceipt, "serialization"),
    (InquiryConnection, "serialization"),
    (InquiryNode, "serialization"),
    (ErrorBody, "serialization"),
]


def _ref(model: type[BaseModel]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}}


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: {"description": ERRORS[status], **_ref(ErrorBody)} for status in statuses}


def _path_parameter(description: str) -> dict[str, Any]:
    return {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
    }


def _query_parameters() -> list[dict[str, Any]]:
    schema = InquiriesQuery.model_json_schema()
    parameters = []
    for name, prop in schema["properties"].items():
        description = prop.pop("description")
        prop.pop("title", None)
        parameters.append(
            {"name": name, "in": "query", "required": False, "schema": prop, "description": description}
        )
    return parameters


def _schemas() -> dict[str, Any]:
    _, generated = models_json_schema(MODELS, ref_template=REF)
    return generated["$defs"]


SEND = {
    "operationId": "sendInquiry",
    "summary": "A visitor writes to a therapist (no account; the gateway calls this)",
    "parameters": [
        {
            "name": CLIENT_HEADER,
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "The visitor's address, set by the gateway: the per-client rate limit's key",
        }
    ],
    "requestBody": {"required": True, **_ref(InquiryForm)},
    "responses": {
        "201": {
            "description": "Received: stored and announced before this answer",
            "headers": {"Location": {**HEADER, "description": "The inquiry's address"}},
            **_ref(InquiryReceipt),
        },
        "200": {
            "description": "The idempotency key was used before: the first inquiry, nothing new",
            **_ref(InquiryReceipt),
        },
        "429": {"description": RATE_LIMITED, "headers": RETRY_AFTER, **_ref(ErrorBody)},
        **_errors("400", "404", "413", "415", "422", "503"),
    },
}
LIST = {
    "operationId": "listInquiries",
    "summary": "A therapist's inquiries, newest first (the owner or an admin)",
    **SECURED,
    "parameters": [_path_parameter("The therapist's id")],
    "responses": {
        "200": {"description": "A page of inquiries", "headers": NO_STORE, **_ref(InquiryConnection)},
        **_errors("400", "401", "404", "503"),
    },
}
MARK_ANSWERED = {
    "operationId": "markInquiryAnswered",
    "summary": "Mark an inquiry answered (the therapist's owner or an admin; again: unchanged)",
    **SECURED,
    "parameters": [_path_parameter("The inquiry's id")],
    "responses": {
        "200": {"description": "The inquiry as it is now", "headers": NO_STORE, **_ref(InquiryNode)},
        **_errors("401", "404", "503"),
    },
}


@functools.cache
def _document() -> dict[str, Any]:
    listing = copy.deepcopy(LIST)
    listing["parameters"] += _query_parameters()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Inquiries service",
            "version": "1.0.0",
            "description": "A private relay from visitors to therapists. What a visitor writes is "
            "health data: stored encrypted, shown only to the therapist and admins, never announced.",
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "paths": {
            BASE: {"post": SEND},
            "/v1/therapists/{id}/inquiries": {"get": listing},
            BASE + "/{id}/answered": {"post": MARK_ANSWERED},
        },
    }


def openapi_document() -> dict[str, Any]:
    return copy.deepcopy(_document())


def document_text() -> str:
    return openapi.document_text(openapi_document())


if __name__ == "__main__":
    raise SystemExit(openapi.document_command(openapi_document, DOCUMENT_PATH))
