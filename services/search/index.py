"""This replica's in-process full-text index (tantivy) over the read model.

Text fields (names, titles, approach names and aliases, statements, bios) are matched with
English stemming: the short name fields are stemmed when indexed; the long `all` field is indexed
word by word (stemming ~600 words per profile was half the cost of building the index) and a
query word is matched against each of its forms that stems alike (see `WordForms`). Every filter
is a raw-token field, and the ones with facets are fast fields so that facet counts are tantivy
aggregations over the current result set. Ordering keys are fast fields computed at indexing
time: per rotation bucket a u64 rotation key (lists without text) and a float relevance weight
(text), plus a freshness key. A small per-document table kept in Python (`slot` -> id,
coordinates, facet codes) serves exact distances and facet counts of small result sets.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import fcntl
import functools
import glob
import itertools
import math
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
import orjson
import tantivy
from tantivy import Occur, Query

from services.search import domain, geo
from services.search.store import stored_listing

# `all` holds every searchable word (names, titles, approach names and aliases, statements,
# bios), lower-cased but not stemmed; matches in the (stemmed) name fields add to the score.
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
}
FACET_SIZES = {"cities": 25, "languages": 30}
# The fee-ceiling facet (`maxFee`): per ceiling in USD, how many results' lowest fee is at most it
# (what the `maxFee` filter would leave).
FEE_FACET = "maxFee"
FEE_CEILINGS = (50, 75, 100, 125, 150, 200, 250)
FACET_NAMES = (*FACETS, FEE_FACET)
FILTER_ONLY_FIELDS = ("id", "approach_raw", "issue_top", "city", "licensed_state", "cell")
BUCKETS = range(domain.ROTATION_BUCKETS)
ROTATION_FIELDS = [f"rot_{b}" for b in BUCKETS]
WEIGHT_FIELDS = [f"w_{b}" for b in BUCKETS]
ALL_HITS = 1_000_000
# Where replicas keep their index files (default: the system's temporary directory).
INDEX_DIR_ENV = "SEARCH_INDEX_DIR"
INDEX_PREFIX = "search-index-"
LOCK_FILE = "lock"
# Writer memory: generous for the initial build (fewer, larger segments), small for updates.
BUILD_HEAP = 256_000_000
UPDATE_HEAP = 40_000_000
# Documents are handed to the engine's writer in runs of up to this many.
PENDING_DOCUMENTS = 256


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
    sb.add_unsigned_field("fresh", indexed=True)
    sb.add_integer_field("confirmed", fast=True)
    sb.add_unsigned_field("fresh_key", fast=True)
    for b in BUCKETS:
        sb.add_unsigned_field(f"rot_{b}", fast=True)
        sb.add_float_field(f"w_{b}", fast=True)
    return sb.build()


SCHEMA = _schema()


# Endings that make the other forms of an English word (inflections and common derivations).
# A candidate form counts only if it stems like the query word, so a wrong guess costs nothing.
ENDINGS = (
    "", "s", "es", "ed", "d", "ing", "er", "ers", "e", "y", "ies", "ied", "ly", "ally", "al",
    "ment", "ments", "ness", "ful", "fully", "less", "ion", "ions", "ional", "ation", "ations",
    "ational", "ate", "ates", "ated", "ating", "ive", "ively", "ity", "ities", "ize", "izes",
    "ized", "izing", "ise", "ises", "ised", "ising", "ist", "ists", "ism", "ic", "ical", "ence",
    "ences", "ance", "ances", "ent", "ant", "able", "ably", "ible", "ous", "ously",
)


class WordForms:
    """The query side of stemming for the `all` field, which is indexed unstemmed.

    A query word matches every indexed word with the same English (Snowball) stem. The forms
    are generated from the word and its stem with common endings and kept if they stem alike;
    forms that no profile uses match nothing and cost one dictionary lookup.
    """

    def __init__(self) -> None:
        # As tantivy's "default" and "en_stem" analysers: split, drop long words, lower-case (stem).
        self._words = _analyzer(tantivy.Filter.remove_long(40), tantivy.Filter.lowercase())
        self._stems = _analyzer(
            tantivy.Filter.remove_long(40), tantivy.Filter.lowercase(), tantivy.Filter.stemmer("english")
        )
        # Bounded: a cached entry holds up to ~60 term queries, and query words come from anyone.
        self.forms = functools.lru_cache(maxsize=4096)(self._forms)
        self.matching = functools.lru_cache(maxsize=4096)(self._matching)

    def words(self, text: str) -> list[str]:
        """The words of `text` as the `all` field holds them (split, lower-cased)."""
        return self._words.analyze(text)

    def _forms(self, word: str) -> tuple[str, ...]:
        stem = self._stems.analyze(word)
        if not stem:
            return (word,)
        stem = stem[0]
        bases = {word, stem}
        if stem.endswith("i"):  # happi -> happy, happiness
            bases.add(stem[:-1] + "y")
            bases.add(stem[:-1])
        if len(stem) > 2 and stem[-1] not in "aeiouwxy":  # run -> running
            bases.add(stem + stem[-1])
        candidates = sorted({b + e for b in bases for e in ENDINGS if len((b + e).encode()) < 40})
        stems = self._stems.analyze(" ".join(candidates))
        if len(stems) != len(candidates):  # never expected: each candidate is one short word
            stems = [(self._stems.analyze(c) or [""])[0] for c in candidates]
        return tuple(sorted({word, *(c for c, s in zip(candidates, stems, strict=True) if s == stem)}))

    def _matching(self, word: str) -> Query:
        forms = [Query.term_query(SCHEMA, MATCH_FIELD, f, index_option="freq") for f in self.forms(word)]
        return forms[0] if len(forms) == 1 else Query.boolean_query([(Occur.Should, q) for q in forms])

    def query(self, text: str) -> Query | None:
        """Every word of `text` in one of its forms (BM25 over the forms); None without words."""
        clauses = [self.matching(word) for word in dict.fromkeys(self.words(text))]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else Query.boolean_query([(Occur.Must, q) for q in clauses])


def _analyzer(*filters: tantivy.Filter) -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    for step in filters:
        builder = builder.filter(step)
    return builder.build()


WORD_FORMS = WordForms()
# Parses query text for every index (they share the schema and the analysers); holds no documents.
_QUERY_PARSER = tantivy.Index(SCHEMA)


@functools.lru_cache(maxsize=4096)
def _text_query(text: str) -> Query:
    """The query of a search text, kept for the texts asked most (bounded: texts come from anyone)."""
    matched = WORD_FORMS.query(text)
    if matched is None:  # no word in it (punctuation only): nothing matches
        return Query.empty_query()
    boosted, _errors = _QUERY_PARSER.parse_query_lenient(
        text, default_field_names=list(TEXT_BOOSTS), field_boosts=TEXT_BOOSTS
    )
    return Query.boolean_query([(Occur.Must, matched), (Occur.Should, boosted)])


def _lower(values: Iterable[str | None]) -> list[str]:
    return sorted({v.strip().lower() for v in values if v and v.strip()})


@dataclass
class Approaches:
    """What the index needs to know about approaches: current slugs, names and aliases."""

    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    canonical: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)

    def put(self, doc: dict[str, Any]) -> set[str]:
        """Record an approach (or its tombstone); returns every slug whose cards must be redone."""
        before = self.by_id.get(doc["_id"])
        self.by_id[doc["_id"]] = doc
        self._rebuild_maps()
        touched = {doc["slug"], *doc.get("previousSlugs", [])}
        if before:
            touched |= {before["slug"], *before.get("previousSlugs", [])}
        return touched

    def _rebuild_maps(self) -> None:
        self.canonical, self.names, self.words = {}, {}, {}
        for doc in self.by_id.values():
            if doc.get("deleted"):
                continue
            for old in doc.get("previousSlugs", []):
                self.canonical[old] = doc["slug"]
            self.canonical[doc["slug"]] = doc["slug"]
            self.names[doc["slug"]] = doc["name"]
            self.words[doc["slug"]] = " ".join([doc["name"], *doc.get("aliases", [])])

    def resolve(self, slug: str) -> str:
        return self.canonical.get(slug, slug)


def index_document(
    slot: int, profile: dict[str, Any], points: list[list[float]], approaches: Approaches, now: datetime
) -> tuple[dict[str, Any], bytes]:
    """The tantivy document of one stored public profile (added as JSON, the fastest input), and
    the row's record: its licensed states (JSON), a newline, then its card (JSON)."""
    card = domain.card_from_profile(profile, approaches.canonical)
    confirmed = domain.parse_time(profile.get("availabilityConfirmedAt"))
    stale = domain.is_stale(confirmed, now)
    therapist_id = profile["id"]
    canonical = [a["slug"] for a in card["approaches"]]
    location, locations = profile["location"], profile["locations"]
    states = {location["state"].upper(), *(loc["state"].upper() for loc in locations)}
    cities = {(location["city"].strip(), location["state"].upper())}
    cities |= {(loc["city"].strip(), loc["state"].upper()) for loc in locations}
    cities = {(c, s) for c, s in cities if c and not c.isdigit()}
    licensed = domain.licensed_states(profile)
    fee = domain.lowest_fee(profile)
    identity, bio, money = profile["identity"], profile["bio"], profile["money"]
    names = " ".join([profile["displayName"], profile["title"], *(c for c, _ in cities)])
    approach_text = " ".join(approaches.words.get(s, s.replace("-", " ")) for s in canonical)
    doc: dict[str, Any] = {
        "names": names,
        "approach_text": approach_text,
        MATCH_FIELD: "\n".join(
            [
                names,
                approach_text,
                *(a["statement"] for a in profile["approaches"]),
                bio["helpWith"],
                bio["approach"],
                bio["about"],
            ]
        ),
        "approach": canonical,
        "approach_raw": sorted({a["slug"] for a in profile["approaches"]}),
        "issue": [i["slug"] for i in profile["issues"]],
        "issue_top": [i["slug"] for i in profile["issues"] if i["top"]],
        "state": sorted(states),
        "city": _lower(c for c, _ in cities),
        "city_label": sorted(f"{c}, {s}" for c, s in cities),
        "licensed_state": licensed,
        "telehealth_state": sorted({s.upper() for s in profile["telehealthStates"]}),
        "format": profile["formats"],
        "new_client_status": [profile["newClientStatus"]] if profile.get("newClientStatus") else [],
        "insurance": money["insurance"],
        "sliding_scale": "true" if money["slidingScale"] else "false",
        "language": profile["languages"],
        "gender": _lower([identity.get("gender")]),
        "race": _lower(identity.get("raceEthnicity") or []),
        "faith": _lower([identity.get("faith")]),
        "lgbtq": "true" if identity.get("lgbtq") else "false",
        "age_group": profile["ageGroups"],
        "cell": sorted({geo.cell_of(geo.Point(lat, lon)) for lat, lon in points}),
        "id": therapist_id,
        "slot": slot,
        "fresh": 0 if stale else 1,
        "confirmed": int(confirmed.timestamp()) if confirmed else 0,
        "fresh_key": domain.freshness_key(datetime.fromisoformat(profile["updatedAt"]), therapist_id),
    }
    if fee is not None:
        doc["min_fee"] = fee
    rotation, weights = domain.ordering_keys(therapist_id, stale)
    doc.update(zip(ROTATION_FIELDS, rotation, strict=True))
    doc.update(zip(WEIGHT_FIELDS, weights, strict=True))
    return doc, orjson.dumps(licensed) + b"\n" + orjson.dumps(card)


