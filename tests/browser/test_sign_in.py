"""Signing in, in a real browser: OpenID Connect (authorization code + PKCE) against the test
provider, with every service checking tokens by the provider's published keys as in production;
a forged or cancelled answer refused; a session ending when its token expires or is refused; and
the development sign-in on a developer's machine. Screenshots: test-artifacts/browser/sign-in/."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from playwright.async_api import expect

from devstack.embedded_mongo import free_port
from servicekit.settings import DEVELOPMENT_JWT_SECRET
from tests.browser.accessibility import assert_accessible, assert_fits, tab_to
from tests.browser.conftest import DESKTOP, NARROW, SCREENSHOTS, visits
from tests.browser.signin_support import (
    DEVELOPMENT_AUTH,
    TOKEN_KEY,
    give_token,
    provider_auth,
    stored_token,
)
from tests.oidc_provider import OpenIDProvider, running_provider
from tests.stack import directory_running

SHOTS = SCREENSHOTS / "sign-in"
CLIENT_ID = "therapist-directory-web"
ENDED = "Your session has ended, sign in again."

MY_AREA = """
query Mine($id: ID!) {
  myProfile { id displayName }
  myInquiries(therapistId: $id) { totalCount }
}"""

# Run one GraphQL operation through the client's own api.js, as the therapist area does.
IN_PAGE = """async ([query, variables]) => {
    const { graphql } = await import("/static/api.js");
    try { return { data: await graphql(query, variables, { signedIn: true }) }; }
    catch (error) { return { error: error.message }; }
}"""


async def shot(visit, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await visit.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
async def provider_directory(infra):
    """The test provider and, trusting it, the whole directory (its gateway's origin is the
    provider's one registered client)."""
    gateway_port = free_port()
    async with running_provider(f"http://127.0.0.1:{gateway_port}", client_id=CLIENT_ID) as provider:
        async with directory_running(
            infra,
            auth=provider_auth(provider.jwks_url),
            gateway_port=gateway_port,
            auth_issuer=provider.issuer,
            auth_client_id=CLIENT_ID,
        ) as directory:
            yield provider, directory


@pytest.fixture(scope="module")
async def development_directory(infra):
    async with directory_running(infra, auth=DEVELOPMENT_AUTH) as directory:
        yield directory


@pytest.fixture
async def provider_visit(browser, provider_directory):
    provider, directory = provider_directory
    async with visits(browser, directory.urls["gateway"]) as open_visit:
        yield open_visit


async def create_profile(directory, token: str, name: str) -> str:
    body = {
        "displayName": name,
        "title": "Licensed Professional Counselor",
        "location": {"city": "Tulsa", "state": "OK"},
    }
    async with directory.http.post(
        f"{directory.urls['profiles']}/v1/therapists", json=body, headers={"Authorization": f"Bearer {token}"}
    ) as response:
        assert response.status == 201, await response.text()
        return (await response.json())["id"]


async def auth_keys(page) -> list[str]:
    return await page.evaluate(
        "Object.keys(sessionStorage).filter((key) => key.startsWith('directory.auth'))"
    )


async def go_to_provider(visit, provider) -> dict[str, list[str]]:
    page = visit.page
    await visit.open("/sign-in?returnTo=%2Fme")
    await page.get_by_role("button", name="Sign in with your identity provider").click()
    await page.wait_for_url(f"{provider.issuer}/authorize?*")
    return parse_qs(urlsplit(page.url).query)


async def test_a_therapist_signs_in_with_the_identity_provider_uses_the_api_and_signs_out(
    provider_visit, provider_directory
):
    provider, directory = provider_directory
    origin = directory.urls["gateway"]
    visit = await provider_visit(DESKTOP)
    page = visit.page
    await visit.open("/sign-in?returnTo=%2Fme")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in for therapists")
    # Outside development there is no development form.
    await expect(page.get_by_label("Account name")).to_have_count(0)
    await assert_accessible(page, name="sign-in with an identity provider")
    await shot(visit, "1-sign-in-page-provider")

    await page.get_by_role("button", name="Sign in with your identity provider").click()
    await page.wait_for_url(f"{provider.issuer}/authorize?*")
    asked = parse_qs(urlsplit(page.url).query)
    assert asked["client_id"] == [CLIENT_ID] and asked["redirect_uri"] == [f"{origin}/"]
    assert asked["response_type"] == ["code"] and asked["scope"] == ["openid profile"]
    assert asked["code_challenge_method"] == ["S256"] and len(asked["code_challenge"][0]) == 43
    assert len(asked["state"][0]) >= 20 and len(asked["nonce"][0]) >= 20 and asked["state"] != asked["nonce"]
    await shot(visit, "2-provider-login")

    await page.get_by_label("Account").fill("oidc-therapist-1")
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page).to_have_url(f"{origin}/#/me")
    assert await page.evaluate("location.search") == ""  # the code is not left in the address
    token = await stored_token(page)
    assert token is not None and token == provider.issued[-1]["access_token"]
    assert await auth_keys(page) == [TOKEN_KEY]  # the round trip's state and verifier are gone
    assert await page.evaluate("localStorage.length") == 0
    assert not await visit.context.cookies()
    # The verifier redeemed is the one whose S256 hash went to the provider first.
    verifier = provider.token_requests[-1]["code_verifier"]
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert digest == asked["code_challenge"][0]
    await shot(visit, "3-signed-in-therapist-area")

    # The services accept the provider's token (AUTH_JWKS_URL), through the client's own GraphQL calls.
    therapist_id = await create_profile(directory, token, "Oriel Vance-Takahashi")
    answer = await page.evaluate(IN_PAGE, [MY_AREA, {"id": therapist_id}])
    assert answer == {
        "data": {
            "myProfile": {"id": therapist_id, "displayName": "Oriel Vance-Takahashi"},
            "myInquiries": {"totalCount": 0},
        }
    }

    await visit.open("/sign-in")
    await expect(page.get_by_role("heading", level=1)).to_have_text("You are signed in")
    await expect(page.locator(".sign-in")).to_contain_text("Signed in as oidc-therapist-1.")
    await shot(visit, "4-signed-in-state")
    await page.get_by_role("button", name="Sign out").click()
    # Through the provider's end-session endpoint and back to the directory's start page.
    await expect(page).to_have_url(f"{origin}/")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Find a therapist who works the way you want"
    )
    assert provider.sign_outs == 1
    assert await auth_keys(page) == []
    assert await page.evaluate("import('/static/auth.js').then((auth) => auth.authToken())") is None
    await shot(visit, "5-signed-out")
    assert not visit.console_errors  # a Content-Security-Policy refusal of the provider shows up here


