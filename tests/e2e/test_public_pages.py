"""The pages a visitor sees first, in a real browser: the landing page at `/`, the account pages as
one centred card with the product's name (light and dark, phone width too), and styled error pages."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.harness import PASSWORD, field, login

SERIF = re.compile(r"^\s*\"?(Times|serif)", re.I)


def centred_card(page: Page) -> None:
    """The page shows one card, horizontally centred, in Bootstrap's fonts, without sideways scrolling."""
    card = page.locator(".wb-auth-card")
    expect(card).to_have_count(1)
    expect(card.locator(".wb-auth-brand")).to_have_text("Wirebook")
    box = card.bounding_box()
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert box is not None and abs((box["x"] + box["width"] / 2) - width / 2) <= 2, box
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert not SERIF.match(font), font
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_visitor_lands_on_what_wirebook_is_and_signs_up_from_there(page, shot):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("source of truth")
    expect(page.locator("main")).to_contain_text("NetBox")
    shot(page, "landing")
    page.locator("main").get_by_role("link", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login/"))
    page.go_back()
    page.locator("main").get_by_role("link", name="Sign up", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Sign up")).to_be_visible()


def test_account_pages_are_a_centred_card_in_light_and_dark(page, accounts, shot):
    user = accounts.user()
    for path, heading in (
        ("/login/", "Log in"),
        ("/accounts/signup/", "Sign up"),
        ("/accounts/password/reset/", "Reset your password"),
        ("/login/sso/", "Log in with single sign-on"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        centred_card(page)
    shot(page, "sso-light")

    # a wrong password is an error in the card, the field marked
    page.goto("/login/")
    field(page, "Email").fill(user.email)
    field(page, "Password").fill(PASSWORD + "x")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".wb-auth-card .alert-danger")).to_be_visible()
    shot(page, "login-error")

    # dark, and at phone width
    page.get_by_role("button", name="Toggle dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    centred_card(page)
    background = page.evaluate("getComputedStyle(document.querySelector('.wb-auth-card')).backgroundColor")
    assert background != "rgb(255, 255, 255)", background
    shot(page, "login-dark-phone")

    # and the organization form after logging in is the same card
    login(page, user.email)
    page.goto("/organizations/new/")
    expect(page.get_by_role("heading", level=1, name="Create your organization")).to_be_visible()
    centred_card(page)


def test_error_pages_are_styled(page, accounts, shot):
    login(page, accounts.user().email)
    response = page.goto("/switch/?to=no-such-organization")  # (the server runs with DEBUG: its own 404s are Django's)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
    expect(page.locator(".wb-error-code")).to_have_text("404")
    centred_card_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert not SERIF.match(centred_card_font), centred_card_font
    expect(page.locator(".wb-topbar")).to_be_visible()
    shot(page, "404")
