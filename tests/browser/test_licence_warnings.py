"""The therapist area's licence warnings and the telehealth note, rendered by the web client's
own modules in Chromium from owner views as the gateway answers them."""

from __future__ import annotations

from tests.browser.conftest import DESKTOP

WARNINGS_OF = """async (profile) => {
    const { licenceWarnings } = await import("/static/pages/me/licences.js");
    return licenceWarnings(profile)?.textContent ?? null;
}"""
TELEHEALTH_NOTE_OF = """async (profile) => {
    const { practiceGroup } = await import("/static/pages/me/profile-groups.js");
    const group = practiceGroup({ locations: [], formats: ["VIDEO"], ...profile });
    return group.element.querySelector(".telehealth-not-served")?.textContent ?? null;
}"""
LISTED = {"shown": True, "reason": None}


def notice(days_left: int, expired: bool = False) -> dict:
    return {"kind": "LPC", "state": "TX", "expires": "2026-03-10", "expired": expired, "daysLeft": days_left}


async def test_licence_warnings_start_30_days_before_and_say_when_the_profile_is_not_listed(visit_at):
    visit = await visit_at(DESKTOP)
    await visit.open("/")

    async def warnings(listing: dict, *notices: dict) -> str | None:
        return await visit.page.evaluate(WARNINGS_OF, {"listing": listing, "licenceNotices": list(notices)})

    assert await warnings(LISTED) is None
    soon = await warnings(LISTED, notice(30))
    assert "Expiring soon" in soon and "expires in 30 days, on Mar 10, 2026" in soon
    assert "today is its last valid day" in await warnings(LISTED, notice(0))
    hidden = await warnings({"shown": False, "reason": "All your licences have expired."}, notice(-1, True))
    assert hidden.startswith("Your profile is not listed. All your licences have expired.")
    assert "Expired: your Licensed Professional Counselor licence in Texas expired on Mar 10, 2026" in hidden


async def test_declared_telehealth_states_no_licence_covers_are_said_to_be_unused(visit_at):
    visit = await visit_at(DESKTOP)
    await visit.open("/")
    note = await visit.page.evaluate(
        TELEHEALTH_NOTE_OF,
        {
            "telehealthStates": ["TX", "NY"],
            "telehealthStatesServed": ["TX"],
            "telehealthStatesNotServed": ["NY"],
        },
    )
    assert note.startswith("Not used for matching or the online-sessions filter: New York.")
    assert note.endswith("Used: Texas.")
    none_unused = await visit.page.evaluate(
        TELEHEALTH_NOTE_OF,
        {"telehealthStates": ["TX"], "telehealthStatesServed": ["TX"], "telehealthStatesNotServed": []},
    )
    assert none_unused is None
