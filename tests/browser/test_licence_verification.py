"""What visitors read of licence verification, rendered by the web client's own modules in
Chromium: "licence verified <date>" on a card and on the profile page for a verified licence, and
a rejected one shown only as not verified."""

from __future__ import annotations

from tests.browser.conftest import DESKTOP

CARD_HEAD_OF = """async (card) => {
    const { therapistHeading } = await import("/static/dom.js");
    return therapistHeading(card).querySelector(".verified")?.textContent ?? null;
}"""
LICENCES_OF = """async (therapist) => {
    const { profileArticle } = await import("/static/pages/therapist.js");
    const article = profileArticle(therapist);
    const heading = [...article.querySelectorAll("h2")].find((h) => h.textContent === "Licences");
    return [...heading.parentElement.querySelectorAll("li")].map((li) => li.textContent);
}"""
CARD = {
    "id": "t1",
    "displayName": "Ines Calloway",
    "title": "LCSW",
    "location": {"city": "Austin", "state": "TX"},
}
LICENCE = {"state": "TX", "number": None, "expired": False}


async def test_a_card_says_licence_verified_with_the_date_only_for_verified_licences(visit_at):
    visit = await visit_at(DESKTOP)
    await visit.open("/")
    verified = {"kind": "LCSW", "state": "TX", "verifiedAt": "2026-03-02T15:00:00Z"}
    shown = await visit.page.evaluate(CARD_HEAD_OF, {**CARD, "verifiedLicences": [verified]})
    assert shown == "LCSW licence (TX) verified Mar 2, 2026"
    assert await visit.page.evaluate(CARD_HEAD_OF, {**CARD, "verifiedLicences": []}) is None


async def test_the_profile_page_says_licence_verified_and_never_why_one_was_rejected(visit_at):
    visit = await visit_at(DESKTOP)
    await visit.open("/")
    therapist = {
        **CARD, "pronouns": None, "newClientStatus": None, "availabilityConfirmedAt": None,
        "formats": [], "telehealthStates": [], "languages": [], "ageGroups": [], "populations": [],
        "approaches": [], "issues": [], "locations": [], "yearsInPractice": None,
        "money": {"fees": [], "slidingScale": None, "freeConsultation": False, "insurance": [],
                  "outOfNetworkSuperbill": False},
        "identity": {"gender": None, "raceEthnicity": [], "lgbtq": None, "faith": None},
        "bio": {"helpWith": "", "approach": "", "about": ""}, "updatedAt": "2026-03-02T15:00:00Z",
        "licenceStatus": "LICENSED",
        "licences": [
            {**LICENCE, "kind": "LCSW", "verificationStatus": "VERIFIED", "verifiedAt": "2026-03-02T15:00:00Z"},
            {**LICENCE, "kind": "LPC", "verificationStatus": "REJECTED", "verifiedAt": None},
        ],
    }  # fmt: skip
    items = await visit.page.evaluate(LICENCES_OF, therapist)
    assert items[0].endswith("(licence verified Mar 2, 2026)")
    assert items[1].endswith("(not verified)")