def remove_abandoned_indexes(parent: str | None = None) -> list[str]:
    """Delete the index folders of replicas that died without cleaning up; returns their paths.

    A live index holds an exclusive lock on its folder's lock file; a folder whose lock can be
    taken belongs to no running process. Folders without a lock file are left alone.
    """
    parent = parent or os.environ.get(INDEX_DIR_ENV) or tempfile.gettempdir()
    removed = []
    for folder in sorted(glob.glob(os.path.join(parent, INDEX_PREFIX + "*"))):
        try:
            lock = open(os.path.join(folder, LOCK_FILE), "rb")
        except OSError:
            continue
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a running replica's index
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


class _RecordsWriter:
    """The writing end of an index's records file. Records are gathered in memory and written
    out a chunk at a time by a thread of its own (the write releases the GIL), so the thread that
    prepares documents only copies bytes: writing the build's records (~2 KB per profile) had
    cost it ~5 % of its time. `flush` returns once all that was written is in the file."""

    CHUNK = 1 << 20

    def __init__(self, path: str) -> None:
        self.file = open(path, "ab", buffering=0)  # noqa: SIM115 (closed with the index)
        self.chunk = bytearray()
        self.writing: concurrent.futures.Future | None = None
        self.thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="search-records")

    def write(self, data: bytes) -> None:
        self.chunk += data
        if len(self.chunk) >= self.CHUNK:
            self._hand_over()

    def _hand_over(self) -> None:
        if self.writing is not None:
            self.writing.result()  # one chunk in flight at a time, in order
        data, self.chunk = self.chunk, bytearray()
        self.writing = self.thread.submit(self._write_all, data)

    def _write_all(self, data: bytearray) -> None:
        view = memoryview(data)
        while view:
            view = view[self.file.write(view) :]

    def flush(self) -> None:
        if self.chunk:
            self._hand_over()
        if self.writing is not None:
            writing, self.writing = self.writing, None
            writing.result()

    def close(self) -> None:
        self.thread.shutdown(wait=True)
        self.file.close()


