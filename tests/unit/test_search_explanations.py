"""Why this listing: each result's explanation takes apart the value its page is ordered by,
over a small real index, for text searches, lists without text, other sorts and matches, with
demoted results among them; the factors compose into exactly the value the engine ordered by."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from services.search import application
from services.search.domain import NOT_MEASURED, MatchQuestionnaire, search_query
from tests.unit.test_search_application import CLOCK, InMemoryReadModel, engine_over, therapist

WORD = "quillwort"
STALE = (CLOCK.now() - timedelta(days=90)).isoformat()


@pytest.fixture
async def engine():
    read_model = InMemoryReadModel()
    people = [
        therapist(
            displayName=f"Ada {WORD} Marlowe", bio={"helpWith": f"{WORD} {WORD}", "approach": "", "about": ""}
        ),
        therapist(displayName=f"Bo {WORD} Lind"),
        therapist(displayName=f"Cy {WORD} Okafor", availabilityConfirmedAt=STALE),  # demoted: stale
        therapist(displayName=f"Di {WORD} Reyes", issues=[{"slug": "grief", "top": True}]),
        therapist(displayName=f"Ed {WORD} Szabo", languages=["es"]),
    ]
    for person in people:
        await application.apply_therapist_event(person, read_model)
    unresponsive = people[3].id  # demoted: inquiries left unanswered
    read_model.therapists[unresponsive]["responsiveness"] = {**NOT_MEASURED, "unresponsive": True}
    found = await engine_over(read_model)
    yield found
    found.close()


def product(explanation: dict) -> float:
    values = {f["factor"]: f["value"] for f in explanation["factors"]}
    base = values.get("textRelevance", values.get("matchPoints"))
    return base * values["weight"]


def demoted(explanation: dict) -> bool:
    return next(f for f in explanation["factors"] if f["factor"] == "demotion")["value"] == 0.5


@pytest.mark.parametrize("bucket", [0, 5, 11])
async def test_a_text_results_relevance_times_its_weight_is_the_score_it_is_ordered_by(engine, bucket):
    page = await application.search_therapists(
        search_query({"text": WORD, "explain": "true"}), bucket, engine
    )
    assert len(page.hits) == 5
    for hit, explanation in zip(page.hits, page.explanations, strict=True):
        assert explanation["rank"] == hit.key  # exactly the engine's ordering value
        assert explanation["composition"] == "product"
        assert product(explanation) == pytest.approx(hit.key, rel=1e-6)  # single-precision product
        values = {f["factor"]: f["value"] for f in explanation["factors"]}
        parts = values["scale"] * values["demotion"] * values["rotation"]
        assert values["weight"] == pytest.approx(parts, rel=1e-6)
    ranks = [e["rank"] for e in page.explanations]
    assert ranks == sorted(ranks, reverse=True)
    flags = {hit.id: demoted(e) for hit, e in zip(page.hits, page.explanations, strict=True)}
    assert sum(flags.values()) == 2  # the stale one and the unresponsive one, halved


@pytest.mark.parametrize("bucket", [0, 7])
async def test_a_list_without_text_sums_standing_rotation_and_tie_break_into_its_key(engine, bucket):
    page = await application.search_therapists(
        search_query({"state": "TX", "explain": "true"}), bucket, engine
    )
    assert len(page.hits) == 5
    for hit, explanation in zip(page.hits, page.explanations, strict=True):
        assert explanation["composition"] == "sum"
        assert (
            sum(int(f["value"]) for f in explanation["factors"]) == hit.key == int(explanation["rankExact"])
        )
    standings = [e["factors"][0]["value"] for e in page.explanations]
    assert standings[-2:] == [0, 0] and all(standings[:3])  # both demoted ones last


async def test_freshness_and_distance_orders_are_explained_by_their_own_keys(engine):
    page = await application.search_therapists(
        search_query({"sort": "freshness", "explain": "true"}), 0, engine
    )
    for hit, explanation in zip(page.hits, page.explanations, strict=True):
        assert sum(int(f["value"]) for f in explanation["factors"]) == hit.key
    near = await application.search_therapists(
        search_query({"zip": "78701", "sort": "distance", "explain": "true"}), 0, engine
    )
    for hit, explanation in zip(near.hits, near.explanations, strict=True):
        assert explanation["rank"] == hit.key and explanation["factors"][0]["factor"] == "distance"


async def test_a_matchs_points_times_its_weight_is_the_score_it_is_ordered_by(engine):
    answers = MatchQuestionnaire(state="TX", concerns=["grief"], preferences={"languages": ["es"]})
    found = await application.match_therapists(answers, 3, engine, CLOCK, explain=True)
    assert len(found.matches) == 5
    for match in found.matches:
        explanation = match.explanation
        assert explanation["rank"] == match.hit.key
        assert product(explanation) == pytest.approx(match.hit.key, rel=1e-6)
        values = [f["value"] for f in explanation["factors"] if f["factor"] in ("hardFilters", "preference")]
        points = next(f["value"] for f in explanation["factors"] if f["factor"] == "matchPoints")
        assert math.fsum(values) == points
    by_id = {m.hit.id: m.explanation for m in found.matches}
    griever = next(
        m
        for m in found.matches
        if m.hit.card["issues"][0]["slug"] == "grief" and m.hit.card["issues"][0]["top"]
    )
    assert {f["factor"]: f["value"] for f in by_id[griever.hit.id]["factors"]}["matchPoints"] == 5.0
    assert demoted(by_id[griever.hit.id])  # unresponsive: halved, yet its points put it where they do


async def test_without_explain_nothing_is_explained(engine):
    page = await application.search_therapists(search_query({"text": WORD}), 0, engine)
    assert page.explanations is None
