"""Licensure data shared by the services: in which time zone a jurisdiction's licence dates are
read, and the interstate compacts (PSYPACT, the Counseling Compact, the Social Work Licensure
Compact, the Interstate Medical Licensure Compact) with their member states and start dates.

The data is versioned in `licensure.toml` beside this module, which names each compact's public
source and must be kept current by operators. This module only reads it and answers questions
over it; what a therapist may do with their licences is the profiles service's rule
(`services.profiles.domain.licensing`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from types import MappingProxyType
from zoneinfo import ZoneInfo

PRACTICE = "practice"
EXPEDITED_LICENSURE = "expedited-licensure"
GRANTS = (PRACTICE, EXPEDITED_LICENSURE)
DATA_FILE = "licensure.toml"


@dataclass(frozen=True)
class Compact:
    """An interstate compact: which licence kinds it covers and which states take part since when."""

    key: str
    name: str
    source: str
    grants: str
    kinds: frozenset[str]
    members: Mapping[str, date]

    @property
    def grants_practice(self) -> bool:
        """Whether a licence in one member state lets its holder practise in the others."""
        return self.grants == PRACTICE


@dataclass(frozen=True)
class Licensure:
    """One version of the licensure data."""

    version: int
    as_of: date
    time_zones: Mapping[str, ZoneInfo]
    compacts: tuple[Compact, ...] = field(default=())

    def local_date(self, state: str, at: datetime) -> date:
        """The calendar date in `state` (in its licensing time zone) at the instant `at`."""
        return at.astimezone(self.time_zones[state]).date()

    def takes_part(self, compact: Compact, state: str, at: datetime) -> bool:
        """Whether `state` practises under `compact` at `at`: a member whose start date has come
        (from the start of that date in the state)."""
        start = compact.members.get(state)
        return start is not None and self.local_date(state, at) >= start

    def practice_compacts(self, kind: str) -> list[Compact]:
        """The compacts granting practice that cover licences of `kind`."""
        return [c for c in self.compacts if c.grants_practice and kind in c.kinds]


def parse_licensure(
    text: str, *, known_states: Mapping[str, str], known_kinds: Mapping[str, str]
) -> Licensure:
    """The licensure data in `text` (TOML); ValueError naming what is wrong with it."""
    data = tomllib.loads(text)
    zones = {state: ZoneInfo(name) for state, name in data["time_zones"].items()}
    missing = set(known_states) - set(zones)
    if missing:
        raise ValueError(f"licensure data: no time zone for {sorted(missing)}")
    compacts = []
    for key, entry in data.get("compacts", {}).items():
        if entry["grants"] not in GRANTS:
            raise ValueError(f"licensure data: compact {key} grants {entry['grants']!r}")
        unknown = (set(entry["kinds"]) - set(known_kinds)) | (set(entry["members"]) - set(known_states))
        if unknown:
            raise ValueError(f"licensure data: compact {key} names unknown codes {sorted(unknown)}")
        if not all(isinstance(start, date) for start in entry["members"].values()):
            raise ValueError(f"licensure data: compact {key} has a start that is not a date")
        compacts.append(
            Compact(
                key=key,
                name=entry["name"],
                source=entry["source"],
                grants=entry["grants"],
                kinds=frozenset(entry["kinds"]),
                members=MappingProxyType(dict(entry["members"])),
            )
        )
    return Licensure(
        version=data["version"],
        as_of=data["as_of"],
        time_zones=MappingProxyType(zones),
        compacts=tuple(compacts),
    )


def load_licensure() -> Licensure:
    """The licensure data shipped with the code (`licensure.toml`)."""
    from integration_events.vocabulary import LICENCE_KINDS, US_STATES

    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_licensure(text, known_states=US_STATES, known_kinds=LICENCE_KINDS)


LICENSURE = load_licensure()