async def test_an_answer_with_a_forged_state_is_refused_and_its_code_never_redeemed(
    provider_visit, provider_directory
):
    provider, directory = provider_directory
    origin = directory.urls["gateway"]
    visit = await provider_visit(DESKTOP)
    page = visit.page
    await go_to_provider(visit, provider)
    # As if an attacker's answer, for a sign-in of theirs, were sent to this tab.
    await page.locator("input[name=state]").evaluate("(input) => { input.value = 'forged-' + input.value; }")
    redeemed = len(provider.token_requests)
    await page.get_by_label("Account").fill("oidc-therapist-2")
    await page.get_by_role("button", name="Sign in", exact=True).click()

    await expect(page).to_have_url(f"{origin}/#/sign-in?returnTo=%2Fme")
    await expect(page.get_by_role("alert")).to_contain_text(
        "does not belong to a sign-in started in this tab"
    )
    assert await page.evaluate("location.search") == ""
    assert len(provider.token_requests) == redeemed
    assert await auth_keys(page) == []
    await shot(visit, "6-forged-state-refused")

    # An answer arriving in a tab that started no sign-in at all is refused the same way.
    await page.goto(f"{origin}/?code=stolen-code&state=anything")
    await expect(page.get_by_role("alert")).to_contain_text(
        "does not belong to a sign-in started in this tab"
    )
    assert len(provider.token_requests) == redeemed and await stored_token(page) is None
    assert not visit.console_errors


async def test_cancelling_at_the_provider_says_so_on_the_sign_in_page(provider_visit, provider_directory):
    provider, _ = provider_directory
    visit = await provider_visit(NARROW)
    page = visit.page
    await go_to_provider(visit, provider)
    await page.get_by_role("button", name="Cancel").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "Signing in was cancelled at the identity provider, so you are not signed in."
    )
    await expect(page.get_by_role("button", name="Sign in with your identity provider")).to_be_visible()
    assert await stored_token(page) is None
    await assert_accessible(page, name="sign-in cancelled at 375 px")
    await assert_fits(page, 375)
    await shot(visit, "7-cancelled-375")
    assert not visit.console_errors


