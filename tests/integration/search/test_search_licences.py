"""What search makes of the licence facts profiles derives: the telehealth filter, facet and
matching follow the states the licences allow (`telehealthStatesServed`), not those declared, and
a profile whose licences all expired (`listed: false`) is in no result, page or match."""

from __future__ import annotations

import uuid

from tests.integration.search.conftest import approach, profile


def unique() -> str:
    return f"zq{uuid.uuid4().hex[:8]}"


async def test_the_telehealth_filter_and_facet_use_the_served_states(search):
    word = unique()
    therapist = profile(
        displayName=f"Tamsin Oyelaran-Fitch {word}",
        licences=[{"kind": "PSYCHOLOGIST", "state": "TX"}],
        telehealthStates=["TX", "CO", "NY"],  # declared
        telehealthStatesServed=["TX", "CO"],  # what the licence allows
    )
    await search.put_therapist(therapist)
    await search.settled(therapist["id"], 1)

    async def ids(**params) -> set[str]:
        return {e["node"]["id"] for e in (await search.search(text=word, **params))["edges"]}

    assert await ids(telehealthState="CO") == {therapist["id"]}
    assert await ids(telehealthState="NY") == set()
    facets = (await search.search(text=word))["facets"]["telehealthStates"]
    assert {f["value"]: f["count"] for f in facets} == {"TX": 1, "CO": 1}
    card = await search.card(therapist["id"])
    assert card["telehealthStatesServed"] == ["TX", "CO"] and card["licenceStatus"] == "licensed"


async def test_online_matching_uses_the_served_states(search):
    word = unique()
    therapist = profile(
        displayName=f"Bartholomew Nwankwo-Lisle {word}",
        licences=[{"kind": "LMFT", "state": "TX"}],
        telehealthStates=["TX", "VT"],
        telehealthStatesServed=["TX"],
    )
    await search.put_therapist(therapist)
    await search.settled(therapist["id"], 1)

    async def matched(state: str) -> bool:
        async with search.http.post(
            "/v1/match", json={"state": state, "format": "online", "first": 50}
        ) as response:
            body = await response.json()
            assert response.status == 200, body
        return therapist["id"] in {e["node"]["id"] for e in body["edges"]}

    assert await matched("TX") is True
    assert await matched("VT") is False


async def test_a_profile_whose_licences_all_expired_is_not_listed(search):
    word = unique()
    await search.put_approach(approach(word))
    listed = profile(
        displayName=f"Ingrid Castellanos-Moe {word}", approaches=[{"slug": word, "statement": "I listen."}]
    )
    await search.put_therapist(listed)
    await search.settled(listed["id"], 1)

    async def specialists() -> list[str]:
        status, page = await search.get(f"/v1/approaches/{word}/specialists")
        return [e["node"]["id"] for e in page["edges"]] if status == 200 else []

    await search.eventually(lambda: specialists())
    assert await search.card(listed["id"]) is not None

    expired = {
        **listed,
        "version": 2,
        "licences": [{"kind": "LMFT", "state": "TX", "expired": True}],
        "licenceStatus": "expired",
        "listed": False,
        "telehealthStatesServed": [],
    }
    await search.put_therapist(expired)
    await search.settled(listed["id"], 2)
    assert (await search.search(text=word))["edges"] == []
    assert await search.card(listed["id"]) is None
    assert await specialists() == []
