"""The organization switcher in a real browser: it searches the member's organizations by name or
by slug as they type, switches on the one chosen, and never offers another's organizations."""

import re

from playwright.sync_api import expect

from inventory.models import Site
from tenants.context import tenant_context
from tests.e2e.harness import login, no_sideways_scroll


def switcher_box(page):
    """The switcher's search box, once wirebook.js has made the select searchable: before that the
    native select carries the same name, and a click that lands on it in the moment after a page
    load stays bound to it while the search box covers it."""
    topbar = page.locator(".wb-topbar")
    expect(topbar.locator("select[data-wb-switcher].tomselected")).to_be_attached()
    return topbar.get_by_role("combobox", name="Switch organization")


def test_the_switcher_finds_an_organization_by_name_or_slug(page, accounts, shot):
    owner = accounts.user()
    acme = accounts.organization(owner=owner, name="Acme Networks")
    lab = accounts.organization(owner=owner, slug=accounts.slug("lab"), name="Research Lab")
    outsider = accounts.organization(name="Someone Else")
    login(page, owner.email)
    page.goto(f"/o/{acme.slug}/")

    switcher = switcher_box(page)
    options = page.locator(".wb-topbar .switcher [role=option]")
    # by (part of) the name, whatever the case
    switcher.click()
    switcher.fill("research")
    expect(options).to_have_count(1)
    expect(options).to_contain_text("Research Lab")
    shot(page, "by-name")
    switcher.press("Enter")
    expect(page).to_have_url(re.compile(rf"/o/{lab.slug}/$"))

    # by the slug
    switcher = switcher_box(page)
    switcher.click()
    switcher.fill(acme.slug)
    expect(options).to_have_count(1)
    expect(options).to_contain_text("Acme Networks")
    switcher.press("Enter")
    expect(page).to_have_url(re.compile(rf"/o/{acme.slug}/$"))

    # and another's organization is never offered
    switcher = switcher_box(page)
    switcher.click()
    switcher.fill("Someone")
    expect(options).to_have_count(0)
    expect(page.locator(".wb-topbar .switcher")).not_to_contain_text(outsider.slug)


def test_at_phone_width_the_switcher_heads_the_navigation_and_keeps_the_kind_of_page(page, accounts, shot):
    owner = accounts.user()
    acme = accounts.organization(owner=owner, name="Acme Networks")
    lab = accounts.organization(owner=owner, slug=accounts.slug("lab"), name="Research Lab")
    with tenant_context(acme):
        site = Site.objects.create(name="AMS1", slug="ams1")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, owner.email)

    # a list: the switcher is in the navigation drawer, searchable, and leads to the same list there
    page.goto(f"/o/{acme.slug}/dcim/sites/")
    page.get_by_role("button", name="Navigation").click()
    drawer = page.locator("#wb-nav")
    expect(drawer.locator("select[data-wb-switcher].tomselected")).to_be_attached()
    switcher = drawer.get_by_role("combobox", name="Switch organization")
    expect(switcher).to_be_visible()
    no_sideways_scroll(page)
    switcher.click()
    switcher.fill("resea")
    options = drawer.locator(".switcher [role=option]")
    expect(options).to_have_count(1)
    expect(options).to_contain_text("Research Lab")
    shot(page, "phone-switcher")
    switcher.press("Enter")
    expect(page).to_have_url(re.compile(rf"/o/{lab.slug}/dcim/sites/$"))
    expect(page.get_by_role("heading", level=1, name="Sites")).to_be_visible()

    # an object's page: its list in the other organization (the object is not there)
    page.goto(f"/o/{acme.slug}/dcim/sites/{site.pk}/changelog/")
    page.get_by_role("button", name="Navigation").click()
    switcher = page.locator("#wb-nav").get_by_role("combobox", name="Switch organization")
    switcher.click()
    switcher.fill(lab.slug)
    switcher.press("Enter")
    expect(page).to_have_url(re.compile(rf"/o/{lab.slug}/dcim/sites/$"))
    shot(page, "phone-switched-to-the-list")


def test_the_top_bar_fits_every_width_with_a_long_address_and_name(page, accounts, shot):
    owner = accounts.user(accounts.email("a-rather-long-mailbox-name-for-the-top-bar", "networks.example.com"))
    acme = accounts.organization(owner=owner, name="Acme Networks Operations Europe Middle East Africa")
    accounts.organization(owner=owner, name="Research Lab")
    login(page, owner.email)
    for width in (768, 800, 920, 992, 1200, 1400):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"/o/{acme.slug}/dcim/sites/")
        expect(switcher_box(page)).to_be_visible()
        no_sideways_scroll(page)
        # the address shows on wide screens, cut to its box
        who = page.locator(".wb-topbar .who")
        if width >= 1200:
            expect(who).to_be_visible()
            assert page.evaluate("(e) => e.getBoundingClientRect().right <= window.innerWidth", who.element_handle())
        else:
            expect(who).to_be_hidden()
    shot(page, "long-address")