async def test_a_token_the_gateway_refuses_ends_the_session(provider_visit, provider_directory):
    provider, directory = provider_directory
    visit = await provider_visit(DESKTOP)
    page = visit.page
    # Signed by a key the provider does not publish (say, rotated away): the services answer 401.
    stranger = OpenIDProvider(
        issuer=provider.issuer, client_id=CLIENT_ID, client_origin=provider.client_origin
    )
    await give_token(page, directory.urls["gateway"], stranger.access_token("oidc-therapist-3"))
    await visit.open("/sign-in")
    await expect(page.get_by_role("heading", level=1)).to_have_text("You are signed in")

    answer = await page.evaluate(IN_PAGE, [MY_AREA, {"id": "t-any"}])
    assert "error" in answer
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in for therapists")
    await expect(page.get_by_role("status").filter(has_text=ENDED)).to_be_visible()
    assert await auth_keys(page) == []
    await shot(visit, "8-refused-token-session-ended")


async def test_the_session_ends_when_the_token_expires(provider_visit, provider_directory):
    provider, directory = provider_directory
    visit = await provider_visit(DESKTOP)
    page = visit.page
    await give_token(page, directory.urls["gateway"], provider.access_token("oidc-therapist-4", ttl=6))
    await visit.open("/sign-in")
    await expect(page.get_by_role("heading", level=1)).to_have_text("You are signed in")
    await expect(page.get_by_role("status").filter(has_text=ENDED)).to_be_visible(timeout=15_000)
    assert await auth_keys(page) == []
    # Nothing is sent with an expired token: the next call goes out without one.
    sent = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.headers.get("authorization")) if request.url.endswith("/graphql") else None
        ),
    )
    await page.evaluate(IN_PAGE, ["query { approaches { slug } }", {}])
    assert sent == [None]


async def test_on_a_developers_machine_any_account_name_signs_in_by_keyboard_on_a_phone(
    browser, development_directory
):
    directory = development_directory
    origin = directory.urls["gateway"]
    async with visits(browser, origin) as open_visit:
        visit = await open_visit(NARROW)
        page = visit.page
        await visit.open("/sign-in?returnTo=%2Fme")
        field = page.get_by_label("Account name")
        await expect(field).to_be_visible()
        await expect(page.get_by_role("button", name="Sign in (development)")).to_be_visible()
        await assert_accessible(page, name="development sign-in at 375 px")
        await assert_fits(page, 375)

        await tab_to(page, "input[name=account]")
        await page.keyboard.type("not valid!")
        await page.keyboard.press("Enter")
        await expect(page.locator(".field-problem")).to_have_text(
            "An account name is 1 to 64 letters, digits, dots, underscores or hyphens."
        )
        await expect(field).to_have_attribute("aria-invalid", "true")
        await expect(field).to_be_focused()
        await shot(visit, "9-development-sign-in-problem-375")

        await field.fill("")
        await page.keyboard.type("dev-therapist-7")
        await page.keyboard.press("Enter")
        await expect(page).to_have_url(f"{origin}/#/me")
        token = await stored_token(page)
        claims = jwt.decode(
            token, DEVELOPMENT_JWT_SECRET, algorithms=["HS256"], audience=DEVELOPMENT_AUTH.audience
        )
        assert claims["sub"] == "dev-therapist-7" and claims["roles"] == ["therapist"]
        assert claims["exp"] - claims["iat"] == 8 * 3600
        assert await page.evaluate("localStorage.length") == 0
        await shot(visit, "10-development-signed-in-375")

        therapist_id = await create_profile(directory, token, "Dalia Quennell-Osei")
        answer = await page.evaluate(IN_PAGE, [MY_AREA, {"id": therapist_id}])
        assert answer["data"]["myProfile"]["id"] == therapist_id

        await visit.open("/sign-in")
        await expect(page.locator(".sign-in")).to_contain_text("Signed in as dev-therapist-7.")
        await page.get_by_role("button", name="Sign out").click()
        await expect(page).to_have_url(re.compile(r"/#/$"))
        assert await auth_keys(page) == []
        assert not visit.console_errors


async def test_signed_in_the_public_pages_go_without_the_token(provider_visit, provider_directory):
    """A signed-in therapist browsing the directory is a visitor to it: the public operations carry
    no token (so the gateway's shared caches answer them); the therapist area's carry it."""
    provider, directory = provider_directory
    visit = await provider_visit(DESKTOP)
    page = visit.page
    token = provider.access_token("oidc-therapist-5")
    await give_token(page, directory.urls["gateway"], token)
    sent = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.headers.get("authorization")) if request.url.endswith("/graphql") else None
        ),
    )
    await visit.open("/search")  # a route the tab is not on yet, so the page renders and asks
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    await page.wait_for_load_state("networkidle")
    assert sent and set(sent) == {None}
    sent.clear()
    await page.evaluate(IN_PAGE, [MY_AREA, {"id": "none"}])
    assert sent == [f"Bearer {token}"]
