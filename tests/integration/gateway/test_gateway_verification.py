"""Verified licences and "why this listing" through the gateway: the `verifiedOnly` filter and
facet go to search as its parameter and facet, cards and profiles show each verified licence
with its date, and a card's `explanation` is asked of search only when it is selected."""

from __future__ import annotations

from tests.integration.gateway.backends import profile

CARDS = """
query ($filter: TherapistFilter) {
  searchTherapists(filter: $filter, first: 10) {
    totalCount edges { node { id verifiedLicences { kind state verifiedAt } } }
    facets { verified { value count } }
  }
}"""
EXPLAINED = """
query { searchTherapists(first: 3) { edges { node { id
  explanation { order rank rankExact composition factors { factor value description } summary } } } } }"""
MATCH_EXPLAINED = """
query { findMatch(questionnaire: {state: "TX"}) { edges { node { id ...Why } } } }
fragment Why on TherapistCard { explanation { order } }"""
PAGE = "query ($id: ID!) { therapist(id: $id) { id verifiedLicences { kind state verifiedAt } } }"


def sent(gw, name: str) -> list[str]:
    return [
        value
        for call in gw.stub.calls
        if call.backend == "search"
        for key, value in call.query
        if key == name
    ]


async def test_verified_only_is_sent_to_search_and_cards_show_each_verified_licence(gw):
    data = await gw.data(CARDS, {"filter": {"verifiedOnly": True}})
    assert sent(gw, "verifiedOnly") == ["true"]
    nodes = [e["node"] for e in data["searchTherapists"]["edges"]]
    assert nodes and all(n["verifiedLicences"][0]["kind"] == "LMFT" for n in nodes)
    assert data["searchTherapists"]["facets"]["verified"] == []  # as the stand-in counts it


async def test_a_profile_shows_only_its_verified_valid_licences(gw):
    licence = {"kind": "LPC", "state": "TX", "number": None, "expires": None, "expired": False}
    gw.stub.profiles["t7001"] = {
        **profile(7001, []),
        "id": "t7001",
        "licenceStatus": "licensed",
        "licences": [
            {**licence, "verificationStatus": "verified", "verifiedAt": "2026-02-03T10:00:00+00:00"},
            {**licence, "kind": "LMFT", "verificationStatus": "rejected", "verifiedAt": None},
            {
                **licence,
                "kind": "LCSW",
                "verificationStatus": "verified",
                "verifiedAt": "2025-01-01T00:00:00+00:00",
                "expired": True,
            },
        ],
    }
    data = await gw.data(PAGE, {"id": "t7001"})
    assert data["therapist"]["verifiedLicences"] == [
        {"kind": "LPC", "state": "TX", "verifiedAt": "2026-02-03T10:00:00+00:00"}
    ]


async def test_an_explanation_is_asked_of_search_only_when_selected(gw):
    await gw.data(CARDS, {})
    assert sent(gw, "explain") == []
    data = await gw.data(EXPLAINED)
    assert sent(gw, "explain") == ["true"]
    first = data["searchTherapists"]["edges"][0]["node"]["explanation"]
    assert first["composition"] == "sum"
    assert sum(int(f["value"]) for f in first["factors"]) == int(first["rankExact"])


async def test_a_match_explanation_selected_through_a_fragment_is_asked_for(gw):
    await gw.data(MATCH_EXPLAINED)
    [call] = [c for c in gw.stub.calls if c.path == "/v1/match"]
    assert ("explain", "true") in call.query
