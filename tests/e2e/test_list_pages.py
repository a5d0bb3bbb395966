"""List pages in a real browser: active filters as chips, clean URLs, filter fields that are never cut
off, page-number pagination with a page size, per-row edit and delete, and the order of the columns."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from inventory.models import Region, Site
from tenants.context import tenant_context
from tenants.models import MembershipRole
from tests.e2e.accessibility import serious_violations
from tests.e2e.harness import login, no_sideways_scroll

LONG_REGION = "Région Île-de-France et territoires d'outre-mer rattachés administrativement"

# Elements of the filter panel whose content is cut off: wider than their own clipping box, or reaching
# past the edge of their field's column.
CLIPPED = """
() => {
  const found = [];
  document.querySelectorAll(".wb-filter-field").forEach((cell) => {
    const edge = cell.getBoundingClientRect();
    cell.querySelectorAll("*").forEach((element) => {
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      if (box.width === 0 || element.closest(".ts-dropdown, .ts-hidden-accessible")) return;
      const clips = ["hidden", "clip", "auto", "scroll"].includes(style.overflowX);
      if ((clips && element.scrollWidth > element.clientWidth + 1) || box.right > edge.right + 1) {
        found.push(`${element.tagName.toLowerCase()}.${element.className}: ${element.textContent.trim().slice(0, 40)}`);
      }
    });
  });
  return found;
}
"""


def _lab(accounts, name: str):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name=name)
    return owner, organization, f"/o/{organization.slug}/dcim/sites/"


def _query(page: Page) -> str:
    return urlsplit(page.url).query


def test_active_filters_are_chips_that_remove_one_value_each(page, accounts, shot):
    owner, organization, sites = _lab(accounts, "Chip Lab")
    with tenant_context(organization):
        europe = Region.objects.create(name="Amsterdam Metro", slug="ams-metro")
        Site.objects.create(name="Amsterdam 1", slug="ams1", region=europe, status="active")
        Site.objects.create(name="Amsterdam 2", slug="ams2", region=europe, status="planned")
        Site.objects.create(name="Berlin 1", slug="ber1", status="active")
    login(page, owner.email)

    page.goto(f"{sites}?region_id={europe.pk}&status=active&q=Amsterdam")
    chips = page.locator(".wb-chip")
    expect(chips).to_have_text(["Region: Amsterdam Metro", "Status: Active", "Search: Amsterdam"])
    expect(page.locator(".wb-total")).to_have_text("1 site")
    shot(page, "chips")

    page.get_by_role("link", name="Remove filter Status: Active").click()
    expect(chips).to_have_text(["Region: Amsterdam Metro", "Search: Amsterdam"])
    assert _query(page) == f"region_id={europe.pk}&q=Amsterdam"
    expect(page.locator(".wb-total")).to_have_text("2 sites")

    page.get_by_role("link", name="Clear all").click()
    expect(chips).to_have_count(0)
    expect(page.locator(".wb-total")).to_have_text("3 sites")


def test_filter_form_and_quick_search_put_only_filled_fields_in_the_url(page, accounts, shot):
    owner, organization, sites = _lab(accounts, "Clean Lab")
    with tenant_context(organization):
        Site.objects.create(name="AMS1", slug="ams1", status="planned")
        Site.objects.create(name="FRA1", slug="fra1", status="active")
    login(page, owner.email)
    page.goto(sites)

    page.get_by_role("button", name="Filters").click()
    page.locator(".wb-filter-form").get_by_label("Status", exact=True).select_option("planned")
    expect(page.locator(".wb-filter-form").get_by_label("Status", exact=True)).to_have_values(["planned"])
    page.locator(".wb-filter-form").get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"\?status=planned$"))
    expect(page.locator(".wb-total")).to_have_text("1 site")

    page.get_by_role("searchbox", name="Quick search").fill("AMS")
    page.get_by_role("searchbox", name="Quick search").press("Enter")
    expect(page.locator(".wb-chip")).to_have_text(["Status: Planned", "Search: AMS"])
    assert _query(page) == "status=planned&q=AMS"
    shot(page, "clean-url")

    # a URL with empty parameters (a form sent without JavaScript) is redirected to the clean one
    page.goto(f"{sites}?q=&status=planned&region_id=&tenant_id=")
    expect(page.locator(".wb-total")).to_have_text("1 site")
    assert _query(page) == "status=planned"


def test_filter_fields_are_not_cut_off_on_a_wide_or_a_phone_screen(page, accounts, shot):
    owner, organization, sites = _lab(accounts, "Clip Lab")
    with tenant_context(organization):
        region = Region.objects.create(name=LONG_REGION, slug="idf")
        other = Region.objects.create(name="Nord-Pas-de-Calais-Picardie-Champagne-Ardenne-Lorraine", slug="npdc")
        Site.objects.create(name="PAR1", slug="par1", region=region)
    login(page, owner.email)

    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{sites}?region_id={region.pk}&region_id={other.pk}")
        page.get_by_role("button", name="Filters").click()
        expect(page.locator(".wb-filter-form .ts-control .item").first).to_be_visible()
        expect(page.locator(".wb-filter-form")).to_be_visible()
        page.wait_for_timeout(400)  # the panel's opening transition
        shot(page, f"filters-{width}")
        assert page.evaluate(CLIPPED) == [], width
        no_sideways_scroll(page)


def test_page_numbers_first_last_and_page_size_keep_the_query(page, accounts, shot):
    owner, organization, sites = _lab(accounts, "Page Lab")
    with tenant_context(organization):
        Site.objects.bulk_create(Site(name=f"Site {n:03}", slug=f"site-{n:03}") for n in range(130))
        Site.objects.create(name="Elsewhere", slug="elsewhere")
    login(page, owner.email)

    page.goto(f"{sites}?q=Site&sort=-name&per_page=25")
    showing = page.locator(".wb-showing")
    expect(showing).to_have_text("Showing 1\N{EN DASH}25 of 130")
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages.locator(".page-item")).to_have_text(
        ["1", "2", "3", "…", "6", "Next \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}", "Last »"]
    )
    shot(page, "first-page")

    pages.get_by_role("link", name="Last").click()
    expect(showing).to_have_text("Showing 126\N{EN DASH}130 of 130")
    expect(page.locator("tbody tr").first).to_contain_text("Site 004")  # still sorted by name, descending
    assert _query(page) == "q=Site&sort=-name&per_page=25&page=6"

    pages.get_by_role("link", name="Page 4").click()
    expect(showing).to_have_text("Showing 76\N{EN DASH}100 of 130")
    expect(pages.locator(".page-item")).to_have_text(
        [
            "« First",
            "\N{SINGLE LEFT-POINTING ANGLE QUOTATION MARK} Prev",
            "1",
            "2",
            "3",
            "4",
            "5",
            "6",
            "Next \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}",
            "Last »",
        ]
    )

    page.get_by_label("Per page", exact=True).last.select_option("100")
    expect(showing).to_have_text("Showing 1\N{EN DASH}100 of 130")
    assert _query(page) == "q=Site&sort=-name&per_page=100"
    shot(page, "hundred-a-page")


def test_rows_offer_edit_and_delete_to_those_who_may(page, new_page, accounts, shot):
    owner, organization, sites = _lab(accounts, "Row Lab")
    viewer = accounts.user()
    accounts.membership(organization=organization, user=viewer, role=MembershipRole.VIEWER)
    with tenant_context(organization):
        for name in ("AMS1", "AMS2", "FRA1"):
            Site.objects.create(name=name, slug=name.lower())
    login(page, owner.email)

    page.goto(f"{sites}?q=AMS&sort=name")
    expect(page.get_by_role("link", name="Edit site AMS1")).to_be_visible()
    shot(page, "row-buttons")
    page.get_by_role("link", name="Delete site AMS2").click()
    expect(page.get_by_role("heading", name="Delete site AMS2?")).to_be_visible()
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_text("Deleted site AMS2")).to_be_visible()
    assert urlsplit(page.url).path == sites and _query(page) == "q=AMS&sort=name"
    expect(page.locator(".wb-total")).to_have_text("1 site")

    page.get_by_role("link", name="Edit site AMS1").click()
    expect(page).to_have_url(re.compile(r"/edit/\?return_url="))

    # a viewer sees the rows, not the buttons
    other = new_page()
    login(other, viewer.email)
    other.goto(sites)
    expect(other.locator(".wb-total")).to_have_text("2 sites")
    expect(other.locator("[data-wb-row-edit], [data-wb-row-delete]")).to_have_count(0)


def test_configure_table_reorders_the_chosen_columns(page, accounts, shot):
    owner, organization, sites = _lab(accounts, "Column Lab")
    with tenant_context(organization):
        Site.objects.create(name="AMS1", slug="ams1")
    login(page, owner.email)
    page.goto(sites)
    headers = page.locator("thead th[data-column]")
    expect(headers.first).to_have_attribute("data-column", "name")

    page.get_by_role("button", name="Configure table").click()
    order = page.locator(".wb-column-order > li")
    names = order.evaluate_all("items => items.map((item) => item.dataset.wbColumn)")
    assert names[:2] == ["name", "status"]
    page.get_by_role("button", name="Move Status up").click()
    expect(page.get_by_role("button", name="Move Status up")).to_be_focused()  # the keyboard goes on from there
    page.get_by_role("button", name="Move Name down").focus()
    page.keyboard.press("Enter")  # the keyboard moves it too
    shot(page, "reordered")
    moved = order.evaluate_all("items => items.map((item) => item.dataset.wbColumn)")
    assert moved[:3] == ["status", names[2], "name"]
    # or with the mouse: the last column dragged onto the top of the first
    last = order.last
    dragged = last.get_attribute("data-wb-column")
    last.drag_to(order.first, target_position={"x": 40, "y": 2})
    moved = order.evaluate_all("items => items.map((item) => item.dataset.wbColumn)")
    assert moved[0] == dragged and moved[1:4] == ["status", names[2], "name"]
    page.locator("#wb-columns").get_by_role("button", name="Save").click()

    expect(headers.first).to_have_attribute("data-column", dragged)
    assert headers.evaluate_all("cells => cells.map((cell) => cell.dataset.column)") == moved
    page.reload()
    assert headers.evaluate_all("cells => cells.map((cell) => cell.dataset.column)") == moved


def test_a_filtered_list_fits_a_phone_and_has_no_serious_accessibility_violations(page, accounts, shot):
    owner, organization, sites = _lab(accounts, "Phone Lab")
    with tenant_context(organization):
        region = Region.objects.create(name=LONG_REGION, slug="idf")
        Site.objects.bulk_create(
            Site(name=f"Site {n:03}", slug=f"site-{n:03}", region=region, status="active") for n in range(60)
        )
    login(page, owner.email)
    filtered = f"{sites}?region_id={region.pk}&status=active&q=Site&per_page=25&page=2"
    found: list[str] = []

    for theme in ("light", "dark"):
        page.goto(filtered)
        expect(page.locator(".wb-chip")).to_have_count(3)
        found += serious_violations(page)
        if theme == "light":
            page.get_by_role("button", name="Toggle dark theme").click()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(filtered)
    expect(page.locator(".wb-showing")).to_have_text("Showing 26\N{EN DASH}50 of 60")
    no_sideways_scroll(page)
    shot(page, "phone")

    assert not found, "serious accessibility violations:\n" + "\n".join(found)
