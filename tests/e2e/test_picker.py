"""The related-object picker in a real browser: one searchable select (Tom Select) that asks the
REST API as you type, shows exactly the API's answer for the current text (no stale options, no
duplicates), is driven by the keyboard, and shows the chosen objects as removable chips."""

import re

from playwright.sync_api import Page, expect

from core.models import Tag
from inventory.models import Region, Site
from tenants.context import tenant_context
from tests.e2e.harness import field, login


def picker(scope, label: str):
    """A picker's search box: a combobox named after the field's label."""
    return scope.get_by_role("combobox", name=label, exact=True)


def options(page: Page, field_id: str):
    return page.locator(f"#{field_id}-ts-dropdown [role=option]")


def choose(page: Page, box, field_id: str, text: str, offered: str) -> None:
    """Type `text` in a picker, see `offered` as its only option, and choose it with Enter."""
    box.fill(text)
    expect(options(page, field_id)).to_have_text([offered])
    box.press("Enter")


def test_the_picker_narrows_without_stale_options_and_picks_by_keyboard(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Picker Lab")
    with tenant_context(organization):
        for name in ("Netherlands", "Germany", "Georgia", "Greece"):
            Region.objects.create(name=name, slug=name.lower())
        Tag.objects.create(name="Core", slug="core")
        Tag.objects.create(name="Edge", slug="edge")
        Tag.objects.create(name="Lab", slug="lab")
    login(page, owner.email)
    page.goto(f"/o/{organization.slug}/dcim/sites/add/")
    field(page, "Name").fill("BER1")
    field(page, "Slug").fill("ber1")

    # one control per field: the region's search box is the field itself, no separate native select
    region = picker(page, "Region")
    expect(region).to_have_attribute("role", "combobox")
    expect(page.locator("select[name=region]")).to_have_class(re.compile(r"\bts-hidden-accessible\b"))
    expect(page.get_by_role("combobox", name=re.compile("region", re.I))).to_have_count(1)

    # when the search narrows, only the API's answer for the current text is offered, each once
    region.click()
    region.fill("Ne")
    expect(options(page, "id_region")).to_have_text(["Netherlands"])
    region.fill("G")
    expect(options(page, "id_region")).to_have_text(["Georgia", "Germany", "Greece"])
    region.fill("Ger")
    expect(options(page, "id_region")).to_have_text(["Germany"])
    region.fill("")
    region.fill("Ge")
    expect(options(page, "id_region")).to_have_text(["Georgia", "Germany"])
    shot(page, "region-narrowed")

    # and the keyboard picks: the arrow moves to the second answer, Enter chooses it
    region.press("ArrowDown")
    region.press("Enter")
    chosen = page.locator(".ts-wrapper:has(#id_region-ts-control) .item")
    expect(chosen).to_have_count(1)
    expect(chosen).to_contain_text("Germany")

    # several tags, chosen by typing and Enter, shown as chips; one is removed with its remove button
    tags = picker(page, "Tags")
    tags.click()
    choose(page, tags, "id_tags", "Co", "Core")
    choose(page, tags, "id_tags", "Ed", "Edge")
    chips = page.locator(".ts-wrapper:has(#id_tags-ts-control) .item")
    expect(chips).to_have_count(2)
    # (a chosen tag is not offered again)
    tags.fill("")
    expect(options(page, "id_tags")).to_have_text(["Lab"])
    chips.filter(has_text="Core").locator(".remove").click()
    expect(chips).to_have_count(1)
    expect(chips).to_contain_text("Edge")
    shot(page, "chips")
    tags.press("Escape")
    expect(page.locator("#id_tags-ts-dropdown")).to_be_hidden()

    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="BER1")).to_be_visible()
    with tenant_context(organization):
        site = Site.objects.get(slug="ber1")
        assert site.region is not None and site.region.name == "Germany"
        assert sorted(tag.slug for tag in site.tags) == ["edge"]

    # and the edit form shows the chosen ones as chips, ready to change
    page.goto(f"/o/{organization.slug}/dcim/sites/{site.pk}/edit/")
    expect(page.locator(".ts-wrapper:has(#id_region-ts-control) .item")).to_contain_text("Germany")
    edit_chips = page.locator(".ts-wrapper:has(#id_tags-ts-control) .item")
    expect(edit_chips).to_have_count(1)
    expect(edit_chips).to_contain_text("Edge")

    # and in the dark theme the picker is dark too
    page.get_by_role("button", name="Toggle dark theme").click()
    picker(page, "Tags").click()
    expect(options(page, "id_tags").first).to_be_visible()
    for selector in ("#id_tags-ts-control", "#id_tags-ts-dropdown"):
        background = page.evaluate(
            "(selector) => getComputedStyle(document.querySelector(selector).closest('.ts-wrapper, .ts-dropdown'))"
            ".backgroundColor",
            selector,
        )
        assert background not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), (selector, background)
    shot(page, "dark")


def test_the_list_filter_picks_several_objects(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Filter Picker")
    with tenant_context(organization):
        germany = Region.objects.create(name="Germany", slug="germany")
        greece = Region.objects.create(name="Greece", slug="greece")
        Region.objects.create(name="Netherlands", slug="netherlands")
        Site.objects.create(name="BER1", slug="ber1", region=germany)
        Site.objects.create(name="ATH1", slug="ath1", region=greece)
        Site.objects.create(name="AMS1", slug="ams1")
    login(page, owner.email)
    page.goto(f"/o/{organization.slug}/dcim/sites/")
    page.get_by_role("button", name="Filters").click()
    region = picker(page.locator(".wb-filter-form"), "Region")
    region.click()
    choose(page, region, "id_region_id", "Ger", "Germany")
    choose(page, region, "id_region_id", "Gre", "Greece")
    shot(page, "filter-picked")
    page.keyboard.press("Escape")  # done picking: the open dropdown closes (it may cover the buttons)
    page.locator(".wb-filter-form").get_by_role("button", name="Apply").click()
    expect(page.locator(".wb-total")).to_have_text("2 sites")
    expect(page.get_by_role("link", name="BER1", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="ATH1", exact=True)).to_be_visible()
