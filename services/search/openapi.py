"""The search service's OpenAPI 3.1 document, generated from the pydantic models that validate
its requests (query parameters, the match questionnaire) and document its answers (`SearchCard`
and the pages around it, `ErrorBody`), so it says exactly what the service accepts and answers.

Checked in as `services/search/openapi.json` (a unit test fails when it differs):

    python -m services.search.openapi          # print the document
    python -m services.search.openapi --write  # rewrite openapi.json from the code
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from servicekit import openapi
from servicekit.errors import ErrorBody
from services.search.domain import (
    BUCKET_HEADER,
    ROTATION_BUCKETS,
    VISITOR_COOKIE,
    VISITOR_HEADER,
    FitsRequest,
    MatchOptions,
    MatchPage,
    MatchQuestionnaire,
    PageParameters,
    SearchCard,
    SearchPage,
    SearchParameters,
    SpecialistsPage,
    TherapistFits,
)

DOCUMENT_PATH = Path(__file__).with_name("openapi.json")
REF = "#/components/schemas/{model}"
MODELS: tuple[type[BaseModel], ...] = (
    SearchPage, SpecialistsPage, MatchPage, SearchCard, MatchQuestionnaire, FitsRequest, TherapistFits,
    ErrorBody,
)  # fmt: skip

# What the service answers for each status, wherever the operation can answer it.
ERRORS = {
    "400": "A query parameter, the cursor or the place is invalid (named in details), or the body "
    "is empty or not JSON",
    "404": "No therapist with this id is listed",
    "413": "The body is larger than 1 MiB",
    "415": "Not a JSON body",
    "422": "The answers or filters are invalid (fields named in details, values not echoed)",
    "503": "The index is still being built, or MongoDB is unavailable; retry shortly",
}
VISITOR = {
    "name": VISITOR_HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": f"Opaque visitor session; mapped to one of {ROTATION_BUCKETS} rotation buckets "
    f"(or cookie {VISITOR_COOKIE})",
}
ROTATED = {
    BUCKET_HEADER: {"schema": {"type": "string"}, "description": "The visitor's rotation bucket"},
    "Vary": {"schema": {"type": "string"}, "description": "The visitor headers the order depends on"},
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _answer(
    description: str, model: type[BaseModel], headers: dict[str, Any] | None = None
) -> dict[str, Any]:
    answer = {"description": description, "content": {"application/json": {"schema": _ref(model.__name__)}}}
    return {**answer, "headers": headers} if headers else answer


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: _answer(ERRORS[status], ErrorBody) for status in statuses}


def _schemas() -> dict[str, Any]:
    _, definitions = TypeAdapter.json_schemas(
        [(model.__name__, "validation", TypeAdapter(model)) for model in MODELS], ref_template=REF
    )
    return definitions["$defs"]


def documented_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The query parameters a parameters model reads, each with the schema it validates."""
    found = []
    for name, schema in model.model_json_schema()["properties"].items():
        schema = {k: v for k, v in schema.items() if k not in ("title", "default")}
        description = schema.pop("description")
        parameter = {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema,
        }
        if schema.get("type") == "array":
            parameter |= {"style": "form", "explode": True}
        found.append(parameter)
    return found


@functools.cache
def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Therapist directory: search service",
            "version": "1.0.0",
            "description": "Read-only search, approach pages and matching over public therapist cards.",
        },
        "components": {"schemas": _schemas()},
        "paths": {
            "/v1/therapists": {
                "get": {
                    "operationId": "searchTherapists",
                    "summary": "Cards matching text and filters, in fair order, with facet counts",
                    "parameters": [*documented_parameters(SearchParameters), VISITOR],
                    "responses": {
                        "200": _answer("Matching cards, facet counts over all matches", SearchPage, ROTATED),
                        **_errors("400", "503"),
                    },
                }
            },
            "/v1/therapists/{id}": {
                "get": {
                    "operationId": "getTherapistCard",
                    "summary": "One listed therapist's card",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {"200": _answer("The card", SearchCard), **_errors("404", "503")},
                }
            },
            "/v1/therapists/{id}/fits": {
                "post": {
                    "operationId": "therapistFits",
                    "summary": "Which of several searches a therapist is a result of now",
                    "description": "Each filter is what searchTherapists takes, as JSON values; it fits "
                    "when the therapist would be among that search's results. `version` is the "
                    "therapist's version the answer reflects, so a caller that knows of a later one "
                    "can ask again once this replica has applied it.",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(FitsRequest.__name__)}},
                    },
                    "responses": {
                        "200": _answer("Per filter, whether the therapist fits it", TherapistFits),
                        **_errors("400", "413", "415", "422", "503"),
                    },
                }
            },
            "/v1/approaches/{slug}/specialists": {
                "get": {
                    "operationId": "approachSpecialists",
                    "summary": "Therapists practising an approach (old slugs resolve), in rotation order",
                    "parameters": [
                        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                        *documented_parameters(PageParameters),
                        VISITOR,
                    ],
                    "responses": {
                        "200": _answer(
                            "Therapists practising the approach, each with their statement",
                            SpecialistsPage,
                            ROTATED,
                        ),
                        **_errors("400", "503"),
                    },
                }
            },
            "/v1/match": {
                "post": {
                    "operationId": "findMatch",
                    "summary": "Find Your Match: therapists who fit a questionnaire, with why",
                    "description": "Answers are used for this request only: never stored or logged.",
                    "parameters": [VISITOR, *documented_parameters(MatchOptions)],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(MatchQuestionnaire.__name__)}},
                    },
                    "responses": {
                        "200": _answer("Matches with the reasons they matched", MatchPage, ROTATED),
                        **_errors("400", "413", "415", "422", "503"),
                    },
                }
            },
        },
    }


def document_text() -> str:
    return openapi.document_text(openapi_document())


if __name__ == "__main__":
    raise SystemExit(openapi.document_command(openapi_document, DOCUMENT_PATH))
