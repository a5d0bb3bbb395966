"""An object's Images tab in a real browser: an image uploaded from a site's tab shows as a thumbnail,
opens full size on its own page, and is deleted with its files; a file that is no image is refused with a
form error."""

import io
import re

from PIL import Image
from playwright.sync_api import Page, expect

from inventory.models import Site
from tenants.context import tenant_context
from tests.e2e.accessibility import serious_violations
from tests.e2e.harness import field, login


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def natural_width(page: Page, selector: str) -> int:
    """The width of the picture the browser decoded for the image element (0 until it has loaded one)."""
    loaded = (
        "(selector) => { const img = document.querySelector(selector); return img?.complete && img.naturalWidth > 0 }"
    )
    page.wait_for_function(loaded, arg=selector)
    return page.locator(selector).evaluate("(img) => img.naturalWidth")


def files_under(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_an_image_is_attached_from_a_sites_tab_opened_and_deleted(page, accounts, shot, wirebook_media):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Image Lab")
    with tenant_context(organization):
        site = Site.objects.create(name="AMS1", slug="ams1")
    stored = wirebook_media / "organizations" / str(organization.pk)
    login(page, owner.email)

    # given the site's Images tab, empty: left out of the tabs, opened by the page's Add image
    page.goto(f"/o/{organization.slug}/dcim/sites/{site.pk}/")
    expect(page.locator(".nav-tabs").get_by_role("link", name=re.compile("^Images"))).to_have_count(0)
    page.get_by_role("link", name="Add image", exact=True).click()
    expect(page.get_by_text("No images.")).to_be_visible()

    # when a picture is attached through its form
    picture = png(600, 300)
    field(page, "Image").set_input_files({"name": "entrance.png", "mimeType": "image/png", "buffer": picture})
    field(page, "Name").fill("Entrance")
    field(page, "Description").fill("The main door")
    page.get_by_role("button", name="Attach image").click()

    # then its thumbnail is on the tab, served by the API and scaled to 200 pixels wide
    expect(page.get_by_text("Image added.")).to_be_visible()
    figure = page.locator("figure.wb-image")
    expect(figure).to_have_count(1)
    expect(figure).to_contain_text("Entrance")
    expect(figure).to_contain_text("600\N{MULTIPLICATION SIGN}300")
    # the tab now stays, with its count, and the page offers no separate Add image
    expect(page.locator(".nav-tabs").get_by_role("link", name="Images 1")).to_be_visible()
    expect(page.get_by_role("link", name="Add image", exact=True)).to_have_count(0)
    assert natural_width(page, "figure.wb-image img") == 200
    assert len(files_under(stored)) == 2  # the image and its thumbnail
    shot(page, "thumbnail")
    assert not serious_violations(page)

    # and a file that is no image is refused on the form, nothing else changing
    field(page, "Image").set_input_files({"name": "notes.png", "mimeType": "image/png", "buffer": b"#!/bin/sh\n"})
    page.get_by_role("button", name="Attach image").click()
    expect(page.locator(".wb-image-form")).to_contain_text("The file is not an image (PNG, JPEG, GIF or WebP).")
    expect(page.locator("figure.wb-image")).to_have_count(1)
    assert len(files_under(stored)) == 2
    shot(page, "refused")

    # when the thumbnail's link is followed it gives the image itself, as uploaded
    full = page.request.get(figure.locator("a").first.get_attribute("href") or "")
    assert (full.status, full.headers["content-type"]) == (200, "image/png")
    assert full.body() == picture

    # and when the attachment is opened: its page shows the image full size
    figure.locator("figcaption").get_by_role("link", name="Entrance").click()
    expect(page.get_by_role("heading", level=1, name="Entrance")).to_be_visible()
    assert natural_width(page, ".wb-image-full img") == 600
    shot(page, "attachment")

    # and, back on the tab, deleted: gone from the tab, its files from the storage
    page.goto(f"/o/{organization.slug}/dcim/sites/{site.pk}/images/")
    page.get_by_role("button", name="Delete Entrance").click()
    expect(page.get_by_text("Image deleted.")).to_be_visible()
    expect(page.get_by_text("No images.")).to_be_visible()
    assert files_under(stored) == []
    shot(page, "deleted")
