"""`python -m services.search.rebuild`: recreate the read model from the owners' current state.

For a new deployment or a change to the read model's shape. Readers see no downtime:
1. a marker tells the consumers to write every event into the new collection as well;
2. approaches are read from `GET /v1/approaches`; therapists are paged from the profiles
   service's `GET /v1/therapists?first=&after=` -> `{"items": [public profiles], "next": cursor}`
   into a new collection, with the same version-conditional writes the consumer uses;
3. what the live collection holds that is newer (events applied meanwhile, tombstones) is
   merged forward, and every therapist's responsiveness measurement (search's own, from
   inquiry events) carried over;
4. the new collection is renamed over the live one in one step; every replica's change stream
   sees the rename and each builds a fresh index in the background, serving the old one until
   the new one is swapped in.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta

import aiohttp
import structlog

from integration_events.therapists import TherapistPublicProfile
from servicekit.logs import configure_logging
from servicekit.mongo import connect
from servicekit.settings import ServiceSettings
from services.search.application import practice_points
from services.search.store import THERAPISTS, ReadModel, therapist_fields

log = structlog.get_logger(__name__)
IN_FLIGHT_MARGIN = timedelta(seconds=60)
MERGE_BATCH = 1000
# Measurements are carried over by their revision instead (a later one must not be overwritten).
NOT_MERGED = ("_id", "version", "appliedAt", "responsiveness", "responsivenessRevision")


async def fetch_json(http: aiohttp.ClientSession, url: str, params: dict[str, str] | None = None) -> dict:
    for attempt in range(5):
        try:
            async with http.get(url, params=params) as response:
                response.raise_for_status()
                return await response.json()
        except aiohttp.ClientError as exc:
            if attempt == 4:
                raise
            log.warning("rebuild_fetch_retry", url=url, error=str(exc))
            await asyncio.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


async def rebuild(store: ReadModel, profiles_url: str, approaches_url: str, *, page_size: int = 200) -> dict:
    target = f"{THERAPISTS}_rebuild_{int(time.time())}"
    # Events in flight when the marker was set went only to the live collection: carry those
    # (and anything applied since) forward; older live documents are superseded by the owners.
    started = datetime.now(UTC) - IN_FLIGHT_MARGIN
    await store.begin_rebuild(target)
    counts = {"approaches": 0, "therapists": 0, "mergedForward": 0, "responsiveness": 0}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            approaches = await fetch_json(http, f"{approaches_url}/v1/approaches")
            for item in approaches["items"]:
                await store.put_approach(
                    item["id"],
                    item["version"],
                    {
                        "slug": item["slug"],
                        "name": item["name"],
                        "aliases": item.get("aliases", []),
                        "previousSlugs": item.get("previousSlugs", []),
                    },
                )
                counts["approaches"] += 1
            after: str | None = None
            while True:
                params = {"first": str(page_size), **({"after": after} if after else {})}
                page = await fetch_json(http, f"{profiles_url}/v1/therapists", params)
                profiles = [TherapistPublicProfile.model_validate(item) for item in page["items"]]
                await store.write_many_if_newer(
                    target,
                    [
                        (p.id, p.version, therapist_fields(p.model_dump(mode="json"), practice_points(p)))
                        for p in profiles
                    ],
                )
                counts["therapists"] += len(profiles)
                after = page.get("next")
                if not after:
                    break
        newer = store.therapists.find({"appliedAt": {"$gte": started}})
        while batch := await newer.to_list(MERGE_BATCH):
            counts["mergedForward"] += await store.write_many_if_newer(
                target,
                [
                    (d["_id"], d["version"], {k: v for k, v in d.items() if k not in NOT_MERGED})
                    for d in batch
                ],
            )
        counts["responsiveness"] = await store.carry_responsiveness(target)
        await store.finish_rebuild(target)
    except BaseException:
        await store.abandon_rebuild(target)
        raise
    return counts


async def main_async(args: argparse.Namespace) -> None:
    settings = ServiceSettings.from_env("search")
    client = connect(settings.mongodb_uri, app_name="search-rebuild")
    try:
        counts = await rebuild(
            ReadModel(client[settings.database]),
            args.profiles_url or settings.urls["profiles"],
            args.approaches_url or settings.urls["approaches"],
            page_size=args.page_size,
        )
        log.info("read_model_rebuilt", **counts)
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Recreate the search read model from the owning services")
    parser.add_argument("--profiles-url", help="default: PROFILES_URL or http://127.0.0.1:8001")
    parser.add_argument("--approaches-url", help="default: APPROACHES_URL or http://127.0.0.1:8002")
    parser.add_argument("--page-size", type=int, default=200)
    configure_logging("search")
    asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
