"""The therapist area (#/me) in a real browser, against the whole directory with the development
sign-in: a new therapist signs in, builds a profile, is seen by visitors as they would be, answers a
visitor's message and deletes the profile; on a laptop and on a 375 px phone. Then what goes wrong:
a stale version, a statement too long, a licence state that does not exist, a session that ends.

Screenshots of every step land in test-artifacts/browser/therapist-area/<viewport>/NN-step.png.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.async_api import expect

from servicekit.tokens import mint_token
from tests.browser.accessibility import assert_accessible, assert_fits, tab_to
from tests.browser.conftest import DESKTOP, NARROW, ROOT, SCREENSHOTS, Visit
from tests.browser.signin_support import DEVELOPMENT_AUTH, TOKEN_KEY
from tests.stack import directory_running
from tests.support import eventually

PROPAGATION_SECONDS = 30
APPROACHES = ("relational-therapy", "emdr")
STREET = "12 Quiet Lane"
RELATIONAL = "Relational work: we notice what happens between us — gently, and at your pace."
EMDR = "EMDR for memories that still feel present, once we have built enough safety together."
TITLE = "Licensed Marriage and Family Therapist"
VISITOR_MESSAGE = "Hello — I’d like help with anxiety. Weekday evenings suit me."
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["1280px", "375px"])

MY_PROFILE = "query { myProfile { id version title pronouns licences { state } } }"
PATCH = """
mutation($id: ID!, $patch: TherapistProfilePatch!) {
  updateMyProfile(therapistId: $id, patch: $patch) { __typename ... on ProfileUpdated { version } }
}"""
CARD = """
query($state: String!) {
  searchTherapists(filter: {state: $state}, first: 50) {
    edges { node { id responsiveness { answeredShare sampleSize } } }
  }
}"""
SPECIALISTS = """
query($slug: String!) {
  approach(slug: $slug) { specialists(first: 50) { edges { statement node { id newClientStatus } } } }
}"""


def bearer(account: str, *, ttl_seconds: int = 600) -> dict[str, str]:
    token = mint_token(account, ["therapist"], ttl_seconds=ttl_seconds, settings=DEVELOPMENT_AUTH)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
async def directory(infra):
    """The whole directory checking tokens with the development secret, so the sign-in page offers
    the development sign-in; two approaches, which the profiles service has learnt of."""
    async with directory_running(infra, auth=DEVELOPMENT_AUTH) as running:
        admin = {"Authorization": "Bearer " + mint_token("area-admin", ["admin"], settings=DEVELOPMENT_AUTH)}
        catalogue = json.loads((ROOT / "devstack" / "demo" / "approaches.json").read_text())
        for record in catalogue:
            if record["slug"] in APPROACHES:
                url = f"{running.urls['approaches']}/v1/approaches"
                async with running.http.post(url, json=record, headers=admin) as response:
                    assert response.status == 201, await response.text()
        # Someone else is listed too, and their statements prove profiles knows both approaches.
        other = bearer("area-colleague")
        async with running.http.post(
            f"{running.urls['profiles']}/v1/therapists",
            json={
                "displayName": "Ines Colleague",
                "title": "LPC",
                "location": {"city": "Salem", "state": "OR"},
            },
            headers=other,
        ) as response:
            assert response.status == 201, await response.text()
            colleague = (await response.json())["id"]
        for slug in APPROACHES:

            async def accepted(slug=slug):
                url = f"{running.urls['profiles']}/v1/therapists/{colleague}/approaches/{slug}"
                async with running.http.put(
                    url, json={"statement": "Steady work."}, headers=other
                ) as response:
                    return response.status in (200, 201, 204)

            await eventually(accepted, timeout=PROPAGATION_SECONDS, what=f"profiles knowing {slug}")
        yield running


class Steps:
    """Numbered screenshots of one journey, and the accessibility checks on each therapist page."""

    def __init__(self, visit: Visit, viewport: dict, journey: str = "") -> None:
        self.visit, self.viewport = visit, viewport
        self.folder = Path("therapist-area") / f"{viewport['width']}px" / journey
        (SCREENSHOTS / self.folder).mkdir(parents=True, exist_ok=True)
        self.number = 0

    async def shot(self, name: str, *, check: bool = True) -> None:
        self.number += 1
        if check:
            await assert_accessible(self.visit.page, name=f"{self.folder} {name}")
            if self.viewport["width"] <= NARROW["width"]:
                await assert_fits(self.visit.page, self.viewport["width"])
        await self.visit.screenshot(str(self.folder / f"{self.number:02d}-{name}"))


async def heading(page, text) -> None:
    # The first: the preview's picture of the public page has that page's own (inert) heading.
    await expect(page.get_by_role("heading", level=1).first).to_have_text(text)


async def sign_in(visit: Visit, account: str) -> None:
    """Through the sign-in page, as a therapist would: "Sign in", an account name, back to #/me."""
    page = visit.page
    await page.get_by_role("button", name=re.compile(r"^Sign in")).first.click()
    await heading(page, "Sign in for therapists")
    await page.get_by_label("Account name", exact=True).fill(account)
    await page.get_by_role("button", name="Sign in (development)").click()
    await expect(page.get_by_role("heading", level=1).first).not_to_have_text("Sign in for therapists")


