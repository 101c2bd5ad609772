"""Filters, facets, sorting, rotation and pagination over HTTP, on a small seeded directory."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.search import engine
from tests.integration.search.conftest import NOW, profile

TOKEN = f"zq{uuid.uuid4().hex[:8]}"


def seeded() -> dict[str, dict]:
    """Five therapists that differ in every filterable way (all carry TOKEN in their bio)."""
    bio = {"helpWith": f"{TOKEN} steady support", "approach": "", "about": ""}
    return {
        "austin": profile(
            displayName="Amara Lindqvale",
            bio=bio,
            issues=[{"slug": "anxiety", "top": True}],
            approaches=[{"slug": "emdr", "statement": "Bilateral work for stuck memories."}],
            languages=["en", "es"],
            identity={"gender": "woman", "lgbtq": True, "raceEthnicity": ["Latina"], "faith": "Quaker"},
            money={
                "fees": [{"sessionType": "individual", "amountUsd": 90}],
                "slidingScale": {"minUsd": 40, "maxUsd": 90},
                "insurance": ["aetna"],
            },
            ageGroups=["adults", "teens"],
            updatedAt=(NOW - timedelta(days=1)).isoformat(),
        ),
        "roundrock": profile(
            displayName="Idris Calderwood",
            bio=bio,
            location={"city": "Round Rock", "state": "TX"},
            locations=[{"city": "Round Rock", "state": "TX", "postalCode": "78664"}],
            issues=[{"slug": "sleep"}],
            formats=["in_person"],
            newClientStatus="waitlist",
            approaches=[{"slug": "gottman-method", "statement": "Couples, carefully."}],
            identity={"gender": "man", "lgbtq": False},
            money={"fees": [{"sessionType": "individual", "amountUsd": 200}], "insurance": ["cigna"]},
            updatedAt=(NOW - timedelta(days=2)).isoformat(),
        ),
        "dallas": profile(
            displayName="Calla Westmarch",
            bio=bio,
            location={"city": "Dallas", "state": "TX"},
            locations=[{"city": "Dallas", "state": "TX", "postalCode": "75201"}],
            formats=["video", "phone"],
            telehealthStates=["TX", "OK"],
            identity={"gender": "non-binary"},
            ageGroups=["children"],
            updatedAt=(NOW - timedelta(days=3)).isoformat(),
        ),
        "denver": profile(
            displayName="Soren Pemberlin",
            bio=bio,
            location={"city": "Denver", "state": "CO"},
            locations=[{"city": "Denver", "state": "CO", "postalCode": "80202"}],
            licences=[{"kind": "LPC", "state": "CO"}],
            telehealthStates=["CO"],
            languages=["en", "fr"],
            updatedAt=(NOW - timedelta(days=4)).isoformat(),
        ),
        "stale": profile(
            displayName="Keziah Torvane",
            bio=bio,
            availabilityConfirmedAt=(NOW - timedelta(days=90)).isoformat(),
            updatedAt=(NOW - timedelta(days=5)).isoformat(),
        ),
    }


@pytest.fixture(params=["one-pass", "engine-aggregations"], autouse=True)
def result_path(request, monkeypatch):
    """Every behaviour holds both for small result sets (rows counted in the service) and for
    large ones (tantivy aggregations and keyset queries in the engine)."""
    if request.param == "engine-aggregations":
        monkeypatch.setattr(engine, "SMALL_RESULT", 0)
    return request.param


@pytest.fixture(scope="module")
async def directory(search):
    return await search.seed(seeded())


async def ids(search, **params) -> set[str]:
    body = await search.search(text=TOKEN, first=100, **params)
    assert body["totalCount"] == len(body["edges"])
    return {e["node"]["id"] for e in body["edges"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"austin", "roundrock", "dallas", "denver", "stale"}),
        ({"approach": "emdr"}, {"austin"}),
        ({"issue": "sleep"}, {"roundrock"}),
        ({"state": "CO"}, {"denver"}),
        ({"city": "Round Rock"}, {"roundrock"}),
        ({"zip": "78701", "radius": "40"}, {"austin", "roundrock", "stale"}),
        ({"zip": "78701", "radius": "10", "radiusUnit": "mi"}, {"austin", "stale"}),
        ({"city": "Dallas", "state": "TX", "radius": "5"}, {"dallas"}),
        ({"telehealthState": "OK"}, {"dallas"}),
        ({"format": "phone"}, {"dallas"}),
        ({"newClientStatus": "waitlist"}, {"roundrock"}),
        ({"insurance": "cigna"}, {"roundrock"}),
        ({"maxFee": "100"}, {"austin"}),
        ({"slidingScale": "true"}, {"austin"}),
        ({"language": "fr"}, {"denver"}),
        ({"gender": "Non-Binary"}, {"dallas"}),
        ({"lgbtq": "true"}, {"austin"}),
        ({"raceEthnicity": "latina"}, {"austin"}),
        ({"faith": "quaker"}, {"austin"}),
        ({"ageGroup": "children"}, {"dallas"}),
    ],
)
async def test_each_filter_narrows_the_results(search, directory, params, expected):
    assert await ids(search, **params) == {directory[name] for name in expected}


async def test_facets_count_the_current_result_set(search, directory):
    body = await search.search(text=TOKEN, state="TX")
    facets = {name: {f["value"]: f["count"] for f in values} for name, values in body["facets"].items()}
    assert body["totalCount"] == 4
    assert facets["states"] == {"TX": 4}
    assert facets["cities"] == {"Austin, TX": 2, "Round Rock, TX": 1, "Dallas, TX": 1}
    assert facets["newClientStatus"] == {"newpt": 3, "waitlist": 1}
    assert facets["slidingScale"] == {"true": 1, "false": 3}
    assert facets["approaches"]["emdr"] == 1 and "denver" not in facets["cities"]
    assert facets["telehealthStates"] == {"TX": 4, "OK": 1}
    assert facets["raceEthnicity"] == {"latina": 1}
    assert facets["faiths"] == {"quaker": 1}
    assert facets["lgbtq"] == {"true": 1, "false": 3}
    # Lowest fees 40 (sliding scale), 140, 140 and 200: per ceiling, how many are at most it.
    assert facets["maxFee"] == {"50": 1, "75": 1, "100": 1, "125": 1, "150": 3, "200": 4, "250": 4}


async def test_each_fee_ceiling_counts_what_its_filter_finds(search, directory):
    body = await search.search(text=TOKEN, state="TX")
    for facet in body["facets"]["maxFee"]:
        assert len(await ids(search, state="TX", maxFee=facet["value"])) == facet["count"]


async def test_distances_are_given_with_a_radius_and_sort_by_distance(search, directory):
    body = await search.search(text=TOKEN, zip="78701", radius="50", sort="distance")
    nodes = [e["node"] for e in body["edges"]]
    assert [n["id"] for n in nodes][-1] == directory["roundrock"]
    assert all("distanceKm" in n for n in nodes)
    assert nodes[-1]["distanceKm"] > 20 and nodes[0]["distanceKm"] < 5


async def test_freshness_sorts_the_most_recently_updated_first(search, directory):
    body = await search.search(text=TOKEN, sort="freshness")
    order = [e["node"]["id"] for e in body["edges"]]
    assert order == [directory[n] for n in ("austin", "roundrock", "dallas", "denver", "stale")]


async def test_a_stale_profile_is_flagged_and_ranked_last(search, directory):
    for session in ("alpha", "beta", "gamma"):
        async with search.http.get(
            "/v1/therapists", params={"text": TOKEN}, headers={"X-Visitor-Session": session}
        ) as response:
            body = await response.json()
        assert body["edges"][-1]["node"]["id"] == directory["stale"]
        assert body["edges"][-1]["node"]["availabilityStale"] is True


async def test_rotation_is_stable_for_a_session_and_announced(search, directory):
    async def order(headers=None, cookies=None) -> tuple[list[str], str]:
        async with search.http.get(
            "/v1/therapists", params={"state": "TX", "text": TOKEN}, headers=headers, cookies=cookies
        ) as response:
            body = await response.json()
            return [e["node"]["id"] for e in body["edges"]], response.headers["X-Rotation-Bucket"]

    first, bucket = await order({"X-Visitor-Session": "visitor-42"})
    again, same_bucket = await order({"X-Visitor-Session": "visitor-42"})
    assert first == again and bucket == same_bucket
    _, cookie_bucket = await order(cookies={"visitor_session": "visitor-42"})
    assert cookie_bucket == bucket
    assert (await order())[1] == "0"
    orders = {tuple((await order({"X-Visitor-Session": f"v{i}"}))[0]) for i in range(12)}
    assert len(orders) > 1


@pytest.mark.parametrize("sort", ["relevance", "freshness"])
async def test_pages_stay_stable_while_therapists_are_added(search, directory, sort):
    token = f"pg{uuid.uuid4().hex[:8]}"
    bio = {"helpWith": token, "approach": "", "about": ""}
    people = [profile(bio=bio, updatedAt=(NOW - timedelta(hours=i)).isoformat()) for i in range(7)]
    for data in people:
        await search.put_therapist(data)
    for data in people:
        await search.settled(data["id"], 1)
    params = {"state": "TX", "issue": "anxiety", "sort": sort, "first": "3"}
    if sort == "freshness":
        params["text"] = token
    else:
        params["approach"] = "relational-therapy"
        params["language"] = "en"
        params["text"] = token
    page1 = await search.search(**params)
    # New therapists that would sort first arrive between page requests.
    newcomers = [profile(bio=bio, updatedAt=(NOW + timedelta(hours=1)).isoformat()) for _ in range(3)]
    for data in newcomers:
        await search.put_therapist(data)
    for data in newcomers:
        await search.settled(data["id"], 1)
    seen = [e["node"]["id"] for e in page1["edges"]]
    after = page1["pageInfo"]["endCursor"]
    while after:
        page = await search.search(**params, after=after)
        seen += [e["node"]["id"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    original = {d["id"] for d in people}
    assert len(seen) == len(set(seen))
    assert original <= set(seen)


async def test_bad_parameters_are_400_naming_the_parameter(search, directory):
    status, body = await search.get("/v1/therapists", radius="wide", zip="78701")
    assert status == 400 and body["error"]["details"][0]["field"] == "radius"
    status, body = await search.get("/v1/therapists", zip="99999", radius="5")
    assert status == 400 and body["error"]["details"][0]["field"] == "zip"
    status, body = await search.get("/v1/therapists", after="garbage")
    assert status == 400 and body["error"]["details"][0]["field"] == "after"


async def test_the_openapi_document_describes_the_api(search):
    status, body = await search.get("/openapi.json")
    assert status == 200 and body["openapi"].startswith("3.")
    assert {"/v1/therapists", "/v1/therapists/{id}", "/v1/approaches/{slug}/specialists", "/v1/match"} <= set(
        body["paths"]
    )


async def test_a_text_word_matches_the_other_forms_of_that_word_only(search):
    """The long text is indexed word by word; a query word finds every form with its stem."""
    tag = f"wf{uuid.uuid4().hex[:8]}"
    statement = [{"slug": "relational-therapy", "statement": "Plain talk."}]
    couples = profile(
        bio={
            "helpWith": f"{tag} Couples and families.",
            "approach": "Listening closely.",
            "about": "Runs mountain trails.",
        },
        approaches=statement,
    )
    workers = profile(
        bio={"helpWith": f"{tag} Workers and their employers.", "approach": "Calm.", "about": "Reads."},
        approaches=statement,
    )
    for therapist in (couples, workers):
        await search.put_therapist(therapist)
    for therapist in (couples, workers):
        await search.settled(therapist["id"], 1)

    async def found(text: str) -> set[str]:
        body = await search.search(text=f"{tag} {text}", first=10)
        return {e["node"]["id"] for e in body["edges"]}

    for word in ("couple", "COUPLES", "mountains", "listened", "running", "trail"):
        assert await found(word) == {couples["id"]}, word
    assert await found("employer") == {workers["id"]}
    assert await found("work") == set()  # "workers" stems to "worker", not to "work"
    assert await found("couples workers") == set()  # every word must match
    assert (await search.search(text="!!!"))["totalCount"] == 0  # no word: nothing, not everything
