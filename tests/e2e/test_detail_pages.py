"""Object pages and their forms in a real browser: breadcrumbs up the tree, the map of a site with coordinates
(Leaflet, its tiles from the deployment's tile server only), tabs with counts, a related table whose Add button
opens the form filled in and comes back, the comments panel; the slug filled from the name as you type, the time
zone searched among the IANA zones, sections and help text. At a phone's width nothing scrolls sideways, and the
site page has no serious accessibility violation."""

import io
import re

from django.contrib.contenttypes.models import ContentType
from PIL import Image
from playwright.sync_api import Page, Route, expect

from core.models import JournalEntry
from inventory.models import Location, Rack, Region, Site
from tenants.context import tenant_context
from tests.e2e.accessibility import serious_violations
from tests.e2e.harness import field, login, no_sideways_scroll


def tile() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (170, 211, 223)).save(out, format="PNG")
    return out.getvalue()


def answer_tiles(page: Page) -> list[str]:
    """Serve the map's tiles from the test (the deployment's tile server is tests/e2e/conftest.py's)."""
    asked: list[str] = []
    picture = tile()

    def fulfill(route: Route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=picture)

    page.route("https://tiles.wirebook.test/**", fulfill)
    return asked


def test_a_sites_page_shows_its_place_map_counts_tables_and_comments(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Detail Lab")
    slug = organization.slug
    with tenant_context(organization):
        europe = Region.objects.create(name="Europe", slug="europe")
        netherlands = Region.objects.create(name="Netherlands", slug="netherlands", parent=europe)
        site = Site.objects.create(
            name="AMS1",
            slug="ams1",
            region=netherlands,
            latitude="52.3676",
            longitude="4.9041",
            comments="Badge at **reception**.",
        )
        hall = Location.objects.create(name="Hall A", slug="hall-a", site=site)
        Location.objects.create(name="Cage 7", slug="cage-7", site=site, parent=hall)
        JournalEntry.objects.create(
            assigned_object_type=ContentType.objects.get_for_model(Site), assigned_object_id=site.pk, comments="Opened"
        )
    asked = answer_tiles(page)
    login(page, owner.email)

    # the site's page: where it is, up the tree
    page.goto(f"/o/{slug}/dcim/sites/{site.pk}/")
    crumbs = page.get_by_role("navigation", name="breadcrumb")
    expect(crumbs.get_by_role("listitem")).to_have_text(["Sites", "Europe", "Netherlands", "AMS1"])
    # its map, drawn by Leaflet from the tile server, with a marker, and its coordinates as a geo: link
    expect(page.locator(".wb-map .leaflet-marker-icon")).to_be_visible()
    expect(page.locator(".wb-map .leaflet-tile-loaded").first).to_be_visible()
    assert asked and all(url.startswith("https://tiles.wirebook.test/14/") for url in asked)
    expect(page.get_by_role("link", name="52.3676, 4.9041")).to_have_attribute("href", "geo:52.3676,4.9041")
    # tabs with their counts; no image yet, so no Images tab but an Add image
    tabs = page.locator(".nav-tabs")
    expect(tabs.get_by_role("link", name="Journal 1")).to_be_visible()
    expect(tabs.get_by_role("link", name=re.compile(r"^Changelog \d+$"))).to_be_visible()
    expect(tabs.get_by_role("link", name=re.compile("^Images"))).to_have_count(0)
    expect(page.get_by_role("link", name="Add image", exact=True)).to_be_visible()
    # the comments, formatted, in their own panel
    expect(page.locator(".wb-comments strong")).to_have_text("reception")
    # the site's locations in a table
    locations = page.locator(".card", has=page.get_by_role("heading", name="Locations", exact=True))
    expect(locations.locator("tbody tr")).to_have_count(2)
    shot(page, "site")
    assert not serious_violations(page)

    # a rack added from the site's Racks table: the form has the site, and Create comes back to the site
    racks = page.locator(".card", has=page.get_by_role("heading", name="Racks", exact=True))
    expect(racks).to_contain_text("None")
    racks.get_by_role("link", name="Add").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a new rack")
    expect(page.locator(".ts-wrapper:has(#id_site-ts-control) .item")).to_contain_text("AMS1")
    field(page, "Name").fill("R101")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/dcim/sites/{site.pk}/$"))
    expect(racks.locator("tbody tr")).to_have_count(1)
    expect(racks.get_by_role("link", name="R101")).to_be_visible()
    expect(racks.get_by_role("link", name="All 1")).to_have_attribute("href", re.compile(rf"site_id={site.pk}"))

    # the rack's edit page leads up through the site (its page too: tests/frontend/test_object_detail.py)
    page.goto(f"{racks.get_by_role('link', name='R101').get_attribute('href')}edit/")
    expect(crumbs.get_by_role("listitem")).to_have_text(["Racks", "Europe", "Netherlands", "AMS1", "R101", "Edit"])
    crumbs.get_by_role("link", name="Europe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Europe")

    # at a phone's width the site's page and its form fit
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (f"/o/{slug}/dcim/sites/{site.pk}/", f"/o/{slug}/dcim/sites/{site.pk}/edit/"):
        page.goto(url)
        no_sideways_scroll(page)
    shot(page, "site-edit-phone")


def test_a_location_inside_another_shows_the_whole_way_up(page, accounts):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Tree Lab")
    with tenant_context(organization):
        europe = Region.objects.create(name="Europe", slug="europe")
        site = Site.objects.create(name="AMS1", slug="ams1", region=europe)
        hall = Location.objects.create(name="Hall A", slug="hall-a", site=site)
        cage = Location.objects.create(name="Cage 7", slug="cage-7", site=site, parent=hall)
        Rack.objects.create(name="R1", site=site, location=cage)
    login(page, owner.email)

    page.goto(f"/o/{organization.slug}/dcim/locations/{cage.pk}/")

    crumbs = page.get_by_role("navigation", name="breadcrumb")
    expect(crumbs.get_by_role("listitem")).to_have_text(["Locations", "Europe", "AMS1", "Hall A", "Cage 7"])
    expect(crumbs.get_by_role("link", name="Hall A")).to_have_attribute("title", "Location")
    racks = page.locator(".card", has=page.get_by_role("heading", name="Racks", exact=True))
    expect(racks.get_by_role("link", name="R1")).to_be_visible()


def test_the_site_form_fills_the_slug_searches_time_zones_and_is_in_sections(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Form Lab")
    login(page, owner.email)
    page.goto(f"/o/{organization.slug}/dcim/sites/add/")

    # sections, in NetBox's order
    expect(page.locator("legend")).to_have_text(["Site", "Tenancy", "Contact info", "Tags"])

    # the slug follows the name as it is typed: lowercase ASCII, dashes, trimmed
    name, slug = field(page, "Name"), field(page, "Slug")
    name.press_sequentially("Zürich Nord / Hall 2!")
    expect(slug).to_have_value("zurich-nord-hall-2")
    # until the slug is typed by hand
    slug.fill("zrh-n2")
    name.fill("Zürich Nord / Hall 2! West")
    expect(slug).to_have_value("zrh-n2")

    # the time zone is searched among the IANA zones and picked
    zone = page.get_by_role("combobox", name="Time zone", exact=True)
    zone.click()
    zone.press_sequentially("amsterd")
    offered = page.locator("#id_time_zone-ts-dropdown [role=option]")
    expect(offered).to_have_text(["Europe/Amsterdam"])
    zone.press("Enter")
    shot(page, "site-form")
    page.get_by_role("button", name="Create", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Zürich Nord / Hall 2! West")
    attributes = page.locator(".wb-attributes")
    expect(attributes.locator("tr", has=page.get_by_role("rowheader", name="Slug"))).to_contain_text("zrh-n2")
    expect(attributes.locator("tr", has=page.get_by_role("rowheader", name="Time zone"))).to_contain_text(
        "Europe/Amsterdam"
    )


def test_help_text_shows_under_its_field(page, accounts):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Help Lab")
    login(page, owner.email)

    page.goto(f"/o/{organization.slug}/dcim/device-types/add/")

    full_depth = page.get_by_role("checkbox", name="Is full depth")
    expect(full_depth).to_have_accessible_description("Device consumes both front and rear rack faces.")
    expect(page.locator('[data-field="is_full_depth"] .form-text')).to_be_visible()