async def create_profile(page, name: str, city: str = "Eugene", state: str = "OR") -> None:
    await heading(page, "Create your profile")
    await page.get_by_label("Display name", exact=True).fill(name)
    await page.get_by_label("Professional title", exact=True).fill(TITLE)
    await page.get_by_label("City", exact=True).fill(city)
    await page.get_by_label("State", exact=True).select_option(state)
    await page.get_by_role("button", name="Create my profile").click()
    await created(page)


async def create_profile_by_keyboard(page, name: str) -> None:
    """The create form with the keyboard alone: Tab from the heading, type, Enter."""
    await heading(page, "Create your profile")
    await expect(page.get_by_role("heading", level=1)).to_be_focused()
    await tab_to(page, "input[data-path=displayName]")
    await page.keyboard.type(name)
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Professional title", exact=True)).to_be_focused()
    await page.keyboard.type(TITLE)
    await page.keyboard.press("Tab")
    await page.keyboard.type("Eugene")
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("State", exact=True)).to_be_focused()
    await page.keyboard.type("Oregon")
    await expect(page.get_by_label("State", exact=True)).to_have_value("OR")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Create my profile")).to_be_focused()
    await page.keyboard.press("Enter")
    await created(page)


async def created(page) -> None:
    await heading(page, "Your profile")
    await expect(page.locator(".flash")).to_contain_text("Your profile is created")


async def section(page, nav: str, title: str) -> None:
    await (
        page.get_by_role("navigation", name="Therapist area")
        .get_by_role("link", name=nav, exact=True)
        .click()
    )
    await heading(page, title)


async def save_profile(page) -> None:
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.locator(".save-bar .form-status")).to_have_text(re.compile(r"^Saved\."))


async def add_statement(page, approach: str, text: str) -> None:
    new = page.get_by_role("form", name="New statement")
    await new.get_by_label("Approach", exact=True).select_option(label=approach)
    await new.get_by_label("Your statement", exact=True).fill(text)
    await new.get_by_role("button", name="Add this statement").click()
    await expect(page.locator(".flash")).to_have_text(re.compile(f"^Saved your statement about {approach}"))


async def reload_until(page, locator, text: str) -> None:
    """Reload until `locator` shows `text` (what search learns from events takes a moment)."""

    async def shown():
        await page.reload()
        try:
            await expect(locator).to_contain_text(text, timeout=1000)
        except AssertionError:
            return False
        return True

    await eventually(shown, timeout=PROPAGATION_SECONDS, interval=0.2, what=f"{text!r} shown")


async def therapist_id(directory, account: str) -> str:
    return (await directory.graphql(MY_PROFILE, headers=bearer(account)))["myProfile"]["id"]


# The test's own polls carry a token, which the gateway never answers from its response cache: a
# poll must not itself keep an answer from before search caught up (the pages' requests stay anonymous).
FRESH = bearer("area-observer", ttl_seconds=3600)


async def card_of(directory, therapist: str, state: str = "OR") -> dict | None:
    edges = (await directory.graphql(CARD, {"state": state}, FRESH))["searchTherapists"]["edges"]
    return next((edge["node"] for edge in edges if edge["node"]["id"] == therapist), None)


