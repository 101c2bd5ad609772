"""Facet counts, two ways: counted here over the rows of a small result set, or by the engine's
aggregations over a large one. Both give the same answer.

Here, each row's facet values are codes in one fixed-width row of a table, so counting the
facets of a set of rows is one gather and one count with numpy.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import numpy as np
import tantivy
from tantivy import Query

from services.search.index.columns import Column
from services.search.index.schema import FACET_SIZES, FACETS, FEE_CEILINGS, FEE_FACET

Facets = dict[str, list[dict[str, Any]]]


class FacetCodeRows:
    """Per slot, the codes of its facet values in one row padded with 0 (no value). The rows
    widen for a profile with more values than any before, and the codes go from 16 to 32 bits
    past 65,535."""

    def __init__(self) -> None:
        self.rows = np.zeros((1024, 8), dtype=np.uint16)
        self.size = 0
        self.highest = int(np.iinfo(self.rows.dtype).max)

    def append(self, codes: list[int]) -> None:
        capacity, width = self.rows.shape
        dtype = self.rows.dtype
        if codes and max(codes) > self.highest:
            dtype = np.dtype(np.uint32)
            self.highest = int(np.iinfo(dtype).max)
        if self.size == capacity or len(codes) > width or dtype != self.rows.dtype:
            shape = (capacity * 2 if self.size == capacity else capacity, max(width, len(codes)))
            grown = np.zeros(shape, dtype)
            grown[: self.size, :width] = self.rows[: self.size]
            self.rows = grown  # readers holding the old rows still see every row they can name
        self.rows[self.size, : len(codes)] = codes
        self.size += 1

    def restore(self, rows: np.ndarray) -> None:
        """The rows saved of another table (a snapshot's), with room to append."""
        self.rows = np.zeros((max(1024, 2 * len(rows)), rows.shape[1]), rows.dtype)
        self.rows[: len(rows)] = rows
        self.size = len(rows)
        self.highest = int(np.iinfo(rows.dtype).max)

    def count(self, slots: np.ndarray, known_codes: int) -> np.ndarray:
        """How many of the given rows hold each code (index 0, the padding, counts nothing)."""
        counts = np.bincount(self.rows[slots].ravel(), minlength=known_codes)
        counts[0] = 0
        return counts


class FacetTable:
    """Per slot, the codes of its facet values and its lowest fee (-1: none given)."""

    def __init__(self) -> None:
        self.code_rows = FacetCodeRows()
        self.codes: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        self.code_values: list[tuple[str, str]] = [("", "")]  # code 0: no value
        self.min_fee = Column(np.int64)

    def append(self, fields: dict[str, Any]) -> None:
        """The next slot's facet values, from its engine document."""
        codes = []
        add = codes.append
        for facet, field_name in FACETS.items():
            values = fields.get(field_name)
            if not values:
                continue
            known = self.codes[facet]
            for value in (values,) if isinstance(values, str) else values:
                code = known.get(value)
                if code is None:
                    code = known[value] = len(self.code_values)
                    self.code_values.append((facet, value))
                add(code)
        self.code_rows.append(codes)
        self.min_fee.append(fields.get("min_fee", -1))

    def count(self, slots: np.ndarray) -> Facets:
        """Facet counts of the given rows (fast for a few thousand rows)."""
        counts = self.code_rows.count(slots, len(self.code_values))
        present = np.flatnonzero(counts)
        grouped: dict[str, list[tuple[int, str]]] = {facet: [] for facet in FACETS}
        values = self.code_values
        for code, count in zip(present.tolist(), counts[present].tolist(), strict=True):
            facet, value = values[code]
            grouped[facet].append((-count, value))
        found = {
            facet: [{"value": v, "count": -c} for c, v in sorted(pairs)[: FACET_SIZES.get(facet, 100)]]
            for facet, pairs in grouped.items()
        }
        fees = np.sort(self.min_fee.view()[slots])
        fees = fees[np.searchsorted(fees, 0) :]  # rows without a fee (-1) match no ceiling
        found[FEE_FACET] = fee_facet(np.searchsorted(fees, FEE_CEILINGS, side="right").tolist())
        return found


# The engine's range aggregation takes no overlapping ranges: one band per ceiling (above the one
# before it), summed up into "at most the ceiling".
_FEE_RANGES = [
    {"key": str(ceiling), "from": low, "to": ceiling + 1}
    for low, ceiling in zip((0, *(c + 1 for c in FEE_CEILINGS[:-1])), FEE_CEILINGS, strict=True)
]


def facet_aggregations() -> dict[str, Any]:
    """The engine's aggregations behind the facets of a result set (`engine_facets`)."""
    spec: dict[str, Any] = {
        name: {"terms": {"field": fld, "size": FACET_SIZES.get(name, 100)}} for name, fld in FACETS.items()
    }
    spec[FEE_FACET] = {"range": {"field": "min_fee", "ranges": _FEE_RANGES}}
    return spec


def engine_facets(searcher: tantivy.Searcher, query: Query) -> tuple[int, Facets]:
    """The number of hits and the facet counts of a (large) result set, by the engine."""
    spec = facet_aggregations()
    spec["_total"] = {"value_count": {"field": "slot"}}
    result = searcher.aggregate(query, spec)
    total = int(result.pop("_total")["value"])
    found = {
        name: [{"value": b["key"], "count": b["doc_count"]} for b in result[name]["buckets"]]
        for name in FACETS
    }
    in_range = {b["key"]: b["doc_count"] for b in result[FEE_FACET]["buckets"]}
    found[FEE_FACET] = fee_facet(
        itertools.accumulate(in_range.get(str(ceiling), 0) for ceiling in FEE_CEILINGS)
    )
    return total, found


def fee_facet(at_most: Iterable[int]) -> list[dict[str, Any]]:
    """The `maxFee` facet from the number of results at or under each ceiling (zeros left out)."""
    return [
        {"value": str(ceiling), "count": count}
        for ceiling, count in zip(FEE_CEILINGS, at_most, strict=True)
        if count
    ]
