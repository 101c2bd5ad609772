"""The search service's use cases: searches, approach pages, matches, cards and fits (which
searches a therapist is a result of) answered from this replica's index; therapist, approach and
inquiry events applied to the shared read model, and therapists' responsiveness measured when
inquiries change and as time passes.

Engine work is blocking (tantivy releases the GIL while it searches), so it runs on the
engine's threads and the event loop keeps serving meanwhile; a card read is one term lookup and
runs inline. Read-model writes are each one version-conditional upsert, so they need no
transaction: a duplicate or older event changes nothing.
A measurement reads the therapist's inquiries after taking a revision and is stored only if no
later revision was, so concurrent measurements on several replicas leave the one that read last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from integration_events.approaches import ApproachDeleted, ApproachSnapshot
from integration_events.inquiries import InquiryAnswered, InquiryReceived
from integration_events.therapists import TherapistDeleted, TherapistPublicProfile
from servicekit.clock import Clock
from servicekit.consumer import Outcome
from servicekit.errors import NotFound
from services.search import domain, geo
from services.search.domain import MatchQuestionnaire, PageParameters, SearchQuery, match_reasons
from services.search.domain.responsiveness import OVERDUE_AFTER, SWEEP_EVERY, WINDOW
from services.search.engine import Page, SearchEngine
from services.search.index import Hit
from services.search.store import ReadModel

# --------------------------------------------------------------------------------------- reading


async def search_therapists(query: SearchQuery, bucket: int, engine: SearchEngine) -> Page:
    """A page of the cards matching `query` in the visitor's rotation `bucket`, with the total
    and the facet counts of every match."""
    return await engine.run(engine.search, query, bucket)


@dataclass
class Specialists:
    """An approach page: its therapists, and the approach's current slug (renames resolved)."""

    page: Page
    slug: str


async def find_specialists(
    slug: str, paging: PageParameters, bucket: int, engine: SearchEngine
) -> Specialists:
    page, canonical = await engine.run(engine.specialists, slug, paging.first, paging.after, bucket)
    return Specialists(page, canonical)


@dataclass
class Match:
    hit: Hit
    score: float
    reasons: list[str]
    explanation: dict[str, Any] | None = None  # asked for: every factor of its rank


@dataclass
class Matches:
    total: int
    matches: list[Match]


async def match_therapists(
    answers: MatchQuestionnaire, bucket: int, engine: SearchEngine, clock: Clock, *, explain: bool = False
) -> Matches:
    """The therapists who fit the questionnaire, best first, each with why it matched (and, if
    asked, the factors of its rank). The answers stay in memory for this call only."""
    found = await engine.run(engine.match, answers, bucket, explain)
    now = clock.now()
    matches = []
    explanations = found.explanations or [None] * len(found.hits)
    for hit, explanation in zip(found.hits, explanations, strict=True):
        distance = hit.distance_km if answers.format != "online" else None
        score, reasons = match_reasons(answers, hit.card, hit.licensed, distance, found.approach_names, now)
        matches.append(Match(hit, score, reasons, explanation))
    return Matches(found.total, matches)


async def therapist_fits(
    therapist_id: str, queries: list[SearchQuery], engine: SearchEngine
) -> domain.TherapistFits:
    """Which of `queries` the listed therapist is a result of now, with the version of the
    therapist the answer reflects (None, and no fits, if none is listed under this id)."""
    return await engine.run(engine.fits, therapist_id, queries)


async def read_card(therapist_id: str, engine: SearchEngine) -> Hit:
    """A listed therapist's card; NotFound if none is listed under this id."""
    index = engine.current()
    with index.pinned():
        hit = index.card(therapist_id)
    if hit is None:
        raise NotFound("No therapist with this id is listed")
    return hit


# --------------------------------------------------------------------------------------- events


def practice_points(profile: TherapistPublicProfile) -> list[list[float]]:
    """Coordinates of each practice location (own point, ZIP, or city), else the primary city.

    Placed once, when the event is applied, so every replica indexes the same coordinates."""
    points = []
    for location in profile.locations:
        found = geo.locate(
            zip_code=location.postalCode,
            city=location.city,
            state=location.state,
            point=(location.point.lat, location.point.lon) if location.point else None,
        )
        if found is not None:
            points.append([round(found.lat, 5), round(found.lon, 5)])
    if not points:
        found = geo.city_point(profile.location.city, profile.location.state)
        if found is not None:
            points.append([round(found.lat, 5), round(found.lon, 5)])
    return [list(p) for p in dict.fromkeys(tuple(p) for p in points)]


def _outcome(applied: bool) -> Outcome:
    return Outcome.APPLIED if applied else Outcome.STALE


async def apply_therapist_event(
    change: TherapistPublicProfile | TherapistDeleted, store: ReadModel
) -> Outcome:
    """A therapist's new public profile (listed with its practice points) or its removal (a
    tombstone that no late update can overwrite)."""
    if isinstance(change, TherapistDeleted):
        return _outcome(await store.delete_therapist(change.id, change.version))
    profile = change.model_dump(mode="json")
    return _outcome(await store.put_therapist(change.id, change.version, profile, practice_points(change)))


async def apply_approach_event(change: ApproachSnapshot | ApproachDeleted, store: ReadModel) -> Outcome:
    """An approach's name, aliases and earlier slugs (what the index resolves), or its removal."""
    if isinstance(change, ApproachDeleted):
        return _outcome(await store.delete_approach(change.id, change.version, change.slug))
    fields = {
        "slug": change.slug,
        "name": change.name,
        "aliases": change.aliases,
        "previousSlugs": change.previousSlugs,
    }
    return _outcome(await store.put_approach(change.id, change.version, fields))


async def apply_inquiry_event(
    change: InquiryReceived | InquiryAnswered, store: ReadModel, clock: Clock
) -> Outcome:
    """An inquiry's times (received, then answered), then its therapist measured again."""
    fields = {
        "therapistId": change.therapistId,
        "receivedAt": change.receivedAt,
        "answeredAt": change.answeredAt if isinstance(change, InquiryAnswered) else None,
    }
    applied = await store.put_inquiry(change.id, change.version, fields)
    # Measured even after a duplicate: the delivery that stored the inquiry may have stopped
    # before its measurement was stored.
    await measure_responsiveness(change.therapistId, store, clock)
    return _outcome(applied)


async def measure_responsiveness(therapist_id: str, store: ReadModel, clock: Clock) -> bool:
    """Measure the therapist's responsiveness now and store it (with the therapist, so the
    index carries it); False if a later measurement was stored meanwhile."""
    revision = await store.next_revision(therapist_id)
    now = clock.now()
    inquiries = await store.inquiry_times(therapist_id, now - WINDOW, now - OVERDUE_AFTER)
    return await store.put_responsiveness(therapist_id, revision, domain.measure(inquiries, now))


async def remeasure_waiting(store: ReadModel, clock: Clock) -> int:
    """The periodic sweep: measure again the therapists whose measurement time passing can
    change (inquiries waiting, or leaving the window since the last sweeps); how many."""
    now = clock.now()
    window_start = now - WINDOW
    # Two sweeps back, so a sweep that was late or failed is made up for.
    ids = await store.therapists_to_remeasure(window_start - 2 * SWEEP_EVERY, window_start)
    for therapist_id in ids:
        await measure_responsiveness(therapist_id, store, clock)
    return len(ids)
