"""The search side's own model: cards, fair ordering, cursors, search and match requests.

Pure rules, no I/O. A *card* is what search shows of a therapist (public data only). Ordering
is explainable: relevance (text score), demoted by half when availability has not been
confirmed for `STALE_AFTER`, and among near-equal scores a rotation seeded by the visitor's
rotation bucket, so no therapist is always first and one visitor sees a stable order.
"""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator

from integration_events.vocabulary import AGE_GROUPS, INSURANCE_PLANS, ISSUES, US_STATES
from servicekit.errors import ApiError

STALE_AFTER = timedelta(days=60)
ROTATION_BUCKETS = 16
# Scores within this relative distance of each other count as near-equal and are rotated.
ROTATION_SPREAD = 0.04
# A stale profile's relevance is multiplied by this.
STALE_FACTOR = 0.5
VISITOR_HEADER = "X-Visitor-Session"
VISITOR_COOKIE = "visitor_session"
ACCEPTING = "newpt"


class Sort(StrEnum):
    RELEVANCE = "relevance"
    DISTANCE = "distance"
    FRESHNESS = "freshness"


# ---------------------------------------------------------------------------------------------
# Cards


def is_stale(confirmed_at: datetime | None, now: datetime) -> bool:
    return confirmed_at is None or now - confirmed_at > STALE_AFTER


def card_from_profile(profile: dict[str, Any], canonical_slug: dict[str, str]) -> dict[str, Any]:
    """The public card of a stored public profile (`TherapistPublicProfile` in JSON form);
    approach slugs are resolved to their current slug (renames)."""
    seen: set[str] = set()
    approaches = []
    for item in profile["approaches"]:
        slug = canonical_slug.get(item["slug"], item["slug"])
        if slug not in seen:
            seen.add(slug)
            approaches.append({"slug": slug, "statement": item["statement"]})
    money = profile["money"]
    return {
        "id": profile["id"],
        "displayName": profile["displayName"],
        "title": profile["title"],
        "location": {"city": profile["location"]["city"], "state": profile["location"]["state"]},
        "pronouns": profile.get("pronouns"),
        "photoUrl": profile.get("photoUrl"),
        "newClientStatus": profile.get("newClientStatus"),
        "availabilityConfirmedAt": profile.get("availabilityConfirmedAt"),
        "formats": profile["formats"],
        "telehealthStates": profile["telehealthStates"],
        "languages": profile["languages"],
        "approaches": approaches,
        "issues": [{"slug": i["slug"], "top": i["top"]} for i in profile["issues"]],
        "money": {
            "fees": money["fees"],
            "slidingScale": money["slidingScale"],
            "freeConsultation": money["freeConsultation"],
            "insurance": money["insurance"],
            "outOfNetworkSuperbill": money["outOfNetworkSuperbill"],
        },
        "identity": profile["identity"],
        "ageGroups": profile["ageGroups"],
        "updatedAt": profile["updatedAt"],
    }


def lowest_fee(profile: dict[str, Any]) -> int | None:
    """What the cheapest regular session can cost: the lowest fee or the sliding scale's floor."""
    money = profile["money"]
    amounts = [f["amountUsd"] for f in money["fees"] if f["sessionType"] != "intake"]
    if money["slidingScale"] is not None:
        amounts.append(money["slidingScale"]["minUsd"])
    return min(amounts) if amounts else None


def licensed_states(profile: dict[str, Any]) -> list[str]:
    """States where the therapist may practise: licences, else the practice locations' states."""
    states = {lic["state"].upper() for lic in profile["licences"]}
    if not states:
        states = {
            profile["location"]["state"].upper(),
            *(loc["state"].upper() for loc in profile["locations"]),
        }
    return sorted(states)


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# ---------------------------------------------------------------------------------------------
# Fair ordering


