"""The APIs in a browser (frontend/api_pages.py): the browsable REST API, Swagger UI and GraphiQL.

Browsers get pages; API clients (curl, pynetbox, the Ansible collection) get what they always got."""

import json

import pytest
from django.test import Client, RequestFactory

from frontend.api_pages import json_html
from inventory.models import Site
from tenants.context import tenant_context
from tenants.middleware import browser_wants_html
from tenants.tokens import token_create

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
SITES = "/o/org-a/api/dcim/sites/"


@pytest.fixture
def site(org_a):
    with tenant_context(org_a.organization):
        return Site.objects.create(name="AMS <1>", slug="ams1", description="https://example.com/<x>")


@pytest.mark.parametrize(
    ("accept", "query", "html"),
    [
        (BROWSER, "", True),  # Chromium, Firefox
        ("*/*", "", False),  # curl, requests (pynetbox's raw reads)
        ("application/json", "", False),  # pynetbox, go-netbox
        ("application/json, */*;q=0.5", "", False),  # httpie
        ("", "", False),  # urllib, Go's net/http
        ("text/html;q=0.5, application/json", "", False),
        ("application/json;q=0.5, text/html", "", True),
        ("text/html, application/json", "", True),  # both at 1: the one named first
        ("text/html;q=0", "", False),
        (BROWSER, "format=json", False),
        ("application/json", "format=api", True),  # Django REST framework's way to ask for the page
    ],
)
def test_who_gets_the_page(accept, query, html):
    request = RequestFactory().get(f"{SITES}?{query}", HTTP_ACCEPT=accept)
    assert browser_wants_html(request) is html


def test_only_reads_get_the_page():
    assert not browser_wants_html(RequestFactory().post(SITES, HTTP_ACCEPT=BROWSER))


def test_a_browser_sees_the_json_as_a_page_with_links(org_a, site):
    # when
    response = org_a.client().get(SITES, HTTP_ACCEPT=BROWSER)

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["API-Version"] and response["X-Request-ID"]
    assert "Accept" in response["Vary"]
    page = response.content.decode()
    url = f"http://testserver/o/org-a/api/dcim/sites/{site.pk}/"
    assert f'<a class="wb-json-string" href="{url}" rel="nofollow noopener">&quot;{url}&quot;</a>' in page
    assert "&quot;AMS &lt;1&gt;&quot;" in page and "AMS <1>" not in page  # escaped
    assert "HTTP 200 OK" in page and '<span class="wb-json-key">&quot;count&quot;</span>: ' in page
    assert 'href="/o/org-a/api/dcim/sites/?format=json"' in page
    assert 'aria-label="Navigation"' in page  # the organization's layout
    assert "/o/org-a/api/schema/swagger-ui/" in page and "/o/org-a/graphql/" in page


def test_the_page_keeps_the_status_of_the_answer(org_a):
    response = org_a.client().get(f"{SITES}999999/", HTTP_ACCEPT=BROWSER)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "HTTP 404 Not Found" in response.content.decode()
    assert "&quot;Not found.&quot;" in response.content.decode() or "No Site matches" in response.content.decode()


def test_api_clients_still_get_json(org_a, site):
    client = org_a.client()
    for accept in ("*/*", "application/json", "application/json, */*;q=0.5"):
        response = client.get(SITES, HTTP_ACCEPT=accept)
        assert response["Content-Type"] == "application/json"
        assert response.json()["count"] == 1
    response = client.get(f"{SITES}?format=json", HTTP_ACCEPT=BROWSER)
    assert response["Content-Type"] == "application/json"
    assert response.json()["results"][0]["name"] == "AMS <1>"


