"""The demo data files (`devstack/demo/data/*.toml`), read once into the banks the generator draws from.

Places, people, practice (professions, licences, formats), approaches and prose live in those
files as plain data; this module reads them with `tomllib`, looks the ZIP codes' coordinates up in
the `zipcodes` package, and parses each template sentence once (see `Template`).
"""

from __future__ import annotations

import functools
import random
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import zipcodes

DATA = Path(__file__).with_name("data")
PROSE_BANKS = (
    "openers",
    "examples",
    "personal",
    "caveats",
    "closers",
    "sign_offs",
    "spanish_statements",
    "help_with",
    "approach_bio",
    "about",
)


class Template:
    """A sentence in which `{a|b|c}` picks one alternative and `<name>` is filled in by name.

    Parsed once; equal sentences are one object (`template()` interns them), so a set of templates
    is a set of distinct sentences.
    """

    __slots__ = ("source", "_parts")

    def __init__(self, source: str) -> None:
        self.source = source
        # A choice is a tuple of alternatives; the text between choices is a list of pieces.
        self._parts = tuple(
            tuple(_slots(alternative) for alternative in token[1:-1].split("|"))
            if token.startswith("{")
            else _slots(token)
            for token in re.split(r"(\{[^{}]*\})", source)
            if token
        )

    def expand(self, rng: random.Random, fill: dict[str, str]) -> str:
        """The sentence with its choices drawn (left to right) and its names filled in."""
        out: list[str] = []
        for part in self._parts:
            if type(part) is tuple:
                part = rng.choice(part)
            for piece in part:
                out.append(fill[piece.name] if type(piece) is _Slot else piece)
        return "".join(out)

    def __repr__(self) -> str:
        return f"Template({self.source!r})"


@dataclass(frozen=True, slots=True)
class _Slot:
    name: str


def _slots(text: str) -> list[str | _Slot]:
    pieces = re.split(r"<(\w+)>", text)  # literal, name, literal, name, ..., literal
    return [_Slot(piece) if i % 2 else piece for i, piece in enumerate(pieces) if piece or i % 2]


@functools.cache
def template(source: str) -> Template:
    return Template(source)


def templates(sources: list[str]) -> tuple[Template, ...]:
    return tuple(template(source) for source in sources)


@dataclass(frozen=True)
class Metro:
    city: str
    state: str
    weight: int
    area_code: str
    zips: tuple[tuple[str, float, float], ...]  # (ZIP, latitude, longitude)


@dataclass(frozen=True)
class Profession:
    kind: str  # vocabulary.LICENCE_KINDS code
    titles: tuple[str, ...]
    credentials: tuple[str, ...]  # what people glue onto their names
    taxonomy: tuple[str | None, ...]
    weight: int
    doctor: bool


@dataclass(frozen=True)
class NameForm:
    """One way of writing a display name (see `display_names` in people.toml)."""

    template: Template
    weight: int
    doctor: bool  # only for professions whose members may write Dr.
    nickname: bool  # only for given names with a nickname


@dataclass(frozen=True)
class Approach:
    names: tuple[str, ...]  # how therapists refer to it in a sentence
    family: str
    weight: int
    core: tuple[Template, ...]
    short: tuple[Template, ...]
    crisp: tuple[Template, ...]  # core sentences short enough to stand alone
    spanish_name: str | None
    issues: tuple[str, ...]  # issues its practitioners tend to list
    ages: tuple[str, ...]


@dataclass(frozen=True)
class WordBanks:
    metros: tuple[Metro, ...]
    streets: dict
    practice_labels: tuple[str, ...]  # "" for none; <city> stands for the metro's city
    suites: tuple[Template, ...]
    people: dict
    name_forms: tuple[NameForm, ...]
    professions: tuple[Profession, ...]
    practice: dict  # practice.toml as read: statuses, formats, usual ages, ...
    counselor_kind_by_state: dict[str, str]
    licsw_states: frozenset[str]
    neighbours: dict[str, tuple[str, ...]]
    approaches: dict[str, Approach]
    family_lines: dict[str, tuple[Template, ...]]
    prose: dict[str, tuple[Template, ...]]
    language_lines: dict[str, tuple[Template, ...]]
    issue_phrases: dict[str, str]
    client_nouns: dict[str, tuple[str, ...]]
    fallback_other_approaches: tuple[str, ...]


def _read(name: str) -> dict:
    with (DATA / f"{name}.toml").open("rb") as file:
        return tomllib.load(file)


def _metro(entry: dict) -> Metro:
    zips = []
    for code in entry["zips"]:
        found = zipcodes.matching(code)
        if not found or found[0]["state"] != entry["state"] or found[0]["city"] != entry["city"]:
            raise ValueError(f"places.toml: ZIP {code} is not in {entry['city']}, {entry['state']}")
        zips.append((code, float(found[0]["lat"]), float(found[0]["long"])))
    return Metro(entry["city"], entry["state"], entry["weight"], entry["area_code"], tuple(zips))


def _approach(entry: dict) -> Approach:
    core = templates(entry["core"])
    return Approach(
        names=tuple(entry["names"]),
        family=entry["family"],
        weight=entry["weight"],
        core=core,
        short=templates(entry["short"]),
        crisp=tuple(t for t in core if len(t.source) < 110),
        spanish_name=entry.get("spanish_name"),
        issues=tuple(entry["issues"]),
        ages=tuple(entry.get("ages", ())),
    )


@functools.cache
def word_banks() -> WordBanks:
    places, people, practice = _read("places"), _read("people"), _read("practice")
    approaches, prose = _read("approaches"), _read("prose")
    return WordBanks(
        metros=tuple(_metro(entry) for entry in places["metros"]),
        streets=places["streets"],
        practice_labels=tuple(places["practice_labels"]),
        suites=templates(places["streets"]["suites"]),
        people=people,
        name_forms=tuple(
            NameForm(template(f["form"]), f["weight"], f.get("doctor", False), f.get("nickname", False))
            for f in people["display_names"]
        ),
        professions=tuple(
            Profession(
                p["kind"],
                tuple(p["titles"]),
                tuple(p["credentials"]),
                tuple(code or None for code in p["taxonomy"]),
                p["weight"],
                p.get("doctor", False),
            )
            for p in practice["profession"]
        ),
        counselor_kind_by_state=practice["counselor_kind_by_state"],
        licsw_states=frozenset(practice["licsw"]["states"]),
        neighbours={state: tuple(near) for state, near in practice["neighbours"].items()},
        practice=practice,
        approaches={slug: _approach(entry) for slug, entry in approaches["approach"].items()},
        family_lines={family: templates(lines) for family, lines in approaches["family_lines"].items()},
        prose={name: templates(prose[name]) for name in PROSE_BANKS},
        language_lines={code: templates(lines) for code, lines in prose["language_lines"].items()},
        issue_phrases=prose["issue_phrases"],
        client_nouns={age: tuple(nouns) for age, nouns in prose["client_nouns"].items()},
        fallback_other_approaches=tuple(prose["fallback_other_approaches"]),
    )
