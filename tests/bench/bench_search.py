"""Search benchmark: 250,000 synthetic therapists (most in big metros, 3 to 8 approaches, long bios).

Measures and prints: index build time from the read model; in-service p95 of a query with text,
three filters and a 50 km radius (top 20 with facets) and its ratio to the bare tantivy work for
the same hits; the resident memory of one replica process; over HTTP the single-client p95 and
the throughput with 20 concurrent clients; and write-to-visibility p95 (event published to the
exchange -> the card found over HTTP).

Run: .venv/bin/python -m pytest -m bench tests/bench/bench_search.py -s
(BENCH_THERAPISTS overrides the number of profiles.)
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from pymongo import AsyncMongoClient

from devstack.embedded_mongo import EmbeddedMongo, free_port
from integration_events.therapists import THERAPIST_UPDATED, TherapistPublicProfile
from servicekit.envelope import new_event
from services.search import geo
from services.search.domain import SearchQuery
from services.search.engine import SearchEngine
from services.search.index import FACET_SIZES, FACETS, all_of
from services.search.store import ReadModel
from services.search.sync import IndexSync
from tests.integration.search.conftest import connected_bus, purge_search_queue

THERAPISTS = int(os.environ.get("BENCH_THERAPISTS", "250000"))
ROOT = Path(__file__).resolve().parents[2]

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
CUMULATIVE = list(__import__("itertools").accumulate(1.0 / (rank + 1) for rank in range(len(WORDS))))
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


def words(rng: random.Random, n: int) -> str:
    """Text of roughly `n` words from a Zipf-distributed vocabulary (pre-generated paragraphs)."""
    taken: list[str] = []
    while len(taken) < n:
        taken += PARAGRAPHS[rng.randrange(len(PARAGRAPHS))].split(" ")
    return " ".join(taken[:n])


def synthetic_therapist(i: int, rng: random.Random, rural_zips: list[str]) -> dict:
    if rng.random() < 0.85:
        city, state, zip_code, _ = rng.choices(METROS, weights=[m[3] for m in METROS])[0]
        center = geo.zip_point(zip_code)
        point = [center.lat + rng.gauss(0, 0.15), center.lon + rng.gauss(0, 0.18)]
    else:
        zip_code = rng.choice(rural_zips)
        center = geo.zip_point(zip_code)
        city, state, point = "", geo_state(zip_code), [center.lat, center.lon]
    therapist_id = f"bench-{i:07d}"
    approaches = rng.sample(APPROACHES, rng.randint(3, 8))
    fee = rng.choice([90, 110, 120, 130, 150, 175, 200, 250])
    profile = {
        "id": therapist_id,
        "version": 1,
        "displayName": f"{rng.choice(FIRST)} {rng.choice(FAMILY)}, {rng.choice(DEGREES)}",
        "title": rng.choice(TITLES),
        "location": {"city": city, "state": state},
        "locations": [{"city": city, "state": state, "point": {"lat": point[0], "lon": point[1]}}],
        "licences": [{"kind": "LCSW", "state": state}],
        "telehealthStates": [state] if rng.random() < 0.7 else [],
        "formats": rng.choice(
            [["in_person"], ["in_person", "video"], ["video"], ["in_person", "video", "phone"]]
        ),
        "newClientStatus": rng.choices(["newpt", "nopt", "waitlist", "existptonly"], weights=[70, 10, 15, 5])[
            0
        ],
        "availabilityConfirmedAt": (NOW - timedelta(days=rng.randint(0, 200))).isoformat(),
        "money": {
            "fees": [{"sessionType": "individual", "amountUsd": fee}],
            "slidingScale": {"minUsd": 60, "maxUsd": fee} if rng.random() < 0.3 else None,
            "insurance": rng.sample(INSURANCE, rng.randint(0, 4)),
        },
        "approaches": [{"slug": s, "statement": words(rng, rng.randint(15, 90))} for s in approaches],
        "issues": [{"slug": s, "top": k < 3} for k, s in enumerate(rng.sample(ISSUES, rng.randint(3, 9)))],
        "ageGroups": rng.sample(["children", "teens", "young-adults", "adults", "elders"], rng.randint(1, 3)),
        "languages": sorted(set(rng.sample(LANGUAGES, rng.randint(1, 2))) | {"en"}),
        "identity": {"gender": rng.choice(["woman", "man", "non-binary", None]), "lgbtq": rng.random() < 0.2},
        "bio": {
            "helpWith": words(rng, rng.randint(60, 140)),
            "approach": words(rng, rng.randint(60, 140)),
            "about": words(rng, rng.randint(40, 120)),
        },
        "createdAt": NOW.isoformat(),
        "updatedAt": (NOW - timedelta(days=rng.randint(0, 400))).isoformat(),
    }
    profile = TherapistPublicProfile.model_validate(profile).model_dump(mode="json")
    return {
        "_id": therapist_id,
        "version": 1,
        "deleted": False,
        "profile": profile,
        "points": [[round(point[0], 5), round(point[1], 5)]],
    }


def geo_state(zip_code: str) -> str:
    import zipcodes

    return zipcodes.matching(zip_code)[0]["state"]


async def load_read_model(db) -> float:
    import zipcodes

    rng = random.Random(7)
    rural = [z["zip_code"] for z in zipcodes.list_all() if z["zip_code_type"] == "STANDARD"][::40]
    rural_states = {z: geo_state(z) for z in rural[:300]}
    rural = list(rural_states)
    started = time.perf_counter()
    batch = []
    for i in range(THERAPISTS):
        batch.append(synthetic_therapist(i, rng, rural))
        if len(batch) == 500:
            await db.therapists.insert_many(batch, ordered=False)
            batch = []
    if batch:
        await db.therapists.insert_many(batch, ordered=False)
    await db.approaches.insert_many(
        [
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
    )
    return time.perf_counter() - started


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def rss_mib(pid: int | str = "self") -> tuple[float, float]:
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def bench_queries(n: int) -> list[dict]:
    rng = random.Random(11)
    queries = []
    for _ in range(n):
        city, state, zip_code, _ = rng.choice(METROS[:12])
        queries.append(
            {
                "text": rng.choice(["anxiety", "couples", "trauma healing", "grief", "shame", "family"]),
                "approach": rng.choice(APPROACHES[:10]),
                "insurance": rng.choice(INSURANCE[:5]),
                "format": "in_person",
                "zip": zip_code,
                "radius": "50",
            }
        )
    return queries


def as_search_query(params: dict) -> SearchQuery:
    return SearchQuery(
        text=params["text"],
        approaches=(params["approach"],),
        insurance=params["insurance"],
        formats=(params["format"],),
        zip=params["zip"],
        radius_km=float(params["radius"]),
    )


@pytest.fixture(scope="module")
def bench_mongodb(tmp_path_factory):
    """A server of its own, on disk: the in-memory test server is not sized for gigabytes."""
    if os.environ.get("MONGODB_URI"):
        yield os.environ["MONGODB_URI"]
        return
    server = EmbeddedMongo(storage=str(tmp_path_factory.mktemp("bench-mongo")))
    server.start()
    yield server.uri
    server.stop()


@pytest.mark.bench
async def test_search_benchmark(infra, bench_mongodb):
    database = f"search_bench_{random.randrange(1 << 30):x}"
    client = AsyncMongoClient(bench_mongodb, tz_aware=True)
    db = client[database]
    load_seconds = await load_read_model(db)
    print(f"\nread model: {THERAPISTS} synthetic therapists loaded into MongoDB in {load_seconds:.1f} s")

    # ---- in-process: build and query
    sync = IndexSync(ReadModel(db))
    index = await sync.build()
    sync.index = index
    rss, peak = rss_mib()
    print(
        f"index build from the read model: {sync.build_seconds:.1f} s "
        f"(segments {index.searcher.num_segments}, docs {index.size}); "
        f"bench process RSS {rss:.0f} MiB (peak {peak:.0f} MiB, includes the generator)"
    )
    engine = SearchEngine(sync.current)
    queries = bench_queries(600)
    service_ms, bare_ms, bare_agg_ms, hits_seen = [], [], [], []
    spec = {
        name: {"terms": {"field": fld, "size": FACET_SIZES.get(name, 100)}} for name, fld in FACETS.items()
    }
    for i, params in enumerate(queries):
        q = as_search_query(params)
        bucket = i % 16
        t0 = time.perf_counter()
        page = engine.search(q, bucket)
        t1 = time.perf_counter()
        # The same hits straight from tantivy: the final query prepared beforehand (not timed).
        center, radius = engine.place(q)
        base = all_of(index.parse_text(q.text), *engine.filters(index, q, radius))
        final = all_of(base, index.within(base, center, radius))
        t2 = time.perf_counter()
        bare = index.searcher.search(final, limit=20, count=True, weight_by_field=f"w_{bucket}")
        t3 = time.perf_counter()
        index.searcher.aggregate(final, spec)
        t4 = time.perf_counter()
        assert bare.count == page.total
        if i >= 100:  # warm-up excluded
            service_ms.append((t1 - t0) * 1000)
            bare_ms.append((t3 - t2) * 1000)
            bare_agg_ms.append((t4 - t2) * 1000)
            hits_seen.append(page.total)
    p95, bare95, bareagg95 = percentile(service_ms, 95), percentile(bare_ms, 95), percentile(bare_agg_ms, 95)
    print(
        f"in-service query (text + approach + insurance + format + 50 km, top 20 + 11 facets): "
        f"p50 {statistics.median(service_ms):.2f} ms, p95 {p95:.2f} ms; "
        f"median hits {statistics.median(hits_seen):.0f}"
    )
    print(
        f"bare tantivy, same query: top-20+count p95 {bare95:.2f} ms (ratio {p95 / bare95:.2f}x); "
        f"top-20+count+same facet aggregation p95 {bareagg95:.2f} ms (ratio {p95 / bareagg95:.2f}x)"
    )
    sync.index = None
    del index, engine
    await client.close()

    # ---- one replica process: build, memory, HTTP, write-to-visibility
    port = free_port()
    env = {
        **os.environ,
        "SEARCH_PORT": str(port),
        "MONGODB_URI": bench_mongodb,
        "SEARCH_DB": database,
        "AMQP_URL": infra.amqp_url,
        "LOG_LEVEL": "WARNING",
        "EVENT_DELIVERY_LIMIT": "3",
    }
    await purge_search_queue(infra.amqp_url)
    replica = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.search",
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        async with aiohttp.ClientSession(base_url) as http:
            while True:
                try:
                    async with http.get("/readyz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                assert replica.returncode is None, "replica exited"
                assert time.perf_counter() - started < 300
                await asyncio.sleep(0.2)
            print(f"replica process ready (index built) {time.perf_counter() - started:.1f} s after start")

            async def one(params: dict, bucket: int) -> float:
                t = time.perf_counter()
                async with http.get(
                    "/v1/therapists", params=params, headers={"X-Visitor-Session": f"s{bucket}"}
                ) as r:
                    assert r.status == 200
                    await r.read()
                return (time.perf_counter() - t) * 1000

            latencies = [await one(p, i) for i, p in enumerate(bench_queries(500))][100:]
            print(
                f"HTTP, one client: p50 {statistics.median(latencies):.2f} ms, "
                f"p95 {percentile(latencies, 95):.2f} ms"
            )
            pool = bench_queries(2000)
            done = 0
            deadline = time.perf_counter() + 10

            async def client_loop(k: int) -> None:
                nonlocal done
                j = k
                while time.perf_counter() < deadline:
                    await one(pool[j % len(pool)], j)
                    done += 1
                    j += 20

            t = time.perf_counter()
            await asyncio.gather(*(client_loop(k) for k in range(20)))
            print(f"HTTP, 20 concurrent clients: {done / (time.perf_counter() - t):.0f} queries/s")
            rss, peak = rss_mib(replica.pid)
            print(f"replica RSS after the load: {rss:.0f} MiB (peak {peak:.0f} MiB)")

            bus = await connected_bus(infra.amqp_url, "bench")
            rng = random.Random(5)
            rural = ["59601", "82001", "05602"]
            visibility = []
            for k in range(60):
                doc = synthetic_therapist(rng.randrange(THERAPISTS), rng, rural)
                data = doc["profile"]
                token = f"zephyrine{k}qx"
                data.update(version=10 + k, displayName=f"Wren Quillfield {token}")
                data["id"] = f"bench-{rng.randrange(THERAPISTS):07d}"
                t = time.perf_counter()
                await bus.publish(
                    new_event(type=THERAPIST_UPDATED, source="/bench", subject=data["id"], data=data)
                )
                while True:
                    async with http.get("/v1/therapists", params={"text": token, "first": "1"}) as r:
                        if (await r.json())["totalCount"]:
                            break
                    assert time.perf_counter() - t < 10
                    await asyncio.sleep(0.002)
                visibility.append((time.perf_counter() - t) * 1000)
            await bus.close()
            visibility = visibility[10:]
            print(
                f"write-to-visibility (event published -> found over HTTP), {len(visibility)} writes: "
                f"p50 {statistics.median(visibility):.0f} ms, p95 {percentile(visibility, 95):.0f} ms, "
                f"max {max(visibility):.0f} ms"
            )
    finally:
        replica.terminate()
        await asyncio.wait_for(replica.wait(), 20)
        client = AsyncMongoClient(bench_mongodb)
        await client.drop_database(database)
        await client.close()
