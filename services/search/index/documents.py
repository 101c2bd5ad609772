"""What the index holds of each therapist: its engine document and its row's record.

The record of a row is its licensed states (JSON), a newline, then its card (JSON): results read
it back at an offset of the records file instead of from the engine's document store, and the
API copies the card's bytes into answers as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import orjson

from services.search import domain, geo
from services.search.index.schema import MATCH_FIELD, ROTATION_FIELDS, WEIGHT_FIELDS

# What the index reads of an approach document.
_APPROACH_FIELDS = ("_id", "version", "slug", "name", "aliases", "previousSlugs", "deleted")


@dataclass
class Approaches:
    """What the index needs to know about approaches: current slugs, names and aliases."""

    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    canonical: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)

    def put(self, doc: dict[str, Any]) -> set[str]:
        """Record an approach (or its tombstone); returns every slug whose cards must be redone."""
        before = self.by_id.get(doc["_id"])
        self.by_id[doc["_id"]] = doc
        self._rebuild_maps()
        touched = {doc["slug"], *doc.get("previousSlugs", [])}
        if before:
            touched |= {before["slug"], *before.get("previousSlugs", [])}
        return touched

    def _rebuild_maps(self) -> None:
        self.canonical, self.names, self.words = {}, {}, {}
        for doc in self.by_id.values():
            if doc.get("deleted"):
                continue
            for old in doc.get("previousSlugs", []):
                self.canonical[old] = doc["slug"]
            self.canonical[doc["slug"]] = doc["slug"]
            self.names[doc["slug"]] = doc["name"]
            self.words[doc["slug"]] = " ".join([doc["name"], *doc.get("aliases", [])])

    def saved(self) -> list[dict[str, Any]]:
        """What is kept of each approach (a snapshot's), in the form `restore` takes."""
        return [{key: doc.get(key) for key in _APPROACH_FIELDS if key in doc} for doc in self.by_id.values()]

    def restore(self, saved: list[dict[str, Any]]) -> None:
        self.by_id = {doc["_id"]: doc for doc in saved}
        self._rebuild_maps()

    def resolve(self, slug: str) -> str:
        return self.canonical.get(slug, slug)


def _lower(values: Iterable[str | None]) -> list[str]:
    return sorted({v.strip().lower() for v in values if v and v.strip()})


def index_document(
    slot: int,
    profile: dict[str, Any],
    points: list[list[float]],
    approaches: Approaches,
    now: datetime,
    responsiveness: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], bytes]:
    """The engine document of one stored public profile and its measured responsiveness (added
    as JSON, the engine's fastest input) and the row's record."""
    card = domain.card_from_profile(profile, approaches.canonical, responsiveness)
    confirmed = domain.parse_time(profile.get("availabilityConfirmedAt"))
    stale = domain.is_stale(confirmed, now)
    therapist_id = profile["id"]
    canonical = [a["slug"] for a in card["approaches"]]
    location, locations = profile["location"], profile["locations"]
    states = {location["state"].upper(), *(loc["state"].upper() for loc in locations)}
    cities = {(location["city"].strip(), location["state"].upper())}
    cities |= {(loc["city"].strip(), loc["state"].upper()) for loc in locations}
    cities = {(c, s) for c, s in cities if c and not c.isdigit()}
    licensed = domain.licensed_states(profile)
    fee = domain.lowest_fee(profile)
    identity, bio, money = profile["identity"], profile["bio"], profile["money"]
    names = " ".join([profile["displayName"], profile["title"], *(c for c, _ in cities)])
    approach_text = " ".join(approaches.words.get(s, s.replace("-", " ")) for s in canonical)
    doc: dict[str, Any] = {
        "names": names,
        "approach_text": approach_text,
        MATCH_FIELD: "\n".join(
            [
                names,
                approach_text,
                *(a["statement"] for a in profile["approaches"]),
                bio["helpWith"],
                bio["approach"],
                bio["about"],
            ]
        ),
        "approach": canonical,
        "approach_raw": sorted({a["slug"] for a in profile["approaches"]}),
        "issue": [i["slug"] for i in profile["issues"]],
        "issue_top": [i["slug"] for i in profile["issues"] if i["top"]],
        "state": sorted(states),
        "city": _lower(c for c, _ in cities),
        "city_label": sorted(f"{c}, {s}" for c, s in cities),
        "licensed_state": licensed,
        "telehealth_state": sorted({s.upper() for s in domain.telehealth_states_served(profile)}),
        "format": profile["formats"],
        "new_client_status": [profile["newClientStatus"]] if profile.get("newClientStatus") else [],
        "insurance": money["insurance"],
        "sliding_scale": "true" if money["slidingScale"] else "false",
        "language": profile["languages"],
        "gender": _lower([identity.get("gender")]),
        "race": _lower(identity.get("raceEthnicity") or []),
        "faith": _lower([identity.get("faith")]),
        "lgbtq": "true" if identity.get("lgbtq") else "false",
        "verified": "true" if card["verifiedLicences"] else "false",
        "age_group": profile["ageGroups"],
        "cell": sorted({geo.cell_of(geo.Point(lat, lon)) for lat, lon in points}),
        "id": therapist_id,
        "slot": slot,
        "fresh": 0 if stale else 1,
        "confirmed": int(confirmed.timestamp()) if confirmed else 0,
        "fresh_key": domain.freshness_key(datetime.fromisoformat(profile["updatedAt"]), therapist_id),
    }
    if fee is not None:
        doc["min_fee"] = fee
    reply_hours = card["responsiveness"]["medianReplyHours"]
    if reply_hours is not None:
        doc["reply_hours"] = float(reply_hours)
    # An unresponsive therapist is demoted as a stale one is.
    rotation, weights = domain.ordering_keys(therapist_id, stale or card["unresponsive"])
    doc.update(zip(ROTATION_FIELDS, rotation, strict=True))
    doc.update(zip(WEIGHT_FIELDS, weights, strict=True))
    return doc, orjson.dumps(licensed) + b"\n" + orjson.dumps(card)


@dataclass
class Hit:
    """One loaded result: its row's record (licensed states and card as JSON, parsed on demand)
    and its sort key."""

    record: bytes
    id: str
    slot: int
    key: Any
    distance_km: float | None

    @cached_property
    def raw(self) -> bytes:
        """The card's JSON."""
        return self.record[self.record.index(b"\n") + 1 :]

    @cached_property
    def card(self) -> dict[str, Any]:
        return orjson.loads(self.raw)

    @property
    def licensed(self) -> list[str]:
        return orjson.loads(self.record[: self.record.index(b"\n")])