def rotation_bucket(session: str | None) -> int:
    """Sessions map onto a few buckets so responses stay cacheable; no session = bucket 0."""
    if not session:
        return 0
    digest = hashlib.blake2b(session.encode(), digest_size=2).digest()
    return int.from_bytes(digest, "big") % ROTATION_BUCKETS


# Four bytes of one hash per bucket: blake2b gives at most 64, enough for 16 buckets.
_BUCKET_WORDS = struct.Struct(f">{ROTATION_BUCKETS}I")


def ordering_keys(therapist_id: str, stale: bool) -> tuple[list[int], list[float]]:
    """`rotation_keys` and `relevance_weights` together, from one hash of the id: per bucket a
    32-bit word, whose high 24 bits place the therapist in that bucket's rotation and whose
    whole value sets the bucket's weight; the low bytes of the first five words make a 38-bit
    tie-breaker shared by all buckets."""
    words = _BUCKET_WORDS.unpack(
        hashlib.blake2b(therapist_id.encode(), digest_size=4 * ROTATION_BUCKETS).digest()
    )
    tie = 0
    for word in words[:5]:
        tie = (tie << 8) | (word & 0xFF)
    tie >>= 2
    fresh = 0 if stale else 1 << 62
    base = 2.0 * (STALE_FACTOR if stale else 1.0)  # log2(2 + weight) = base * (1 + spread * word / 2**32)
    per_word = base * ROTATION_SPREAD / 4294967296.0
    return [fresh | (w >> 8 << 38) | tie for w in words], [2.0 ** (base + per_word * w) - 2.0 for w in words]


def rotation_keys(therapist_id: str, stale: bool) -> list[int]:
    """Per bucket, the order for lists without text: fresh profiles first, then the bucket's
    rotation (a hash of bucket and therapist); unique per therapist thanks to the tie-breaker."""
    return ordering_keys(therapist_id, stale)[0]


def relevance_weights(therapist_id: str, stale: bool) -> list[float]:
    """Per bucket, the weight the engine folds into a text score as log2(2 + weight): a factor of
    1 (fresh) or STALE_FACTOR (stale), raised by up to ROTATION_SPREAD for the rotation."""
    return ordering_keys(therapist_id, stale)[1]


def freshness_key(updated_at: datetime, therapist_id: str) -> int:
    """Newest first; the id's hash breaks ties so the key is unique and keyset-pageable."""
    tie = int.from_bytes(hashlib.blake2b(therapist_id.encode(), digest_size=3).digest(), "big") >> 4
    return (max(0, int(updated_at.timestamp() * 1000)) << 20) | tie


# ---------------------------------------------------------------------------------------------
# Cursors: opaque, they carry the sort they belong to, the sort key and the id of the last item.


def encode_cursor(sort: str, key: Any, therapist_id: str, position: int) -> str:
    raw = orjson.dumps({"s": sort, "k": key, "i": therapist_id, "p": position})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = orjson.loads(raw)
        key, therapist_id, position = data["k"], data["i"], int(data["p"])
        if data["s"] != sort or not isinstance(therapist_id, str) or position < 0:
            raise ValueError("cursor of another sort")
        if not isinstance(key, int | float) or isinstance(key, bool):
            raise ValueError("bad key")
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError) as exc:
        raise ApiError(
            400,
            "invalid_cursor",
            "The 'after' cursor is not valid for this query",
            [{"field": "after", "message": "unknown or mismatched cursor"}],
        ) from exc
    return key, therapist_id, position


# ---------------------------------------------------------------------------------------------
# Search requests


def _bad(parameter: str, message: str) -> ApiError:
    return ApiError(
        400,
        "invalid_parameter",
        f"Invalid query parameter '{parameter}': {message}",
        [{"field": parameter, "message": message}],
    )


