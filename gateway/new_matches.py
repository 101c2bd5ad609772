"""`newMatches`: the therapists who come to fit a visitor's search and accept new clients,
told to the visitor while their page is open.

Whether a therapist fits a search is only the search service's to say: its fits route answers
with the search's own query, so what a subscriber is told is exactly what searching would show.
This replica keeps its open subscriptions grouped by their search, and after an event about a
therapist asks search once, with every distinct search open here, which of them the therapist
fits now. Search applies the same event a moment after this replica hears it; its answer names
the therapist's version it reflects, and is asked again, briefly, while that is older than the
event's. Each subscription remembers whom it told, until they stop fitting, so a therapist who
goes on fitting through later changes is told of once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import strawberry
import structlog
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    retry_if_result,
    stop_before_delay,
    wait_exponential,
)

from gateway.context import context_of
from gateway.errors import BackendUnavailable, BadUserInput
from gateway.subscription_slots import SubscriptionSlots, subscriber_of
from gateway.types.search import TherapistFilter, filter_parameters
from gateway.types.therapists import Therapist
from integration_events.therapists import NewClientStatus

log = structlog.get_logger(__name__)

ACCEPTING = NewClientStatus.ACCEPTING.value
# How long search may take to apply an event before this replica stops asking about it.
CATCH_UP_SECONDS = 5.0
# The searches one fits request may carry (the search service's MAX_FILTERS).
FILTERS_PER_REQUEST = 100
# Therapist checks asking search at once; further events wait their turn.
CONCURRENT_CHECKS = 4
# Whom one subscription remembers having told (the oldest is forgotten first), and how many
# announcements wait for a subscriber that does not read.
TOLD_LIMIT = 1000
WAITING_LIMIT = 100
# An id no therapist has: asking about it tells whether search can read a filter at all.
NO_THERAPIST = "-"
_CLOSED = object()

Search = dict[str, Any]  # the search service's parameters, as JSON values
FitsLookup = Callable[[str, Sequence[Search]], Awaitable[dict[str, Any]]]


def accepting_search(text: str | None, filter: TherapistFilter) -> Search:
    """The search a subscription watches: the visitor's, among therapists accepting new clients;
    lists in one order (any of their values matches), so equal searches are one."""
    parameters = filter_parameters(text, filter)
    statuses = parameters.get("newClientStatus")
    if statuses and ACCEPTING not in statuses:
        raise BadUserInput(
            "newMatches tells of therapists accepting new clients: a newClientStatus filter must "
            "include ACCEPTING",
            field="filter.newClientStatus",
        )
    parameters["newClientStatus"] = [ACCEPTING]
    return {k: sorted(set(v)) if isinstance(v, list) else v for k, v in parameters.items()}


def search_key(search: Search) -> str:
    return orjson.dumps(search, option=orjson.OPT_SORT_KEYS).decode()


class MatchWatch:
    """One subscription: the therapists to announce, and those it told of that still fit."""

    def __init__(self, *, told_limit: int = TOLD_LIMIT, waiting_limit: int = WAITING_LIMIT) -> None:
        self.announced: asyncio.Queue[Any] = asyncio.Queue()
        self.told: dict[str, None] = {}  # insertion-ordered: the oldest is forgotten first
        self.told_limit = told_limit
        self.waiting_limit = waiting_limit

    def learn(self, therapist_id: str, fits: bool) -> None:
        """What search says of the therapist now: announced if they fit and were not told of
        since they last fitted."""
        if not fits:
            self.told.pop(therapist_id, None)
            return
        if therapist_id in self.told or self.announced.qsize() >= self.waiting_limit:
            return  # told already; or the subscriber is not reading, and is not told of more
        self.told[therapist_id] = None
        if len(self.told) > self.told_limit:
            del self.told[next(iter(self.told))]
        self.announced.put_nowait(therapist_id)

    def forget(self, therapist_id: str) -> None:
        self.told.pop(therapist_id, None)


@dataclass(eq=False)
class OpenSearch:
    """A search some subscriptions on this replica watch."""

    parameters: Search
    watches: set[MatchWatch] = field(default_factory=set)


class NewMatchesHub:
    def __init__(self, slots: SubscriptionSlots, *, catch_up_seconds: float = CATCH_UP_SECONDS) -> None:
        """`slots` are the per-client limit shared with the other subscriptions; `fits` (the
        search client's, set when the app starts) answers which searches a therapist fits."""
        self.slots = slots
        self.catch_up_seconds = catch_up_seconds
        self.fits: FitsLookup | None = None
        self._searches: dict[str, OpenSearch] = {}
        self._latest: dict[str, int] = {}  # therapist id -> latest version heard and not checked
        self._checks: dict[str, asyncio.Task] = {}
        self._calls = asyncio.Semaphore(CONCURRENT_CHECKS)
        self._closing = False

    def therapist_changed(self, therapist_id: str, version: int, *, deleted: bool = False) -> None:
        """An event about the therapist (created, updated, deleted) at `version`."""
        if deleted:
            self._latest.pop(therapist_id, None)
            for search in self._searches.values():
                for watch in search.watches:
                    watch.forget(therapist_id)
            return
        if not self._searches or self._closing:
            return
        self._latest[therapist_id] = max(version, self._latest.get(therapist_id, 0))
        # One check at a time per therapist: events heard meanwhile make one more, at the latest.
        if therapist_id not in self._checks:
            self._checks[therapist_id] = asyncio.create_task(
                self._check_while_changing(therapist_id), name="gateway-new-matches"
            )

    async def _check_while_changing(self, therapist_id: str) -> None:
        try:
            while (version := self._latest.pop(therapist_id, None)) is not None:
                try:
                    async with self._calls:
                        await self.check(therapist_id, version)
                except (BackendUnavailable, BadUserInput) as exc:
                    # The kind only: a message about a search may quote what a visitor typed.
                    log.warning(
                        "new_matches_check_failed", therapist_id=therapist_id, error=type(exc).__name__
                    )
        finally:
            del self._checks[therapist_id]

    async def check(self, therapist_id: str, version: int) -> None:
        """Ask search which open searches the therapist fits at `version` (or later), and tell
        each subscription what it says."""
        searches = list(self._searches.values())
        for start in range(0, len(searches), FILTERS_PER_REQUEST):
            batch = searches[start : start + FILTERS_PER_REQUEST]
            answer = await self._fits_at(therapist_id, version, [s.parameters for s in batch])
            if answer is None:
                log.warning("new_matches_search_behind", therapist_id=therapist_id, version=version)
                return
            for search, fits in zip(batch, answer["fits"], strict=True):
                for watch in list(search.watches):
                    watch.learn(therapist_id, fits)

    async def _fits_at(
        self, therapist_id: str, version: int, searches: list[Search]
    ) -> dict[str, Any] | None:
        """Search's answer once it reflects `version`; None if it does not in time."""
        assert self.fits is not None
        retrying = AsyncRetrying(
            retry=retry_if_result(lambda answer: (answer["version"] or 0) < version)
            | retry_if_exception_type(BackendUnavailable),
            wait=wait_exponential(multiplier=0.05, max=1.0),
            stop=stop_before_delay(self.catch_up_seconds),
            retry_error_callback=lambda _: None,
        )
        return await retrying(self.fits, therapist_id, searches)

    def close(self) -> None:
        """Shutting down: every subscription ends (its client is told it completed)."""
        self._closing = True
        for task in self._checks.values():
            task.cancel()
        for search in self._searches.values():
            for watch in search.watches:
                watch.announced.put_nowait(_CLOSED)

    @contextlib.asynccontextmanager
    async def watch(self, client: str, search: Search) -> AsyncIterator[AsyncIterator[str]]:
        """The ids of the therapists who come to fit `search`, for as long as the block runs;
        SubscriptionLimitExceeded when `client` has no subscription left on this replica."""
        with self.slots.held(client):
            key = search_key(search)
            opened = self._searches.setdefault(key, OpenSearch(search))
            watch = MatchWatch()
            opened.watches.add(watch)
            try:
                yield self._announced(watch)
            finally:
                opened.watches.discard(watch)
                if not opened.watches and self._searches.get(key) is opened:
                    del self._searches[key]

    async def _announced(self, watch: MatchWatch) -> AsyncIterator[str]:
        while not self._closing:
            therapist_id = await watch.announced.get()
            if therapist_id is _CLOSED:
                return
            yield therapist_id


async def new_matches(
    info: strawberry.Info,
    filter: TherapistFilter,
    text: str | None = None,
) -> AsyncIterator[Therapist]:
    """Each therapist who comes to fit this search (`text` as in searchTherapists) and accepts
    new clients, whether just created, changed, or newly accepting: told of once, and again only
    if a change made them stop fitting and a later one fit again."""
    context = context_of(info)
    assert context.new_matches is not None
    search = accepting_search(text, filter)
    # A search that search cannot read is refused now (naming the field), never sent with others.
    await context.clients.therapist_fits(NO_THERAPIST, [search])
    async with context.new_matches.watch(subscriber_of(context), search) as announced:
        async for therapist_id in announced:
            context.fresh_reads()  # a subscription lives long: no read of one update serves the next
            therapist = await context.loaders.therapist.load(therapist_id)
            if therapist is not None:  # deleted meanwhile: never announced
                yield therapist
