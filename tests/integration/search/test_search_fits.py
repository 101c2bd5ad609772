"""`POST /v1/therapists/{id}/fits`: which of several searches a therapist is a result of, answered
with the search's own query, and the therapist's version that answer reflects."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.search.conftest import profile

WORD = f"zq{uuid.uuid4().hex[:8]}"
OTHER_WORD = f"zq{uuid.uuid4().hex[:8]}"


def seeded() -> dict[str, dict[str, Any]]:
    return {
        # In central Austin (78701), accepting, with WORD in the bio.
        "austin": profile(
            displayName="Amara Lindqvale",
            bio={"helpWith": f"{WORD} steady support", "approach": "", "about": ""},
            approaches=[{"slug": "emdr", "statement": "Bilateral work for stuck memories."}],
        ),
        # About 25 km north of 78701, on a waitlist, with OTHER_WORD in the bio.
        "roundrock": profile(
            displayName="Idris Calderwood",
            bio={"helpWith": f"{OTHER_WORD} steady support", "approach": "", "about": ""},
            location={"city": "Round Rock", "state": "TX"},
            locations=[{"city": "Round Rock", "state": "TX", "postalCode": "78664"}],
            newClientStatus="waitlist",
        ),
    }


@pytest.fixture(scope="module")
async def directory(search):
    return await search.seed(seeded())


async def fits(search, therapist_id: str, filters: list[dict[str, Any]]) -> tuple[int, Any]:
    async with search.http.post(f"/v1/therapists/{therapist_id}/fits", json={"filters": filters}) as response:
        return response.status, await response.json()


# Each filter as JSON values (for fits) and as the query string of the same search.
FILTERS = [
    (
        {"zip": "78701", "radius": 10, "radiusUnit": "mi"},
        {"zip": "78701", "radius": "10", "radiusUnit": "mi"},
    ),
    ({"zip": "78701", "radius": 40}, {"zip": "78701", "radius": "40"}),
    # Round Rock is 28.0 km away: inside the grid cells of a 27.5 km circle, not inside the circle.
    ({"zip": "78701", "radius": 27.5}, {"zip": "78701", "radius": "27.5"}),
    ({"zip": "78701", "radius": 28.5}, {"zip": "78701", "radius": "28.5"}),
    ({"city": "Austin", "state": "TX", "radius": 5}, {"city": "Austin", "state": "TX", "radius": "5"}),
    ({"text": WORD}, {"text": WORD}),
    ({"text": OTHER_WORD, "state": "tx"}, {"text": OTHER_WORD, "state": "tx"}),
    ({"newClientStatus": ["newpt"]}, {"newClientStatus": "newpt"}),
    ({"approach": ["emdr"], "language": ["en"]}, {"approach": "emdr", "language": "en"}),
    ({"slidingScale": True}, {"slidingScale": "true"}),
    ({"maxFee": 150, "format": ["video"]}, {"maxFee": "150", "format": "video"}),
]


async def test_a_therapist_fits_exactly_the_searches_whose_results_it_is_in(search, directory):
    found = {}
    for name, therapist_id in directory.items():
        status, body = await fits(search, therapist_id, [json for json, _ in FILTERS])
        assert status == 200, body
        assert body["version"] == 1
        found[name] = body["fits"]
    for n, (_, params) in enumerate(FILTERS):
        results = await search.search(first=100, **params)
        listed = {edge["node"]["id"] for edge in results["edges"]}
        for name, therapist_id in directory.items():
            assert found[name][n] == (therapist_id in listed), (name, params)
    # What that means here, written out: the radius, the word and the status decide.
    assert found["austin"] == [True, True, True, True, True, True, False, True, True, False, True]
    assert found["roundrock"] == [False, True, False, True, False, False, True, False, False, False, True]


async def test_the_answer_follows_a_change_and_names_the_version_it_reflects(search, directory):
    roundrock = seeded()["roundrock"] | {
        "id": directory["roundrock"],
        "version": 2,
        "newClientStatus": "newpt",
    }
    accepting = [{"newClientStatus": ["newpt"]}]
    assert (await fits(search, directory["roundrock"], accepting)) == (200, {"version": 1, "fits": [False]})
    await search.put_therapist(roundrock)
    await search.settled(roundrock["id"], 2)
    assert (await fits(search, directory["roundrock"], accepting)) == (200, {"version": 2, "fits": [True]})


async def test_a_therapist_not_listed_has_no_version_and_fits_nothing(search, directory):
    gone = profile()
    await search.put_therapist(gone)
    await search.settled(gone["id"], 1)
    await search.delete_therapist(gone["id"], 2)
    await search.settled(gone["id"], 2)
    for therapist_id in (gone["id"], "no-such-therapist"):
        status, body = await fits(search, therapist_id, [{}, {"state": "TX"}])
        assert (status, body) == (200, {"version": None, "fits": [False, False]})
        # A place no search could find is refused all the same.
        status, body = await fits(search, therapist_id, [{"zip": "99999"}])
        assert status == 400 and body["error"]["details"][0]["field"] == "filters.0.zip", body


@pytest.mark.parametrize(
    ("filters", "status", "field"),
    [
        ([{"state": "TX"}, {"radius": "10", "zip": "78701"}], 422, "filters.1.radius"),
        ([{"approach": "emdr"}], 422, "filters.0.approach"),
        ([{"state": "Texas"}], 422, "filters.0.state"),
        ([{"slidingScale": "yes"}], 422, "filters.0.slidingScale"),
        ([{"colour": "blue"}], 422, "filters.0.colour"),
        ([], 422, "filters"),
        ([{}, {"zip": "99999", "radius": 5}], 400, "filters.1.zip"),
        ([{"sort": "distance"}], 400, "filters.0.sort"),
    ],
)
async def test_a_filter_that_cannot_be_read_is_refused_naming_it(search, directory, filters, status, field):
    answered, body = await fits(search, directory["austin"], filters)
    assert answered == status, body
    assert [d["field"] for d in body["error"]["details"]] == [field]
