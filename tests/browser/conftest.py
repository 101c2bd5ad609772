"""The web client in a real headless Chromium (Debian's `chromium` package, driven by Playwright),
against the whole directory running in-process, seeded through the services' REST APIs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from pathlib import Path

import pytest

import gateway.app
from gateway.web import add_web_routes
from tests.e2e.test_approach_page_end_to_end import ADMIN, create_therapist, eventually, put_statement

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "browser"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 375, "height": 812}  # the narrowest phone every page must fit
APPROACH_SLUGS = ("relational-therapy", "emdr", "cognitive-behavioral-therapy")


def _has_root_route(app) -> bool:
    return any(
        route.resource is not None and route.resource.canonical == "/" for route in app.router.routes()
    )


@pytest.fixture(scope="module")
def web_client_served():
    """Until gateway/app.py adds the client's routes itself, add them to the gateway under test."""
    build_app = gateway.app.build_app

    def build_app_with_client(settings):
        app = build_app(settings)
        if not _has_root_route(app):
            add_web_routes(app)
        return app

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gateway.app, "build_app", build_app_with_client)
        yield


@pytest.fixture(scope="module")
async def directory(web_client_served, directory):  # noqa: F811 - extends the shared fixture
    return directory


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's chromium "
            "package (apt-get install -y chromium; ./dev test installs it) or CHROMIUM_PATH.",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="module")
async def browser(chromium_path):
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


class Visit:
    """One visitor's browser tab on the directory, recording every request it makes."""

    def __init__(self, context, page, base_url: str) -> None:
        self.context, self.page, self.base_url = context, page, base_url
        self.requests = []
        page.on("request", lambda request: self.requests.append(request))
        self.console_errors: list[str] = []
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    async def open(self, route: str) -> None:
        await self.page.goto(f"{self.base_url}/#{route}")

    async def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=full_page)
        return path


@contextlib.asynccontextmanager
async def visits(browser, base_url: str):
    """Yields `open_visit(viewport)`, which opens a fresh browser context (a new visitor) of that
    size on `base_url`; every context opened is closed afterwards."""
    contexts = []

    async def open_visit(viewport: dict) -> Visit:
        context = await browser.new_context(
            viewport=viewport, is_mobile=viewport["width"] < 600, has_touch=viewport["width"] < 600
        )
        contexts.append(context)
        return Visit(context, await context.new_page(), base_url)

    try:
        yield open_visit
    finally:
        for context in contexts:
            await context.close()


@pytest.fixture
async def visit_at(browser, directory):
    """`await visit_at(DESKTOP)` opens a fresh browser context (a new visitor) of that size."""
    async with visits(browser, directory.urls["gateway"]) as open_visit:
        yield open_visit


# --- the directory's contents for these tests (invented people) -----------------------------