def _release(directory: tempfile.TemporaryDirectory, *files: Any) -> None:
    """An index is gone: close its records file and delete its directory."""
    for file in files:
        file.close()
    directory.cleanup()


def _return_freed_memory() -> None:
    """Hand the build's freed writer memory back to the OS (glibc keeps it otherwise)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@functools.lru_cache(maxsize=4096)
def _cells_query(center: geo.Point, radius_km: float) -> Query:
    cover = geo.cover_circle(center, radius_km)
    cells = cover.inside + cover.edge
    return any_of("cell", cells) if cells else Query.empty_query()


def term(field_name: str, value: str) -> Query:
    return Query.term_query(SCHEMA, field_name, value)


def any_of(field_name: str, values: Iterable[str]) -> Query:
    values = list(values)
    return (
        term(field_name, values[0]) if len(values) == 1 else Query.term_set_query(SCHEMA, field_name, values)
    )


def fee_at_most(amount: int) -> Query:
    return Query.range_query(SCHEMA, "min_fee", tantivy.FieldType.Unsigned, upper_bound=amount)


def all_of(*queries: Query) -> Query:
    return Query.boolean_query([(Occur.Must, q) for q in queries]) if len(queries) != 1 else queries[0]


def one_of(*queries: Query) -> Query:
    return Query.boolean_query([(Occur.Should, q) for q in queries]) if len(queries) != 1 else queries[0]


@dataclass
class Hit:
    """One loaded result: its row's record (licensed states and card as JSON, parsed on demand)
    and its sort key."""

    record: bytes
    id: str
    slot: int
    key: Any
    distance_km: float | None

    @cached_property
    def raw(self) -> bytes:
        """The card's JSON."""
        return self.record[self.record.index(b"\n") + 1 :]

    @cached_property
    def card(self) -> dict[str, Any]:
        return orjson.loads(self.raw)

    @property
    def licensed(self) -> list[str]:
        return orjson.loads(self.record[: self.record.index(b"\n")])


