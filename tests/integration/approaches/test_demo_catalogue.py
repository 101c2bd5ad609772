"""The demo catalogue (devstack/demo/approaches.json) loads through the public API, whole, and
reads like content fit to publish: every page has all its parts and every link resolves."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import aiohttp
import pytest

from integration_events.vocabulary import ISSUES
from tests.integration.approaches.conftest import start_service
from tests.support import auth_header, serving

CATALOGUE = Path(__file__).parents[3] / "devstack" / "demo" / "approaches.json"
SECTIONS = ("whatItIs", "howItWorks", "helpsWith", "whatYouLearn")
# The approaches the directory promises in its interfaces; demo therapists use these slugs.
PROMISED = (
    "relational-therapy cognitive-behavioral-therapy dialectical-behavior-therapy emdr psychodynamic-therapy "
    "person-centered-therapy internal-family-systems acceptance-and-commitment-therapy "
    "emotionally-focused-therapy narrative-therapy somatic-experiencing gottman-method "
    "solution-focused-brief-therapy motivational-interviewing mindfulness-based-cognitive-therapy "
    "exposure-and-response-prevention trauma-focused-cbt cognitive-processing-therapy "
    "prolonged-exposure-therapy schema-therapy compassion-focused-therapy existential-therapy "
    "gestalt-therapy family-systems-therapy structural-family-therapy play-therapy art-therapy "
    "interpersonal-psychotherapy mentalization-based-treatment sensorimotor-psychotherapy "
    "attachment-based-therapy feminist-therapy psychoanalytic-therapy multicultural-counseling"
).split()


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


@pytest.fixture(scope="module")
async def loaded(infra):
    """A fresh approaches service with the whole demo catalogue posted to it."""
    settings, app = await start_service(infra, "approaches_demo")
    entries = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    async with serving(app, settings.port) as url:
        await asyncio.wait_for(app["runtime"].prepared.wait(), 30)
        async with aiohttp.ClientSession(base_url=url) as http:
            statuses = []
            for entry in entries:
                async with http.post(
                    "/v1/approaches", json=entry, headers=auth_header("demo-loader", "admin")
                ) as response:
                    statuses.append((entry["slug"], response.status, await response.text()))
            async with http.get("/v1/approaches") as response:
                listed = (await response.json())["items"]
            yield entries, statuses, listed, http


async def test_every_entry_is_accepted_by_the_api(loaded):
    _, statuses, _, _ = loaded
    assert [s for s in statuses if s[1] != 201] == []


async def test_the_catalogue_holds_exactly_the_promised_approaches(loaded):
    entries, _, listed, _ = loaded
    assert sorted(e["slug"] for e in entries) == sorted(PROMISED)
    assert sorted(a["slug"] for a in listed) == sorted(PROMISED)


async def test_the_api_serves_each_approach_as_written(loaded):
    entries, _, listed, _ = loaded
    by_slug = {a["slug"]: a for a in listed}
    for entry in entries:
        served = by_slug[entry["slug"]]
        assert {key: served[key] for key in entry} == entry


async def test_every_page_has_a_one_paragraph_summary_and_a_full_description(loaded):
    entries, _, _, _ = loaded
    for entry in entries:
        slug = entry["slug"]
        assert 30 <= words(entry["summary"]) <= 80, slug
        assert "\n" not in entry["summary"], slug
        assert 150 <= words(entry["description"]) <= 260, slug
        assert all(words(entry["sections"][part]) >= 25 for part in SECTIONS), slug
        # The description is the four sections, in order, as paragraphs.
        assert entry["description"] == "\n\n".join(entry["sections"][part] for part in SECTIONS), slug


async def test_every_page_names_issues_aliases_and_related_approaches_that_exist(loaded):
    entries, _, _, http = loaded
    for entry in entries:
        assert entry["aliases"] and entry["issues"] and entry["related"], entry["slug"]
        assert set(entry["issues"]) <= set(ISSUES)
    related = sorted({slug for entry in entries for slug in entry["related"]})
    async with http.get("/v1/approaches", params=[("slug", s) for s in related]) as response:
        found = sorted(a["slug"] for a in (await response.json())["items"])
    assert found == related


async def test_the_list_is_sorted_by_name(loaded):
    _, _, listed, _ = loaded
    names = [a["name"] for a in listed]
    assert names == sorted(names, key=str.casefold)