@VIEWPORTS
async def test_a_new_therapist_builds_a_profile_answers_a_visitor_and_deletes_it(
    directory, visit_at, viewport
):
    account = f"new-therapist-{viewport['width']}"
    name = f"Ana Wexford-{viewport['width']}, LMFT"
    visit = await visit_at(viewport)
    page = visit.page
    steps = Steps(visit, viewport)

    await visit.open("/me")
    await heading(page, "For therapists")
    await steps.shot("signed-out")
    await sign_in(visit, account)
    await steps.shot("create-form")
    await create_profile_by_keyboard(page, name)
    await steps.shot("created")

    # A home office, private: used for distance, never shown.
    await page.get_by_label("Email", exact=True).fill(f"{account}@example.org")
    await page.get_by_role("button", name="Add a location").click()
    office = page.locator("fieldset[data-path=locations] .edit-row").first
    await expect(office.get_by_label("Name (optional)")).to_be_focused()
    await office.get_by_label("Name (optional)").fill("Home office")
    await office.get_by_label("Street address").fill(STREET)
    await office.get_by_label("City", exact=True).fill("Eugene")
    await office.get_by_label("State", exact=True).select_option("OR")
    await office.get_by_label("ZIP code (optional)").fill("97401")
    await office.get_by_label("Keep this address private").check()
    await expect(office).to_contain_text(
        "A private address is used for distance only; visitors see the city."
    )
    await save_profile(page)
    await office.scroll_into_view_if_needed()
    await steps.shot("home-office-private")

    await section(page, "Approaches", "Your approaches")
    await add_statement(page, "Relational Therapy", RELATIONAL)
    await add_statement(page, "EMDR", EMDR)
    await expect(page.locator(".statements > li")).to_have_count(2)
    await steps.shot("two-statements")

    await section(page, "Availability", "Your availability")
    await expect(page.locator(".confirmed-on")).to_have_text("Never confirmed.")
    await page.get_by_label("Accepting new clients", exact=True).check()
    await page.get_by_role("button", name="Confirm this answer").click()
    await expect(page.locator(".flash")).to_contain_text("Confirmed: Accepting new clients")
    # From now on it is one click.
    await page.get_by_role("button", name="Confirm: Accepting new clients").click()
    await expect(page.locator(".flash")).to_be_focused()
    await expect(page.locator(".confirmed-on")).to_contain_text("(today)")
    await steps.shot("availability-confirmed")

    therapist = await therapist_id(directory, account)

    async def on_the_approach_page():
        data = await directory.graphql(SPECIALISTS, {"slug": "relational-therapy"}, FRESH)
        edges = data["approach"]["specialists"]
        return any(
            edge["node"]["id"] == therapist and edge["node"]["newClientStatus"] == "ACCEPTING"
            for edge in edges["edges"]
        )

    await eventually(on_the_approach_page, timeout=PROPAGATION_SECONDS, what="the card on the approach page")
    await visit.open("/approaches/relational-therapy")
    card = page.locator("#specialists > li").filter(has=page.get_by_role("link", name=name, exact=True))
    await expect(card).to_contain_text(RELATIONAL)
    await expect(card.locator(".person-place")).to_have_text("Eugene, OR")
    await expect(card).to_contain_text("Accepting new clients")
    await expect(page.locator("main")).not_to_contain_text(STREET)
    await card.scroll_into_view_if_needed()
    await steps.shot("card-on-approach-page", check=False)

    await visit.open("/me/preview")
    await heading(page, "What visitors see")
    hidden = page.locator(".private-parts")
    await expect(hidden).to_contain_text(f"the street address of Home office ({STREET})")
    await expect(hidden).to_contain_text(f"your email address ({account}@example.org)")
    frames = page.locator(".preview-frame")
    await expect(frames).to_have_count(4)  # search card, two approach cards, the page
    await expect(frames.last).to_contain_text("(address shared on request)")
    await expect(frames.filter(has_text=STREET)).to_have_count(0)
    await steps.shot("preview")

    # A visitor, in a browser of their own, writes from the public page.
    visitor = await visit_at(viewport)
    await visitor.open(f"/therapists/{therapist}")
    await heading(visitor.page, name)
    await expect(visitor.page.locator("main")).not_to_contain_text(STREET)
    await visitor.page.get_by_role("button", name="Email this therapist").click()
    form = visitor.page.locator("form.inquiry-form")
    await form.get_by_label("Your name", exact=True).fill("Sam Visitor")
    await form.get_by_label("Email", exact=True).fill("sam.visitor@example.org")
    await form.get_by_label("Message", exact=True).fill(VISITOR_MESSAGE)
    await form.get_by_label("I agree").check()
    await form.get_by_role("button", name="Send message").click()
    await expect(visitor.page.get_by_role("heading", name="Message sent")).to_be_focused()
    visitor_steps = Steps(visitor, viewport, "visitor")
    await visitor_steps.shot("message-sent", check=False)

    await visit.open("/me/inquiries")
    await heading(page, "Your inquiries")
    message = page.locator(".inquiry-item").filter(has_text="From Sam Visitor")
    await expect(message).to_contain_text(VISITOR_MESSAGE)
    await expect(message).to_contain_text("sam.visitor@example.org")
    await expect(message.locator(".inquiry-status")).to_have_text("New: not answered yet")
    await expect(page.locator(".result-count")).to_have_text("1 message: 1 new, 0 answered.")
    await steps.shot("inbox-new")
    await message.get_by_role("button", name="Mark as answered").click()
    await expect(message.locator(".inquiry-status")).to_have_text(re.compile(r"^Answered"))
    await expect(message.locator(".inquiry-status")).to_be_focused()
    await expect(message.get_by_role("button", name="Mark as answered")).to_have_count(0)
    await expect(page.locator(".result-count")).to_have_text("1 message: 0 new, 1 answered.")

    async def answered_on_the_card():
        found = await card_of(directory, therapist)
        return found and found["responsiveness"]["answeredShare"] == 1.0

    await eventually(answered_on_the_card, timeout=PROPAGATION_SECONDS, what="the card's responsiveness")
    replied = "Usually replies within a day and answers 100% of messages."
    await reload_until(page, page.locator(".public-responsiveness"), replied)
    await steps.shot("inbox-answered")
    await reload_until(visitor.page, visitor.page.locator(".next-steps"), replied)

    await section(page, "Delete", "Delete your profile")
    await expect(page.locator("main")).to_contain_text("Every message visitors sent you, answered or not")
    await page.get_by_role("button", name="Delete my profile").click()
    await expect(page.locator(".me-form .form-status")).to_have_text(
        "Tick the box first to confirm that you mean it."
    )
    await steps.shot("delete-confirmation")
    await page.get_by_label("I understand that this cannot be undone").check()
    await page.get_by_role("button", name="Delete my profile").click()
    await heading(page, "Create your profile")
    await expect(page.locator(".flash")).to_contain_text("Your profile was deleted")
    await steps.shot("deleted")

    async def gone():
        return await card_of(directory, therapist) is None

    await eventually(gone, timeout=PROPAGATION_SECONDS, what="the card gone from search")
    await visitor.open("/search?state=OR")
    results = visitor.page.locator("#results")
    await expect(results).to_contain_text("Ines Colleague")
    await expect(results).not_to_contain_text(name)
    await visitor_steps.shot("gone-from-search", check=False)
    assert not visit.console_errors, visit.console_errors


