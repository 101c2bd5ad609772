"""The tantivy schema of a replica's index: which field holds what, and how it is indexed.

Text: `all` holds every searchable word (names, titles, approach names and aliases, statements,
bios), lower-cased but not stemmed, because stemming the long text at indexing time was most of a
build's cost (the query side matches every form of a word instead, see `analysis.py`); the short
`names` and `approach_text` fields are stemmed and add to the score. Filters are raw-token
fields; those with facets are fast fields, so facet counts of large result sets are tantivy
aggregations. Ordering keys are fast fields computed at indexing time.
"""

from __future__ import annotations

import tantivy

from services.search.domain import ROTATION_BUCKETS

MATCH_FIELD = "all"
TEXT_BOOSTS = {"names": 2.0, "approach_text": 1.0}
# Facet name in the API -> index field.
FACETS = {
    "approaches": "approach",
    "issues": "issue",
    "states": "state",
    "cities": "city_label",
    "formats": "format",
    "newClientStatus": "new_client_status",
    "insurance": "insurance",
    "languages": "language",
    "genders": "gender",
    "ageGroups": "age_group",
    "slidingScale": "sliding_scale",
    "telehealthStates": "telehealth_state",
    "raceEthnicity": "race",
    "faiths": "faith",
    "lgbtq": "lgbtq",
    # "true": at least one licence verified by an administrator and not expired (`verifiedOnly`).
    "verified": "verified",
}
FACET_SIZES = {"cities": 25, "languages": 30}
# The fee-ceiling facet (`maxFee`): per ceiling in USD, how many results' lowest fee is at most it
# (what the `maxFee` filter would leave).
FEE_FACET = "maxFee"
FEE_CEILINGS = (50, 75, 100, 125, 150, 200, 250)
FACET_NAMES = (*FACETS, FEE_FACET)
FILTER_ONLY_FIELDS = ("id", "approach_raw", "issue_top", "city", "licensed_state", "cell")
BUCKETS = range(ROTATION_BUCKETS)
ROTATION_FIELDS = [f"rot_{b}" for b in BUCKETS]
WEIGHT_FIELDS = [f"w_{b}" for b in BUCKETS]


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("names", tokenizer_name="en_stem")
    sb.add_text_field("approach_text", tokenizer_name="en_stem")
    sb.add_text_field(MATCH_FIELD, tokenizer_name="default", index_option="freq")
    for name in FACETS.values():
        sb.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    for name in FILTER_ONLY_FIELDS:
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    sb.add_unsigned_field("slot", fast=True)
    sb.add_unsigned_field("min_fee", fast=True)
    sb.add_float_field("reply_hours", fast=True)  # median reply to inquiries; absent if none
    sb.add_unsigned_field("fresh", indexed=True)
    sb.add_integer_field("confirmed", fast=True)
    sb.add_unsigned_field("fresh_key", fast=True)
    for b in BUCKETS:
        sb.add_unsigned_field(f"rot_{b}", fast=True)
        sb.add_float_field(f"w_{b}", fast=True)
    return sb.build()


SCHEMA = _schema()
