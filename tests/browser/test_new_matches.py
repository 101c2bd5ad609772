"""The search page's "tell me while this page is open when someone who fits starts accepting", in
a real browser against the whole directory: a therapist made to fit through the profiles REST API
is announced in the page's live region, linked to their page; the socket follows the filters and
closes when the control is turned off."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import DESKTOP
from tests.e2e.test_approach_page_end_to_end import create_therapist
from tests.e2e.test_new_matches_end_to_end import set_accepting
from tests.support import eventually

LABEL = "Tell me while this page is open when someone who fits starts accepting"
NAME = "Linnea Ostrowe, LICSW"
OWNER = "browser-new-matches-1"
# From the profiles write to the page: the outbox, the broker, search's read model and index, the
# gateway's check with search, the WebSocket.
PROPAGATION_MS = 15_000


async def waitlisted_in_vermont(directory) -> str:
    therapist_id = await create_therapist(
        directory,
        OWNER,
        {
            "displayName": NAME,
            "title": "Licensed Clinical Social Worker",
            "location": {"city": "Burlington", "state": "VT"},
            "newClientStatus": "waitlist",
        },
    )

    async def listed():
        data = await directory.graphql(
            "query($f: TherapistFilter) { searchTherapists(filter: $f) { totalCount } }",
            {"f": {"state": "VT"}},
        )
        return data["searchTherapists"]["totalCount"] == 1

    await eventually(listed)
    return therapist_id


async def test_a_visitor_is_told_while_the_page_is_open_when_someone_who_fits_starts_accepting(
    visit_at, directory
):
    therapist_id = await waitlisted_in_vermont(directory)
    visit = await visit_at(DESKTOP)
    page = visit.page
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket))
    await visit.open("/search?state=VT")
    await expect(page.get_by_role("status").filter(has_text="found")).to_have_text("1 therapist found")
    control = page.get_by_label(LABEL)
    await expect(control).not_to_be_checked()
    assert sockets == []  # nothing is watched until the visitor asks

    await control.check()
    await expect(control).to_have_accessible_description(
        "On: whoever comes to fit this search and accepts new clients is listed here while this page is open."
    )
    await eventually(lambda: len(sockets) == 1, timeout=5)
    await page.wait_for_timeout(300)  # the subscription is open before the change
    await assert_accessible(page, name="search with new matches on")

    await set_accepting(directory, OWNER, therapist_id, "newpt")
    region = page.get_by_role("log", name="New matches")
    await expect(region).to_have_attribute("aria-live", "polite")
    link = region.get_by_role("link", name=NAME)
    await expect(link).to_be_visible(timeout=PROPAGATION_MS)
    await expect(region.locator("li")).to_have_text(
        f"{NAME}, Licensed Clinical Social Worker, Burlington, VT, now fits this search and accepts new clients."
    )
    await expect(link).to_have_attribute("href", f"#/therapists/{therapist_id}")
    await visit.screenshot("search-new-matches")
    await assert_accessible(page, name="search with a new match announced")

    # Another filter: the socket of the old search closes, one for the new search opens.
    await page.get_by_label("State", exact=True).select_option("NH")
    await eventually(lambda: len(sockets) == 2 and sockets[0].is_closed(), timeout=5)
    await expect(region.locator("li")).to_have_count(0)
    # Turned off: nothing is watched any more.
    await control.uncheck()
    await eventually(lambda: sockets[1].is_closed(), timeout=5)
    await expect(control).to_have_accessible_description("Off.")
    assert not visit.console_errors  # a Content-Security-Policy refusal shows up here
