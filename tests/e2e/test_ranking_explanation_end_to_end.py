"""Why this listing, through the whole directory: a search's and a match's cards explain their
rank when `explanation` is selected, the factors composing into the rank the results are ordered
by."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.test_approach_page_end_to_end import create_therapist
from tests.stack import directory_running
from tests.support import eventually

EXPLANATION = "explanation { order rank rankExact composition summary factors { factor value description } }"
SEARCH = f"""
query($text: String) {{
  searchTherapists(text: $text, first: 10) {{ totalCount edges {{ node {{ id {EXPLANATION} }} }} }}
}}"""
PLAIN_SEARCH = """
query($text: String) { searchTherapists(text: $text, first: 10) { totalCount edges { node { id } } } }"""
MATCH = f"""
query($q: MatchQuestionnaire!) {{ findMatch(questionnaire: $q) {{ edges {{ score node {{ id {EXPLANATION} }} }} }} }}"""


@pytest.fixture(scope="module")
async def directory(infra):
    async with directory_running(infra, tag="explain") as running:
        yield running


def composed(explanation: dict) -> float:
    values = {f["factor"]: f["value"] for f in explanation["factors"]}
    if explanation["composition"] == "sum":
        return sum(values.values())
    return values.get("textRelevance", values.get("matchPoints")) * values["weight"]


async def test_search_and_match_cards_explain_their_rank_when_asked(directory):
    word = f"zx{uuid.uuid4().hex[:8]}"
    for n, extra in enumerate(("", f"{word} {word}", "")):
        await create_therapist(
            directory,
            f"e2e-explain-{uuid.uuid4().hex[:6]}",
            {
                "displayName": f"Wren Abernathy-{n} {word}",
                "title": "Licensed Professional Counselor",
                "location": {"city": "Austin", "state": "TX"},
                "newClientStatus": "newpt",
                "issues": [{"slug": "grief", "top": n == 2}],
                "bio": {"helpWith": extra, "approach": "", "about": ""},
            },
        )

    async def all_listed() -> dict | None:
        data = await directory.graphql(SEARCH, {"text": word})
        return data if data["searchTherapists"]["totalCount"] == 3 else None

    data = await eventually(all_listed, what="three listed")
    explanations = [e["node"]["explanation"] for e in data["searchTherapists"]["edges"]]
    assert all(e["order"] == "relevance" and e["composition"] == "product" for e in explanations)
    ranks = [e["rank"] for e in explanations]
    assert ranks == sorted(ranks, reverse=True)
    for explanation in explanations:
        assert composed(explanation) == pytest.approx(explanation["rank"], rel=1e-6)
        assert {f["factor"] for f in explanation["factors"]} >= {"textRelevance", "demotion", "rotation"}
    plain = await directory.graphql(PLAIN_SEARCH, {"text": word})
    assert "explanation" not in plain["searchTherapists"]["edges"][0]["node"]

    matched = await directory.graphql(MATCH, {"q": {"state": "TX", "concerns": ["grief"], "first": 50}})
    edges = matched["findMatch"]["edges"]
    assert len(edges) >= 3 and all(e["node"]["explanation"]["order"] == "match" for e in edges)
    for edge in edges:
        explanation = edge["node"]["explanation"]
        assert composed(explanation) == pytest.approx(explanation["rank"], rel=1e-6)
    ranks = [e["node"]["explanation"]["rank"] for e in edges]
    assert ranks == sorted(ranks, reverse=True)
