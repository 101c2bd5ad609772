"""Fair ordering and cursors of the search service (pure rules)."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import tantivy

from servicekit.errors import BadRequest
from services.search import domain
from services.search.domain.ranking import weighted_score

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_no_session_gets_the_default_bucket():
    assert domain.rotation_bucket(None) == 0
    assert domain.rotation_bucket("") == 0


def test_a_session_always_maps_to_the_same_bucket():
    assert domain.rotation_bucket("visitor-abc") == domain.rotation_bucket("visitor-abc")


def test_sessions_spread_over_all_sixteen_buckets():
    buckets = {domain.rotation_bucket(f"session-{i}") for i in range(400)}
    assert buckets == set(range(16))


def test_rotation_orders_differ_between_buckets():
    ids = [f"t-{i}" for i in range(50)]
    orders = {tuple(sorted(ids, key=lambda t, b=b: -domain.rotation_keys(t, False)[b])) for b in range(16)}
    assert len(orders) == 16


def test_fresh_profiles_come_before_stale_ones_in_every_bucket():
    for bucket in range(16):
        assert (
            min(domain.rotation_keys("t-fresh", False)[bucket], domain.rotation_keys("t-x", False)[bucket])
            > domain.rotation_keys("t-stale", True)[bucket]
        )


def test_rotation_keys_are_unique_per_therapist():
    keys = {domain.rotation_keys(f"t-{i}", False)[3] for i in range(20000)}
    assert len(keys) == 20000


def test_stale_profiles_score_half_and_rotation_moves_scores_by_at_most_four_percent():
    for therapist in ("t-1", "t-2", "t-3"):
        fresh = [math.log2(2 + w) for w in domain.relevance_weights(therapist, False)]
        stale = [math.log2(2 + w) for w in domain.relevance_weights(therapist, True)]
        assert all(2.0 <= f <= 2.0 * 1.04 + 1e-9 for f in fresh)
        assert all(1.0 <= s <= 1.04 + 1e-9 for s in stale)


def test_availability_older_than_sixty_days_is_stale():
    assert not domain.is_stale(NOW - timedelta(days=59), NOW)
    assert domain.is_stale(NOW - timedelta(days=61), NOW)
    assert domain.is_stale(None, NOW)


def test_freshness_key_orders_newest_first_and_breaks_ties_by_id():
    older = domain.freshness_key(NOW - timedelta(seconds=1), "t-a")
    newer_a = domain.freshness_key(NOW, "t-a")
    newer_b = domain.freshness_key(NOW, "t-b")
    assert newer_a > older and newer_b > older and newer_a != newer_b


def test_a_cursor_round_trips_its_key_id_and_position():
    cursor = domain.encode_cursor("relevance", 12.5, "t-9", 41)
    assert domain.decode_cursor(cursor, "relevance") == (12.5, "t-9", 41)


@pytest.mark.parametrize("cursor", ["not-base64!", "e30", domain.encode_cursor("freshness", 1, "t", 0)])
def test_a_foreign_or_broken_cursor_is_a_400(cursor):
    with pytest.raises(BadRequest) as caught:
        domain.decode_cursor(cursor, "relevance")
    assert caught.value.code == "invalid_cursor" and caught.value.details[0]["field"] == "after"


def test_the_weight_explained_is_the_one_the_engine_multiplies_by_to_the_last_bit():
    # 26 of these 20,000 weights differ by one unit in the last place when log2 is taken in
    # double precision and rounded: the engine takes it in single precision.
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("i", stored=True, fast=True)
    builder.add_float_field("w", fast=True)
    index = tantivy.Index(builder.build())
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    rng = random.Random(7)
    weights = [rng.random() * 3 for _ in range(20_000)]
    for i, weight in enumerate(weights):
        writer.add_document(tantivy.Document(i=i, w=weight))
    writer.commit()
    index.reload()
    searcher = index.searcher()
    hits = searcher.search(tantivy.Query.all_query(), limit=len(weights), weight_by_field="w").hits
    differ = [
        i
        for score, address in hits
        if np.float32(score) != weighted_score(1.0, weights[i := searcher.doc(address)["i"][0]])
    ]
    assert len(hits) == len(weights) and differ == []
