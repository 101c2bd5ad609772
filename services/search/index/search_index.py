"""`SearchIndex`: one replica's tantivy index over the read model, plus its slot table.

Every indexed version of a therapist gets a new row number (`slot`), never reused: a searcher
opened before a commit may still return the previous row, which must keep describing the
previous version. Per slot the index keeps, beside the engine, the therapist's id and the version
the row describes, its first practice location (and every location of those with several), its
facet codes and the offset of its record, so that distances and the facets of small result sets
are computed here.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import weakref
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import numpy as np
import orjson
import tantivy
from tantivy import Occur, Query

from services.search import domain, geo
from services.search.index import snapshot
from services.search.index.columns import Column
from services.search.index.documents import Approaches, Hit, index_document
from services.search.index.facets import Facets, FacetTable, engine_facets
from services.search.index.files import IndexFolder, RecordsReader, release
from services.search.index.queries import ALL_HITS, all_of, any_of, cells_query, one_of, term, text_query
from services.search.index.schema import SCHEMA
from services.search.index.writer import PENDING_DOCUMENTS, UPDATE_HEAP, RecordsWriter, return_freed_memory
from services.search.store import stored_listing


class SearchIndex:
    """One tantivy index plus the slot table; written by `IndexSync`, read by the engine."""

    def __init__(
        self,
        *,
        writer_heap: int = UPDATE_HEAP,
        writer_threads: int = 1,
        fill: Callable[[IndexFolder], None] | None = None,
    ) -> None:
        """`fill` puts files into the new index's folder before its engine opens (a snapshot's)."""
        self.folder = IndexFolder()
        try:
            if fill is not None:
                fill(self.folder)
            self.index = tantivy.Index(SCHEMA, path=self.folder.engine)
        except BaseException:
            self.folder.close()
            raise
        # Each row's record appended to the index's own file (after any read-only parts linked
        # from a snapshot) and read back at an offset, without the engine's document store.
        self.records_out = RecordsWriter(self.folder.records)
        self.records_in = RecordsReader(self.folder.records)
        self.record_end = Column(np.int64, [0])
        weakref.finalize(self, release, self.folder, self.records_out, self.records_in)
        self.index.config_reader(reload_policy="Manual")
        self.writer = self.index.writer(heap_size=writer_heap, num_threads=writer_threads)
        self.approaches = Approaches()
        self.slot_of: dict[str, int] = {}
        self.ids: list[str | None] = []
        self.row_version = Column(np.int64)
        # First practice location per slot (NaN: none); every location of slots with several.
        self.lat = Column(np.float64)
        self.lon = Column(np.float64)
        self.more_points: dict[int, tuple[geo.Point, ...]] = {}
        self.facet_table = FacetTable()
        self.versions: dict[str, int] = {}
        # Documents applied but not yet handed to the writer (JSON), at most PENDING_DOCUMENTS.
        self.pending: list[str] = []
        self.latest = self.index.searcher()
        self._pinned = threading.local()
        self.dirty = False
        self.lock = asyncio.Lock()

    @classmethod
    def from_snapshot(cls, folder: str) -> SearchIndex:
        """An index opened on a verified snapshot's files, with the slot table saved beside them."""
        index = cls(fill=snapshot.filler(folder))
        snapshot.restore_slot_table(index, folder)
        index.index.reload()
        index.latest = index.index.searcher()
        if index.latest.num_docs != len(index.slot_of):
            raise snapshot.SnapshotRejected(
                f"engine holds {index.latest.num_docs} documents, its slot table {len(index.slot_of)}"
            )
        return index

    # ----------------------------------------------------------------------------- writing

    def apply(self, doc: dict[str, Any], now: datetime, *, force: bool = False) -> bool:
        """Apply a read-model document (a listing or a tombstone) unless it is not newer."""
        therapist_id = doc["_id"]
        known = self.versions.get(therapist_id, 0)
        if doc["version"] < known or (doc["version"] == known and not force):
            return False
        self.versions[therapist_id] = doc["version"]
        if known:  # else this index never held the therapist (every build, for instance)
            self._add_pending()  # a delete only reaches documents added before it
            self.writer.delete_documents_by_term("id", therapist_id)
        self.dirty = True
        listing = None if doc.get("deleted") else stored_listing(doc)
        if listing is not None and not domain.is_listed(listing[0]):
            listing = None  # every licence expired: held in the read model, listed nowhere
        if listing is None:
            self.slot_of.pop(therapist_id, None)
            return True
        profile, points = listing
        slot = len(self.ids)
        self.slot_of[therapist_id] = slot
        self.ids.append(therapist_id)
        self.row_version.append(doc["version"])
        self.lat.append(points[0][0] if points else math.nan)
        self.lon.append(points[0][1] if points else math.nan)
        if len(points) > 1:
            self.more_points[slot] = tuple(geo.Point(lat, lon) for lat, lon in points)
        fields, record = index_document(
            slot, profile, points, self.approaches, now, doc.get("responsiveness")
        )
        self.records_out.write(record)
        self.record_end.append(self.record_end.data[slot] + len(record))
        self.facet_table.append(fields)
        self.pending.append(orjson.dumps(fields).decode())
        if len(self.pending) >= PENDING_DOCUMENTS:
            self._add_pending()
        return True

    def _add_pending(self) -> None:
        """Hand the waiting documents to the writer in one run."""
        pending, self.pending = self.pending, []
        add = self.writer.add_json
        for document in pending:
            add(document)

    def commit_blocking(self) -> None:
        self._add_pending()
        self.records_out.flush()  # before any searcher can return the new rows
        self.writer.commit()
        self.index.reload()
        self.latest = self.index.searcher()

    async def commit(self) -> None:
        """Make what was applied searchable (the commit runs off the event loop)."""
        if not self.dirty:
            return
        self.dirty = False
        await asyncio.to_thread(self.commit_blocking)

    def finish_bulk_load(self, writer_heap: int = UPDATE_HEAP) -> None:
        """After the initial build: merge the segments, then keep a small writer for updates."""
        self._add_pending()
        self.records_out.flush()
        self.writer.commit()
        self.writer.wait_merging_threads()
        self.writer = self.index.writer(heap_size=writer_heap, num_threads=1)
        self.index.reload()
        self.latest = self.index.searcher()
        self.dirty = False
        return_freed_memory()

    # ----------------------------------------------------------------------------- searchers

    @property
    def searcher(self) -> tantivy.Searcher:
        """The searcher pinned by this thread's current request, else the latest one."""
        return getattr(self._pinned, "searcher", None) or self.latest

    @contextlib.contextmanager
    def pinned(self):
        """One searcher for a whole request, even if a commit lands meanwhile (hit addresses are
        only valid in the searcher that produced them)."""
        self._pinned.searcher = self.latest
        try:
            yield self
        finally:
            self._pinned.searcher = None

    @property
    def size(self) -> int:
        return self.searcher.num_docs

    # ----------------------------------------------------------------------------- finding ids

    def ids_where(self, query: Query) -> list[str]:
        searcher = self.searcher
        hits = searcher.search(query, limit=ALL_HITS, count=False).hits
        slots = searcher.fast_field_values("slot", [h[1] for h in hits])
        return [self.ids[s] for s in slots if s is not None and self.ids[s] is not None]

    def ids_with_approach(self, slugs: Iterable[str]) -> list[str]:
        slugs = list(slugs)
        if not slugs:
            return []
        return self.ids_where(one_of(any_of("approach_raw", slugs), any_of("approach", slugs)))

    def ids_turning_stale(self, now: datetime) -> list[str]:
        cutoff = int((now - domain.STALE_AFTER).timestamp())
        return self.ids_where(
            all_of(
                Query.term_query(SCHEMA, "fresh", 1),
                Query.range_query(
                    SCHEMA, "confirmed", tantivy.FieldType.Integer, upper_bound=cutoff, include_upper=False
                ),
            )
        )

    # ----------------------------------------------------------------------------- queries

    @staticmethod
    def parse_text(text: str) -> Query:
        """Every word must occur somewhere (BM25 over all text); name and approach matches add."""
        return text_query(text)

    @staticmethod
    def cells_query(center: geo.Point, radius_km: float) -> Query:
        """Every grid cell the circle touches: a superset of the exact radius filter."""
        return cells_query(center, round(radius_km, 3))

    def within(self, base: Query | None, center: geo.Point, radius_km: float) -> Query:
        """Hits of `base` with a practice location inside the circle, exactly."""
        cover = geo.cover_circle(center, round(radius_km, 3))
        if not cover.inside and not cover.edge:
            return Query.empty_query()
        parts = []
        if cover.inside:
            parts.append(any_of("cell", cover.inside))
        if not cover.edge:
            return one_of(*parts)
        edge = any_of("cell", cover.edge)
        searcher = self.searcher
        candidates = all_of(base, edge) if base is not None else edge
        hits = searcher.search(candidates, limit=ALL_HITS, count=False).hits
        if hits:
            slots = np.array(searcher.fast_field_values("slot", [h[1] for h in hits]), dtype=np.int64)
            far = ~(self.distances(slots, center) <= radius_km)
            outside = [self.ids[s] for s in slots[far].tolist() if self.ids[s] is not None]
            if outside:
                edge = Query.boolean_query([(Occur.Must, edge), (Occur.MustNot, any_of("id", outside))])
        parts.append(edge)
        return one_of(*parts)

    def top(
        self,
        query: Query,
        limit: int,
        *,
        order_by: str | None = None,
        weight_by: str | None = None,
        offset: int = 0,
    ) -> list[tuple[Any, Any]]:
        if order_by is not None:
            return self.searcher.search(
                query, limit=limit, count=False, order_by_field=order_by, offset=offset
            ).hits
        return self.searcher.search(
            query, limit=limit, count=False, weight_by_field=weight_by, offset=offset
        ).hits

    # ----------------------------------------------------------------------------- rows

    def distances(self, slots: np.ndarray, center: geo.Point) -> np.ndarray:
        """Km from `center` to the nearest practice location of each slot (NaN: none)."""
        found = geo.distances_km(center, self.lat.view()[slots], self.lon.view()[slots])
        if self.more_points:
            for n, slot in enumerate(slots.tolist()):
                points = self.more_points.get(slot)
                if points:
                    lats = np.array([p.lat for p in points])
                    lons = np.array([p.lon for p in points])
                    found[n] = geo.distances_km(center, lats, lons).min()
        return found

    def nearest_km(self, slot: int, center: geo.Point) -> float | None:
        distance = float(self.distances(np.array([slot], dtype=np.int64), center)[0])
        return None if math.isnan(distance) else distance

    def count_facets(self, slots: np.ndarray) -> Facets:
        """Facet counts of the given rows, counted here (fast for a few thousand rows)."""
        return self.facet_table.count(slots)

    def facets(self, query: Query) -> tuple[int, Facets]:
        """The number of hits and the facet counts of a (large) result set, by the engine."""
        return engine_facets(self.searcher, query)

    def load(self, hits: list[tuple[Any, Any]], center: geo.Point | None) -> list[Hit]:
        """The stored cards of (key, address) hits, with distances from `center` if given."""
        slots = self.searcher.fast_field_values("slot", [h[1] for h in hits])
        distances = None
        if center is not None and hits:
            found = self.distances(np.array(slots, dtype=np.int64), center).tolist()
            distances = [None if math.isnan(d) else d for d in found]
        return self.load_slots([h[0] for h in hits], slots, distances)

    def load_slots(
        self, keys: list[Any], slots: list[int], distances: list[float | None] | None
    ) -> list[Hit]:
        """The stored cards of the given rows, each with its sort key (and distance)."""
        ends = self.record_end.data
        read = self.records_in.read
        return [
            Hit(read(int(ends[s]), int(ends[s + 1])), self.ids[s] or "", s, key, d)
            for key, s, d in zip(keys, slots, distances or [None] * len(slots), strict=True)
        ]

    def slot_ids(self, hits: list[tuple[Any, Any]]) -> list[str | None]:
        slots = self.searcher.fast_field_values("slot", [h[1] for h in hits])
        return [self.ids[s] if s is not None else None for s in slots]

    def listed_row(self, therapist_id: str) -> int | None:
        """The therapist's slot in the pinned searcher; None if it lists no such therapist."""
        hits = self.top(term("id", therapist_id), 1)
        return self.searcher.fast_field_values("slot", [hits[0][1]])[0] if hits else None

    def card(self, therapist_id: str) -> Hit | None:
        hits = self.top(term("id", therapist_id), 1)
        return self.load(hits, None)[0] if hits else None