class SearchQuery(BaseModel):
    """`GET /v1/therapists` parameters, validated."""

    model_config = ConfigDict(frozen=True)

    text: str = ""
    approaches: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    state: str | None = None
    city: str | None = None
    zip: str | None = None
    radius_km: float | None = None
    telehealth_state: str | None = None
    formats: tuple[str, ...] = ()
    new_client_status: tuple[str, ...] = ()
    insurance: str | None = None
    max_fee: int | None = None
    sliding_scale: bool | None = None
    languages: tuple[str, ...] = ()
    gender: str | None = None
    lgbtq: bool | None = None
    race_ethnicity: str | None = None
    faith: str | None = None
    age_group: str | None = None
    sort: Sort = Sort.RELEVANCE
    first: int = 20
    after: str | None = None


MULTI_PARAMS = {"approach", "issue", "format", "newClientStatus", "language"}
SINGLE_PARAMS = {
    "text",
    "state",
    "city",
    "zip",
    "radius",
    "radiusUnit",
    "telehealthState",
    "insurance",
    "maxFee",
    "slidingScale",
    "gender",
    "lgbtq",
    "raceEthnicity",
    "faith",
    "ageGroup",
    "sort",
    "first",
    "after",
}
FORMATS = ("in_person", "video", "phone")
NEW_CLIENT_STATUSES = ("newpt", "nopt", "existptonly", "existptfam", "waitlist")


def _boolean(name: str, value: str | None) -> bool | None:
    if value is None:
        return None
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise _bad(name, "must be true or false")


