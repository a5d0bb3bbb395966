"""The Content-Security-Policy in a real browser: the harness notices what the browser refuses (so
every browser test asserts the pages break none of it), and what used to be inline -- the theme
script, tag colours, progress bars, htmx's indicator styles, rack elevations' drawing styles -- still works from
static files."""

import re

from playwright.sync_api import Route, expect

from automation.export import EXPORT_FUNCTION
from automation.models import Job, JobStatus
from core.models import Tag
from inventory.models import Rack, Site
from tenants.context import tenant_context
from tests.e2e.harness import login


def test_the_harness_fails_a_test_whose_page_breaks_the_policy(page, wirebook, csp_violations):
    def strict_page(route: Route) -> None:
        route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": "script-src 'self'; style-src 'self'"},
            body="<!doctype html><title>probe</title><p style='color: red'>x</p>"
            "<script>document.title = 'ran'</script>",
        )

    page.route("**/csp-probe/", strict_page)
    page.goto("/csp-probe/")

    expect(page).to_have_title("probe")  # the inline script was refused
    assert any("script-src" in violation for violation in csp_violations), csp_violations
    assert any("style-src" in violation for violation in csp_violations), csp_violations
    csp_violations.clear()  # seen: this test passes


def test_pages_work_under_the_policy(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Policy Lab")
    slug = organization.slug
    with tenant_context(organization):
        tag = Tag.objects.create(name="Core", slug="core", color="ff5722")
        site = Site.objects.create(name="AMS1", slug="ams1")
        site.tagged_items.create(tag=tag)
        rack = Rack.objects.create(name="R1", site=site, u_height=10)
        job = Job.objects.create(name="Export", function=EXPORT_FUNCTION, status=JobStatus.COMPLETED, user_id=owner.pk)
    login(page, owner.email)

    # the policy is sent, strict
    response = page.goto(f"/o/{slug}/dcim/sites/{site.pk}/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe" not in policy

    # a tag shows its colour, set from its data-wb-color attribute by wirebook.js
    badge = page.locator(".wb-tag", has_text="Core")
    expect(badge).to_have_css("background-color", "rgb(255, 87, 34)")

    # the theme toggle and Bootstrap's dropdown work, and the theme is remembered (theme.js)
    page.get_by_role("button", name="Toggle dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    page.get_by_role("button", name="User menu").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    shot(page, "site-dark-menu")

    # on a narrow screen the navigation drawer (Bootstrap's offcanvas) opens and closes
    page.set_viewport_size({"width": 600, "height": 800})
    page.get_by_role("button", name="Navigation").click()
    drawer = page.locator("#wb-nav")
    expect(drawer.get_by_role("link", name="Sites", exact=True)).to_be_visible()
    drawer.get_by_role("button", name="Close").click()
    expect(drawer.get_by_role("link", name="Sites", exact=True)).to_be_hidden()
    page.set_viewport_size({"width": 1280, "height": 800})

    # allauth's email page passes its data in a <script type="application/json"> block: never run, no violation
    page.goto("/accounts/email/")
    expect(page.locator("script[type='application/json']")).to_have_count(1)
    expect(page.get_by_text(owner.email).first).to_be_visible()

    # the job page's progress bar is as wide as its progress
    page.goto(f"/o/{slug}/jobs/{job.pk}/")
    bar = page.locator(".progress-bar")
    expect(bar).to_have_text("100%")
    assert re.fullmatch(r"100(\.0+)?%", bar.evaluate("element => element.style.width"))
    shot(page, "job-progress")

    # a rack's elevation, embedded in its page, is styled by a linked stylesheet (a style element in the page
    # would be refused): its frame is filled with the page's background, not SVG's default black
    page.goto(f"/o/{slug}/dcim/racks/{rack.pk}/")
    frame = page.locator(".wb-rack-elevations .wb-rack-frame").first
    expect(frame).to_be_visible()
    assert frame.evaluate("element => getComputedStyle(element).fill") != "rgb(0, 0, 0)"
    expect(page.locator(".wb-rack-elevations style")).to_have_count(0)
    shot(page, "rack-elevation")
