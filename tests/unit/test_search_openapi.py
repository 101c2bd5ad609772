"""The search service's OpenAPI document: built from its models, checked in, and true of the
answers the service really gives (and the gateway's card type covers the service's card)."""

from __future__ import annotations

import json
import typing
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from jsonschema import Draft202012Validator
from pydantic import BaseModel
from strawberry.types.base import StrawberryList, StrawberryOptional

from gateway.types.therapists import TherapistCard
from integration_events.therapists import TherapistPublicProfile
from servicekit.clock import SYSTEM_CLOCK
from servicekit.http import create_app
from services.search.api import SearchApi
from services.search.application import practice_points
from services.search.domain import (
    MatchPage,
    SearchCard,
    SearchFacets,
    SearchPage,
    SearchParameters,
    SpecialistsPage,
)
from services.search.engine import SearchEngine
from services.search.index import FACET_NAMES, SearchIndex
from services.search.openapi import DOCUMENT_PATH, document_text, openapi_document
from services.search.store import therapist_fields
from tests.integration.search.conftest import NOW, profile


def test_the_checked_in_document_is_the_one_the_code_builds():
    # On failure: python -m services.search.openapi --write
    assert DOCUMENT_PATH.read_text(encoding="utf-8") == document_text()


def test_every_reference_resolves():
    text = json.dumps(openapi_document())
    names = {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}
    assert names <= set(openapi_document()["components"]["schemas"])


def test_the_search_parameters_are_the_validating_models_fields():
    operation = openapi_document()["paths"]["/v1/therapists"]["get"]
    documented = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    assert documented == set(SearchParameters.model_fields)


def test_every_facet_the_index_counts_is_in_the_answer_model():
    assert set(FACET_NAMES) == set(SearchFacets.model_fields)


def _inner(annotation):
    """The model or strawberry type inside Optional[...] / list[...] wrappers."""
    while True:
        if isinstance(annotation, StrawberryOptional | StrawberryList):
            annotation = annotation.of_type
            continue
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) is not None and len(args) == 1:
            annotation = args[0]
            continue
        return annotation


def _uncovered(model: type[BaseModel], graphql_type: type, path: str = "") -> list[str]:
    fields = {f.python_name: f for f in graphql_type.__strawberry_definition__.fields}
    missing = []
    for name, info in model.model_fields.items():
        if name not in fields:
            missing.append(path + name)
            continue
        inner = _inner(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            missing += _uncovered(inner, _inner(fields[name].type), f"{path}{name}.")
    return missing


def test_the_gateways_card_type_has_every_field_of_the_search_card():
    assert _uncovered(SearchCard, TherapistCard) == []


# --------------------------------------------------------------------------- real answers


def _listed(**fields) -> dict:
    data = TherapistPublicProfile.model_validate(profile(**fields))
    return {
        "_id": data.id,
        "version": 1,
        **therapist_fields(data.model_dump(mode="json"), practice_points(data)),
    }


@pytest.fixture(scope="module")
async def client():
    index = SearchIndex()
    now = SYSTEM_CLOCK.now()
    for doc in (
        _listed(displayName="Wren Halloway, LPC", pronouns="she/her"),
        _listed(availabilityConfirmedAt=None, newClientStatus=None, photoUrl="https://example.org/p.jpg"),
        _listed(availabilityConfirmedAt=(NOW - timedelta(days=90)).isoformat(), locations=[]),
        _listed(
            money={
                "fees": [{"sessionType": "individual", "amountUsd": 90}],
                "slidingScale": {"minUsd": 40, "maxUsd": 90},
                "insurance": [],
            },
            identity={"gender": "man", "lgbtq": True, "raceEthnicity": ["Black"], "faith": "Buddhist"},
        ),
    ):
        index.apply(doc, now)
    index.commit_blocking()
    engine = SearchEngine(lambda: index)
    app = create_app("search", {})
    app.router.add_routes(SearchApi(engine).routes())
    async with TestClient(TestServer(app)) as http:
        yield http
    engine.close()


def _validator(status: str, path: str, method: str = "get") -> Draft202012Validator:
    document = openapi_document()
    answer = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return Draft202012Validator(
        {**answer, "components": document["components"]}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


async def _get(client: TestClient, path: str, **params) -> tuple[int, dict]:
    async with client.get(path, params=params) as response:
        return response.status, await response.json()


@pytest.mark.parametrize(
    "params",
    [{}, {"text": "oakhollow"}, {"zip": "78701", "radius": "30", "sort": "distance"}, {"sort": "freshness"}],
)
async def test_search_answers_are_valid_by_the_document_and_the_model(client, params):
    status, body = await _get(client, "/v1/therapists", first="2", **params)
    assert status == 200 and body["edges"]
    _validator("200", "/v1/therapists").validate(body)
    SearchPage.model_validate(body)
    assert all(("distanceKm" in e["node"]) == ("radius" in params) for e in body["edges"])


async def test_card_specialist_and_match_answers_are_valid_by_the_document_and_the_model(client):
    status, page = await _get(client, "/v1/approaches/relational-therapy/specialists", first="3")
    assert status == 200 and page["edges"]
    _validator("200", "/v1/approaches/{slug}/specialists").validate(page)
    SpecialistsPage.model_validate(page)

    card_id = page["edges"][0]["node"]["id"]
    status, card = await _get(client, f"/v1/therapists/{card_id}")
    assert status == 200
    _validator("200", "/v1/therapists/{id}").validate(card)
    SearchCard.model_validate(card)

    answers = {"state": "TX", "zip": "78701", "concerns": ["anxiety"], "payment": {"maxFee": 150}}
    async with client.post("/v1/match", json=answers) as response:
        assert response.status == 200
        matches = await response.json()
    assert matches["edges"]
    _validator("200", "/v1/match", "post").validate(matches)
    MatchPage.model_validate(matches)


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/v1/therapists", {"radius": "far"}, "400"),
        ("/v1/therapists", {"after": "garbage"}, "400"),
        ("/v1/therapists", {"zip": "00000"}, "400"),
        ("/v1/therapists/{id}", {}, "404"),
        ("/v1/approaches/{slug}/specialists", {"first": "0"}, "400"),
    ],
)
async def test_refusals_are_error_bodies_as_documented(client, path, params, status):
    url = path.replace("{id}", "t-nobody").replace("{slug}", "emdr")
    answered, body = await _get(client, url, **params)
    assert str(answered) == status
    _validator(status, path).validate(body)
