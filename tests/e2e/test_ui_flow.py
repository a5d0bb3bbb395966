"""The object UI in a real browser: forms with pickers, list filters, an all-or-nothing CSV import,
the change log, and the dark theme."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.harness import field, login

GOOD_CSV = "name,slug,status,region\nAMS2,ams2,active,Europe\nFRA1,fra1,planned,Europe\n"
BAD_CSV = "name,slug,status,region\nAMS2,ams2,active,Europe\nFRA1,fra1,sideways,Atlantis\nLON1,lon1,planned,Europe\n"


def nav(page: Page, label: str) -> None:
    """Follow a side navigation entry."""
    page.locator("#wb-nav").get_by_role("link", name=label, exact=True).click()


def test_create_filter_import_and_review_changes(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Ops Lab")
    slug = organization.slug
    login(page, owner.email)
    page.goto(f"/o/{slug}/")

    # given a region created through its form
    nav(page, "Regions")
    expect(page.get_by_role("heading", level=1, name="Regions")).to_be_visible()
    page.get_by_role("link", name="Add", exact=True).click()
    field(page, "Name").fill("Europe")
    field(page, "Slug").fill("europe")
    shot(page, "region-form")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Europe")).to_be_visible()
    expect(page.get_by_text("Created region Europe")).to_be_visible()
    shot(page, "region-created")

    # and a site in it, the region picked by searching for it
    page.goto(f"/o/{slug}/dcim/sites/add/")
    field(page, "Name").fill("AMS1")
    field(page, "Slug").fill("ams1")
    region = page.get_by_role("combobox", name="Region", exact=True)
    region.click()
    region.fill("Eur")
    expect(page.locator("#id_region-ts-dropdown [role=option]")).to_have_text(["Europe"])
    region.press("Enter")
    shot(page, "site-form")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="AMS1")).to_be_visible()
    expect(page.locator(".wb-attributes")).to_contain_text("Europe")
    shot(page, "site-created")

    # when the site list is filtered by the quick search
    page.goto(f"/o/{slug}/dcim/sites/")
    page.get_by_label("Quick search").fill("nothing-like-this")
    page.get_by_label("Quick search").press("Enter")
    expect(page.get_by_text("No sites found")).to_be_visible()
    page.get_by_label("Quick search").fill("AMS")
    page.get_by_label("Quick search").press("Enter")
    expect(page.locator(".wb-total")).to_have_text("1 site")
    shot(page, "sites-filtered")

    # and a CSV with one bad row is imported: the row's errors show, and nothing is imported
    page.goto(f"/o/{slug}/dcim/sites/import/")
    page.get_by_label("Data (CSV with a header line, JSON or YAML)").fill(BAD_CSV)
    page.get_by_role("button", name="Import", exact=True).click()
    errors = page.locator(".wb-import-error")
    expect(errors.first).to_be_visible()
    # (every problem of a record at once: its unknown region and its bad status)
    expect(page.locator('.wb-import-error[data-record="2"][data-field="region"]')).to_contain_text("Atlantis")
    expect(page.locator('.wb-import-error[data-record="2"][data-field="status"]')).to_contain_text("sideways")
    expect(errors).to_have_count(2)
    shot(page, "import-errors")
    page.goto(f"/o/{slug}/dcim/sites/")
    expect(page.locator(".wb-total")).to_have_text("1 site")

    # then, fixed, it imports
    page.goto(f"/o/{slug}/dcim/sites/import/")
    page.get_by_label("Data (CSV with a header line, JSON or YAML)").fill(GOOD_CSV)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported 2 and updated 0 sites")).to_be_visible()
    expect(page.locator(".wb-total")).to_have_text("3 sites")
    shot(page, "imported")

    # and the filter form narrows the list to the planned ones
    page.get_by_role("button", name="Filters").click()
    # (once the panel has finished opening: a click during Bootstrap's animation may land elsewhere)
    expect(page.locator("#wb-filters")).to_have_class(re.compile(r"(^|\s)collapse show(\s|$)"))
    page.locator(".wb-filter-form").get_by_label("Status").select_option(label="Planned")
    page.locator(".wb-filter-form").get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"[?&]status=planned"))
    expect(page.locator(".wb-total")).to_have_text("1 site")
    expect(page.get_by_role("link", name="FRA1", exact=True)).to_be_visible()
    shot(page, "filtered-by-status")

    # and the change log shows who created FRA1, with its fields
    page.get_by_role("link", name="FRA1", exact=True).click()
    page.locator(".nav-tabs").get_by_role("link", name=re.compile(r"^Changelog\b")).click()
    change = page.locator(".wb-change").first
    expect(change).to_contain_text("Create")
    expect(change).to_contain_text(owner.email)
    expect(change.locator(".wb-diff")).to_contain_text("Planned")  # the field's label and the choice's
    expect(change.locator(".wb-diff")).to_contain_text("Status")
    shot(page, "changelog")
    nav(page, "Object changes")
    expect(page.locator(".wb-total")).to_have_text(re.compile(r"^4 object changes$"))

    # and the dark theme is one click away, and remembered
    page.get_by_role("button", name="Toggle dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    shot(page, "dark-theme")


def test_phone_width_folds_the_navigation_into_a_drawer(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Pocket")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, owner.email)
    page.goto(f"/o/{organization.slug}/")

    # the navigation is folded away, behind the menu button
    sites = page.locator("#wb-nav").get_by_role("link", name="Sites", exact=True)
    expect(sites).to_be_hidden()
    # the new organization's getting-started checklist, and its dashboard (widgets stacked in one
    # column), do not scroll sideways
    expect(page.get_by_role("heading", level=2, name="Getting started")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "phone-getting-started")
    page.goto(f"/o/{organization.slug}/?dashboard=1")
    expect(page.locator(".wb-widget").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "phone-overview")
    page.get_by_role("button", name="Navigation").click()
    expect(sites).to_be_visible()
    shot(page, "phone-navigation")
    sites.click()
    expect(page.get_by_role("heading", level=1, name="Sites")).to_be_visible()
    # and the page does not scroll sideways: the table scrolls inside its own box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "phone-sites")


# What sticks out of the window at phone width, for the failure message (tables and code scroll in their own box).
TOO_WIDE = """Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest('.table-responsive, .offcanvas-lg, pre, .swagger-ui .opblock-body'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className)"""


def test_at_phone_width_no_page_scrolls_sideways(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Narrow Lab")
    slug = organization.slug
    login(page, owner.email)
    # a site with long values, made and changed through its form: the change log has something to show
    page.goto(f"/o/{slug}/dcim/sites/add/")
    field(page, "Name").fill("AMS1")
    field(page, "Slug").fill("ams1")
    field(page, "Description").fill("Amsterdam-Science-Park-Datacenter-" * 3)
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="AMS1")).to_be_visible()
    site = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.goto(f"/o/{slug}/dcim/sites/{site}/edit/")
    field(page, "Description").fill("moved to " + "a-very-long-hall-name-" * 4)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="AMS1")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    for path, shows in (
        ("", ".wb-main"),  # the getting-started checklist
        ("?dashboard=1", ".wb-widget"),
        ("core/object-changes/", ".wb-table"),
        (f"dcim/sites/{site}/changelog/", ".wb-change"),
        ("api/", ".wb-json"),
        ("api/dcim/sites/", ".wb-json"),
        (f"api/dcim/sites/{site}/", ".wb-json"),
        ("api/schema/swagger-ui/", ".swagger-ui .opblock-tag"),  # Swagger UI draws the whole API: a while
    ):
        page.goto(f"/o/{slug}/{path}")
        expect(page.locator(shows).first).to_be_visible(timeout=30_000)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
            path,
            page.evaluate(TOO_WIDE),
        )
        shot(page, f"phone-{path or 'overview'}")
    # a change's own page too
    page.goto(f"/o/{slug}/core/object-changes/")
    page.locator(".wb-table tbody a").first.click()
    expect(page.locator(".wb-diff")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.evaluate(TOO_WIDE)
    shot(page, "phone-object-change")
