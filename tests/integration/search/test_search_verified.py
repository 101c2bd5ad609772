"""`verifiedOnly` and the `verified` facet: search keeps the therapists with at least one licence
an administrator verified that has not expired, counts them, and shows each such licence with its
date on the card; a profile without a licence is left out."""

from __future__ import annotations

import uuid

from tests.integration.search.conftest import profile

VERIFIED_AT = "2026-03-02T15:04:05+00:00"


def unique() -> str:
    return f"zv{uuid.uuid4().hex[:8]}"


async def test_verified_only_keeps_verified_valid_licences_and_the_facet_counts_them(search):
    word = unique()
    people = {
        "verified": profile(
            displayName=f"Odalys Verhoeven-Kaur {word}",
            licences=[
                {"kind": "LPC", "state": "TX", "verificationStatus": "verified", "verifiedAt": VERIFIED_AT}
            ],
        ),
        "verified_but_expired": profile(
            displayName=f"Pernille Achebe-Stroud {word}",
            licences=[
                {"kind": "LPC", "state": "TX", "verificationStatus": "verified", "verifiedAt": VERIFIED_AT},
                {"kind": "LMFT", "state": "OK"},
            ],
        ),
        "rejected": profile(
            displayName=f"Quillon Mbatha-Roy {word}",
            licences=[{"kind": "LCSW", "state": "TX", "verificationStatus": "rejected"}],
        ),
        "no_licence": profile(displayName=f"Rosamund Ekwueme-Hart {word}", licences=[]),
    }
    people["verified_but_expired"]["licences"][0]["expired"] = True
    for person in people.values():
        await search.put_therapist(person)
    for person in people.values():
        await search.settled(person["id"], 1)

    everyone = await search.search(text=word)
    assert everyone["totalCount"] == 4
    assert {f["value"]: f["count"] for f in everyone["facets"]["verified"]} == {"true": 1, "false": 3}
    only = await search.search(text=word, verifiedOnly="true")
    assert [e["node"]["id"] for e in only["edges"]] == [people["verified"]["id"]]
    assert only["facets"]["verified"] == [{"value": "true", "count": 1}]
    [card] = [e["node"] for e in only["edges"]]
    assert card["verifiedLicences"] == [{"kind": "LPC", "state": "TX", "verifiedAt": VERIFIED_AT}]
    assert (await search.card(people["rejected"]["id"]))["verifiedLicences"] == []


async def test_a_verification_reaches_the_card_with_the_next_version(search):
    word = unique()
    person = profile(displayName=f"Saoirse Lindqvist-Obi {word}", licences=[{"kind": "LMFT", "state": "TX"}])
    await search.put_therapist(person)
    await search.settled(person["id"], 1)
    assert (await search.search(text=word, verifiedOnly="true"))["totalCount"] == 0
    verified = {
        **person,
        "version": 2,
        "licences": [
            {"kind": "LMFT", "state": "TX", "verificationStatus": "verified", "verifiedAt": VERIFIED_AT}
        ],
    }
    await search.put_therapist(verified)
    await search.settled(person["id"], 2)
    assert (await search.search(text=word, verifiedOnly="true"))["totalCount"] == 1
