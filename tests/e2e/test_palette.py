"""The command palette in a real browser: Ctrl-K (or the top bar's button) opens it, typing finds a
page and an object, the arrows and Enter open them, Esc closes it; accessible, light and dark, and
inside a 390 px screen."""

import re

from playwright.sync_api import expect

from core.services import object_create
from inventory.models import Site
from tenants.context import tenant_context
from tests.e2e.accessibility import serious_violations
from tests.e2e.harness import login, no_sideways_scroll


def test_the_palette_jumps_to_pages_and_objects_from_the_keyboard(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Palette Lab")
    slug = organization.slug
    with tenant_context(organization):
        site = object_create(model=Site, data={"name": "AMS1", "slug": "ams1", "description": "Amsterdam"})
    login(page, owner.email)
    page.goto(f"/o/{slug}/dcim/sites/")
    dialog = page.get_by_role("dialog", name="Jump to a page or an object")
    box = page.get_by_role("combobox", name="Page or object")
    options = page.get_by_role("option")
    expect(dialog).to_be_hidden()

    # Ctrl-K opens it, focused in its search box; Esc closes it
    page.keyboard.press("Control+k")
    expect(dialog).to_be_visible()
    expect(box).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # typing finds a page; Enter opens the first
    page.keyboard.press("Control+k")
    box.fill("add site")
    expect(options.first).to_have_text(re.compile(r"^Add site"))
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id") or "")
    found = serious_violations(page)
    shot(page, "palette-page")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/o/{slug}/dcim/sites/add/$"))

    # and an object: the arrows move to it, Enter opens it
    page.get_by_role("button", name="Jump to… (Ctrl+K)").click()
    expect(dialog).to_be_visible()
    box.fill("ams")
    expect(page.get_by_role("group", name="Objects").get_by_role("option")).to_have_text([re.compile(r"^AMS1\s*Site$")])
    labels = options.all_inner_texts()
    target = next(number for number, text in enumerate(labels) if text.startswith("AMS1"))
    for _ in range(target):
        page.keyboard.press("ArrowDown")
    expect(options.nth(target)).to_have_attribute("aria-selected", "true")
    shot(page, "palette-object")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/o/{slug}/dcim/sites/{site.pk}/$"))
    expect(page.get_by_role("heading", level=1, name="AMS1")).to_be_visible()

    # nothing found says so
    page.keyboard.press("Control+k")
    box.fill("zzqq-nothing")
    expect(page.locator(".wb-palette-status")).to_have_text("No page or object matches “zzqq-nothing”.")

    # dark, and at phone width: readable, inside the screen
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Toggle dark theme").click()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/o/{slug}/")
    page.get_by_role("button", name="Jump to… (Ctrl+K)").click()
    box.fill("site")
    expect(options.first).to_be_visible()
    background = page.evaluate("getComputedStyle(document.getElementById('wb-palette')).backgroundColor")
    assert background != "rgb(255, 255, 255)", background
    width = page.evaluate("document.getElementById('wb-palette').getBoundingClientRect().right")
    assert width <= 390, width
    no_sideways_scroll(page)
    found += serious_violations(page)
    shot(page, "palette-dark-phone")
    assert not found, "serious accessibility violations:\n" + "\n".join(found)
