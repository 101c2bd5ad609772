"""Fair ordering: explainable, no paid placement.

Relevance (the text score) is halved when availability has not been confirmed for
`STALE_AFTER`; among near-equal scores a rotation seeded by the visitor's rotation bucket
decides, so no therapist is always first and one visitor sees a stable order. Lists without
text put fresh profiles first, then the bucket's rotation order.
"""

from __future__ import annotations

import hashlib
import struct
from datetime import datetime

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