async def signed_in_with_a_profile(visit: Visit, account: str, name: str) -> None:
    await visit.open("/me")
    await sign_in(visit, account)
    await create_profile(visit.page, name, city="Spokane", state="WA")


async def test_a_stale_version_keeps_what_was_typed_and_offers_reload_or_overwrite(directory, visit_at):
    account = "stale-version"
    visit = await visit_at(DESKTOP)
    page = visit.page
    steps = Steps(visit, DESKTOP, "stale-version")
    await signed_in_with_a_profile(visit, account, "Bo Lindqvist")
    therapist = await therapist_id(directory, account)
    pronouns = page.get_by_label("Pronouns (optional)")
    title = page.get_by_label("Professional title", exact=True)

    await pronouns.fill("she/her")
    changed = await directory.graphql(
        PATCH, {"id": therapist, "patch": {"title": "Changed elsewhere"}}, bearer(account)
    )
    assert changed["updateMyProfile"]["__typename"] == "ProfileUpdated"
    await page.get_by_role("button", name="Save profile").click()
    conflict = page.locator(".conflict")
    await expect(conflict.get_by_role("heading")).to_have_text(
        "Your profile changed since you opened this form"
    )
    await expect(conflict.get_by_role("heading")).to_be_focused()
    await expect(pronouns).to_have_value("she/her")
    await expect(title).to_have_value(TITLE)
    await steps.shot("conflict")

    # Knowingly: what is in the form replaces what was saved elsewhere.
    await conflict.get_by_role("button", name="Save mine over it").click()
    await expect(page.locator(".save-bar .form-status")).to_have_text(re.compile(r"^Saved\."))
    await expect(conflict).to_have_count(0)
    saved = (await directory.graphql(MY_PROFILE, headers=bearer(account)))["myProfile"]
    assert (saved["title"], saved["pronouns"]) == (TITLE, "she/her")

    await directory.graphql(PATCH, {"id": therapist, "patch": {"title": "Changed again"}}, bearer(account))
    await pronouns.fill("they/them")
    await page.get_by_role("button", name="Save profile").click()
    await conflict.get_by_role("button", name="Reload the saved profile (discard my changes)").click()
    await expect(page.locator(".flash")).to_have_text(
        "The saved profile is shown; what you had typed was discarded."
    )
    await expect(page.get_by_label("Professional title", exact=True)).to_have_value("Changed again")
    await expect(page.get_by_label("Pronouns (optional)")).to_have_value("she/her")
    await steps.shot("reloaded")
    assert not visit.console_errors, visit.console_errors


