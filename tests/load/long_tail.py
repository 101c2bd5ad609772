"""Searches as real visitors make them: each built from one demo therapist's attributes (a place
near them with a radius, zero to two of their filters, sometimes a word of their statement), and
no two alike, so neither of the gateway's caches can answer one from another.

Shared by the load test (`load_directory.py`) and the uncached benchmark (`bench_uncached.py`):
the variables of the contract's `Search` operation (gateway/operations/Search.graphql).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson

from devstack.demo.therapists import DemoTherapist, demo_therapists
from services.search import geo

RADII = ((10, "KM"), (25, "KM"), (50, "KM"), (10, "MI"), (25, "MI"), (40, "MI"))
PAGE_SIZES = (5, 10, 20)
TEXT_SHARE = 0.3
WORD = re.compile(r"[A-Za-z]{6,}")


def _place(therapist: DemoTherapist, rng: random.Random) -> dict[str, Any]:
    """A ZIP code or city of the therapist's with a radius, else their state."""
    profile = therapist.profile
    places: list[dict[str, Any]] = [
        {"zip": location["postalCode"]}
        for location in profile.get("locations") or ()
        if location.get("postalCode") and geo.zip_point(location["postalCode"]) is not None
    ]
    city, state = profile["location"].get("city") or "", profile["location"]["state"]
    if city and geo.city_point(city, state) is not None:
        places.append({"city": city, "state": state})
    if not places:
        return {"state": state}
    radius, unit = rng.choice(RADII)
    return {**rng.choice(places), "radius": radius, "radiusUnit": unit}


def _filters(therapist: DemoTherapist) -> list[dict[str, Any]]:
    """Each filter the therapist satisfies, as a `TherapistFilter` part."""
    profile = therapist.profile
    money = profile.get("money") or {}
    identity = profile.get("identity") or {}
    found: list[dict[str, Any]] = [{"approaches": [slug]} for slug, _ in therapist.statements]
    found += [{"issues": [issue["slug"]]} for issue in profile.get("issues") or () if issue.get("top")]
    found += [{"formats": [f.upper()]} for f in profile.get("formats") or ()]
    found += [{"languages": [language]} for language in profile.get("languages") or ()]
    found += [{"ageGroup": group} for group in profile.get("ageGroups") or ()]
    found += [{"insurance": plan} for plan in money.get("insurance") or ()]
    found += [{"telehealthState": state} for state in profile.get("telehealthStates") or ()]
    if money.get("slidingScale"):
        found.append({"slidingScale": True})
    if identity.get("lgbtq"):
        found.append({"lgbtq": True})
    if identity.get("gender"):
        found.append({"gender": identity["gender"]})
    return found


def _word(therapist: DemoTherapist, rng: random.Random) -> str | None:
    words = [w.lower() for _, statement in therapist.statements for w in WORD.findall(statement)]
    return rng.choice(words) if words else None


def _one(therapist: DemoTherapist, rng: random.Random) -> dict[str, Any]:
    filters = _filters(therapist)
    chosen: dict[str, Any] = dict(_place(therapist, rng))
    for part in rng.sample(filters, min(len(filters), rng.choice((0, 1, 1, 2)))):
        chosen.update(part)
    variables: dict[str, Any] = {"filter": chosen, "first": rng.choice(PAGE_SIZES)}
    if rng.random() < TEXT_SHARE and (word := _word(therapist, rng)) is not None:
        variables["text"] = word
    return variables


def long_tail_searches(seed: int = 0, therapists: int = 300) -> Iterator[dict[str, Any]]:
    """Variables of `Search`, endlessly, each built from one of the demo therapists (as
    `./dev up` loads them) and none equal to an earlier one."""
    rng = random.Random(seed)
    people = demo_therapists(therapists, now=datetime.now(UTC))  # made as ./dev up makes them
    seen: set[bytes] = set()
    while True:
        variables = _one(rng.choice(people), rng)
        key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        if key not in seen:
            seen.add(key)
            yield variables
