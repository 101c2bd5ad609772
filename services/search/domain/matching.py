"""Find Your Match: the questionnaire and why a therapist matches it.

Answers are health data: they are used for one request only, never stored or logged, and
validation errors name the field without echoing what was answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from integration_events.vocabulary import AGE_GROUPS, INSURANCE_PLANS, ISSUES, US_STATES
from services.search.domain.responsiveness import replies_quickly

# The new-client status of a therapist who takes new clients (FHIR Plan-Net's code).
ACCEPTING = "newpt"
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
QUICK_REPLY_REASON = "Usually replies within a day"


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


class MatchOptions(BaseModel):
    """The query parameters of `POST /v1/match` (not answers: nothing health-related)."""

    model_config = ConfigDict(extra="forbid")
    explain: bool = Field(False, description="Give each match's `explanation`: every factor of its rank")


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
    if state in card["telehealthStatesServed"] and set(card["formats"]) & {"video", "phone"}:
        reasons.append(f"Offers online sessions to clients in {US_STATES[state]}")
    confirmed = card["availabilityConfirmedAt"]
    if confirmed:
        days = max(0, (now - datetime.fromisoformat(confirmed)).days)
        when = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
        reasons.append(f"Accepting new clients (confirmed {when})")
    else:
        reasons.append("Accepting new clients")
    if replies_quickly(card["responsiveness"]):
        reasons.append(QUICK_REPLY_REASON)
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