async def test_a_statement_over_2000_characters_is_refused_beside_it_and_kept(directory, visit_at):
    visit = await visit_at(DESKTOP)
    page = visit.page
    steps = Steps(visit, DESKTOP, "long-statement")
    await signed_in_with_a_profile(visit, "long-statement", "Cy Marlowe")
    await section(page, "Approaches", "Your approaches")
    new = page.get_by_role("form", name="New statement")
    statement = new.get_by_label("Your statement", exact=True)
    await new.get_by_label("Approach", exact=True).select_option(label="EMDR")
    await statement.fill("x" * 2001)
    await expect(new.locator(".counter")).to_have_text("1 character too many (up to 2,000)")
    await new.get_by_role("button", name="Add this statement").click()
    field = new.locator(".field").filter(has=page.get_by_label("Your statement", exact=True))
    await expect(field.locator(".field-error")).to_have_text("Shorten it to 2,000 characters.")
    await expect(statement).to_have_attribute("aria-invalid", "true")
    await expect(new.locator(".form-problems")).to_be_focused()
    assert len(await statement.input_value()) == 2001  # nothing typed is lost
    await steps.shot("too-long")

    # Counted as the server counts, in characters: 2,000 emoji are 2,000, not 4,000 UTF-16 units.
    await statement.fill("🌿" * 2000)
    await expect(new.locator(".counter")).to_have_text("2,000 of 2,000 characters")
    await new.get_by_role("button", name="Add this statement").click()
    await expect(page.locator(".flash")).to_have_text(re.compile("^Saved your statement about EMDR"))
    await expect(page.get_by_label("Your statement about EMDR")).to_have_value("🌿" * 2000)


