"""Every public page of the web client, on a laptop (1280 px) and a small phone (375 px): axe-core
finds no serious or critical WCAG violation, nothing is wider than the screen, and the main tasks
can be done with the keyboard alone, with the focus always visible."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import expect

from tests.browser.accessibility import assert_accessible, assert_fits, assert_keyboard_reachable, tab_to
from tests.browser.conftest import DESKTOP, NARROW, SPECIALISTS, Visit

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["1280px", "375px"])
THERAPIST = "Ada Oyelaran"

Opener = Callable[[Visit, dict], Awaitable[None]]
PAGES: dict[str, Opener] = {}


def public_page(name: str):
    """Register how to bring the page called `name` on screen."""

    def register(opener: Opener) -> Opener:
        PAGES[name] = opener
        return opener

    return register


async def heading(visit: Visit, text: str | re.Pattern) -> None:
    await expect(visit.page.get_by_role("heading", level=1)).to_have_text(text)


@public_page("home")
async def _home(visit, seeded):
    await visit.open("/")
    await expect(visit.page.locator(".approach-list > li")).to_have_count(3)


@public_page("approach")
async def _approach(visit, seeded):
    await visit.open("/approaches/relational-therapy")
    await expect(visit.page.locator("#specialists > li")).to_have_count(10)


@public_page("search results")
async def _search(visit, seeded):
    await visit.open("/search?state=TX")
    await expect(visit.page.get_by_role("status").filter(has_text="found")).to_contain_text(
        "therapists found"
    )


@public_page("search with filters open")
async def _search_filters(visit, seeded):
    await visit.open("/search?approach=relational-therapy")
    page = visit.page
    await expect(page.get_by_role("status").filter(has_text="found")).to_contain_text("therapists found")
    filters = page.locator("details.filters")
    if await filters.get_attribute("open") is None:
        await filters.locator(":scope > summary").click()
    await page.get_by_text("Distance from a ZIP code").click()
    await expect(page.get_by_label("ZIP code", exact=True)).to_be_visible()


async def _open_therapist(visit, seeded):
    await visit.open(f"/therapists/{seeded[THERAPIST]}")
    await heading(visit, THERAPIST)


@public_page("therapist")
async def _therapist(visit, seeded):
    await _open_therapist(visit, seeded)


@public_page("inquiry form")
async def _inquiry(visit, seeded):
    await _open_therapist(visit, seeded)
    await visit.page.get_by_role("button", name="Email this therapist").click()
    await expect(visit.page.get_by_label("Your name", exact=True)).to_be_focused()


@public_page("inquiry form with errors")
async def _inquiry_errors(visit, seeded):
    await _inquiry(visit, seeded)
    await visit.page.get_by_role("button", name="Send message").click()
    await expect(visit.page.locator(".form-problems li")).to_have_count(4)


@public_page("find your match")
async def _match(visit, seeded):
    await visit.open("/match")
    await expect(visit.page.get_by_label("State", exact=True)).to_be_visible()


@public_page("find your match with a problem")
async def _match_problem(visit, seeded):
    await _match(visit, seeded)
    await visit.page.get_by_role("button", name="Show my matches").click()
    await expect(visit.page.get_by_role("alert")).to_have_text("Choose the state you live in.")
    await expect(visit.page.get_by_label("State", exact=True)).to_have_attribute("aria-invalid", "true")


@public_page("find your match results")
async def _match_results(visit, seeded):
    await _match(visit, seeded)
    page = visit.page
    await page.get_by_label("Anxiety", exact=True).check()
    await page.get_by_label("State", exact=True).select_option("TX")
    await page.get_by_role("button", name="Show my matches").click()
    await expect(page.locator("#matches > li").first).to_be_visible()


@public_page("not found")
async def _not_found(visit, seeded):
    await visit.open("/no/such/page")
    await heading(visit, "Page not found")


@public_page("sign in")
async def _sign_in(visit, seeded):
    await visit.open("/sign-in")
    await expect(visit.page.get_by_role("heading", level=1)).to_be_visible()


@public_page("therapist area signed out")
async def _me_signed_out(visit, seeded):
    await visit.open("/me")
    await expect(visit.page.get_by_role("heading", level=1)).to_be_visible()


@VIEWPORTS
@pytest.mark.parametrize("name", list(PAGES))
async def test_every_public_page_passes_axe_and_fits_the_screen(visit_at, seeded, viewport, name):
    visit = await visit_at(viewport)
    await PAGES[name](visit, seeded)
    width = viewport["width"]
    await visit.screenshot(f"a11y-{re.sub(r'[^a-z]+', '-', name)}-{width}")
    await assert_accessible(visit.page, name=f"{name} at {width} px")
    await assert_fits(visit.page, width)
    assert not visit.console_errors  # a Content-Security-Policy refusal shows up here


@VIEWPORTS
async def test_by_keyboard_a_visitor_searches_opens_a_therapist_and_the_inquiry_form(
    visit_at, seeded, viewport
):
    visit = await visit_at(viewport)
    page = visit.page
    await visit.open("/search")
    status = page.get_by_role("status").filter(has_text="found")
    await expect(status).to_contain_text("therapists found")
    if await page.locator("details.filters").get_attribute("open") is None:
        # On a phone the filters start folded away; the keyboard opens them like a tap does.
        await tab_to(page, "details.filters > summary")
        await page.keyboard.press("Enter")
    await tab_to(page, "input[name=text]")
    await page.keyboard.type("Oyelaran")
    await expect(status).to_have_text("1 therapist found")
    await tab_to(page, "#results a")
    await page.keyboard.press("Enter")

    await heading(visit, THERAPIST)
    await expect(page.get_by_role("heading", level=1)).to_be_focused()
    await tab_to(page, ".profile-head button")
    await page.keyboard.press("Enter")
    name = page.get_by_label("Your name", exact=True)
    await expect(name).to_be_focused()
    await page.keyboard.type("Sam Visitor")
    await tab_to(page, "form.inquiry-form button[type=submit]")
    await page.keyboard.press("Enter")
    # What is missing is listed, and focus moves there so it is read out.
    await expect(page.locator(".form-problems")).to_be_focused()
    await expect(page.locator(".form-problems li")).to_have_count(3)
    await expect(name).to_have_value("Sam Visitor")
    await visit.screenshot(f"a11y-keyboard-inquiry-{viewport['width']}", full_page=False)


async def test_by_keyboard_a_visitor_reads_an_approach_and_loads_more_specialists(visit_at, seeded):
    visit = await visit_at(DESKTOP)
    page = visit.page
    await visit.open("/")
    await expect(page.locator(".approach-list > li")).to_have_count(3)
    await assert_keyboard_reachable(
        page,
        [".skip-link", "[data-nav=search]", "[data-nav=match]", ".hero a.button", ".approach-list a"],
    )
    await tab_to(page, 'a[href="#/approaches/relational-therapy"]')
    await page.keyboard.press("Enter")
    await heading(visit, "Relational Therapy")
    await expect(page.get_by_role("heading", level=1)).to_be_focused()
    await tab_to(page, ".more button")
    await page.keyboard.press("Enter")
    await expect(page.locator("#specialists > li")).to_have_count(len(SPECIALISTS["relational-therapy"]))
    assert await page.evaluate("!!document.activeElement.closest('#specialists > li:nth-child(11)')")


async def test_by_keyboard_a_visitor_answers_the_questionnaire(visit_at, seeded):
    visit = await visit_at(NARROW)
    page = visit.page
    await visit.open("/match")
    await tab_to(page, "input[name=concerns][value=anxiety]")
    await page.keyboard.press("Space")
    await tab_to(page, "select[name=state]")
    await page.keyboard.type("Texas")
    await expect(page.get_by_label("State", exact=True)).to_have_value("TX")
    await tab_to(page, "button[type=submit]")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name=re.compile("therapists? fits?"))).to_be_focused()
    await visit.screenshot("a11y-keyboard-match-375", full_page=False)


async def test_the_inquiry_form_marks_a_field_only_after_sending_and_says_why_beside_it(visit_at, seeded):
    visit = await visit_at(NARROW)
    page = visit.page
    await _inquiry(visit, seeded)
    message = page.get_by_label("Message", exact=True)
    untouched = "(el) => getComputedStyle(el).borderTopColor"
    assert await message.evaluate(untouched) == "rgb(118, 118, 118)"  # a required field is not an error yet
    await page.get_by_role("button", name="Send message").click()
    await expect(message).to_have_attribute("aria-invalid", "true")
    await expect(message).to_have_accessible_description(re.compile(r"Write a message\.$"))
    await expect(page.locator(".field-error")).to_have_count(4)
    assert await message.evaluate(untouched) != "rgb(118, 118, 118)"

    await message.fill("Hello")
    await page.get_by_role("button", name="Send message").click()
    await expect(page.locator(".field-error")).to_have_count(3)
    await expect(message).not_to_have_attribute("aria-invalid", "true")
    await expect(message).not_to_have_accessible_description(re.compile("Write a message"))