# The engine's range aggregation takes no overlapping ranges: one band per ceiling (above the one
# before it), summed up into "at most the ceiling".
_FEE_RANGES = [
    {"key": str(ceiling), "from": low, "to": ceiling + 1}
    for low, ceiling in zip((0, *(c + 1 for c in FEE_CEILINGS[:-1])), FEE_CEILINGS, strict=True)
]


def facet_aggregations() -> dict[str, Any]:
    """The engine's aggregations behind the facets of a result set (`SearchIndex.facets`)."""
    spec: dict[str, Any] = {
        name: {"terms": {"field": fld, "size": FACET_SIZES.get(name, 100)}} for name, fld in FACETS.items()
    }
    spec[FEE_FACET] = {"range": {"field": "min_fee", "ranges": _FEE_RANGES}}
    return spec


def _fee_facet(at_most: Iterable[int]) -> list[dict[str, Any]]:
    """The `maxFee` facet from the number of results at or under each ceiling (zeros left out)."""
    return [
        {"value": str(ceiling), "count": count}
        for ceiling, count in zip(FEE_CEILINGS, at_most, strict=True)
        if count
    ]


class _Column:
    """A growable numpy column (amortised appends; `view()` is the filled part)."""

    def __init__(self, dtype: Any, initial: Iterable[Any] = ()) -> None:
        values = list(initial)
        self.data = np.zeros(max(1024, len(values)), dtype=dtype)
        self.data[: len(values)] = values
        self.size = len(values)

    def _reserve(self, extra: int) -> None:
        if self.size + extra > len(self.data):
            grown = np.zeros(max(2 * len(self.data), self.size + extra), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown

    def append(self, value: Any) -> None:
        self._reserve(1)
        self.data[self.size] = value
        self.size += 1

    def extend(self, values: list[Any]) -> None:
        self._reserve(len(values))
        self.data[self.size : self.size + len(values)] = values
        self.size += len(values)

    def view(self) -> np.ndarray:
        return self.data[: self.size]


class FacetCodeRows:
    """Per slot, the codes of its facet values in one fixed-width row padded with 0 (no value),
    so that counting the facets of a set of rows is one gather and one count. The rows widen for
    a profile with more values than any before, and the codes go from 16 to 32 bits past 65,535."""

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

    def count(self, slots: np.ndarray, known_codes: int) -> np.ndarray:
        """How many of the given rows hold each code (index 0, the padding, counts nothing)."""
        counts = np.bincount(self.rows[slots].ravel(), minlength=known_codes)
        counts[0] = 0
        return counts


class SearchIndex:
    """One tantivy index plus the slot table; written by `IndexSync`, read by the API."""

    def __init__(self, *, writer_heap: int = UPDATE_HEAP, writer_threads: int = 1) -> None:
        # The index lives in files of its own (deleted with it): the OS page cache holds them, so
        # this process's resident memory is only what queries touch, and the build's merges do not
        # hold two copies in the heap.
        self.files = tempfile.TemporaryDirectory(
            prefix=INDEX_PREFIX, dir=os.environ.get(INDEX_DIR_ENV) or None, ignore_cleanup_errors=True
        )
        # Held while the index lives, so that a replica starting later can tell the folder of a
        # replica that died without cleaning up (kill -9, out of memory) and remove it. Locked
        # before it gets its name: a lock file is never seen unlocked while its index lives.
        self.lock = open(os.path.join(self.files.name, LOCK_FILE + ".new"), "wb")
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        os.rename(self.lock.name, os.path.join(self.files.name, LOCK_FILE))
        engine_files = os.path.join(self.files.name, "tantivy")
        os.mkdir(engine_files)
        self.index = tantivy.Index(SCHEMA, path=engine_files)
        # Each row's record (licensed states and card, JSON) appended to one file: results read
        # theirs at an offset, without the engine's document store.
        records = os.path.join(self.files.name, "records")
        self.records_out = _RecordsWriter(records)
        self.records_in = open(records, "rb", buffering=0)
        self.record_end = _Column(np.int64, [0])
        weakref.finalize(self, _release, self.files, self.records_out, self.records_in, self.lock)
        self.index.config_reader(reload_policy="Manual")
        self.writer = self.index.writer(heap_size=writer_heap, num_threads=writer_threads)
        self.approaches = Approaches()
        # Per slot (a therapist's row in this replica, never reused): id, coordinates, and the
        # codes of its facet values, for counting facets of small result sets here.
        self.slot_of: dict[str, int] = {}
        self.ids: list[str | None] = []
        # First practice location per slot (NaN: none); every location of slots with several.
        self.lat = _Column(np.float64)
        self.lon = _Column(np.float64)
        self.min_fee = _Column(np.int64)  # the lowest fee (USD) per slot, -1: none given
        self.more_points: dict[int, tuple[geo.Point, ...]] = {}
        self.code_rows = FacetCodeRows()
        self.codes: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        self.code_values: list[tuple[str, str]] = [("", "")]  # code 0: no value
        self.versions: dict[str, int] = {}
        # Documents applied but not yet handed to the writer (JSON), at most PENDING_DOCUMENTS.
        self.pending: list[str] = []
        self.latest = self.index.searcher()
        self._pinned = threading.local()
        self.dirty = False
        self.lock = asyncio.Lock()

    # ----------------------------------------------------------------------------- writing

    def apply(self, doc: dict[str, Any], now: datetime, *, force: bool = False) -> bool:
        """Apply a read-model document (a card or a tombstone) unless it is not newer."""
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
        if listing is None:
            self.slot_of.pop(therapist_id, None)
            return True
        profile, points = listing
        # A new slot for every version: a searcher opened before the commit may still return
        # the old version's row, which must keep describing the old version.
        slot = len(self.ids)
        self.slot_of[therapist_id] = slot
        self.ids.append(therapist_id)
        self.lat.append(points[0][0] if points else math.nan)
        self.lon.append(points[0][1] if points else math.nan)
        if len(points) > 1:
            self.more_points[slot] = tuple(geo.Point(lat, lon) for lat, lon in points)
        fields, record = index_document(slot, profile, points, self.approaches, now)
        self.records_out.write(record)
        self.record_end.append(self.record_end.data[slot] + len(record))
        self.code_rows.append(self._facet_codes(fields))
        self.min_fee.append(fields.get("min_fee", -1))
        self.pending.append(orjson.dumps(fields).decode())
        if len(self.pending) >= PENDING_DOCUMENTS:
            self._add_pending()
        return True

    def _add_pending(self) -> None:
        """Hand the waiting documents to the writer in one run: its indexing thread then stays
        busy through the run instead of being woken for each document."""
        pending, self.pending = self.pending, []
        add = self.writer.add_json
        for document in pending:
            add(document)

    def _facet_codes(self, fields: dict[str, Any]) -> list[int]:
        codes = []
        append = codes.append
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
                append(code)
        return codes

    def count_facets(self, slots: np.ndarray) -> dict[str, list[dict[str, Any]]]:
        """Facet counts of the given rows, counted here (fast for a few thousand rows)."""
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
        found[FEE_FACET] = _fee_facet(np.searchsorted(fees, FEE_CEILINGS, side="right").tolist())
        return found

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
        _return_freed_memory()

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

    # ----------------------------------------------------------------------------- reading

    @property
    def size(self) -> int:
        return self.searcher.num_docs

    @staticmethod
    def parse_text(text: str) -> Query:
        """Every word must occur somewhere (BM25 over all text); name and approach matches add."""
        return _text_query(text)

    @staticmethod
    def cells_query(center: geo.Point, radius_km: float) -> Query:
        """Every grid cell the circle touches: a superset of the exact radius filter."""
        return _cells_query(center, round(radius_km, 3))

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

    def facets(self, query: Query) -> tuple[int, dict[str, list[dict[str, Any]]]]:
        """The number of hits and the facet counts of a (large) result set, by the engine."""
        spec = facet_aggregations()
        spec["_total"] = {"value_count": {"field": "slot"}}
        result = self.searcher.aggregate(query, spec)
        total = int(result.pop("_total")["value"])
        found = {
            name: [{"value": b["key"], "count": b["doc_count"]} for b in result[name]["buckets"]]
            for name in FACETS
        }
        in_range = {b["key"]: b["doc_count"] for b in result[FEE_FACET]["buckets"]}
        found[FEE_FACET] = _fee_facet(
            itertools.accumulate(in_range.get(str(ceiling), 0) for ceiling in FEE_CEILINGS)
        )
        return total, found

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
        fd = self.records_in.fileno()
        return [
            Hit(os.pread(fd, int(ends[s + 1] - ends[s]), int(ends[s])), self.ids[s] or "", s, key, d)
            for key, s, d in zip(keys, slots, distances or [None] * len(slots), strict=True)
        ]

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

    def slot_ids(self, hits: list[tuple[Any, Any]]) -> list[str | None]:
        slots = self.searcher.fast_field_values("slot", [h[1] for h in hits])
        return [self.ids[s] if s is not None else None for s in slots]

    def card(self, therapist_id: str) -> Hit | None:
        hits = self.top(term("id", therapist_id), 1)
        return self.load(hits, None)[0] if hits else None
