"""The APIs in a real browser (frontend/api_pages.py): the browsable REST API, Swagger UI's "Try it
out" with the session and CSRF token, and GraphiQL -- all under the Content-Security-Policy (the
harness fails a test on any violation)."""

import json
import re

from playwright.sync_api import expect

from inventory.models import Site
from tenants.context import tenant_context
from tests.e2e.harness import login


def test_the_rest_api_in_a_browser(new_page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Browsable Lab")
    with tenant_context(organization):
        site = Site.objects.create(name="AMS1", slug="ams1", description="Amsterdam <main>")
    page = new_page()
    login(page, owner.email)
    api = f"/o/{organization.slug}/api/"

    # the API root: its links lead on, page by page
    page.goto(api)
    expect(page.locator(".wb-json")).to_contain_text("HTTP 200 OK")
    page.locator('.wb-json a[href$="/api/dcim/"]').click()
    page.locator('.wb-json a[href$="/api/dcim/sites/"]').click()
    expect(page).to_have_url(re.compile(r"/api/dcim/sites/$"))
    expect(page.locator(".wb-json")).to_contain_text('"count": 1')
    shot(page, "site-list")
    page.locator(f'.wb-json a[href$="/api/dcim/sites/{site.pk}/"]').first.click()
    expect(page.locator(".wb-json")).to_contain_text('"description": "Amsterdam <main>"')
    shot(page, "site")

    # the breadcrumbs go back up; "JSON" is the API's own answer
    page.locator(".wb-api-path").get_by_role("link", name="sites").click()
    expect(page).to_have_url(re.compile(r"/api/dcim/sites/$"))
    with page.expect_response(re.compile(r"format=json")) as answer:
        page.get_by_role("link", name="JSON", exact=True).click()
    assert answer.value.headers["content-type"] == "application/json"
    assert json.loads(answer.value.text())["results"][0]["name"] == "AMS1"

    # the navigation leads to the API pages
    page.goto(f"/o/{organization.slug}/")
    page.locator("#wb-nav").get_by_role("link", name="REST API").click()
    expect(page).to_have_url(re.compile(r"/api/$"))

    # someone else sees nothing of it
    outsider = accounts.user()
    accounts.organization(owner=outsider, name="Elsewhere")
    other = new_page()
    login(other, outsider.email)
    response = other.goto(f"{api}dcim/sites/")
    assert response is not None and response.status == 404
    expect(other.get_by_text("AMS1")).to_have_count(0)
    anonymous = new_page()
    anonymous.goto(f"{api}dcim/sites/")
    expect(anonymous).to_have_url(re.compile(r"/login/\?next="))
    expect(anonymous.get_by_text("AMS1")).to_have_count(0)


def test_swagger_ui_tries_requests_with_the_session(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Swagger Lab")
    login(page, owner.email)

    page.goto(f"/o/{organization.slug}/api/schema/swagger-ui/#/dcim/dcim_sites_create")
    operation = page.locator("#operations-dcim-dcim_sites_create")
    expect(operation.locator(".opblock-body")).to_be_visible(timeout=30_000)
    operation.get_by_role("button", name="Try it out").click()
    operation.locator("textarea.body-param__text").fill(json.dumps({"name": "Tried", "slug": "tried"}))
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_have_text("201")
    shot(page, "site-created")
    with tenant_context(organization):
        assert Site.objects.filter(slug="tried").exists()


def test_graphiql_runs_queries_with_the_session(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="GraphiQL Lab")
    with tenant_context(organization):
        Site.objects.create(name="AMS1", slug="ams1")
    login(page, owner.email)

    page.goto(f"/o/{organization.slug}/")
    page.locator("#wb-nav").get_by_role("link", name="GraphiQL").click()
    expect(page.locator(".graphiql-container")).to_be_visible()
    page.goto(f"/o/{organization.slug}/graphql/?query=" + "{ site_list { name slug } }")
    page.get_by_role("button", name=re.compile("Execute query")).click()
    expect(page.locator(".result-window")).to_contain_text('"name": "AMS1"')
    shot(page, "graphiql")

    # on a phone the result sits below the editors, within the window
    page.set_viewport_size({"width": 390, "height": 844})
    editors = page.locator(".graphiql-editors").bounding_box()
    result = page.locator(".result-window").bounding_box()
    assert editors is not None and result is not None
    assert result["y"] >= editors["y"] + editors["height"] and result["x"] + result["width"] <= 390, (editors, result)
    expect(page.locator(".result-window")).to_contain_text('"name": "AMS1"')
    shot(page, "graphiql-phone")