THERAPISTS = [
    # displayName, title, city, state, {approach: statement}, other profile fields
    (
        "Noor E. Vantwest, LCSW",
        "Licensed Clinical Social Worker",
        "",
        "OR",
        {
            "relational-therapy": "I work relationally — the bond between us is where change happens. We’ll notice "
            "how old patterns show up “in the room”, gently, at your pace."
        },
        {"formats": ["video"], "telehealthStates": ["OR"], "newClientStatus": "newpt"},
    ),
    (
        "MARISOL T. OKONKWO-REYES, LPC-Associate",
        "Licensed Professional Counselor Candidate",
        "Austin",
        "TX",
        {
            "relational-therapy": "Relationships hurt us; relationships heal us. Ours is a place to practise.",
            "cognitive-behavioral-therapy": "Practical tools for anxious thoughts, tried out between sessions.",
        },
        {
            "formats": ["in_person", "video"],
            "telehealthStates": ["TX"],
            "newClientStatus": "newpt",
            "issues": [{"slug": "anxiety", "top": True}, {"slug": "depression"}],
            "languages": ["en", "es"],
            "money": {
                "fees": [{"sessionType": "individual", "amountUsd": 120}],
                "insurance": ["aetna", "bcbs"],
            },
            "identity": {"gender": "woman"},
        },
    ),
    (
        "Jun-seo Abernathy",
        "Licensed Marriage & Family Therapist",
        "Houston",
        "TX",
        {
            "relational-therapy": "Couples and families: we look at the dance, not the dancers.",
            "emdr": "EMDR for single-incident trauma, after we have built enough safety together.",
        },
        {
            "formats": ["in_person"],
            "newClientStatus": "newpt",
            "issues": [{"slug": "trauma-ptsd", "top": True}, {"slug": "anxiety"}],
            "money": {"slidingScale": {"minUsd": 60, "maxUsd": 140}},
        },
    ),
    (
        "Priya Lindgren-Amadi LCMHC #48213",
        "Licensed Clinical Mental Health Counselor",
        "78704",
        "TX",
        {"relational-therapy": "Short and honest: I listen for what is underneath."},
        {"formats": ["video"], "telehealthStates": ["TX"], "newClientStatus": "waitlist"},
    ),
    (
        "dr. Halvard Quist PhD",
        "Clinical Psychologist",
        "Duluth",
        "MN",
        {
            "relational-therapy": "Warmth first; technique second.",
            "emdr": "Bilateral work, slowly, with lots of resourcing beforehand.",
        },
        {"formats": ["in_person", "phone"], "newClientStatus": "nopt"},
    ),
    (
        "Tomás Ferreira-Blake",
        "Licensed Clinical Social Worker",
        "Brooklyn",
        "NY",
        {
            "relational-therapy": "Se habla español. Trabajo con la relación terapéutica como herramienta "
            "principal.",
            "emdr": "EMDR with a cultural lens.",
        },
        {
            "formats": ["video"],
            "telehealthStates": ["NY", "NJ"],
            "newClientStatus": "newpt",
            "languages": ["es", "pt", "en"],
        },
    ),
    (
        "Ada Oyelaran",
        "Licensed Professional Counselor",
        "Dallas",
        "TX",
        {
            "relational-therapy": "We will pay attention to how you connect — with me, with others, with yourself.",
            "cognitive-behavioral-therapy": "Structured, collaborative, measurable.",
        },
        {
            "formats": ["in_person", "video"],
            "telehealthStates": ["TX"],
            "newClientStatus": "newpt",
            "issues": [{"slug": "anxiety"}, {"slug": "stress", "top": True}],
            "money": {"fees": [{"sessionType": "individual", "amountUsd": 95}], "insurance": ["aetna"]},
            "licences": [{"kind": "LPC", "number": "TX-771204", "state": "TX"}],
        },
    ),
    (
        "Keziah Moon-Delacroix, PsyD",
        "Clinical Psychologist",
        "Portland",
        "OR",
        {"relational-therapy": "Attachment-informed, relational, and honest about what happens between us."},
        {"formats": ["in_person"], "newClientStatus": "existptonly"},
    ),
    (
        "Wendell P. Ashgrove",
        "Licensed Clinical Social Worker",
        "Santa Fe",
        "NM",
        {
            "relational-therapy": "Many people come to me after years of feeling unseen. In our work together "
            "we slow down and notice what happens when you are truly met: the urge to pull "
            "away, the hope, the grief for the times no one was there. Over months, those "
            "moments become familiar rather than frightening, and the new ways of relating "
            "you try with me start to show up with partners, friends and family. I also draw "
            "on mindfulness and a little humour."
        },
        {"formats": ["in_person", "video"], "telehealthStates": ["NM"], "newClientStatus": "newpt"},
    ),
    (
        "Rosalind Achterberg",
        "Licensed Marriage & Family Therapist",
        "Austin",
        "TX",
        {
            "relational-therapy": "Relational work for couples who feel stuck in the same argument.",
            "emdr": "EMDR when the past keeps intruding on the present.",
        },
        {
            "formats": ["in_person", "video"],
            "telehealthStates": ["TX"],
            "newClientStatus": "newpt",
            "issues": [{"slug": "relationship-issues", "top": True}, {"slug": "anxiety"}],
        },
    ),
    (
        "Ibrahim Tal-Sorensen, LPC",
        "Licensed Professional Counselor",
        "Tulsa",
        "OK",
        {"relational-therapy": "Steady, curious, collaborative."},
        {"formats": ["video"], "telehealthStates": ["OK", "TX"], "newClientStatus": "newpt"},
    ),
    (
        "Ingrid Oduya",
        "Licensed Clinical Mental Health Counselor",
        "Asheville",
        "NC",
        {"relational-therapy": "Connection heals — I mean that practically, not as a slogan."},
        {"formats": ["in_person"], "newClientStatus": "waitlist"},
    ),
    (
        "Cosmo Rietveld",
        "Licensed Clinical Social Worker",
        "Austin",
        "TX",
        {
            "emdr": "EMDR and nothing but; eight phases, done properly.",
            "cognitive-behavioral-therapy": "CBT skills to stabilise before trauma work.",
        },
        {
            "formats": ["in_person"],
            "newClientStatus": "newpt",
            "issues": [{"slug": "trauma-ptsd", "top": True}],
        },
    ),
]
SPECIALISTS = {slug: [t for t in THERAPISTS if slug in t[4]] for slug in APPROACH_SLUGS}


async def _create_approach(directory, record: dict) -> None:
    async with directory.http.post(
        f"{directory.urls['approaches']}/v1/approaches", json=record, headers=ADMIN
    ) as response:
        assert response.status == 201, await response.text()


async def _create_with_statements(directory, number: int, therapist: tuple) -> str:
    name, title, city, state, statements, extra = therapist
    sub = f"browser-therapist-{number}"
    therapist_id = await create_therapist(
        directory,
        sub,
        {"displayName": name, "title": title, "location": {"city": city, "state": state}, **extra},
    )
    for slug, statement in statements.items():
        await put_statement(directory, sub, therapist_id, slug, statement)
    return therapist_id


# How `seeded` sees that search has everything (a gateway in production mode has it registered).
ALL_SEARCHABLE = (
    "query { searchTherapists(first: 1) { totalCount } "
    'approach(slug: "relational-therapy") { specialists { totalCount } } }'
)


@pytest.fixture(scope="module")
async def seeded(directory) -> dict[str, str]:
    """Three approaches (from the demo catalogue) and the therapists above; returns name -> id."""
    catalogue = json.loads((ROOT / "devstack" / "demo" / "approaches.json").read_text())
    for record in catalogue:
        if record["slug"] in APPROACH_SLUGS:
            await _create_approach(directory, record)
    ids = await asyncio.gather(*(_create_with_statements(directory, n, t) for n, t in enumerate(THERAPISTS)))

    async def all_searchable():
        data = await directory.graphql(ALL_SEARCHABLE)
        return data["searchTherapists"]["totalCount"] == len(THERAPISTS) and data["approach"]["specialists"][
            "totalCount"
        ] == len(SPECIALISTS["relational-therapy"])

    await eventually(all_searchable, timeout=30)
    return {t[0]: therapist_id for t, therapist_id in zip(THERAPISTS, ids, strict=True)}