def test_a_token_client_asking_for_json_gets_json(org_a, site):
    _, key = token_create(user=org_a.owner, organization=org_a.organization, description="ci")
    response = Client().get(SITES, HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json" and response.json()["count"] == 1


def test_writes_are_never_pages(org_a):
    response = org_a.client().post(
        SITES, json.dumps({"name": "X", "slug": "x"}), content_type="application/json", HTTP_ACCEPT=BROWSER
    )
    assert response["Content-Type"] == "application/json"


def test_anonymous_browsers_are_sent_to_log_in_and_see_no_data(org_a, site):
    response = Client().get(SITES, HTTP_ACCEPT=BROWSER)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    # exactly as for an organization that does not exist
    unknown = Client().get("/o/no-such-org/api/dcim/sites/", HTTP_ACCEPT=BROWSER)
    assert unknown.status_code == 302 and unknown["Location"].startswith("/login/?next=")
    # API clients keep NetBox's refusal; both answers vary by what the client accepts
    refused = Client().get(SITES, HTTP_ACCEPT="application/json")
    assert refused.json() == {"detail": "Authentication credentials were not provided."}
    assert "Accept" in refused["Vary"] and "Accept" in response["Vary"]


def test_another_organizations_member_sees_no_data(org_a, org_b, site):
    client = org_b.client()
    for path in (SITES, f"{SITES}{site.pk}/", "/o/org-a/api/schema/swagger-ui/", "/o/org-a/graphql/"):
        response = client.get(path, HTTP_ACCEPT=BROWSER)
        assert response.status_code == 404, path
        assert "AMS" not in response.content.decode() and "Organization A" not in response.content.decode()
        unknown = client.get(path.replace("org-a", "no-such-org"), HTTP_ACCEPT=BROWSER)
        assert unknown.status_code == 404 and unknown.content == response.content
    assert client.get(SITES, HTTP_ACCEPT="application/json").json() == {"detail": "Not found."}


def test_another_organizations_token_sees_no_data(org_a, org_b, site):
    _, key = token_create(user=org_b.owner, organization=org_b.organization, description="b")
    response = Client().get(SITES, HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT=BROWSER)
    assert response.status_code == 404 and "AMS" not in response.content.decode()


def test_swagger_ui_page(org_a):
    response = org_a.client().get("/o/org-a/api/schema/swagger-ui/", HTTP_ACCEPT=BROWSER)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-wb-swagger-ui="/o/org-a/api/schema/"' in page
    assert "frontend/vendor/swagger-ui/swagger-ui-bundle.js" in page and "frontend/api.js" in page
    assert "data-csrf-token=" in page


def test_graphiql_for_browsers_and_the_endpoint_for_clients(org_a):
    client = org_a.client()
    page = client.get("/o/org-a/graphql/", HTTP_ACCEPT=BROWSER)
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert 'data-wb-graphiql="/o/org-a/graphql/"' in page.content.decode()
    assert "font-src 'self' data:" in page["Content-Security-Policy"]
    assert "script-src 'self';" in page["Content-Security-Policy"] + ";"
    # API clients: a GET with a query runs it, as before
    answer = client.get("/o/org-a/graphql/", {"query": "{ site_list { id } }"}, HTTP_ACCEPT="application/json")
    assert answer["Content-Type"] == "application/json" and answer.json() == {"data": {"site_list": []}}
    # ?raw from a browser too (graphene-django's switch)
    raw = client.get("/o/org-a/graphql/", {"query": "{ site_list { id } }", "raw": ""}, HTTP_ACCEPT=BROWSER)
    assert raw.json() == {"data": {"site_list": []}}
    # the data: fonts are GraphiQL's page's alone
    other = client.get("/o/org-a/", HTTP_ACCEPT=BROWSER)
    assert "data:" not in other["Content-Security-Policy"].split("font-src")[1].split(";")[0]


def test_graphiql_posts_need_the_csrf_token(org_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org_a.owner)
    page = client.get("/o/org-a/graphql/", HTTP_ACCEPT=BROWSER)
    token = page.content.decode().split('data-csrf-token="')[1].split('"')[0]
    body = json.dumps({"query": "{ site_list { id } }"})
    refused = client.post("/o/org-a/graphql/", body, content_type="application/json")
    assert refused.status_code == 403
    answered = client.post("/o/org-a/graphql/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert answered.json() == {"data": {"site_list": []}}


def test_json_html_escapes_and_links_only_web_addresses():
    html = json_html({"a": "javascript:alert(1)", "b": "https://x.example/?a=1&b=<2>", "c": [1, None, True], "d": {}})
    assert "javascript:alert(1)" in html and 'href="javascript' not in html
    assert 'href="https://x.example/?a=1&amp;b=&lt;2&gt;"' in html
    assert '<span class="wb-json-literal">null</span>' in html and '"d"' not in html
    assert "&quot;d&quot;</span>: {}" in html
