"""What the object pages show, in a real browser: Markdown rendered and made safe (comments, journal
entries, long-text custom fields), addresses with their line breaks, an object change without
escaped characters or empty cards, and the site's icon."""

import re

from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import expect

from core.models import CustomField
from inventory.models import Site
from tenants.context import tenant_context
from tests.e2e.harness import field, login

COMMENTS = "Core site, **staffed** 24/7.\n\n<script>document.title = 'owned'</script>\n\n[runbook](javascript:alert(1))"
ADDRESS = "Landstraße 1\n10115 Berlin"


def test_markdown_addresses_and_changes_show_as_written(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Render Lab")
    slug = organization.slug
    with tenant_context(organization):
        notes = CustomField.objects.create(name="notes", type="longtext", label="Notes")
        notes.object_types.add(ContentType.objects.get_for_model(Site))
    login(page, owner.email)

    # a JSON field without a value is an empty box, not "null" to delete first
    page.goto(f"/o/{slug}/extras/custom-fields/{notes.pk}/edit/")
    expect(field(page, "Default")).to_have_value("")
    expect(field(page, "Related object filter")).to_have_value("")

    # the form takes a multi-line address and Markdown
    page.goto(f"/o/{slug}/dcim/sites/add/")
    field(page, "Name").fill("BER1")
    field(page, "Slug").fill("ber1")
    field(page, "Physical address").fill(ADDRESS)
    field(page, "Comments").fill(COMMENTS)
    field(page, "Notes").fill("- power: *A+B*\n- ~~old~~ cage")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="BER1")).to_be_visible()
    with tenant_context(organization):
        assert Site.objects.get(slug="ber1").physical_address.splitlines() == ADDRESS.splitlines()

    # the address keeps its lines; the comments (their own panel) are formatted, their script and link made harmless
    attributes = page.locator(".wb-attributes")
    address = attributes.locator("tr", has=page.get_by_role("rowheader", name="Physical address")).locator("td")
    assert address.inner_text().strip().splitlines() == ["Landstraße 1", "10115 Berlin"]
    comments = page.locator(".wb-comments .wb-markdown")
    expect(comments.locator("strong")).to_have_text("staffed")
    expect(comments).not_to_contain_text("**")
    expect(comments.locator("script")).to_have_count(0)
    expect(comments.get_by_text("runbook")).not_to_have_attribute("href", re.compile("javascript"))
    expect(page).to_have_title(re.compile("BER1"))
    custom = page.locator(".wb-custom-fields .wb-markdown")
    expect(custom.locator("li")).to_have_count(2)
    expect(custom.locator("em")).to_have_text("A+B")
    expect(custom.locator("del")).to_have_text("old")
    shot(page, "site")

    # a journal entry in Markdown reads formatted
    page.locator(".nav-tabs").get_by_role("link", name=re.compile(r"^Journal\b")).click()
    field(page, "Comments").fill("Moved rack **A1** to _cage 2_; see [ticket](https://example.com/t/1).")
    page.get_by_role("button", name="Add journal entry").click()
    entry = page.locator(".wb-journal-entry").first
    expect(entry.locator("strong")).to_have_text("A1")
    expect(entry.locator("em")).to_have_text("cage 2")
    expect(entry.get_by_role("link", name="ticket")).to_have_attribute("href", "https://example.com/t/1")
    expect(entry.get_by_role("link", name="ticket")).to_have_attribute("rel", "noopener noreferrer")
    expect(entry).not_to_contain_text("**")
    shot(page, "journal")

    # the change that created the site shows its characters as they are, and no empty card
    page.locator(".nav-tabs").get_by_role("link", name=re.compile(r"^Changelog\b")).click()
    page.locator(".wb-change", has_text="Create").locator("a").first.click()
    expect(page.locator(".wb-diff")).to_contain_text("Landstraße")
    expect(page.locator("body")).not_to_contain_text("\\u00df")
    for card in page.locator(".card").all():
        assert card.inner_text().strip(), "an empty card"
    shot(page, "object-change")

    # and the icon is there, for the page and for tools asking /favicon.ico
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon is not None
    for url in (icon, "/favicon.ico"):
        response = page.request.get(url)
        assert response.ok and response.body()[:4] == b"\x00\x00\x01\x00", url  # an ICO file
