"""The therapist's inbox past its first page: 23 visitors' messages, 20 shown, the count says so,
"Show older messages" brings the rest and moves the focus to the first of them, and then goes."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.accessibility import assert_accessible, assert_fits
from tests.browser.conftest import NARROW
from tests.browser.signin_support import DEVELOPMENT_AUTH
from tests.browser.test_therapist_area import bearer, heading, sign_in
from tests.stack import directory_running
from tests.support import eventually

ACCOUNT = "inbox-pager"
MESSAGES = 23
PAGE_SIZE = 20  # the inbox's page (gateway/web/static/pages/me/inbox.js)
SEND = """
mutation($input: InquiryInput!) {
  sendInquiry(input: $input) { __typename ... on InquirySent { id } }
}"""


@pytest.fixture(scope="module")
async def directory(infra):
    # Every message of this test comes from one address: the per-client limit would stop it at 5.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("INQUIRY_RATE_PER_CLIENT", "1000/hour")
        async with directory_running(infra, auth=DEVELOPMENT_AUTH) as running:
            yield running


async def a_therapist_with_messages(directory) -> str:
    async with directory.http.post(
        f"{directory.urls['profiles']}/v1/therapists",
        json={"displayName": "Noor Pagewell", "title": "LCSW", "location": {"city": "Tacoma", "state": "WA"}},
        headers=bearer(ACCOUNT),
    ) as response:
        assert response.status == 201, await response.text()
        therapist = (await response.json())["id"]

    async def send(number: int) -> str:
        message = {
            "therapistId": therapist,
            "name": f"Visitor {number:02d}",
            "email": f"visitor{number:02d}@example.org",
            "message": f"Message number {number:02d}: could we talk about evening sessions?",
            "consent": True,
            "idempotencyKey": f"paging-{number}",
        }
        return (await directory.graphql(SEND, {"input": message}))["sendInquiry"]["__typename"]

    # The inquiries service learns of a new therapist from profiles' event.
    await eventually(lambda: _sent(send(1)), timeout=30, interval=0.2, what="the first message accepted")
    for number in range(2, MESSAGES + 1):
        assert await send(number) == "InquirySent"
    return therapist


async def _sent(sending) -> bool:
    return await sending == "InquirySent"


async def test_older_messages_come_a_page_at_a_time_and_the_focus_follows(directory, visit_at):
    await a_therapist_with_messages(directory)
    visit = await visit_at(NARROW)
    page = visit.page
    await visit.open("/me")
    await sign_in(visit, ACCOUNT)
    await visit.open("/me/inquiries")
    await heading(page, "Your inquiries")

    items = page.locator(".inquiry-item")
    await expect(items).to_have_count(PAGE_SIZE)
    count = page.locator(".result-count")
    await expect(count).to_have_text(
        f"{MESSAGES} messages: {PAGE_SIZE} new, 0 answered (of the {PAGE_SIZE} shown)."
    )
    # Newest first: the last message sent heads the list, the oldest three wait on the next page.
    await expect(items.first.get_by_role("heading")).to_have_text(f"From Visitor {MESSAGES:02d}")
    await expect(page.locator("main")).not_to_contain_text("From Visitor 03")
    await assert_accessible(page, name="inbox first page")
    await assert_fits(page, NARROW["width"])

    more = page.get_by_role("button", name="Show older messages")
    await more.focus()
    await page.keyboard.press("Enter")
    await expect(items).to_have_count(MESSAGES)
    first_older = items.nth(PAGE_SIZE).get_by_role("heading")
    await expect(first_older).to_have_text("From Visitor 03")
    await expect(first_older).to_be_focused()
    await expect(items.last.get_by_role("heading")).to_have_text("From Visitor 01")
    await expect(count).to_have_text(f"{MESSAGES} messages: {MESSAGES} new, 0 answered.")
    await expect(more).to_have_count(0)  # nothing older is left

    # An older message is answered like any other, and the count follows.
    older = items.filter(has_text="From Visitor 02")
    await older.get_by_role("button", name="Mark as answered").click()
    await expect(older.locator(".inquiry-status")).to_have_text(re.compile(r"^Answered"))
    await expect(count).to_have_text(f"{MESSAGES} messages: {MESSAGES - 1} new, 1 answered.")
    await visit.screenshot("therapist-area/375px/inbox-paging")
