"""The organization switcher in a real browser: it searches the member's organizations by name or
by slug as they type, switches on the one chosen, and never offers another's organizations."""

import re

from playwright.sync_api import expect

from tests.e2e.harness import login


def switcher_box(page):
    """The switcher's search box, once wirebook.js has made the select searchable: before that the
    native select carries the same name, and a click that lands on it in the moment after a page
    load stays bound to it while the search box covers it."""
    expect(page.locator("select[data-wb-switcher].tomselected")).to_be_attached()
    return page.get_by_role("combobox", name="Switch organization")


def test_the_switcher_finds_an_organization_by_name_or_slug(page, accounts, shot):
    owner = accounts.user()
    acme = accounts.organization(owner=owner, name="Acme Networks")
    lab = accounts.organization(owner=owner, slug=accounts.slug("lab"), name="Research Lab")
    outsider = accounts.organization(name="Someone Else")
    login(page, owner.email)
    page.goto(f"/o/{acme.slug}/")

    switcher = switcher_box(page)
    options = page.locator(".switcher [role=option]")
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
    expect(page.locator(".switcher")).not_to_contain_text(outsider.slug)
