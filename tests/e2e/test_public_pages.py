"""The pages a visitor sees first, in a real browser: the landing page at `/`, the account pages as
one centred card with the product's name (light and dark, phone width too), and styled error pages."""

import re

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from playwright.sync_api import Page, expect

from tenants.models import MembershipRole
from tests.e2e.harness import PASSWORD, field, login, no_sideways_scroll

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


def product_font(page: Page) -> None:
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert not SERIF.match(font), font


def test_the_403_and_500_pages_are_styled_in_the_product_layout(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Error Lab")
    viewer = accounts.user()
    accounts.membership(organization=organization, user=viewer, role=MembershipRole.VIEWER)
    # the 500 page as the server renders it (the test server runs with DEBUG, which shows Django's own)
    broken = f"/o/{organization.slug}/broken/"
    error_page = render_to_string("500.html")
    page.route(f"**{broken}", lambda route: route.fulfill(status=500, content_type="text/html", body=error_page))
    login(page, viewer.email)
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})

        # a viewer adding a site: the product's top bar and card around the refusal
        response = page.goto(f"/o/{organization.slug}/dcim/sites/add/")
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", level=1, name="Not allowed")).to_be_visible()
        expect(page.locator(".wb-topbar")).to_be_visible()
        expect(page.locator(".wb-error-code")).to_have_text("403")
        product_font(page)
        no_sideways_scroll(page)
        shot(page, f"403-{width}")

        response = page.goto(broken)
        assert response is not None and response.status == 500
        expect(page.get_by_role("heading", level=1, name="Something went wrong")).to_be_visible()
        expect(page.locator(".wb-error-code")).to_have_text("500")
        expect(page.locator(".wb-topbar")).to_be_visible()
        product_font(page)
        no_sideways_scroll(page)
        shot(page, f"500-{width}")

        response = page.goto("/switch/?to=no-such-organization")
        assert response is not None and response.status == 404
        product_font(page)
        no_sideways_scroll(page)


def test_the_email_confirmation_page_is_the_account_card(page, accounts, shot):
    address = accounts.email("confirm")
    user = get_user_model().objects.create_user(address, password=PASSWORD)
    unconfirmed = EmailAddress.objects.create(user=user, email=address, verified=False, primary=True)
    key = EmailConfirmationHMAC(unconfirmed).key

    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/accounts/confirm-email/{key}/")
        expect(page.get_by_role("heading", level=1, name="Confirm your email address")).to_be_visible()
        expect(page.locator(".wb-auth-card")).to_contain_text(address)
        centred_card(page)
        shot(page, f"confirm-{width}")

    # the link works, and a wrong one says so in the same card
    page.get_by_role("button", name="Confirm").click()
    expect(page).not_to_have_url(re.compile(r"/confirm-email/"))
    unconfirmed.refresh_from_db()
    assert unconfirmed.verified
    page.goto("/accounts/confirm-email/not-a-key/")
    expect(page.locator(".wb-auth-card")).to_contain_text("expired or is invalid")
    centred_card(page)
    shot(page, "confirm-invalid")
