"""List tools in a real browser: "Save filter" saves the current filter in one click, and the saved
filter is offered on the list and applies it."""

from playwright.sync_api import expect

from core.models import SavedFilter
from inventory.models import Site
from tenants.context import tenant_context
from tests.e2e.harness import field, login


def test_save_filter_saves_the_current_filter_in_one_click(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Filter Lab")
    with tenant_context(organization):
        Site.objects.create(name="AMS1", slug="ams1", status="active")
        Site.objects.create(name="FRA1", slug="fra1", status="planned")
        Site.objects.create(name="FRA2", slug="fra2", status="planned")
    login(page, owner.email)
    sites = f"/o/{organization.slug}/dcim/sites/"
    page.goto(f"{sites}?status=planned&q=FRA")
    expect(page.locator(".wb-total")).to_have_text("2 sites")

    page.get_by_role("link", name="Save filter").click()
    # the form shows the parameters as the JSON object they are, and an empty description box
    expect(field(page, "Parameters")).to_have_value('{"status": ["planned"], "q": ["FRA"]}')
    expect(field(page, "Name")).to_have_value("Sites: status=planned, q=FRA")
    shot(page, "save-filter-form")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_text("Created saved filter Sites: status=planned, q=FRA")).to_be_visible()
    with tenant_context(organization):
        saved = SavedFilter.objects.get()
        assert saved.parameters == {"status": ["planned"], "q": ["FRA"]}
        assert [ct.model for ct in saved.object_types.all()] == ["site"]

    # and the list offers it, and applies it
    page.goto(sites)
    expect(page.locator(".wb-total")).to_have_text("3 sites")
    page.get_by_role("button", name="Saved filters").click()
    page.get_by_role("link", name="Sites: status=planned, q=FRA").click()
    expect(page.locator(".wb-total")).to_have_text("2 sites")
    shot(page, "saved-filter-applied")
