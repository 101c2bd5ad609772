""" "Email this therapist" in a real browser, on a gateway wired to the services' stand-ins: a visitor
writes, reads the consent and what happens next, and is told what is missing or how long to wait."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import DESKTOP, visits
from tests.integration.gateway.backends import RETRY_AFTER_SECONDS, StubDirectory
from tests.integration.gateway.conftest import running_gateway

SMALL_PHONE = {"width": 375, "height": 812}
THERAPIST_ID = "t0003"
THERAPIST_NAME = "Rowan Q. Elbery-3, LMFT"
MESSAGE = "Hi 👋 — I’d like help with anxiety.\nEvenings suit me."


@pytest.fixture
async def stand_ins(infra):
    async with running_gateway(infra, StubDirectory.with_demo_data()) as gw:
        yield gw


@pytest.fixture
async def visit_at(browser, stand_ins):
    async with visits(browser, stand_ins.url) as open_visit:
        yield open_visit


async def open_form(visit):
    await visit.open(f"/therapists/{THERAPIST_ID}")
    page = visit.page
    await page.get_by_role("button", name="Email this therapist").click()
    form = page.locator("form.inquiry-form")
    await expect(form.get_by_label("Your name", exact=True)).to_be_focused()
    return form


async def test_a_visitor_writes_to_a_therapist_and_is_told_what_happens_next(visit_at, stand_ins):
    visit = await visit_at(DESKTOP)
    form = await open_form(visit)
    await expect(form.get_by_label("I agree")).to_have_accessible_name(
        f"I agree that the directory stores my message and contact details and passes them to {THERAPIST_NAME}, "
        "only so that they can reply to me. They are kept encrypted, shared with no one else and deleted "
        "automatically after a set time."
    )
    await form.get_by_label("Your name", exact=True).fill("Sam Visitor")
    await form.get_by_label("Email", exact=True).fill("sam@example.org")
    await form.get_by_label("Message", exact=True).fill(MESSAGE)
    await expect(form.locator(".counter")).to_have_text(f"{len(MESSAGE)} of 2,000 characters")
    await form.get_by_label("I agree").check()
    await visit.screenshot("inquiry-form-desktop")
    await form.get_by_role("button", name="Send message").click()

    sent = visit.page.get_by_role("heading", name="Message sent")
    await expect(sent).to_be_focused()
    await expect(visit.page.locator(".sent")).to_contain_text(
        f"{THERAPIST_NAME} gets an email saying that a message is waiting"
    )
    [stored] = stand_ins.stub.inquiries
    assert stored["message"] == MESSAGE and stored["phone"] is None  # exactly as written
    assert stored["therapistId"] == THERAPIST_ID and stored["client"] == "127.0.0.1"
    assert not visit.console_errors


async def test_what_is_missing_is_said_before_anything_is_sent(visit_at, stand_ins):
    visit = await visit_at(DESKTOP)
    form = await open_form(visit)
    await form.get_by_label("Your name", exact=True).fill("Sam Visitor")
    await form.get_by_role("button", name="Send message").click()
    problems = form.locator(".form-problems li")
    await expect(problems).to_have_text(
        [
            "Email: Give an email address or a phone number, so they can reply.",
            "Message: Write a message.",
            "Consent: Tick the consent box to send your message.",
        ]
    )
    await expect(form.get_by_label("Message", exact=True)).to_have_attribute("aria-invalid", "true")
    assert stand_ins.stub.count("inquiries") == 0


async def test_a_message_over_the_limit_is_counted_and_not_sent(visit_at, stand_ins):
    visit = await visit_at(DESKTOP)
    form = await open_form(visit)
    await form.get_by_label("Message", exact=True).fill("x" * 2003)
    await expect(form.locator(".counter")).to_have_text("3 characters too many (up to 2,000)")


async def test_a_rate_limited_visitor_on_a_small_phone_is_told_how_long_to_wait(visit_at, stand_ins):
    stand_ins.stub.inquiries_per_client = 0
    visit = await visit_at(SMALL_PHONE)
    form = await open_form(visit)
    page = visit.page
    # By keyboard: name, email, phone, message, consent, send (the honeypot is out of the way).
    await page.keyboard.type("Sam Visitor")
    await page.keyboard.press("Tab")
    await expect(form.get_by_label("Email", exact=True)).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.type("+1 512 555 0100")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Hello")
    await page.keyboard.press("Tab")
    await expect(form.get_by_label("I agree")).to_be_focused()
    await page.keyboard.press("Space")
    await page.keyboard.press("Tab")
    await expect(form.get_by_role("button", name="Send message")).to_be_focused()
    await page.keyboard.press("Enter")

    minutes = RETRY_AFTER_SECONDS // 60
    await expect(form.get_by_role("status")).to_contain_text(f"Please wait about {minutes} minutes")
    await expect(form.get_by_role("button", name="Send message")).to_be_disabled()
    await expect(form.get_by_label("Message", exact=True)).to_have_value("Hello")  # still there to send later
    assert await page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    await visit.screenshot("inquiry-rate-limited-phone")
    assert stand_ins.stub.inquiries == []
