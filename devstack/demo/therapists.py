"""Invented demo therapists: a deterministic generator of profile create-request bodies.

`demo_therapists()` returns, for each therapist, the body for `POST /v1/therapists` (camelCase, the
fields of `integration_events.TherapistPublicProfile` minus id/version/timestamps, plus the private
fields only the profiles service keeps: `email`, `phone`, `licences[].number` with `numberPublic`,
`locations[].street` with `isPrivate`), the approach statements to set one by one with
`PUT /v1/therapists/{id}/approaches/{slug}`, and when the therapist last confirmed availability.
`iter_demo_therapists()` yields the same therapists one at a time, for sets too large to hold.

The words come from the data files in `devstack/demo/data/` (see `wordbanks`); this module decides
how they combine. Everything is invented: family names are built from made-up parts, the streets
do not exist, e-mail addresses use the reserved example domains and phone numbers the fictional
555-01xx range. Cities and ZIP codes are real (coordinates from the `zipcodes` package) so that
place search and distances work. The data is deliberately as messy as real listings: names in any
case with degrees glued on, an empty city now and then, a ZIP code typed into the city,
typographic quotes, dashes and accents, statements from one line to a long paragraph.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from devstack.demo.statements import TYPING_STYLES, Author
from devstack.demo.wordbanks import Profession, WordBanks, word_banks
from integration_events.vocabulary import INSURANCE_PLANS, ISSUES

DEMO_SEED = 20250601
# Availability confirmations are placed relative to this moment unless the caller passes `now`.
DEMO_NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

_COUNSELOR_KINDS = {"LPC", "LPCC", "LMHC", "LCMHC"}
_SPANISH_FIRST_STATES = {"TX", "CA", "FL", "AZ", "NM", "PR"}


@dataclass(frozen=True)
class DemoTherapist:
    """One invented therapist, ready to load through the profiles REST API."""

    profile: dict
    statements: list[tuple[str, str]]  # (approach slug, statement in the therapist's own words)
    availability: str | None  # ISO-8601 time the accepting status was last confirmed; None = never


def demo_therapists(
    count: int = 300, seed: int = DEMO_SEED, now: datetime | None = None
) -> list[DemoTherapist]:
    """`count` invented therapists; the same arguments always give the same therapists."""
    return list(iter_demo_therapists(count, seed, now))


def iter_demo_therapists(
    count: int, seed: int = DEMO_SEED, now: datetime | None = None
) -> Iterator[DemoTherapist]:
    """The therapists of `demo_therapists(count, seed, now)`, one at a time."""
    banks, rng, used_names = word_banks(), random.Random(seed), set()
    for _ in range(count):
        yield _Therapist(banks, rng, used_names, now or DEMO_NOW).build()


def npi_check_digit(first_nine: str) -> str:
    """Luhn check digit of an NPI: computed over the card-issuer prefix 80840 plus the first 9 digits."""
    total = 0
    for position, char in enumerate(reversed("80840" + first_nine)):
        digit = int(char)
        if position % 2 == 0:  # doubled digits, counting from the one left of the check digit
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


def _weighted(rng: random.Random, options: dict, k: int = 1) -> list:
    """`k` distinct keys of `options`, each drawn with its weight."""
    pool = dict(options)
    picked = []
    while pool and len(picked) < k:
        key = rng.choices(list(pool), weights=list(pool.values()))[0]
        picked.append(key)
        del pool[key]
    return picked


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class _Therapist:
    """Draws one invented therapist; every choice comes from the shared `rng`, in a fixed order."""

    def __init__(self, banks: WordBanks, rng: random.Random, used_names: set[str], now: datetime):
        self.banks = banks
        self.people, self.practice = banks.people, banks.practice
        self.rng = rng
        self.used_names = used_names
        self.now = now

    def build(self) -> DemoTherapist:
        rng, banks = self.rng, self.banks
        self.metro = rng.choices(banks.metros, weights=[m.weight for m in banks.metros])[0]
        self.state = self.metro.state
        self.profession = self._profession()
        self.gender = _weighted(rng, self.people["genders"])[0]
        self.given, self.family = self._name_parts()
        self.slugs = self._approaches()
        self.issue_slugs = self._issues()
        self.ages = self._age_groups()
        self.languages = self._languages()
        self.city = self._city()
        author = Author(
            banks,
            rng,
            self.slugs,
            self.issue_slugs,
            self.ages,
            self.languages,
            city=self.metro.city if self.city else "",
            style=rng.choices(list(TYPING_STYLES), weights=list(TYPING_STYLES.values()))[0],
        )
        formats = self._formats()
        profile: dict = {
            "displayName": self._display_name(),
            "title": rng.choice(self.profession.titles),
            "location": {"city": self.city, "state": self.state},
        }
        if rng.random() < 0.8:
            own = self.people["pronouns"][self.gender]
            profile["pronouns"] = rng.choice((own, own, own, "she/they", "he/they"))
        if rng.random() < 0.7:
            profile["photoUrl"] = f"https://images.example.org/demo/therapists/{rng.getrandbits(48):012x}.jpg"
        if rng.random() < 0.85:
            associate = self.profession.kind == "ASSOCIATE"
            profile["yearsInPractice"] = rng.choice((0, 1, 2)) if associate else rng.randint(2, 38)
        profile["licences"] = self._licences()
        if self.profession.kind != "ASSOCIATE" and rng.random() < 0.6:
            first_nine = str(rng.choice((1, 2))) + "".join(str(rng.randint(0, 9)) for _ in range(8))
            profile["npi"] = first_nine + npi_check_digit(first_nine)
        taxonomy = rng.choice(self.profession.taxonomy)
        if taxonomy and rng.random() < 0.85:
            profile["taxonomyCode"] = taxonomy
        profile["locations"] = self._locations("in_person" in formats)
        if "video" in formats or "phone" in formats:
            profile["telehealthStates"] = self._telehealth_states(profile["licences"])
        profile["formats"] = formats
        status = _weighted(rng, self.practice["new_client_status"])[0] if rng.random() < 0.92 else None
        if status:
            profile["newClientStatus"] = status
        profile["money"] = self._money()
        top_count = rng.randint(1, 3)
        profile["issues"] = [{"slug": slug, "top": i < top_count} for i, slug in enumerate(self.issue_slugs)]
        profile["populations"] = self._populations()
        profile["ageGroups"] = self.ages
        profile["languages"] = self.languages
        if rng.random() < 0.55:
            profile["identity"] = self._identity()
        profile["bio"] = author.bio()
        profile["email"] = self._email()
        profile["phone"] = self._phone()
        statements = [(slug, author.statement(slug)) for slug in self.slugs]
        return DemoTherapist(profile, statements, self._availability(status))

    # -- who ------------------------------------------------------------------------------------

    def _profession(self) -> Profession:
        professions = self.banks.professions
        kind = self.rng.choices(professions, weights=[p.weight for p in professions])[0].kind
        if kind in _COUNSELOR_KINDS:
            kind = self.banks.counselor_kind_by_state.get(self.state, "LPC")
        elif kind in {"LCSW", "LICSW"}:
            kind = "LICSW" if self.state in self.banks.licsw_states and self.rng.random() < 0.6 else "LCSW"
        return next(p for p in professions if p.kind == kind)

    def _name_parts(self) -> tuple[str, str]:
        rng, styles = self.rng, self.people["family_names"]
        style = rng.choices(styles, weights=[s["weight"] for s in styles])[0]
        family = rng.choice(style["firsts"]) + rng.choice(style["lasts"])
        if rng.random() < 0.08:
            other = rng.choice(styles)
            family = f"{family}-{rng.choice(other['firsts'])}{rng.choice(other['lasts'])}"
        return rng.choice(self.people["given_names"]), family

    def _display_name(self) -> str:
        rng, nicknames = self.rng, self.people["nicknames"]
        while True:
            given, family = self.given, self.family
            initial = rng.choice(self.people["middle_initials"])
            credential = rng.choice(self.profession.credentials)
            pronouns = rng.choice(("she/her", "they/them", "he/him"))
            fill = {"given": given, "family": family, "initial": initial, "credential": credential}
            fill |= {"pronouns": pronouns, "number": str(rng.randint(1000, 99999)), "given_initial": given[0]}
            fill |= {"GIVEN": given.upper(), "FAMILY": family.upper(), "nickname": nicknames.get(given, "")}
            fill |= {"given_lower": given.lower(), "family_lower": family.lower()}
            forms = [
                form
                for form in self.banks.name_forms
                if (self.profession.doctor or not form.doctor) and (given in nicknames or not form.nickname)
            ]
            name = rng.choices(forms, weights=[form.weight for form in forms])[0].template.expand(rng, fill)
            if name.lower() not in self.used_names:
                self.used_names.add(name.lower())
                return name
            self.given, self.family = self._name_parts()

    def _email(self) -> str:
        rng = self.rng
        local = rng.choice(
            (
                f"{self.given}.{self.family}",
                f"{self.given[0]}{self.family}",
                f"hello.{self.family}",
                f"{self.given}{rng.randint(1, 99)}",
                f"{self.family}counseling",
            )
        )
        local = re.sub(r"[^a-z0-9.]", "", _ascii(local).lower())
        return f"{local}@{rng.choice(('example.com', 'example.org', 'example.net'))}"

    def _phone(self) -> str:
        area, line = self.metro.area_code, f"01{self.rng.randint(0, 99):02d}"
        return self.rng.choice(
            (f"({area}) 555-{line}", f"{area}-555-{line}", f"+1 {area} 555 {line}", f"{area}.555.{line}")
        )

    # -- what -----------------------------------------------------------------------------------

    def _approaches(self) -> list[str]:
        count = self.rng.choices((1, 2, 3, 4, 5, 6), weights=(14, 24, 27, 18, 10, 7))[0]
        weights = {slug: approach.weight for slug, approach in self.banks.approaches.items()}
        if self.profession.kind == "LMFT":
            for slug in (
                "emotionally-focused-therapy",
                "gottman-method",
                "family-systems-therapy",
                "structural-family-therapy",
            ):
                weights[slug] *= 3
        return _weighted(self.rng, weights, count)

    def _issues(self) -> list[str]:
        weights = {slug: 2 for slug in ISSUES}
        for slug in self.slugs:
            for issue in self.banks.approaches[slug].issues:
                weights[issue] += 8
        for common in self.practice["common_issues"]:
            weights[common] += 6
        return _weighted(self.rng, weights, self.rng.randint(3, 12))

    def _age_groups(self) -> list[str]:
        ages = {age for slug in self.slugs for age in self.banks.approaches[slug].ages}
        if not ages or self.rng.random() < 0.5:
            ages |= set(self.rng.choice(self.practice["usual_ages"]))
        return [age for age in ("children", "teens", "young-adults", "adults", "elders") if age in ages]

    def _languages(self) -> list[str]:
        rng = self.rng
        extra = rng.choices((0, 1, 2), weights=(62, 32, 6))[0]
        weights = dict(self.people["languages"])
        if self.state in _SPANISH_FIRST_STATES:
            weights["es"] *= 3
        languages = ["en"] + _weighted(rng, weights, extra)
        if self.state == "PR" or ("es" in languages and rng.random() < 0.15):
            languages = ["es"] + [code for code in languages if code not in {"en", "es"}]
            if rng.random() < 0.7:
                languages.append("en")
        return languages

    def _systemic(self) -> bool:
        """Sees couples and families: a family therapist, or one practising a systemic approach."""
        approaches = self.banks.approaches
        return self.profession.kind == "LMFT" or any(approaches[s].family == "systemic" for s in self.slugs)

    def _populations(self) -> list[str]:
        populations = {"individuals"}
        if self._systemic():
            populations |= {"couples", "families"}
        extras = self.practice["extra_populations"]
        populations |= set(self.rng.sample(extras, self.rng.randint(0, 3)))
        return sorted(populations)

    def _identity(self) -> dict:
        rng = self.rng
        identity: dict = {}
        if rng.random() < 0.9:
            identity["gender"] = self.gender
        if rng.random() < 0.7:
            count = rng.choices((1, 2), weights=(85, 15))[0]
            identity["raceEthnicity"] = _weighted(rng, self.people["race_ethnicity"], count)
        if rng.random() < 0.6:
            identity["lgbtq"] = rng.random() < 0.3 or self.gender in {"non-binary", "genderqueer"}
        if rng.random() < 0.3:
            identity["faith"] = _weighted(rng, self.people["faiths"])[0]
        return identity

    # -- where ----------------------------------------------------------------------------------

    def _city(self) -> str:
        roll = self.rng.random()
        if roll < 0.06:
            return ""
        if roll < 0.08:
            return self.rng.choice(self.metro.zips)[0]  # typed the ZIP code into the city box
        if roll < 0.1:
            return self.metro.city.upper() if self.rng.random() < 0.5 else self.metro.city.lower()
        return self.metro.city

    def _formats(self) -> list[str]:
        if not self.city:
            return self.rng.choice((["video"], ["video", "phone"]))
        choices = self.practice["formats"]
        return list(self.rng.choices(choices, weights=[c["weight"] for c in choices])[0]["formats"])

    def _locations(self, in_person: bool) -> list[dict]:
        rng, streets = self.rng, self.banks.streets
        if not in_person:
            return []
        locations = []
        for index in range(rng.choices((1, 2), weights=(80, 20))[0]):
            postal_code, lat, lon = rng.choice(self.metro.zips)
            private = rng.random() < (0.25 if index == 0 else 0.1)
            street = f"{rng.randint(12, 9800)} {rng.choice(streets['names'])} {rng.choice(streets['kinds'])}"
            if not private and rng.random() < 0.6:
                suite = rng.choice(self.banks.suites)
                numbers = {"number": str(rng.randint(100, 950)), "floor": str(rng.randint(2, 12))}
                street += ", " + suite.expand(rng, numbers)
            home = private and rng.random() < 0.5
            label = "Home office" if home else rng.choice(self.banks.practice_labels)
            location: dict = {
                "street": street,
                "city": self.city if self.city and not self.city.isdigit() else self.metro.city,
                "state": self.state,
                "postalCode": postal_code,
                "point": {"lat": lat, "lon": lon},
                "isPrivate": private,
            }
            if label:
                location = {"label": label.replace("<city>", self.metro.city)} | location
            locations.append(location)
        return locations

    def _telehealth_states(self, licences: list[dict]) -> list[str]:
        states = [self.state] + [lic["state"] for lic in licences if lic["state"] != self.state]
        return list(dict.fromkeys(states))

    def _licences(self) -> list[dict]:
        rng = self.rng
        kinds = [self.profession.kind]
        if "addiction" in self.issue_slugs and self.profession.kind != "LADC" and rng.random() < 0.3:
            kinds.append("LADC")
        states = [self.state]
        neighbours = self.banks.neighbours.get(self.state, ())
        if neighbours and rng.random() < 0.3:
            states += rng.sample(neighbours, rng.randint(1, min(2, len(neighbours))))
        licences = []
        for state in states:
            for kind in kinds if state == self.state else kinds[:1]:
                number = rng.choice(
                    (
                        f"{rng.randint(10000, 999999)}",
                        f"{kind} {rng.randint(1000, 99999)}",
                        f"{kind}-{rng.randint(10000, 99999)}",
                        f"{state}{rng.randint(100000, 999999)}",
                        f"{rng.randint(10, 99)}-{rng.randint(100000, 999999)}",
                    )
                )
                year = self.now.year + rng.choice((0, 1, 1, 2, 2, 3))
                expires = date(year, rng.randint(1, 12), rng.randint(1, 28))
                if expires <= self.now.date():  # a demo therapist's licences are in force
                    expires = expires.replace(year=expires.year + 1)
                licences.append(
                    {
                        "kind": kind,
                        "state": state,
                        "number": number,
                        "numberPublic": rng.random() < 0.3,
                        "expires": expires.isoformat(),
                    }
                )
        return licences

    # -- money and time -------------------------------------------------------------------------

    def _money(self) -> dict:
        rng = self.rng
        associate = self.profession.kind == "ASSOCIATE"
        base = rng.randrange(60, 180, 5) if associate else rng.randrange(110, 300, 5)
        fees = [{"sessionType": "individual", "amountUsd": base}]
        if self._systemic():
            fees.append({"sessionType": "couples", "amountUsd": base + rng.randrange(20, 80, 5)})
            if rng.random() < 0.6:
                fees.append({"sessionType": "family", "amountUsd": base + rng.randrange(10, 60, 5)})
        if rng.random() < 0.25:
            fees.append({"sessionType": "intake", "amountUsd": base + rng.randrange(0, 60, 5)})
        if rng.random() < 0.1:
            fees.append({"sessionType": "group", "amountUsd": rng.randrange(40, 90, 5)})
        money: dict = {"fees": fees}
        if rng.random() < 0.35:
            low = max(0, base - rng.randrange(40, 110, 5))
            money["slidingScale"] = {"minUsd": low, "maxUsd": base}
        money["freeConsultation"] = rng.random() < 0.6
        if rng.random() < 0.55:
            plans = dict.fromkeys(INSURANCE_PLANS, 1)
            money["insurance"] = sorted(_weighted(rng, plans, rng.randint(1, 6)))
        money["outOfNetworkSuperbill"] = rng.random() < 0.6
        return money

    def _availability(self, status: str | None) -> str | None:
        if status is None or self.rng.random() < 0.12:
            return None
        days = self.rng.choice((self.rng.randint(0, 30), self.rng.randint(0, 59), self.rng.randint(61, 400)))
        confirmed = self.now - timedelta(days=days, minutes=self.rng.randint(0, 1439))
        return confirmed.replace(second=0, microsecond=0).isoformat().replace("+00:00", "Z")
