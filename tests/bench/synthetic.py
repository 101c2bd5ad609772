"""Synthetic therapists for the search benchmarks: the read model of a national directory.

Most therapists practise in big metros, each with 3 to 8 approaches and long bios whose words
follow a Zipf distribution, so the index's postings and facets look like a real directory's.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import functools
import itertools
import multiprocessing
import os
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from services.search import geo
from services.search.store import THERAPISTS, ReadModel, therapist_fields

# (city, state, ZIP at the centre, share of therapists)
METROS = [
    ("New York", "NY", "10001", 14),
    ("Los Angeles", "CA", "90012", 10),
    ("Chicago", "IL", "60602", 7),
    ("Houston", "TX", "77002", 5),
    ("Phoenix", "AZ", "85004", 3),
    ("Philadelphia", "PA", "19103", 4),
    ("San Antonio", "TX", "78205", 2),
    ("San Diego", "CA", "92101", 3),
    ("Dallas", "TX", "75201", 4),
    ("Austin", "TX", "78701", 3),
    ("Seattle", "WA", "98101", 4),
    ("Boston", "MA", "02108", 5),
    ("Denver", "CO", "80202", 3),
    ("Atlanta", "GA", "30303", 4),
    ("Miami", "FL", "33130", 3),
    ("Minneapolis", "MN", "55401", 2),
    ("Portland", "OR", "97204", 3),
    ("San Francisco", "CA", "94103", 5),
    ("Washington", "DC", "20001", 4),
]
APPROACHES = [
    "relational-therapy",
    "cognitive-behavioral-therapy",
    "dialectical-behavior-therapy",
    "emdr",
    "psychodynamic-therapy",
    "person-centered-therapy",
    "internal-family-systems",
    "acceptance-and-commitment-therapy",
    "emotionally-focused-therapy",
    "narrative-therapy",
    "somatic-experiencing",
    "gottman-method",
    "solution-focused-brief-therapy",
    "motivational-interviewing",
    "mindfulness-based-cognitive-therapy",
    "exposure-and-response-prevention",
    "trauma-focused-cbt",
    "cognitive-processing-therapy",
    "schema-therapy",
    "compassion-focused-therapy",
    "existential-therapy",
    "gestalt-therapy",
    "family-systems-therapy",
    "play-therapy",
    "art-therapy",
    "attachment-based-therapy",
]
ISSUES = [
    "anxiety",
    "depression",
    "trauma-ptsd",
    "relationship-issues",
    "grief",
    "addiction",
    "stress",
    "self-esteem",
    "life-transitions",
    "parenting",
    "ocd",
    "adhd",
    "eating-disorders",
    "anger",
    "lgbtq-issues",
    "perinatal",
    "work-career",
    "panic",
    "family-conflict",
    "sleep",
]
INSURANCE = ["aetna", "bcbs", "cigna", "uhc", "optum", "medicaid", "medicare", "kaiser", "humana", "magellan"]
LANGUAGES = ["en"] * 20 + ["es"] * 5 + ["zh", "vi", "ko", "fr", "ar", "ru", "pt", "tl", "hi"]
COMMON = (
    "I you we our with and the to of in for a how what when your feel feelings together safe space "
    "work help change life relationship relationships trauma anxiety depression grief couples family "
    "body mind shame hope healing patterns past present growth support compassion curious gentle "
    "direct practical skills stress burnout identity parents children teens adults loss"
).split()
SYLLABLES = "ka lo mi ra ve tu sen dor fal bri mon tey quo nil pra shu vor gem lin ost".split()
WORDS = COMMON + ["".join(random.Random(i).choices(SYLLABLES, k=3)) for i in range(2500)]
CUMULATIVE = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(WORDS))))
FIRST = [
    "Maren",
    "Tobias",
    "Ilse",
    "Rowan",
    "Priya",
    "Dante",
    "Noor",
    "Elio",
    "Keziah",
    "Soren",
    "Amara",
    "Lucan",
    "Wren",
    "Idris",
    "Calla",
    "Matteo",
]
FAMILY = [
    "Oakhollow",
    "Brindlemere",
    "Quillfield",
    "Ashgrove",
    "Fennick",
    "Harrowby",
    "Lindqvale",
    "Pemberlin",
    "Torvane",
    "Westmarch",
    "Calderwood",
    "Ivesly",
]
TITLES = [
    "Licensed Clinical Social Worker",
    "Licensed Professional Counselor",
    "Clinical Psychologist",
    "Licensed Marriage & Family Therapist",
    "Licensed Clinical Mental Health Counselor",
    "Licensed Professional Counselor Candidate",
]
DEGREES = ["LCSW", "LPC", "PhD", "LMFT"]
NOW = datetime.now(UTC)


def _paragraphs(count: int) -> list[str]:
    rng = random.Random(3)
    return [
        " ".join(rng.choices(WORDS, cum_weights=CUMULATIVE, k=rng.randint(15, 140))) for _ in range(count)
    ]


PARAGRAPHS = _paragraphs(30_000)
# Per paragraph, where each of its words ends: a text of n words is then whole paragraphs and one
# slice, with no splitting and joining of words.
WORD_ENDS = [[*itertools.accumulate(len(w) + 1 for w in paragraph.split(" "))] for paragraph in PARAGRAPHS]


def words(rng: random.Random, n: int) -> str:
    """Text of `n` words from a Zipf-distributed vocabulary (pre-generated paragraphs)."""
    parts: list[str] = []
    while n > 0:
        k = rng.randrange(len(PARAGRAPHS))
        ends = WORD_ENDS[k]
        if len(ends) >= n:
            parts.append(PARAGRAPHS[k][: ends[n - 1] - 1])
            break
        parts.append(PARAGRAPHS[k])
        n -= len(ends)
    return " ".join(parts)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# Times as the contract's JSON gives them (pydantic's `Z`), made once rather than per profile.
NOW_ISO = _iso(NOW)
DAYS_AGO_ISO = [_iso(NOW - timedelta(days=days)) for days in range(401)]
METRO_WEIGHTS = list(itertools.accumulate(m[3] for m in METROS))
FORMATS = [["in_person"], ["in_person", "video"], ["video"], ["in_person", "video", "phone"]]
NEW_CLIENT_WEIGHTS = list(itertools.accumulate([70, 10, 15, 5]))
AGE_GROUPS = ["children", "teens", "young-adults", "adults", "elders"]


def synthetic_therapist(i: int, rng: random.Random, rural_zips: list[str]) -> dict:
    """One read-model document: a public profile exactly as the contract's JSON dump gives it
    (`TherapistPublicProfile`, every default written out), assembled without validating it."""
    if rng.random() < 0.85:
        city, state, zip_code, _ = rng.choices(METROS, cum_weights=METRO_WEIGHTS)[0]
        center = geo.zip_point(zip_code)
        point = [center.lat + rng.gauss(0, 0.15), center.lon + rng.gauss(0, 0.18)]
    else:
        zip_code = rng.choice(rural_zips)
        center = geo.zip_point(zip_code)
        city, state, point = "", geo_state(zip_code), [center.lat, center.lon]
    therapist_id = f"bench-{i:07d}"
    approaches = rng.sample(APPROACHES, rng.randint(3, 8))
    fee = rng.choice([90, 110, 120, 130, 150, 175, 200, 250])
    # Drawn in the order the validated generator drew them, so a seed gives the same profiles.
    display_name = f"{rng.choice(FIRST)} {rng.choice(FAMILY)}, {rng.choice(DEGREES)}"
    title = rng.choice(TITLES)
    telehealth = [state] if rng.random() < 0.7 else []
    formats = list(rng.choice(FORMATS))
    status = rng.choices(["newpt", "nopt", "waitlist", "existptonly"], cum_weights=NEW_CLIENT_WEIGHTS)[0]
    confirmed = DAYS_AGO_ISO[rng.randint(0, 200)]
    sliding = {"minUsd": 60, "maxUsd": fee} if rng.random() < 0.3 else None
    insurance = rng.sample(INSURANCE, rng.randint(0, 4))
    statements = [{"slug": s, "statement": words(rng, rng.randint(15, 90))} for s in approaches]
    issues = [{"slug": s, "top": k < 3} for k, s in enumerate(rng.sample(ISSUES, rng.randint(3, 9)))]
    age_groups = rng.sample(AGE_GROUPS, rng.randint(1, 3))
    languages = sorted(set(rng.sample(LANGUAGES, rng.randint(1, 2))) | {"en"})
    gender = rng.choice(["woman", "man", "non-binary", None])
    lgbtq = rng.random() < 0.2
    bio = {
        "helpWith": words(rng, rng.randint(60, 140)),
        "approach": words(rng, rng.randint(60, 140)),
        "about": words(rng, rng.randint(40, 120)),
    }
    updated = DAYS_AGO_ISO[rng.randint(0, 400)]
    profile = {
        "id": therapist_id,
        "version": 1,
        "displayName": display_name,
        "title": title,
        "location": {"city": city, "state": state},
        "pronouns": None,
        "photoUrl": None,
        "yearsInPractice": None,
        "licences": [
            {
                "kind": "LCSW",
                "state": state,
                "number": None,
                "expires": None,
                "verificationStatus": "unverified",
                "verifiedAt": None,
                "expired": False,
            }
        ],
        "npi": None,
        "taxonomyCode": None,
        "locations": [
            {
                "label": None,
                "street": None,
                "city": city,
                "state": state,
                "postalCode": None,
                "point": {"lat": point[0], "lon": point[1]},
                "isPrivate": False,
            }
        ],
        "telehealthStates": telehealth,
        "telehealthStatesServed": None,
        "licenceStatus": "licensed",
        "listed": True,
        "formats": formats,
        "newClientStatus": status,
        "availabilityConfirmedAt": confirmed,
        "money": {
            "fees": [{"sessionType": "individual", "amountUsd": fee}],
            "slidingScale": sliding,
            "freeConsultation": False,
            "insurance": insurance,
            "outOfNetworkSuperbill": False,
        },
        "approaches": statements,
        "issues": issues,
        "populations": [],
        "ageGroups": age_groups,
        "languages": languages,
        "identity": {"gender": gender, "raceEthnicity": [], "lgbtq": lgbtq, "faith": None},
        "bio": bio,
        "createdAt": NOW_ISO,
        "updatedAt": updated,
    }
    return {
        "_id": therapist_id,
        "version": 1,
        "deleted": False,
        "profile": profile,
        "points": [[round(point[0], 5), round(point[1], 5)]],
    }


@functools.cache
def geo_state(zip_code: str) -> str:
    import zipcodes

    return zipcodes.matching(zip_code)[0]["state"]


@functools.cache
def rural_zips() -> list[str]:
    import zipcodes

    return [z["zip_code"] for z in zipcodes.list_all() if z["zip_code_type"] == "STANDARD"][::40][:300]


WORKERS = max(1, (os.cpu_count() or 2) - 1)
# Chunks written at once: the database starts on the next while the answer to the last is on its
# way back, and the ids of two chunks never overlap.
WRITES_IN_FLIGHT = 2

# Profiles are drawn in chunks, each from a generator seeded by its own position, so that worker
# processes can draw chunks side by side and still give the same read model as drawing in order.
CHUNK = 5000


def _chunk(start: int, count: int, seed: int, rural: list[str]) -> Iterator[dict]:
    rng = random.Random(seed * 1_000_003 + start // CHUNK)
    for i in range(start, start + count):
        yield synthetic_therapist(i, rng, rural)


def synthetic_read_model(count: int, seed: int = 7) -> Iterator[dict]:
    """Read-model documents, generated one at a time (never all held in memory)."""
    rural = rural_zips()
    for start in range(0, count, CHUNK):
        yield from _chunk(start, min(CHUNK, count - start), seed, rural)


def _writes(start: int, count: int, seed: int) -> list[tuple[str, int, dict]]:
    """A chunk of the read model as `ReadModel.write_many_if_newer` takes it (in a worker)."""
    rural = rural_zips()
    return [
        (doc["_id"], doc["version"], therapist_fields(doc["profile"], doc["points"]))
        for doc in _chunk(start, count, seed, rural)
    ]


APPROACH_DOCS = [
    {
        "_id": f"ap-{slug}",
        "version": 1,
        "deleted": False,
        "slug": slug,
        "name": slug.replace("-", " ").title(),
        "aliases": [],
        "previousSlugs": [],
    }
    for slug in APPROACHES
]


def synthetic_workers() -> concurrent.futures.ProcessPoolExecutor:
    """The worker processes that draw chunks, to keep across several `load_read_model` calls (each
    start-up imports the project and reads the ZIP table again)."""
    return concurrent.futures.ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn"))


async def load_read_model(
    read_model: ReadModel,
    count: int,
    seed: int = 7,
    *,
    start: int = 0,
    workers: concurrent.futures.ProcessPoolExecutor | None = None,
) -> None:
    """`count` synthetic profiles written through the read model's bulk write, from the
    `start`-th on (a multiple of `CHUNK`: a read model grown in steps is then the one written at
    once), and the approaches with the first step.

    Worker processes (`workers`, else started for this call) draw the chunks (one core is left to
    the database and this process, which only sends them); a few chunks are kept ready so that
    drawing overlaps with writing, and two are written at a time.
    """
    assert start % CHUNK == 0, f"start at a multiple of {CHUNK}"
    with contextlib.ExitStack() as stack:
        pool = workers or stack.enter_context(synthetic_workers())
        await _write_chunks(read_model, pool, start, start + count, seed)
    if start == 0:
        await read_model.approaches.insert_many([dict(d) for d in APPROACH_DOCS])


async def _write_chunks(
    read_model: ReadModel, pool: concurrent.futures.ProcessPoolExecutor, start: int, end: int, seed: int
) -> None:
    loop = asyncio.get_running_loop()
    starts = iter(range(start, end, CHUNK))

    def draw_next() -> asyncio.Future | None:
        first = next(starts, None)
        if first is None:
            return None
        return loop.run_in_executor(pool, _writes, first, min(CHUNK, end - first), seed)

    ready = collections.deque(f for f in (draw_next() for _ in range(WORKERS + 2)) if f is not None)
    writing: set[asyncio.Task] = set()
    while ready:
        writes = await ready.popleft()
        drawn = draw_next()
        if drawn is not None:
            ready.append(drawn)
        if len(writing) >= WRITES_IN_FLIGHT:
            done, writing = await asyncio.wait(writing, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        writing.add(asyncio.create_task(read_model.write_many_if_newer(THERAPISTS, writes)))
    for task in writing:
        await task
