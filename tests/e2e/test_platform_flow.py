"""The platform's first minutes in a real browser: sign up, verify, create an organization, invite
someone who signs up through the invitation, and switch between organizations."""

import re

from playwright.sync_api import Page, expect

from tenants.models import Membership, MembershipRole
from tests.e2e.harness import PASSWORD, field, login


def sign_up(page: Page, email: str) -> None:
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    field(page, "Password (again)").fill(PASSWORD)


def confirm_email(page: Page, outbox, email: str) -> None:
    link = outbox.link(outbox.wait_for(to=email), "/accounts/confirm-email/")
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Confirm your email address", exact=True)).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/login/"))


def switch_to(page: Page, slug: str) -> None:
    switcher = page.locator(".wb-topbar").get_by_label("Switch organization")
    switcher.fill(slug)
    switcher.press("Enter")
    expect(page).to_have_url(re.compile(rf"/o/{slug}/$"))


def test_sign_up_create_an_organization_invite_a_new_user_and_switch(page, new_page, outbox, accounts, shot):
    founder, invitee = accounts.email("founder"), accounts.email("invitee")
    slug, other_slug = accounts.slug("acme"), accounts.slug("side")

    # given a visitor who signs up
    page.goto("/accounts/signup/")
    sign_up(page, founder)
    shot(page, "signup")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1, name="Verify your email address", exact=True)).to_be_visible()
    shot(page, "verification-sent")

    # when they confirm their address and log in, they are asked to create their organization
    confirm_email(page, outbox, founder)
    shot(page, "email-confirmed")
    login(page, founder)
    expect(page.get_by_role("heading", level=1, name="Create your organization", exact=True)).to_be_visible()
    field(page, "Name").fill("Acme Networks")
    field(page, "Slug").fill(slug)
    shot(page, "create-organization")
    page.get_by_role("button", name="Create organization").click()
    expect(page).to_have_url(re.compile(rf"/o/{slug}/$"))
    expect(page.get_by_role("heading", level=1, name="Acme Networks", exact=True)).to_be_visible()
    shot(page, "organization-home")

    # and invite a second person as an editor
    page.goto(f"/o/{slug}/settings/members/")
    field(page, "Email").fill(invitee)
    field(page, "Role").select_option(label="Editor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {invitee}.")).to_be_visible()
    shot(page, "invitation-sent")

    # then the invitee, new to Wirebook, signs up through the emailed link
    invitation_link = outbox.link(outbox.wait_for(to=invitee, subject="Join Acme Networks"), "/invitations/")
    second = new_page()
    second.goto(invitation_link)
    expect(second.get_by_role("heading", level=1, name="Join Acme Networks", exact=True)).to_be_visible()
    shot(second, "invitation")
    # (the invitation's own link, which comes back to it, not the top bar's)
    second.get_by_role("link", name="Sign up", exact=True).and_(second.locator("[href*='next=']")).click()
    expect(second.get_by_role("heading", level=1, name="Sign up", exact=True)).to_be_visible()
    sign_up(second, invitee)
    shot(second, "invitee-signup")
    second.get_by_role("button", name="Sign up").click()
    expect(second.get_by_role("heading", level=1, name="Verify your email address", exact=True)).to_be_visible()

    # verifies the address, logs in, is brought back to the invitation and accepts it
    confirm_email(second, outbox, invitee)
    login(second, invitee)
    expect(second).to_have_url(re.compile(r"/invitations/"))
    expect(second.get_by_role("heading", level=1, name="Join Acme Networks", exact=True)).to_be_visible()
    shot(second, "invitation-after-signup")
    second.get_by_role("button", name="Accept invitation").click()
    expect(second).to_have_url(re.compile(rf"/o/{slug}/$"))
    expect(second.get_by_role("heading", level=1, name="Acme Networks", exact=True)).to_be_visible()
    shot(second, "invitee-in-organization")
    membership = Membership.objects.get(organization__slug=slug, user__email=invitee)
    assert membership.role == MembershipRole.EDITOR

    # and, with a second organization of their own, switches between the two in the top bar
    accounts.organization(owner=membership.user, slug=other_slug, name="Side Project")
    second.reload()
    switch_to(second, other_slug)
    expect(second.get_by_role("heading", level=1, name="Side Project", exact=True)).to_be_visible()
    shot(second, "switched-to-side-project")
    switch_to(second, slug)
    expect(second.get_by_role("heading", level=1, name="Acme Networks", exact=True)).to_be_visible()
    shot(second, "switched-back")