async def test_an_unknown_licence_state_is_refused_beside_the_field(directory, visit_at):
    visit = await visit_at(DESKTOP)
    page = visit.page
    steps = Steps(visit, DESKTOP, "licence-state")
    await signed_in_with_a_profile(visit, "licence-state", "Dara Okafor")
    await page.get_by_role("button", name="Add a licence").click()
    licence = page.locator("fieldset[data-path=licences] .edit-row").first
    await licence.get_by_label("Kind of licence").select_option("LCSW")
    await licence.get_by_label("Licence number", exact=True).fill("LC-20931")
    state = licence.get_by_label("State", exact=True)
    await state.fill("ZZ")
    await page.get_by_role("button", name="Save profile").click()

    field = licence.locator(".field").filter(has=page.get_by_label("State", exact=True))
    await expect(field.locator(".field-error")).to_contain_text("not a known two-letter US state")
    await expect(state).to_have_attribute("aria-invalid", "true")
    summary = page.locator(".form-problems")
    await expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=re.compile(r"^Licence 1: state: "))
    await expect(link).to_have_count(1)
    await expect(state).to_have_value("ZZ")
    await expect(licence.get_by_label("Licence number", exact=True)).to_have_value("LC-20931")
    await steps.shot("licence-state-refused")
    await link.click()
    await expect(state).to_be_focused()

    await state.fill("WA")
    await save_profile(page)
    await expect(page.locator(".field-error")).to_have_count(0)
    saved = (await directory.graphql(MY_PROFILE, headers=bearer("licence-state")))["myProfile"]
    assert saved["licences"] == [{"state": "WA"}]


async def test_when_the_session_ends_what_was_typed_stays_and_is_saved_after_signing_in_again(
    directory, visit_at
):
    account = "session-ends"
    visit = await visit_at(NARROW)
    page = visit.page
    steps = Steps(visit, NARROW, "session-ends")
    await signed_in_with_a_profile(visit, account, "Eli Brandt")
    await page.get_by_label("Pronouns (optional)").fill("ze/zir")
    await page.get_by_label("What I help with").fill("Anxiety that shows up at work.")

    # The token expires: the tab holds an expired one, and that is what reaches the gateway.
    expired = mint_token(account, ["therapist"], ttl_seconds=-10, settings=DEVELOPMENT_AUTH)
    await page.evaluate("([key, token]) => sessionStorage.setItem(key, token)", [TOKEN_KEY, expired])

    async def with_the_expired_token(route):
        await route.continue_(headers={**route.request.headers, "authorization": f"Bearer {expired}"})

    await page.route("**/graphql", with_the_expired_token)
    await page.get_by_role("button", name="Save profile").click()
    notice = page.locator(".session-ended")
    await expect(notice).to_contain_text("Your session has ended. Sign in again to save.")
    await expect(notice).to_be_focused()
    await expect(page.get_by_label("Pronouns (optional)")).to_have_value("ze/zir")
    await expect(page.get_by_label("What I help with")).to_have_value("Anxiety that shows up at work.")
    await steps.shot("session-ended")
    await page.unroute("**/graphql", with_the_expired_token)

    await notice.get_by_role("button", name="Sign in again").click()
    await heading(page, "Sign in for therapists")
    await page.get_by_label("Account name", exact=True).fill(account)
    await page.get_by_role("button", name="Sign in (development)").click()
    await heading(page, "Your profile")
    await expect(page.get_by_label("Pronouns (optional)")).to_have_value("ze/zir")
    await expect(page.locator(".note")).to_contain_text("Your unsaved changes from earlier are back")
    await steps.shot("typed-text-back")
    await save_profile(page)
    saved = (await directory.graphql(MY_PROFILE, headers=bearer(account)))["myProfile"]
    assert saved["pronouns"] == "ze/zir"


AVAILABILITY_AT = """async (days) => {
    const { availabilitySection } = await import("/static/pages/me/availability.js");
    const container = document.createElement("div");
    const confirmed = new Date(Date.now() - days * 86400000).toISOString();
    availabilitySection(container, { id: "t", newClientStatus: "ACCEPTING", availabilityConfirmedAt: confirmed,
        daysSinceAvailabilityConfirmed: days, availabilityStale: days >= 60 }, {});
    return container.querySelector(".warning")?.textContent ?? null;
}"""


async def test_the_availability_warning_starts_on_day_50_and_says_the_listing_is_demoted_at_60(visit_at):
    visit = await visit_at(DESKTOP)
    await visit.open("/")
    warning = {days: await visit.page.evaluate(AVAILABILITY_AT, days) for days in (49, 50, 59, 60)}
    assert warning[49] is None
    assert warning[50].startswith("Please confirm within 10 days.")
    assert "At 60 days without a confirmation your listing is moved down in search" in warning[50]
    assert warning[59].startswith("Please confirm within 1 day.")
    assert warning[60].startswith("Your listing is being shown lower in search.")
