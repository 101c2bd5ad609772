"""What a visitor does with the web client, in a real browser: read an approach page and meet its
specialists, narrow a search and watch the facet counts follow, answer the questionnaire and read
why each therapist matched. Screenshots land in test-artifacts/browser/."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.async_api import expect

from tests.browser.conftest import DESKTOP, PHONE, SPECIALISTS, THERAPISTS

RELATIONAL = SPECIALISTS["relational-therapy"]


def in_texas(therapists, slug: str | None = None) -> int:
    return sum(1 for t in therapists if t[3] == "TX" and (slug is None or slug in t[4]))


async def test_the_approach_page_shows_the_approach_and_its_specialists_in_their_own_words(visit_at, seeded):
    visit = await visit_at(DESKTOP)
    page = visit.page
    await visit.open("/approaches/relational-therapy")

    await expect(page.get_by_role("heading", level=1)).to_have_text("Relational Therapy")
    await expect(page.get_by_role("heading", name="Need help finding the right therapist?")).to_be_visible()
    specialists = page.locator("#specialists > li")
    await expect(specialists).to_have_count(10)
    await expect(page.locator(".result-count")).to_have_text(
        f"{len(RELATIONAL)} therapists practise Relational Therapy. Showing 10."
    )
    await visit.screenshot("approach-page-desktop")

    await page.get_by_role("button", name="Show more specialists").click()
    await expect(specialists).to_have_count(len(RELATIONAL))
    await expect(page.get_by_role("button", name="Show more specialists")).to_have_count(0)
    # Each specialist as they wrote it: name, title, place (state alone when the city is empty), statement.
    for name, title, city, state, statements, _ in RELATIONAL:
        card = specialists.filter(has=page.get_by_role("link", name=name, exact=True))
        await expect(card).to_have_count(1)
        await expect(card.locator(".person-title")).to_have_text(title)
        await expect(card.locator(".person-place")).to_have_text(f"{city}, {state}" if city else state)
        await expect(card.locator("blockquote")).to_have_text(statements["relational-therapy"])
    # The "Show more" button moved focus to the first newly loaded specialist.
    assert await page.evaluate("!!document.activeElement.closest('#specialists > li:nth-child(11)')")

    await page.get_by_role("link", name="Ada Oyelaran", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ada Oyelaran")
    await expect(page.get_by_role("heading", level=1)).to_be_focused()
    await expect(page.locator(".statement")).to_have_text(
        [
            "We will pay attention to how you connect — with me, with others, with yourself.",
            "Structured, collaborative, measurable.",
        ]
    )
    await visit.screenshot("therapist-page-desktop")
    assert not visit.console_errors


async def test_a_search_narrows_with_filters_and_the_facet_counts_follow(visit_at, seeded):
    visit = await visit_at(DESKTOP)
    page = visit.page
    await visit.open("/search")
    results = page.locator("#results > li")
    status = page.get_by_role("status").filter(has_text="found")
    state = page.get_by_label("State", exact=True)
    approach = page.get_by_label("Approach", exact=True)

    await expect(status).to_have_text(f"{len(THERAPISTS)} therapists found")
    await expect(state.locator("option[value=TX]")).to_have_text(f"Texas ({in_texas(THERAPISTS)})")
    await expect(approach.locator("option[value=emdr]")).to_have_text(f"EMDR ({len(SPECIALISTS['emdr'])})")

    await approach.select_option("emdr")
    await expect(status).to_have_text(f"{len(SPECIALISTS['emdr'])} therapists found")
    await expect(state.locator("option[value=TX]")).to_have_text(f"Texas ({in_texas(SPECIALISTS['emdr'])})")
    await expect(page.get_by_label(re.compile(r"^In person \(\d+\)$"))).to_have_accessible_name(
        f"In person ({sum('in_person' in t[5]['formats'] for t in SPECIALISTS['emdr'])})"
    )

    await state.select_option("TX")
    texas_emdr = in_texas(SPECIALISTS["emdr"])
    await expect(status).to_have_text(f"{texas_emdr} therapists found")
    await expect(results).to_have_count(texas_emdr)
    city = page.get_by_label("City", exact=True)
    await expect(city.locator("option", has_text="Austin, TX")).to_have_text("Austin, TX (2)")
    await expect(city.locator("option", has_text="Houston, TX")).to_have_text("Houston, TX (1)")
    await expect(approach.locator("option[value=cognitive-behavioral-therapy]")).to_have_text(
        "Cognitive Behavioral Therapy (1)"
    )
    # The filters are in the address, so the search can be shared; the page did not reload.
    assert urlsplit(page.url).fragment == "/search?approach=emdr&state=TX"
    await visit.screenshot("search-filtered-desktop")

    await city.select_option("Austin, TX")
    await expect(status).to_have_text("2 therapists found")
    await page.get_by_label("Name, words or approach").fill("Rietveld")
    await expect(status).to_have_text("1 therapist found")
    await expect(results.get_by_role("link")).to_have_text(["Cosmo Rietveld"])

    await page.get_by_role("button", name="Clear filters").click()
    await expect(status).to_have_text(f"{len(THERAPISTS)} therapists found")
    assert not visit.console_errors


async def test_the_questionnaire_shows_who_fits_and_why_without_keeping_the_answers(visit_at, seeded):
    visit = await visit_at(DESKTOP)
    page = visit.page
    await visit.open("/match")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Find Your Match")

    await page.get_by_role("button", name="Show my matches").click()
    await expect(page.get_by_role("alert")).to_have_text("Choose the state you live in.")

    await page.get_by_label("Anxiety", exact=True).check()
    await page.get_by_label("State", exact=True).select_option("TX")
    await page.get_by_label("Online (video or phone)").check()
    await page.get_by_label("Insurance").select_option("aetna")
    await page.get_by_label("Speaks").select_option("es")
    await page.get_by_role("button", name="Show my matches").click()

    matches = page.locator("#matches > li")
    # Online to Texas, accepting, taking Aetna: Marisol and Ada; Marisol speaks Spanish, so she leads.
    await expect(matches).to_have_count(2)
    await expect(page.get_by_role("heading", name=re.compile("^2 therapists fit"))).to_be_focused()
    first = matches.nth(0)
    await expect(first.get_by_role("link")).to_have_text("MARISOL T. OKONKWO-REYES, LPC-Associate")
    reasons = first.locator(".reasons li")
    await expect(reasons).to_contain_text(
        [
            "Offers online sessions to clients in Texas",
            "Takes Aetna",
            "Helps with anxiety",
            "Offers sessions in",
        ]
    )
    await expect(matches.nth(1).locator(".reasons li")).to_contain_text(["Licensed to practise in Texas"])
    await visit.screenshot("match-results-desktop")

    # Nothing of the answers is in the address or in storage; only the visitor's rotation session.
    assert urlsplit(page.url).fragment == "/match"
    storage = await page.evaluate(
        "({session: {...sessionStorage}, local: {...localStorage}, cookie: document.cookie})"
    )
    assert storage["local"] == {} and storage["cookie"] == ""
    assert list(storage["session"]) == ["directory.visitorSession"]
    graphql_calls = [r for r in visit.requests if r.url.endswith("/graphql")]
    sessions = {r.headers.get("x-visitor-session") for r in graphql_calls}
    assert sessions == {storage["session"]["directory.visitorSession"]}
    assert all(r.method == "POST" for r in graphql_calls)
    assert not visit.console_errors


async def test_everything_comes_from_the_gateway_and_every_control_has_a_label(visit_at, seeded):
    visit = await visit_at(DESKTOP)
    page = visit.page
    for route, ready in (
        ("/", "Approaches to therapy"),
        ("/search", "therapists found"),
        ("/match", "What brings you here?"),
    ):
        await visit.open(route)
        await expect(page.locator("main")).to_contain_text(ready)
        unlabelled = await page.evaluate("""() =>
            [...document.querySelectorAll('input, select, textarea, button')]
            .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
            .map((el) => el.outerHTML)""")
        assert unlabelled == [], route
        if route == "/":
            await visit.screenshot("home-desktop")
    gateway = urlsplit(visit.base_url).netloc
    assert {urlsplit(r.url).netloc for r in visit.requests if not r.url.startswith("data:")} == {gateway}

    # Keyboard: on a freshly loaded page the first Tab reaches the skip link, which moves focus to
    # the main content and leaves the page where it is.
    await page.reload()
    await expect(page.locator("main")).to_contain_text("What brings you here?")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_be_focused()
    assert urlsplit(page.url).fragment == "/match"
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Anxiety", exact=True)).to_be_focused()


async def test_the_pages_fit_a_phone_screen(visit_at, seeded):
    visit = await visit_at(PHONE)
    page = visit.page
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    await visit.open("/approaches/relational-therapy")
    await expect(page.locator("#specialists > li")).to_have_count(10)
    assert await page.evaluate(fits)
    await visit.screenshot("approach-page-phone")
    await visit.screenshot("approach-page-phone-first-screen", full_page=False)
    await page.get_by_role("heading", name="Meet the specialists").scroll_into_view_if_needed()
    await visit.screenshot("approach-page-phone-specialists", full_page=False)

    await visit.open("/search?approach=relational-therapy&state=TX")
    await expect(page.get_by_role("status").filter(has_text="found")).to_have_text(
        f"{in_texas(RELATIONAL, 'relational-therapy')} therapists found"
    )
    # On a phone the filters start folded away, so the results come first.
    await expect(page.get_by_label("State", exact=True)).to_be_hidden()
    assert await page.evaluate(fits)
    await visit.screenshot("search-phone", full_page=False)

    await visit.open("/match")
    await page.get_by_label("State", exact=True).select_option("OR")
    await page.get_by_role("button", name="Show my matches").click()
    await expect(page.locator("#matches > li")).to_have_count(1)
    await expect(page.locator("#matches .reasons li").first).to_have_text("Licensed to practise in Oregon")
    assert await page.evaluate(fits)
    await visit.screenshot("match-phone")
    await visit.screenshot("match-phone-results", full_page=False)