def _state(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if value.upper() not in US_STATES:
        raise _bad(name, "must be a two-letter US state code")
    return value.upper()


def _page_size(value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        first = int(value)
    except ValueError:
        raise _bad("first", "must be an integer from 1 to 100") from None
    if not 1 <= first <= 100:
        raise _bad("first", "must be an integer from 1 to 100")
    return first


def parse_search_query(params: Any) -> SearchQuery:
    """Validate a multidict of query parameters; 400 names the offending parameter."""
    for name in params:
        if name not in MULTI_PARAMS and name not in SINGLE_PARAMS:
            raise _bad(name, "unknown parameter")
        if name in SINGLE_PARAMS and len(params.getall(name)) > 1:
            raise _bad(name, "give it once")

    def one(name: str) -> str | None:
        value = params.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    def many(name: str, allowed: Iterable[str] | None = None) -> tuple[str, ...]:
        values = tuple(v.strip() for v in params.getall(name, []) if v.strip())
        if allowed is not None:
            allowed = set(allowed)
            for v in values:
                if v not in allowed:
                    raise _bad(name, f"unknown value {v!r}; one of {', '.join(sorted(allowed))}")
        return values

    radius = one("radius")
    radius_km = None
    if radius is not None:
        try:
            value = float(radius)
        except ValueError:
            raise _bad("radius", "must be a number") from None
        if not 0 < value <= 2000 or math.isnan(value):
            raise _bad("radius", "must be greater than 0 and at most 2000")
        unit = one("radiusUnit") or "km"
        if unit not in ("km", "mi"):
            raise _bad("radiusUnit", "must be km or mi")
        radius_km = value * 1.609344 if unit == "mi" else value
    elif one("radiusUnit") and one("radiusUnit") not in ("km", "mi"):
        raise _bad("radiusUnit", "must be km or mi")
    max_fee = one("maxFee")
    if max_fee is not None:
        try:
            max_fee_value = int(max_fee)
        except ValueError:
            raise _bad("maxFee", "must be a whole number of US dollars") from None
        if max_fee_value < 0:
            raise _bad("maxFee", "must not be negative")
    sort_value = one("sort") or "relevance"
    if sort_value not in {s.value for s in Sort}:
        raise _bad("sort", "must be relevance, distance or freshness")
    age_group = one("ageGroup")
    if age_group is not None and age_group not in AGE_GROUPS:
        raise _bad("ageGroup", f"one of {', '.join(AGE_GROUPS)}")
    text = one("text") or ""
    if len(text) > 500:
        raise _bad("text", "at most 500 characters")
    query = SearchQuery(
        text=text,
        approaches=many("approach"),
        issues=many("issue"),
        state=_state("state", one("state")),
        city=one("city"),
        zip=one("zip"),
        radius_km=radius_km,
        telehealth_state=_state("telehealthState", one("telehealthState")),
        formats=many("format", FORMATS),
        new_client_status=many("newClientStatus", NEW_CLIENT_STATUSES),
        insurance=one("insurance"),
        max_fee=int(max_fee) if max_fee is not None else None,
        sliding_scale=_boolean("slidingScale", one("slidingScale")),
        languages=many("language"),
        gender=one("gender"),
        lgbtq=_boolean("lgbtq", one("lgbtq")),
        race_ethnicity=one("raceEthnicity"),
        faith=one("faith"),
        age_group=age_group,
        sort=Sort(sort_value),
        first=_page_size(one("first"), 20),
        after=one("after"),
    )
    if query.zip is not None and not query.zip.isdigit():
        raise _bad("zip", "must be a five-digit US ZIP code")
    if query.sort is Sort.DISTANCE and not (query.zip or query.city):
        raise _bad("sort", "distance needs a place: zip or city")
    return query


# ---------------------------------------------------------------------------------------------
# Find Your Match (answers are health data: never stored, never logged)


class MatchPayment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    insurance: str | None = None
    maxFee: int | None = Field(default=None, ge=0, le=100_000)
    needsSlidingScale: bool = False


class MatchPreferences(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gender: str | None = Field(default=None, max_length=60)
    lgbtq: bool | None = None
    languages: list[str] = Field(default=[], max_length=10)
    faith: str | None = Field(default=None, max_length=60)
    raceEthnicity: str | None = Field(default=None, max_length=60)


class MatchQuestionnaire(BaseModel):
    model_config = ConfigDict(extra="forbid")
    concerns: list[str] = Field(default=[], max_length=10)
    state: str
    city: str | None = Field(default=None, max_length=100)
    zip: str | None = Field(default=None, pattern=r"^\d{5}$")
    format: Literal["in_person", "online", "either"] = "either"
    payment: MatchPayment = MatchPayment()
    preferences: MatchPreferences = MatchPreferences()
    style: list[str] = Field(default=[], max_length=10)
    ageGroup: str | None = None
    first: int = Field(default=10, ge=1, le=50)

    @field_validator("state")
    @classmethod
    def _known_state(cls, value: str) -> str:
        if value.upper() not in US_STATES:
            raise ValueError("must be a two-letter US state code")
        return value.upper()

    @field_validator("concerns")
    @classmethod
    def _known_issues(cls, value: list[str]) -> list[str]:
        if any(v not in ISSUES for v in value):
            raise ValueError("contains an unknown issue slug")  # the answer itself is not echoed
        return value

    @field_validator("ageGroup")
    @classmethod
    def _known_age_group(cls, value: str | None) -> str | None:
        if value is not None and value not in AGE_GROUPS:
            raise ValueError(f"one of {', '.join(AGE_GROUPS)}")
        return value


# Points each kind of preference adds to a match's score.
MATCH_WEIGHTS = {
    "concern": 3.0,
    "top_concern": 1.0,
    "style": 2.0,
    "gender": 3.0,
    "lgbtq": 2.0,
    "language": 3.0,
    "faith": 2.0,
    "race": 2.0,
}
IN_PERSON_RADIUS_KM = 40.0


def match_reasons(
    answers: MatchQuestionnaire,
    card: dict[str, Any],
    licensed: Iterable[str],
    distance: float | None,
    approach_names: dict[str, str],
    now: datetime,
) -> tuple[float, list[str]]:
    """Why this therapist matched, in words, and the share of preference points they earned."""
    reasons: list[str] = []
    state = answers.state
    if state in set(licensed):
        reasons.append(f"Licensed to practise in {US_STATES[state]}")
    if state in card["telehealthStates"] and set(card["formats"]) & {"video", "phone"}:
        reasons.append(f"Offers online sessions to clients in {US_STATES[state]}")
    confirmed = card["availabilityConfirmedAt"]
    if confirmed:
        days = max(0, (now - datetime.fromisoformat(confirmed)).days)
        when = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
        reasons.append(f"Accepting new clients (confirmed {when})")
    else:
        reasons.append("Accepting new clients")
    if distance is not None and "in_person" in card["formats"]:
        reasons.append(f"Sees clients in person {distance:.0f} km from you")
    money = card["money"]
    payment = answers.payment
    if payment.insurance and payment.insurance in money["insurance"]:
        reasons.append(f"Takes {INSURANCE_PLANS.get(payment.insurance, payment.insurance)}")
    elif payment.maxFee is not None:
        fees = [f["amountUsd"] for f in money["fees"] if f["sessionType"] != "intake"]
        if fees and min(fees) <= payment.maxFee:
            reasons.append(f"Sessions from ${min(fees)}, within your budget of ${payment.maxFee}")
    if money["slidingScale"] and (payment.needsSlidingScale or payment.maxFee is not None):
        scale = money["slidingScale"]
        reasons.append(f"Sliding scale from ${scale['minUsd']} to ${scale['maxUsd']}")
    earned = 0.0
    possible = 0.0
    issues = {i["slug"]: i["top"] for i in card["issues"]}
    for concern in answers.concerns:
        possible += MATCH_WEIGHTS["concern"] + MATCH_WEIGHTS["top_concern"]
        if concern in issues:
            earned += MATCH_WEIGHTS["concern"] + (MATCH_WEIGHTS["top_concern"] if issues[concern] else 0)
            focus = " (a main focus)" if issues[concern] else ""
            reasons.append(f"Helps with {ISSUES[concern].lower()}{focus}")
    practised = {a["slug"] for a in card["approaches"]}
    for slug in answers.style:
        possible += MATCH_WEIGHTS["style"]
        if slug in practised:
            earned += MATCH_WEIGHTS["style"]
            reasons.append(f"Practises {approach_names.get(slug, slug)}")
    prefs = answers.preferences
    identity = card["identity"]
    if prefs.gender:
        possible += MATCH_WEIGHTS["gender"]
        if (identity.get("gender") or "").lower() == prefs.gender.lower():
            earned += MATCH_WEIGHTS["gender"]
            reasons.append(f"Identifies as {identity['gender']}, as you preferred")
    if prefs.lgbtq:
        possible += MATCH_WEIGHTS["lgbtq"]
        if identity.get("lgbtq"):
            earned += MATCH_WEIGHTS["lgbtq"]
            reasons.append("Identifies as LGBTQ+")
    for language in prefs.languages:
        possible += MATCH_WEIGHTS["language"]
        if language in card["languages"]:
            earned += MATCH_WEIGHTS["language"]
            reasons.append(f"Offers sessions in {language}")
    if prefs.faith:
        possible += MATCH_WEIGHTS["faith"]
        if (identity.get("faith") or "").lower() == prefs.faith.lower():
            earned += MATCH_WEIGHTS["faith"]
            reasons.append(f"Shares your faith ({identity['faith']})")
    if prefs.raceEthnicity:
        possible += MATCH_WEIGHTS["race"]
        if prefs.raceEthnicity.lower() in {r.lower() for r in identity.get("raceEthnicity") or []}:
            earned += MATCH_WEIGHTS["race"]
            reasons.append(f"Identifies as {prefs.raceEthnicity}")
    if answers.ageGroup and answers.ageGroup in card["ageGroups"]:
        reasons.append(f"Works with {AGE_GROUPS[answers.ageGroup].lower()}")
    score = round(earned / possible, 3) if possible else 1.0
    return score, reasons


def now_utc() -> datetime:
    return datetime.now(UTC)
