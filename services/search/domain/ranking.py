"""Fair ordering: explainable, no paid placement.

Relevance (the text score) is halved when availability has not been confirmed for
`STALE_AFTER`; among near-equal scores a rotation seeded by the visitor's rotation bucket
decides, so no therapist is always first and one visitor sees a stable order. Lists without
text put fresh profiles first, then the bucket's rotation order.
"""

from __future__ import annotations

import ctypes
import hashlib
import math
import struct
from datetime import datetime
from typing import Any

import numpy as np

ROTATION_BUCKETS = 16
# Scores within this relative distance of each other count as near-equal and are rotated.
ROTATION_SPREAD = 0.04
# A stale profile's relevance is multiplied by this.
STALE_FACTOR = 0.5
# Where a visitor's session comes from; it is only ever reduced to a rotation bucket.
VISITOR_HEADER = "X-Visitor-Session"
VISITOR_COOKIE = "visitor_session"
BUCKET_HEADER = "X-Rotation-Bucket"


def rotation_bucket(session: str | None) -> int:
    """Sessions map onto a few buckets so responses stay cacheable; no session = bucket 0."""
    if not session:
        return 0
    digest = hashlib.blake2b(session.encode(), digest_size=2).digest()
    return int.from_bytes(digest, "big") % ROTATION_BUCKETS


# Four bytes of one hash per bucket: blake2b gives at most 64, enough for 16 buckets.
_BUCKET_WORDS = struct.Struct(f">{ROTATION_BUCKETS}I")
_WORD_RANGE = 4294967296.0  # 2**32
FRESH_BIT = 1 << 62
POSITION_SHIFT = 38


def _hash_words(therapist_id: str) -> tuple[tuple[int, ...], int]:
    """Per bucket a 32-bit word of one hash of the id, and the 38-bit tie-breaker made of the low
    bytes of the first five words."""
    words = _BUCKET_WORDS.unpack(
        hashlib.blake2b(therapist_id.encode(), digest_size=4 * ROTATION_BUCKETS).digest()
    )
    tie = 0
    for word in words[:5]:
        tie = (tie << 8) | (word & 0xFF)
    return words, tie >> 2


def _standing(demoted: bool) -> float:
    """The weight's base: log2(2 + weight) is this times the rotation (2: the engine's weighting
    can only raise a score, so a fresh profile gets 2 and a demoted one half of that)."""
    return 2.0 * (STALE_FACTOR if demoted else 1.0)


def ordering_keys(therapist_id: str, stale: bool) -> tuple[list[int], list[float]]:
    """`rotation_keys` and `relevance_weights` together, from one hash of the id: per bucket a
    32-bit word, whose high 24 bits place the therapist in that bucket's rotation and whose
    whole value sets the bucket's weight; the low bytes of the first five words make a 38-bit
    tie-breaker shared by all buckets. `explain_*` below take these same values apart."""
    words, tie = _hash_words(therapist_id)
    fresh = 0 if stale else FRESH_BIT
    base = _standing(stale)  # log2(2 + weight) = base * (1 + spread * word / 2**32)
    per_word = base * ROTATION_SPREAD / _WORD_RANGE
    return [fresh | (w >> 8 << POSITION_SHIFT) | tie for w in words], [
        2.0 ** (base + per_word * w) - 2.0 for w in words
    ]


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


# ---------------------------------------------------------------------------- explanations
#
# Why a result is where it is: the factors of the value that orders it, taken apart from the
# same hash, words and weights `ordering_keys` gives the index, and composed as the engine
# composes them. Each explanation is {order, rank, rankExact, composition, factors, summary}:
# `composition` "sum" means rank = the sum of the factors' values (integers, exactly); "product"
# means rank = textRelevance (or matchPoints) x weight in single precision, as the engine
# multiplies, where weight = log2(2 + the stored weight) = scale x demotion x rotation.


def _single_log2() -> Any:
    """The C library's single-precision log2, which the engine calls: it is not always correctly
    rounded (1 value in about 800 differs from the double-precision log2 rounded to single)."""
    try:
        # The process's own symbols: the interpreter links the C maths library (no library search).
        found = ctypes.CDLL(None).log2f
    except (OSError, AttributeError):
        return math.log2
    found.restype, found.argtypes = ctypes.c_float, [ctypes.c_float]
    return found


_log2f = _single_log2()


def engine_weight(weight: float) -> float:
    """What the engine multiplies a score by for a stored weight: log2(2 + weight), in single
    precision, as it computes it."""
    return float(np.float32(_log2f(float(np.float32(2.0 + weight)))))


def weighted_score(score: float, weight: float) -> float:
    """A score as the engine orders it once weighted by a stored weight (single precision)."""
    return float(np.float32(score) * np.float32(engine_weight(weight)))


def _factor(name: str, value: float | int, description: str) -> dict[str, Any]:
    return {"factor": name, "value": value, "description": description}


def _demotion_words(stale: bool, unresponsive: bool) -> str:
    reasons = []
    if stale:
        reasons.append("availability not confirmed in the last 60 days")
    if unresponsive:
        reasons.append("3 or more inquiries unanswered for 7 days")
    return " and ".join(reasons) or "demoted when the listing was indexed"


