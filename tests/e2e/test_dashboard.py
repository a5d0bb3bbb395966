"""The overview's dashboard in a real browser: a member arranges it with the keyboard-reachable
controls, it survives a reload and stays theirs, without a serious accessibility violation, light and
dark, and without sideways scrolling at 390 px."""

import re

from playwright.sync_api import Page, expect

from core.services import object_create
from inventory.models import Site
from tenants.context import tenant_context
from tenants.models import MembershipRole
from tests.e2e.accessibility import serious_violations
from tests.e2e.harness import field, login, no_sideways_scroll


def widget_titles(page: Page) -> list[str]:
    return page.locator(".wb-widget h3").all_inner_texts()


def test_a_member_arranges_their_dashboard_and_it_is_theirs_alone(new_page, accounts, shot):
    owner = accounts.user()
    editor = accounts.user()
    organization = accounts.organization(owner=owner, name="Dash Lab")
    accounts.membership(organization=organization, user=editor, role=MembershipRole.EDITOR)
    slug = organization.slug
    with tenant_context(organization):
        object_create(model=Site, data={"name": "AMS1", "slug": "ams1"})
    page = new_page()
    login(page, owner.email)
    page.goto(f"/o/{slug}/")
    default = widget_titles(page)
    assert default[:2] == ["Organization", "Racks"] and default[-3:] == [
        "Recent changes",
        "My bookmarks",
        "Recent jobs",
    ]
    expect(page.locator(".wb-widget", has_text="Recent changes")).to_contain_text("AMS1")
    shot(page, "default-dashboard")

    # when the owner customizes it: adds a note and writes it
    page.get_by_role("link", name="Customize").click()
    page.get_by_label("Widget to add").select_option(label="Note")
    page.get_by_role("button", name="Add widget").click()
    expect(page.get_by_role("heading", level=1, name="Configure Note")).to_be_visible()
    field(page, "Title").fill("Runbook")
    field(page, "Text").fill("Call the **NOC** first")
    shot(page, "configure-note")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"\?customize=1#widget-[0-9a-f]+$"))
    expect(page.locator(".wb-widget:focus h3")).to_have_text("Runbook")  # back at the widget

    # moves it up twice with the keyboard, and removes the jobs widget
    for _ in range(2):
        page.get_by_role("button", name="Move Runbook up").focus()
        page.keyboard.press("Enter")
        expect(page.locator(".wb-widget:focus h3")).to_have_text("Runbook")
    page.get_by_role("button", name="Remove Recent jobs").click()
    # and has the Organization counts show sites only
    page.get_by_role("link", name="Configure Organization").click()
    field(page, "Object types").select_option(label="Sites")
    page.get_by_role("button", name="Save").click()
    arranged = [*default[:-3], "Recent changes", "Runbook", "My bookmarks"]
    expect(page.locator(".wb-widget h3")).to_have_text(arranged)
    found = serious_violations(page)
    shot(page, "customizing")
    page.get_by_role("link", name="Done").click()

    # then it survives a reload, the note formatted
    page.reload()
    expect(page.locator(".wb-widget h3")).to_have_text(arranged)
    expect(page.locator(".wb-widget", has_text="Runbook").locator("strong")).to_have_text("NOC")
    organization_counts = page.locator("#widget-counts0").get_by_role("link")
    expect(organization_counts).to_have_text(["Sites"])
    shot(page, "arranged")

    # and the editor still has the default dashboard
    theirs = new_page()
    login(theirs, editor.email)
    theirs.goto(f"/o/{slug}/")
    expect(theirs.locator(".wb-widget h3")).to_have_text(default)

    # reset brings the owner's default back
    page.goto(f"/o/{slug}/?customize=1")
    page.get_by_role("button", name="Reset to default").click()
    expect(page.get_by_text("Your dashboard is back to the default.")).to_be_visible()
    expect(page.locator(".wb-widget h3")).to_have_text(default)

    # accessible, light and dark, and at phone width without sideways scrolling
    page.get_by_role("button", name="Toggle dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    for url in (f"/o/{slug}/", f"/o/{slug}/?customize=1"):
        page.goto(url)
        found += serious_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (f"/o/{slug}/", f"/o/{slug}/?customize=1", f"/o/{slug}/dashboard/widgets/changes/"):
        page.goto(url)
        no_sideways_scroll(page)
    shot(page, "phone-dark-configure")
    assert not found, "serious accessibility violations:\n" + "\n".join(found)
