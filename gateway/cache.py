"""In-process caches invalidated by the services' change events.

`TaggedCache` holds values with the tags of the data they were built from; an event
invalidates tags. A value fetched while one of its tags was invalidated is refused, so a read
that raced an event can never outlive it. Search applies the same events on its own queue a
little after the gateway hears them, so for a while after an event (`settle_seconds`) values
built from search data are kept only briefly (`settling_ttl`): whatever search still served
from before the change is dropped soon after search catches up. The cache only serves while the gateway is
receiving events (`enabled`); without them nothing could tell it what changed.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from integration_events.approaches import APPROACH_EVENT_TYPES
from integration_events.inquiries import INQUIRY_EVENT_TYPES
from integration_events.therapists import STALE_AFTER, THERAPIST_EVENT_TYPES, THERAPIST_UPDATED

# Everything the search service derived from therapists, approaches and inquiries: result
# lists, facets, cards.
SEARCH = "search"
# Which therapists each approach page lists, in which order and how many: search data too, but
# one that a therapist's edit changes only through the fields below (a page also carries the
# tags of the therapists it shows, for what their cards say).
SPECIALISTS = "specialists"
APPROACH_LIST = "approaches"
# The public fields on which no approach page's list, order or count depends: an update that
# changed only these changes only the cards of the therapist who made it. A field not named
# here is taken to move the lists (a new field is safe until it is added).
PAGE_NEUTRAL_FIELDS = frozenset(
    {
        "displayName", "title", "location", "pronouns", "photoUrl", "yearsInPractice", "licences",
        "npi", "taxonomyCode", "locations", "telehealthStates", "telehealthStatesServed",
        "licenceStatus", "formats", "newClientStatus", "money", "issues", "populations",
        "ageGroups", "languages", "identity", "bio", "updatedAt",
    }
)  # fmt: skip


def therapist_tag(therapist_id: str) -> str:
    return f"therapist:{therapist_id}"


def approach_tag(slug: str) -> str:
    return f"approach:{slug}"


@dataclass(frozen=True)
class Invalidation:
    """Tags to drop when an event arrives, and those whose source applies it only later."""

    now: frozenset[str]
    settling: frozenset[str]


def invalidation_for(
    event_type: str, data: dict[str, Any], changed: frozenset[str] | None = None
) -> Invalidation:
    """What an event makes stale; `changed`: the fields an update changed, if its publisher said."""
    if event_type in THERAPIST_EVENT_TYPES:
        therapist = therapist_tag(str(data["id"]))
        # Search applies it later too: what it shows of this therapist settles as well.
        derived = {SEARCH, therapist}
        neutral = event_type == THERAPIST_UPDATED and changed is not None and changed <= PAGE_NEUTRAL_FIELDS
        if not neutral or _may_have_gone_stale(data):
            derived.add(SPECIALISTS)
        return Invalidation(frozenset(derived), frozenset(derived))
    if event_type in APPROACH_EVENT_TYPES:
        slugs = {str(data["slug"]), *(str(s) for s in data.get("previousSlugs") or ())}
        tags = {approach_tag(s) for s in slugs} | {
            f"approach-id:{data['id']}",
            APPROACH_LIST,
            SEARCH,
            SPECIALISTS,
        }
        return Invalidation(frozenset(tags), frozenset({SEARCH, SPECIALISTS}))
    if event_type in INQUIRY_EVENT_TYPES:
        # Search derives each therapist's responsiveness (on every card, and in the order of
        # approach pages) from inquiry events.
        return Invalidation(frozenset({SEARCH, SPECIALISTS}), frozenset({SEARCH, SPECIALISTS}))
    return Invalidation(frozenset(), frozenset())


# Clocks of the gateway and search may differ by this much.
CLOCK_MARGIN = timedelta(hours=1)


def _may_have_gone_stale(data: dict[str, Any]) -> bool:
    """Whether a listing's availability may have gone stale since search last indexed it: search
    judges staleness when it indexes, and a stale listing moves down its approach pages, so then
    an edit of any field may move it there. One never confirmed was stale all along."""
    confirmed_at = data.get("availabilityConfirmedAt")
    if confirmed_at is None:
        return False
    try:
        confirmed = datetime.fromisoformat(str(confirmed_at))
    except ValueError:
        return True
    if confirmed.tzinfo is None:
        confirmed = confirmed.replace(tzinfo=UTC)
    return datetime.now(UTC) - confirmed > STALE_AFTER - CLOCK_MARGIN


@dataclass(frozen=True)
class Entry:
    value: Any
    tags: frozenset[str]
    expires: float


class TaggedCache:
    def __init__(
        self,
        max_entries: int,
        ttl_seconds: float,
        *,
        settle_seconds: float = 5.0,
        settling_ttl: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self.settle_seconds = settle_seconds
        self.settling_ttl = settling_ttl
        self.clock = clock
        self._settling_until: dict[str, float] = {}
        self.enabled = False
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._keys_by_tag: dict[str, set[str]] = {}
        self._generation = 0
        self._invalidated_at: dict[str, int] = {}
        self._cleared_at = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def generation(self) -> int:
        """Take this before reading a backend; pass it to `put` as `since`."""
        return self._generation

    def get(self, key: str) -> Entry | None:
        if not self.enabled:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires < self.clock():
            self._remove(key)
            return None
        return entry

    def put(self, key: str, value: Any, tags: Iterable[str], *, since: int) -> bool:
        """Store `value` unless caching is off or one of `tags` changed after `since`."""
        tags = frozenset(tags)
        if not self.enabled or self._cleared_at > since:
            return False
        if any(self._invalidated_at.get(tag, -1) > since for tag in tags):
            return False
        if key in self._entries:
            self._remove(key)
        now = self.clock()
        settling = self.settling(tags)
        self._entries[key] = Entry(value, tags, now + (self.settling_ttl if settling else self.ttl_seconds))
        for tag in tags:
            self._keys_by_tag.setdefault(tag, set()).add(key)
        while len(self._entries) > self.max_entries:
            self._remove(next(iter(self._entries)))
        return True

    def settling(self, tags: Iterable[str]) -> bool:
        """Whether data under one of `tags` may still change as its source applies an event."""
        now = self.clock()
        return any(self._settling_until.get(tag, 0.0) > now for tag in tags)

    def invalidate(self, tags: Iterable[str], *, settling: Iterable[str] = ()) -> int:
        """Drop every entry carrying one of `tags`; returns how many were dropped.

        `settling` tags name data whose source has not applied the change yet: for a while,
        entries carrying them are kept only briefly."""
        self._generation += 1
        until = self.clock() + self.settle_seconds
        for tag in settling:
            self._settling_until[tag] = until
        dropped = 0
        for tag in tags:
            self._invalidated_at[tag] = self._generation
            for key in self._keys_by_tag.pop(tag, ()):
                if self._remove(key):
                    dropped += 1
        if len(self._invalidated_at) > 4 * self.max_entries:
            self.clear()  # bound the bookkeeping; a rare full refill is cheaper than a leak
        return dropped

    def clear(self) -> None:
        self._generation += 1
        self._cleared_at = self._generation
        self._entries.clear()
        self._keys_by_tag.clear()
        self._invalidated_at.clear()

    def _remove(self, key: str) -> bool:
        entry = self._entries.pop(key, None)
        if entry is None:
            return False
        for tag in entry.tags:
            keys = self._keys_by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_by_tag[tag]
        return True


class BoundedMap:
    """A small LRU map (visitor session -> rotation bucket, APQ hash -> query)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[str, str] = OrderedDict()

    def get(self, key: str) -> str | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def set(self, key: str, value: str) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)


T = TypeVar("T")


class SingleFlight(Generic[T]):
    """Concurrent callers asking for the same key share one computation."""

    def __init__(self) -> None:
        self._running: dict[str, asyncio.Future[T]] = {}

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        running = self._running.get(key)
        if running is not None:
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not running.cancelled() or (task is not None and task.cancelling()):
                    raise
                # The leader was cancelled (its client went away); this caller still wants it.
                return await work()
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            result = await work()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # followers re-raise it; do not warn when there are none
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._running[key]
