"""Responsiveness as search measures it from inquiry times, and what cards and matching make of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.search import domain
from services.search.domain import InquiryTimes, MatchQuestionnaire, match_reasons
from services.search.domain.matching import QUICK_REPLY_REASON
from tests.unit.test_search_cards import stored

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def answered(days_ago: float, after_hours: float) -> InquiryTimes:
    received_at = NOW - timedelta(days=days_ago)
    return InquiryTimes(received_at, received_at + timedelta(hours=after_hours))


def waiting(days_ago: float) -> InquiryTimes:
    return InquiryTimes(NOW - timedelta(days=days_ago), None)


def test_without_inquiries_nothing_is_measured_and_no_one_is_unresponsive():
    assert domain.measure([], NOW) == {
        "answeredShare": None, "medianReplyHours": None, "sampleSize": 0, "unresponsive": False,
    }  # fmt: skip
    assert domain.measure([], NOW) == domain.NOT_MEASURED


def test_all_answered_is_a_share_of_one():
    measured = domain.measure([answered(3, 2), answered(10, 4)], NOW)
    assert measured["answeredShare"] == 1.0 and measured["sampleSize"] == 2


def test_the_share_counts_waiting_inquiries_and_the_median_only_the_answered():
    measured = domain.measure([answered(3, 2), waiting(1), waiting(2)], NOW)
    assert measured["answeredShare"] == 0.333 and measured["medianReplyHours"] == 2.0


def test_the_median_of_an_odd_count_is_the_middle_reply():
    replies = [answered(2, 1), answered(3, 30), answered(4, 3)]
    assert domain.measure(replies, NOW)["medianReplyHours"] == 3.0


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two():
    replies = [answered(2, 1), answered(3, 30), answered(4, 3), answered(5, 5)]
    assert domain.measure(replies, NOW)["medianReplyHours"] == 4.0


def test_only_inquiries_received_in_the_last_90_days_count():
    measured = domain.measure([answered(89, 10), answered(91, 1), waiting(95)], NOW)
    assert measured["sampleSize"] == 1 and measured["medianReplyHours"] == 10.0


@pytest.mark.parametrize(
    ("inquiries", "unresponsive"),
    [
        ([waiting(8), waiting(9)], False),  # two left waiting
        ([waiting(8), waiting(9), waiting(20)], True),  # three
        ([waiting(8), waiting(9), waiting(6)], False),  # the third is not a week old yet
        ([waiting(8), waiting(9), waiting(20), answered(30, 27 * 24)], False),  # answered 3 days ago
        ([waiting(8), waiting(9), waiting(20), answered(30, 2)], True),  # answered long ago
    ],
)
def test_three_inquiries_waiting_a_week_with_no_answer_meanwhile_make_a_therapist_unresponsive(
    inquiries, unresponsive
):
    assert domain.measure(inquiries, NOW)["unresponsive"] is unresponsive


def test_a_card_shows_what_was_measured_or_nothing_measured():
    data = stored()
    card = domain.card_from_profile(data, {}, domain.measure([answered(2, 5), waiting(9)], NOW))
    assert card["responsiveness"] == {"answeredShare": 0.5, "medianReplyHours": 5.0, "sampleSize": 2}
    assert card["unresponsive"] is False
    empty = domain.card_from_profile(data, {})
    assert empty["responsiveness"] == {"answeredShare": None, "medianReplyHours": None, "sampleSize": 0}
    assert empty["unresponsive"] is False


def _reasons(responsiveness: dict) -> list[str]:
    card = domain.card_from_profile(stored(), {}, {**domain.NOT_MEASURED, **responsiveness})
    answers = MatchQuestionnaire(state="TX")
    return match_reasons(answers, card, ["TX"], None, {}, NOW)[1]


@pytest.mark.parametrize(
    ("responsiveness", "earned"),
    [
        ({"medianReplyHours": 24.0, "answeredShare": 0.5, "sampleSize": 2}, True),
        ({"medianReplyHours": 24.5, "answeredShare": 1.0, "sampleSize": 4}, False),
        ({"medianReplyHours": 2.0, "answeredShare": 0.4, "sampleSize": 5}, False),
        ({"medianReplyHours": 2.0, "answeredShare": 1.0, "sampleSize": 1}, False),
        ({"medianReplyHours": None, "answeredShare": None, "sampleSize": 0}, False),
    ],
)
def test_usually_replies_within_a_day_needs_a_median_of_a_day_half_answered_and_two_inquiries(
    responsiveness, earned
):
    assert (QUICK_REPLY_REASON in _reasons(responsiveness)) is earned
    assert QUICK_REPLY_REASON == "Usually replies within a day"
