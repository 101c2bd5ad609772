"""`GET /openapi.json`: the search API's OpenAPI 3.1 document.

The match request schema is generated from the pydantic model the API validates with; the
query parameters are listed from the same names the parser accepts.
"""

from __future__ import annotations

import functools
from typing import Any

from services.search.domain import FORMATS, NEW_CLIENT_STATUSES, MatchQuestionnaire
from services.search.index import FACET_NAMES

_STR = {"type": "string"}
_NUM = {"type": "number"}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _param(name: str, schema: dict[str, Any], description: str, *, repeat: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": _array(schema) if repeat else schema,
        **({"explode": True} if repeat else {}),
    }


CARD = {
    "type": "object",
    "required": ["id", "displayName", "title", "location", "availabilityStale", "updatedAt"],
    "properties": {
        "id": _STR,
        "displayName": _STR,
        "title": _STR,
        "location": {"type": "object", "properties": {"city": _STR, "state": _STR}},
        "pronouns": {"type": ["string", "null"]},
        "photoUrl": {"type": ["string", "null"]},
        "newClientStatus": {"type": ["string", "null"], "enum": [*NEW_CLIENT_STATUSES, None]},
        "availabilityConfirmedAt": {"type": ["string", "null"], "format": "date-time"},
        "availabilityStale": {**_BOOL, "description": "Availability not confirmed for 60 days (demoted)"},
        "formats": _array({"enum": list(FORMATS)}),
        "telehealthStates": _array(_STR),
        "languages": _array(_STR),
        "approaches": _array({"type": "object", "properties": {"slug": _STR, "statement": _STR}}),
        "issues": _array({"type": "object", "properties": {"slug": _STR, "top": _BOOL}}),
        "money": {"type": "object"},
        "identity": {"type": "object"},
        "ageGroups": _array(_STR),
        "distanceKm": {**_NUM, "description": "Only when a place filter with a radius is given"},
        "updatedAt": {"type": "string", "format": "date-time"},
    },
}
PAGE_INFO = {
    "type": "object",
    "properties": {"hasNextPage": _BOOL, "endCursor": {"type": ["string", "null"]}},
}
FACET = _array({"type": "object", "properties": {"value": _STR, "count": _INT}})
ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"code": _STR, "message": _STR, "details": _array({"type": "object"})},
        }
    },
}
VISITOR = {
    "name": "X-Visitor-Session",
    "in": "header",
    "required": False,
    "schema": _STR,
    "description": "Opaque visitor session; mapped to one of 16 rotation buckets (or cookie visitor_session)",
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors() -> dict[str, Any]:
    return {
        "400": _json(ERROR, "A parameter is invalid (named in details)"),
        "422": _json(ERROR, "The body is invalid (fields named in details)"),
    }


SEARCH_PARAMETERS = [
    _param("text", _STR, "Free text over names, titles, approaches, statements and bios"),
    _param("approach", _STR, "Approach slug (any of; old slugs resolve)", repeat=True),
    _param("issue", _STR, "Issue slug (any of)", repeat=True),
    _param("state", _STR, "Two-letter state code"),
    _param("city", _STR, "City name"),
    _param("zip", _STR, "Five-digit ZIP code (default radius 40 km)"),
    _param("radius", _NUM, "Distance from zip or city"),
    _param("radiusUnit", {"enum": ["km", "mi"]}, "Unit of radius (default km)"),
    _param("telehealthState", _STR, "Offers telehealth in this state"),
    _param("format", {"enum": list(FORMATS)}, "Session format (any of)", repeat=True),
    _param("newClientStatus", {"enum": list(NEW_CLIENT_STATUSES)}, "Any of", repeat=True),
    _param("insurance", _STR, "Insurance plan id"),
    _param("maxFee", _INT, "Lowest session fee (or sliding-scale floor) at most this, USD"),
    _param("slidingScale", _BOOL, "Offers a sliding scale"),
    _param("language", _STR, "BCP-47 language (any of)", repeat=True),
    _param("gender", _STR, "Self-described gender"),
    _param("lgbtq", _BOOL, "Identifies as LGBTQ+"),
    _param("raceEthnicity", _STR, "Self-described race or ethnicity"),
    _param("faith", _STR, "Self-described faith"),
    _param("ageGroup", _STR, "Age group served"),
    _param("sort", {"enum": ["relevance", "distance", "freshness"]}, "Default relevance"),
    _param("first", {**_INT, "minimum": 1, "maximum": 100}, "Page size (default 20)"),
    _param("after", _STR, "Cursor of the last item seen"),
]


@functools.cache
def openapi_document() -> dict[str, Any]:
    match_schema = MatchQuestionnaire.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = match_schema.pop("$defs", {})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Therapist directory: search service",
            "version": "1.0.0",
            "description": "Read-only search, approach pages and matching over public therapist cards.",
        },
        "paths": {
            "/v1/therapists": {
                "get": {
                    "operationId": "searchTherapists",
                    "parameters": [*SEARCH_PARAMETERS, VISITOR],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "totalCount": _INT,
                                    "pageInfo": PAGE_INFO,
                                    "edges": _array(
                                        {"type": "object", "properties": {"cursor": _STR, "node": CARD}}
                                    ),
                                    "facets": {
                                        "type": "object",
                                        "properties": {name: FACET for name in FACET_NAMES},
                                    },
                                },
                            },
                            "Matching cards, facet counts over all matches",
                        ),
                        **_errors(),
                    },
                }
            },
            "/v1/therapists/{id}": {
                "get": {
                    "operationId": "getTherapistCard",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": _STR}],
                    "responses": {"200": _json(CARD, "The card"), "404": _json(ERROR, "Not listed")},
                }
            },
            "/v1/approaches/{slug}/specialists": {
                "get": {
                    "operationId": "approachSpecialists",
                    "parameters": [
                        {"name": "slug", "in": "path", "required": True, "schema": _STR},
                        SEARCH_PARAMETERS[-2],
                        SEARCH_PARAMETERS[-1],
                        VISITOR,
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "totalCount": _INT,
                                    "pageInfo": PAGE_INFO,
                                    "edges": _array(
                                        {
                                            "type": "object",
                                            "properties": {"cursor": _STR, "statement": _STR, "node": CARD},
                                        }
                                    ),
                                },
                            },
                            "Therapists practising the approach, each with their statement",
                        ),
                        **_errors(),
                    },
                }
            },
            "/v1/match": {
                "post": {
                    "operationId": "findMatch",
                    "parameters": [VISITOR],
                    "description": "Answers are used for this request only: never stored or logged.",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": match_schema}},
                    },
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "totalCount": _INT,
                                    "edges": _array(
                                        {
                                            "type": "object",
                                            "properties": {
                                                "node": CARD,
                                                "score": _NUM,
                                                "reasons": _array(_STR),
                                            },
                                        }
                                    ),
                                },
                            },
                            "Matches with the reasons they matched",
                        ),
                        **_errors(),
                        "415": _json(ERROR, "Not JSON"),
                    },
                }
            },
        },
        "components": {"schemas": {"Card": CARD, "Error": ERROR, **definitions}},
    }