def _weight_factors(
    therapist_id: str, bucket: int, weight: float, *, stale: bool, unresponsive: bool
) -> list[dict[str, Any]]:
    """The parts of a stored weight: the scale, the demotion (read off the weight itself: the
    one the index stored) and the bucket's rotation, then the weight the engine applies."""
    word = _hash_words(therapist_id)[0][bucket]
    # The index stores the weight through JSON, which may move it by a last digit: the nearer of
    # the two weights this therapist can have in this bucket says which one it is.
    fresh, stale_weight = (
        ordering_keys(therapist_id, False)[1][bucket],
        ordering_keys(therapist_id, True)[1][bucket],
    )
    demoted = abs(weight - stale_weight) < abs(weight - fresh)
    rotation = 1.0 + ROTATION_SPREAD * word / _WORD_RANGE
    demotion = _factor("demotion", 1.0, "Not demoted")
    if demoted:
        demotion = _factor("demotion", STALE_FACTOR, f"Halved: {_demotion_words(stale, unresponsive)}")
    return [
        _factor("scale", 2.0, "Every result's weight starts at 2 (the engine's weighting only raises)"),
        demotion,
        _factor(
            "rotation",
            rotation,
            f"Rotation bucket {bucket} of {ROTATION_BUCKETS}: +{(rotation - 1) * 100:.2f}% so that "
            "near-equal results take turns (no paid placement)",
        ),
        _factor(
            "weight",
            engine_weight(weight),
            "scale x demotion x rotation, as the engine applies it (single precision)",
        ),
    ]


def explain_text_rank(
    therapist_id: str, bucket: int, relevance: float, weight: float, *, stale: bool, unresponsive: bool
) -> dict[str, Any]:
    """A text search result: its text relevance times its weight."""
    rank = weighted_score(relevance, weight)
    factors = [
        _factor(
            "textRelevance",
            relevance,
            f"How well the words match: BM25 over names, titles, approaches, statements and bios "
            f"({relevance:.4f})",
        ),
        *_weight_factors(therapist_id, bucket, weight, stale=stale, unresponsive=unresponsive),
    ]
    return _explanation("relevance", rank, "product", factors, f"Text relevance {relevance:.4f} x weight")


def explain_match_rank(
    therapist_id: str,
    bucket: int,
    points: list[tuple[str, float]],
    weight: float,
    *,
    stale: bool,
    unresponsive: bool,
) -> dict[str, Any]:
    """A match: 1 for passing every hard filter plus each preference's points, times its weight.
    `points` are the preferences the engine found it to meet, with the points each added."""
    total = float(np.float32(1.0 + sum(value for _, value in points)))
    factors = [
        _factor(
            "hardFilters", 1.0, "Passes every hard filter (licensed or online in your state, accepting, ...)"
        ),
        *(_factor("preference", value, f"{label}: +{value:g}") for label, value in points),
        _factor("matchPoints", total, f"Preference score: 1 + {total - 1:g} points"),
        *_weight_factors(therapist_id, bucket, weight, stale=stale, unresponsive=unresponsive),
    ]
    rank = weighted_score(total, weight)
    return _explanation("match", rank, "product", factors, f"Preference score {total:g} x weight")


def explain_rotation_rank(
    therapist_id: str, bucket: int, key: int, *, stale: bool, unresponsive: bool
) -> dict[str, Any]:
    """A list without text (and an approach page): fresh before demoted, then the bucket's rotation
    place, then the tie-breaker; the three parts sum to the key it is ordered by (`key`, the one the
    index stored, says only whether it was demoted)."""
    demoted = not key & FRESH_BIT  # as the index stored it; the rest comes from the id's hash
    words, tie = _hash_words(therapist_id)
    position = words[bucket] >> 8
    standing = _factor("standing", 0 if demoted else FRESH_BIT, "Fresh: listed before every demoted profile")
    if demoted:
        standing = _factor("standing", 0, f"Demoted: {_demotion_words(stale, unresponsive)}")
    factors = [
        standing,
        _factor(
            "rotation",
            position << POSITION_SHIFT,
            f"Place {position} of {1 << 24} in rotation bucket {bucket} of {ROTATION_BUCKETS}: "
            "the order changes between visitors, not within one visitor's session",
        ),
        _factor("tieBreak", tie, "A tie-breaker from the therapist's id, so no two share a place"),
    ]
    return _explanation("rotation", key, "sum", factors, "Fresh first, then rotation")


def explain_distance_rank(distance_km: float) -> dict[str, Any]:
    """Sorted by distance: the nearest practice location first (then by id)."""
    factors = [_factor("distance", distance_km, f"{distance_km:.1f} km to the nearest practice location")]
    return _explanation("distance", distance_km, "sum", factors, "Nearest first")


def explain_freshness_rank(key: int) -> dict[str, Any]:
    """Sorted by freshness: the most recently updated profile first (then a tie-breaker)."""
    updated_ms = key >> 20
    factors = [
        _factor("updated", updated_ms << 20, f"Profile updated at {updated_ms} ms since 1970, newest first"),
        _factor("tieBreak", key & ((1 << 20) - 1), "A tie-breaker from the therapist's id"),
    ]
    return _explanation("freshness", key, "sum", factors, "Newest first")


def _explanation(
    order: str, rank: float | int, composition: str, factors: list[dict[str, Any]], summary: str
) -> dict[str, Any]:
    return {
        "order": order,
        "rank": float(rank),
        "rankExact": str(rank),
        "composition": composition,
        "factors": factors,
        "summary": summary,
    }
