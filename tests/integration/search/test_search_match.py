"""Find Your Match: hard filters, preference score, reasons, and answers that leave no trace."""

from __future__ import annotations

import logging
import uuid

import pytest

from tests.integration.search.conftest import profile

STATE = "VT"  # only this module's therapists practise here


@pytest.fixture(scope="module")
async def vermont(search):
    common = {
        "location": {"city": "Burlington", "state": STATE},
        "locations": [{"city": "Burlington", "state": STATE, "postalCode": "05401"}],
        "licences": [{"kind": "LCSW", "state": STATE}],
        "telehealthStates": [STATE],
    }
    people = {
        "best": profile(
            **common,
            displayName="Noor Ashgrove",
            issues=[{"slug": "grief", "top": True}],
            approaches=[{"slug": "narrative-therapy", "statement": "Re-authoring."}],
            languages=["en", "es"],
            identity={"gender": "woman", "lgbtq": True},
            money={"fees": [{"sessionType": "individual", "amountUsd": 100}], "insurance": ["bcbs"]},
        ),
        "plain": profile(
            **common,
            displayName="Elio Fennick",
            issues=[{"slug": "anxiety"}],
            identity={"gender": "man"},
            money={"fees": [{"sessionType": "individual", "amountUsd": 110}], "insurance": []},
        ),
        "full": profile(
            **common,
            displayName="Wren Ivesly",
            newClientStatus="nopt",
            issues=[{"slug": "grief", "top": True}],
            identity={"gender": "woman", "lgbtq": True},
            money={"fees": [{"sessionType": "individual", "amountUsd": 100}], "insurance": ["bcbs"]},
        ),
        "pricey": profile(
            **common,
            displayName="Matteo Oakhollow",
            issues=[{"slug": "grief", "top": True}],
            money={"fees": [{"sessionType": "individual", "amountUsd": 300}], "insurance": []},
        ),
        "online_only": profile(
            location={"city": "Boston", "state": "MA"},
            locations=[{"city": "Boston", "state": "MA", "postalCode": "02108"}],
            licences=[{"kind": "LMHC", "state": "MA"}],
            telehealthStates=["MA", STATE],
            formats=["video"],
            displayName="Priya Lindqvale",
            issues=[{"slug": "grief"}],
            money={"fees": [{"sessionType": "individual", "amountUsd": 90}], "insurance": []},
        ),
    }
    for data in people.values():
        await search.put_therapist(data)
    for data in people.values():
        await search.settled(data["id"], 1)
    return {name: data["id"] for name, data in people.items()}


async def match(search, answers: dict) -> dict:
    async with search.http.post("/v1/match", json=answers) as response:
        assert response.status == 200, await response.text()
        assert response.headers["Cache-Control"] == "no-store"
        return await response.json()


ANSWERS = {
    "concerns": ["grief"],
    "state": STATE,
    "zip": "05401",
    "format": "either",
    "payment": {"insurance": "bcbs", "maxFee": 120},
    "preferences": {"gender": "woman", "lgbtq": True, "languages": ["es"]},
    "style": ["narrative-therapy"],
    "first": 10,
}


async def test_hard_filters_keep_only_accepting_affordable_therapists_allowed_in_the_state(search, vermont):
    body = await match(search, ANSWERS)
    found = {e["node"]["id"] for e in body["edges"]}
    assert found == {vermont["best"], vermont["plain"], vermont["online_only"]}
    assert body["totalCount"] == 3


async def test_the_best_fit_ranks_first_with_its_reasons(search, vermont):
    body = await match(search, ANSWERS)
    top = body["edges"][0]
    assert top["node"]["id"] == vermont["best"]
    assert top["score"] == 1.0
    reasons = top["reasons"]
    assert "Licensed to practise in Vermont" in reasons
    assert "Takes Blue Cross Blue Shield" in reasons
    assert "Helps with grief and loss (a main focus)" in reasons
    assert "Offers sessions in es" in reasons
    assert any(r.startswith("Accepting new clients") for r in reasons)
    assert any(r.startswith("Sees clients in person") for r in reasons)
    assert body["edges"][-1]["score"] < top["score"]


async def test_online_format_needs_telehealth_in_the_clients_state(search, vermont):
    body = await match(search, {**ANSWERS, "format": "online"})
    found = {e["node"]["id"] for e in body["edges"]}
    assert vermont["online_only"] in found
    assert any("Offers online sessions to clients in Vermont" in e["reasons"] for e in body["edges"])


async def test_in_person_format_needs_an_office_nearby(search, vermont):
    body = await match(search, {**ANSWERS, "format": "in_person"})
    assert vermont["online_only"] not in {e["node"]["id"] for e in body["edges"]}


async def test_invalid_answers_are_422_without_echoing_them(search):
    async with search.http.post(
        "/v1/match", json={"state": "Atlantis", "concerns": ["secret-worry-xyz"]}
    ) as r:
        assert r.status == 422
        text = await r.text()
    assert "Atlantis" not in text and "secret-worry-xyz" not in text


async def test_no_answer_appears_in_the_logs(search, vermont, caplog, capfd):
    faith = f"Faith-{uuid.uuid4().hex[:8]}"
    race = f"Heritage-{uuid.uuid4().hex[:8]}"
    answers = {
        **ANSWERS,
        "preferences": {"faith": faith, "raceEthnicity": race, "gender": "genderqueer-x"},
        "city": "Winooski-Secret",
    }
    capfd.readouterr()
    with caplog.at_level(logging.DEBUG):
        await match(search, answers)
        async with search.http.post("/v1/match", json={**answers, "state": "ZZ"}) as response:
            assert response.status == 422
    out, err = capfd.readouterr()
    logged = out + err + caplog.text
    for answer in (faith, race, "genderqueer-x", "Winooski-Secret"):
        assert answer not in logged
    assert not await search.app["read_model"].db.list_collection_names(filter={"name": {"$regex": "match"}})
