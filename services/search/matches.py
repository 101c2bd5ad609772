"""Find Your Match over this replica's index: the questionnaire's hard filters and preference
points as one engine query.

Hard filters: licensed in (or, without licence data, practising in) or offering telehealth in
the client's state; accepting new clients; payment fits; format fits (in person: an office
within `IN_PERSON_RADIUS_KM` of the client's place, or in the state; online: video or phone and
telehealth in the state); age group. Each preference adds its points as a constant score; the
engine then folds in the same stale demotion and rotation as for text searches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tantivy import Occur, Query

from services.search import domain, geo
from services.search.domain import MatchQuestionnaire, unknown_place
from services.search.explain import match_explanations
from services.search.index import Hit, SearchIndex, all_of, fee_at_most, one_of, term


@dataclass
class Candidates:
    """Therapists who pass a questionnaire's hard filters: how many, and the best of them."""

    total: int
    hits: list[Hit]
    approach_names: dict[str, str]
    explanations: list[dict[str, Any]] | None = None  # asked for: each hit's, in order


def candidates(
    index: SearchIndex, answers: MatchQuestionnaire, bucket: int, *, explain: bool = False
) -> Candidates:
    """The best `answers.first` therapists for the answers, most points first."""
    state = answers.state
    hard: list[Query] = [
        one_of(term("licensed_state", state), term("telehealth_state", state)),
        term("new_client_status", domain.ACCEPTING),
    ]
    payment = answers.payment
    ways_to_pay = []
    if payment.insurance:
        ways_to_pay.append(term("insurance", payment.insurance))
    if payment.maxFee is not None:
        ways_to_pay.append(fee_at_most(payment.maxFee))
    if ways_to_pay:
        hard.append(one_of(*ways_to_pay))
    if payment.needsSlidingScale:
        hard.append(term("sliding_scale", "true"))
    if answers.ageGroup:
        hard.append(term("age_group", answers.ageGroup))
    center = None
    if answers.zip:
        center = geo.zip_point(answers.zip)
        if center is None:
            raise unknown_place("zip")
    elif answers.city:
        center = geo.city_point(answers.city, state)
    if answers.format == "in_person":
        hard.append(term("format", "in_person"))
        if center is None:
            hard.append(term("state", state))  # a state of practice
    elif answers.format == "online":
        hard.append(one_of(term("format", "video"), term("format", "phone")))
        hard.append(term("telehealth_state", state))
    base = all_of(*hard)
    if answers.format == "in_person" and center is not None:
        base = all_of(base, index.within(base, center, domain.IN_PERSON_RADIUS_KM))
    preferences = _preferences(index, answers)
    scored = Query.boolean_query(
        [(Occur.Must, Query.const_score_query(base, 1.0))]
        + [(Occur.Should, Query.const_score_query(q, w)) for _, q, w in preferences]
    )
    result = index.searcher.search(scored, limit=answers.first, count=True, weight_by_field=f"w_{bucket}")
    hits = sorted(index.load(result.hits, center), key=lambda h: -h.key)
    found = Candidates(result.count, hits, index.approaches.names)
    if explain:
        found.explanations = match_explanations(index, preferences, bucket, hits)
    return found


def _preferences(index: SearchIndex, answers: MatchQuestionnaire) -> list[tuple[str, Query, float]]:
    """What each preference matches, and the points it adds, with what it is in words (never the
    answer itself: an explanation names the kind of preference met, as its reasons say what)."""
    weights = domain.MATCH_WEIGHTS
    prefs = answers.preferences
    wanted: list[tuple[str, Query, float]] = []
    wanted += [
        ("Helps with a concern you named", term("issue", c), weights["concern"]) for c in answers.concerns
    ]
    wanted += [
        ("That concern is a main focus", term("issue_top", c), weights["top_concern"])
        for c in answers.concerns
    ]
    wanted += [
        ("Practises a style you chose", term("approach", index.approaches.resolve(s)), weights["style"])
        for s in answers.style
    ]
    wanted += [
        ("Offers sessions in a language you chose", term("language", lang), weights["language"])
        for lang in prefs.languages
    ]
    if prefs.gender:
        wanted.append(("Gender as you preferred", term("gender", prefs.gender.lower()), weights["gender"]))
    if prefs.lgbtq:
        wanted.append(("Identifies as LGBTQ+", term("lgbtq", "true"), weights["lgbtq"]))
    if prefs.faith:
        wanted.append(("Shares your faith", term("faith", prefs.faith.lower()), weights["faith"]))
    if prefs.raceEthnicity:
        wanted.append(
            ("Race or ethnicity as you preferred", term("race", prefs.raceEthnicity.lower()), weights["race"])
        )
    return wanted
