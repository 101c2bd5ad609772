"""`findMatch`: the "Find Your Match" questionnaire. Answers are health data: they are passed to
search and forgotten, never cached or logged."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

import strawberry

from gateway.card_fields import selects
from gateway.context import context_of
from gateway.errors import BadUserInput
from gateway.types.therapists import TherapistCard

MAX_MATCHES = 50


@strawberry.enum
class MatchFormat(Enum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    EITHER = "either"


@strawberry.input
class PaymentAnswers:
    insurance: str | None = None
    maxFee: int | None = strawberry.field(default=None, description="Highest fee per session, USD.")
    needsSlidingScale: bool | None = None


@strawberry.input(description="Preferences about the therapist; all optional.")
class TherapistPreferences:
    gender: str | None = None
    lgbtq: bool | None = None
    languages: list[str] | None = None
    faith: str | None = None
    raceEthnicity: str | None = None


@strawberry.input(description="The questionnaire's answers.")
class MatchQuestionnaire:
    state: str = strawberry.field(description="Where the client lives (two-letter US code).")
    concerns: list[str] = strawberry.field(default_factory=list, description="Issue slugs.")
    city: str | None = None
    zip: str | None = None
    format: MatchFormat = MatchFormat.EITHER
    payment: PaymentAnswers | None = None
    preferences: TherapistPreferences | None = None
    style: list[str] = strawberry.field(default_factory=list, description="Approach slugs liked.")
    ageGroup: str | None = None
    first: int = 10


@strawberry.type(description="A therapist who fits, how well, and why.")
class MatchEdge:
    node: TherapistCard
    score: float
    reasons: list[str]


@strawberry.type
class MatchResults:
    totalCount: int
    edges: list[MatchEdge]


def answers_body(questionnaire: MatchQuestionnaire) -> dict[str, Any]:
    """The questionnaire as the search service's `POST /v1/match` body."""

    def plain(value: Any) -> Any:
        if isinstance(value, Enum):
            return value.value
        if dataclasses.is_dataclass(value):
            return {
                f.name: plain(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if getattr(value, f.name) is not None
            }
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return plain(questionnaire)


async def find_match(info: strawberry.Info, questionnaire: MatchQuestionnaire) -> MatchResults:
    """Therapists who fit the answers, best first, each with the reasons it matched."""
    if not 1 <= questionnaire.first <= MAX_MATCHES:
        raise BadUserInput(f"first must be between 1 and {MAX_MATCHES}", argument="questionnaire.first")
    context = context_of(info)
    explain = selects(info, ("edges", "node"), "explanation")  # asked of search only when selected
    results = await context.clients.match(
        answers_body(questionnaire), context.trace, context.visitor_session, explain=explain
    )
    return {  # type: ignore[return-value]
        "totalCount": results.get("totalCount", 0),
        "edges": results.get("edges") or [],
    }
