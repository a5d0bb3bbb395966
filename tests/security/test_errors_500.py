"""Bad input is a clear 4xx and writes nothing; a real server error shows no internals (issue #9, item 4).

Each group once answered 500: NUL characters and unpaired surrogates anywhere in a request
(tenants.inputs' middleware; uploads in frontend.transfer.parse), regular expressions PostgreSQL
rejects (core.filters._check_regex, PostgreSQL's own judgement), offsets beyond bigint
(core.api.endpoints.int_param), impossible dates and offsets (tenants.inputs.parse_datetime_bounded),
JSON objects where a value belongs, repeated ids in bulk writes, and the 500 answers themselves
(tenants.errors).
"""

import json
import platform
import urllib.parse

import django
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.api import endpoints
from core.models import CustomField, ObjectChange, Tag
from frontend import listing
from inventory.models import Site
from tenants.context import tenant_context
from tenants.inputs import NULL_CHARACTERS, UNPAIRED_SURROGATES
from tenants.models import Token

API = "/o/org-a/api"
SITES = f"{API}/dcim/sites/"
BEYOND_BIGINT = str(2**64)


def post(client, path, payload):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(path, body, content_type="application/json")


@pytest.fixture
def owner(org_a):
    return org_a.client()


@pytest.fixture
def site(org_a):
    with tenant_context(org_a.organization):
        return Site.objects.create(name="AMS1", slug="ams1")


def sites(org_a) -> list[str]:
    with tenant_context(org_a.organization):
        return sorted(Site.objects.values_list("slug", flat=True))


def define_custom_field(org_a, name: str, kind: str) -> None:
    with tenant_context(org_a.organization):
        field = CustomField.objects.create(name=name, type=kind)
        field.object_types.set([object_type_id(Site)])


def object_type_id(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


# -- NUL characters and unpaired surrogates ----------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["name=a%00b", "q=a%00b", "name__ic=%00", "tag=x%00", "slug__regex=%00", "a%00=1", "ordering=name%00"],
)
def test_nul_in_a_rest_query_string_is_a_400(owner, site, query):
    response = owner.get(f"{SITES}?{query}")

    assert response.status_code == 400, response.content
    assert NULL_CHARACTERS in json.dumps(response.json())


def test_nul_in_a_filter_answers_in_netbox_filter_shape(owner, site):
    response = owner.get(f"{SITES}?name=a%00b")

    assert response.json() == {"name": [NULL_CHARACTERS]}


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ('{"name": "A\\u0000B", "slug": "ab"}', "name", NULL_CHARACTERS),
        ('{"name": "A\\ud800B", "slug": "ab"}', "name", UNPAIRED_SURROGATES),
        ('{"name": "AB", "slug": "ab", "custom_fields": {"x": "\\udfff"}}', "custom_fields", UNPAIRED_SURROGATES),
        ('{"name": "AB", "slug": "ab", "tags": [{"name": "t\\u0000"}]}', "tags", NULL_CHARACTERS),
    ],
)
def test_nul_and_unpaired_surrogates_in_a_json_write_are_a_field_error(owner, org_a, payload, field, message):
    response = post(owner, SITES, payload)

    assert response.status_code == 400, response.content
    assert response.json() == {field: [message]}
    assert sites(org_a) == []


def test_a_json_body_declared_as_another_type_is_checked_too(owner, org_a):
    response = owner.post(SITES, '{"name": "A\\u0000", "slug": "a"}', content_type="text/plain")

    assert response.status_code == 400
    assert response.json() == {"name": [NULL_CHARACTERS]}
    assert sites(org_a) == []


def test_custom_fields_on_a_type_without_them_is_a_field_error(owner, org_a):
    # found by the fuzz test: a tag has no custom fields, and writing some was a 500
    response = post(owner, "/o/org-a/api/extras/tags/", '{"name": "Core", "slug": "core", "custom_fields": {"x": 1}}')

    assert response.status_code == 400, response.content
    assert response.json() == {"custom_fields": ["Tags have no custom fields."]}
    with tenant_context(org_a.organization):
        assert not Tag.objects.exists()
    # an empty value, as a representation reads back, is no write
    response = post(owner, "/o/org-a/api/extras/tags/", '{"name": "Core", "slug": "core", "custom_fields": {}}')
    assert response.status_code == 201, response.content


def test_a_bulk_write_with_nul_is_refused_whole(owner, org_a):
    response = post(owner, SITES, '[{"name": "A", "slug": "a"}, {"name": "B\\u0000", "slug": "b"}]')

    assert response.status_code == 400
    assert response.json() == {"detail": NULL_CHARACTERS}
    assert sites(org_a) == []


def test_an_escaped_backslash_before_u0000_is_plain_text(owner, org_a):
    response = post(owner, SITES, '{"name": "A\\\\u0000", "slug": "a"}')

    assert response.status_code == 201, response.content
    assert response.json()["name"] == "A\\u0000"


def test_nul_in_a_token_description_is_a_400(owner, org_a):
    before = Token.objects.filter(organization=org_a.organization).count()

    response = post(owner, f"{API}/users/tokens/", '{"description": "ci\\u0000"}')

    assert response.status_code == 400
    assert response.json() == {"description": [NULL_CHARACTERS]}
    assert Token.objects.filter(organization=org_a.organization).count() == before


def test_graphql_with_nul_in_variables_is_a_400_and_in_a_literal_a_filter_error(owner, site):
    by_variable = "query($n: String) {site_list(filters: {name: {exact: $n}}) {id}}"
    literal = '{site_list(filters: {name: {exact: "a\\u0000"}}) {id}}'  # GraphQL's own escape

    variables = post(owner, "/o/org-a/graphql/", json.dumps({"query": by_variable, "variables": {"n": "a\x00"}}))
    in_literal = post(owner, "/o/org-a/graphql/", json.dumps({"query": literal}))

    assert variables.status_code == 400
    assert variables.json() == {"variables": [NULL_CHARACTERS]}
    assert in_literal.status_code == 200
    assert in_literal.json()["errors"][0]["message"] == f"name: {NULL_CHARACTERS}"


@pytest.mark.parametrize(
    "path", ["/o/org-a/dcim/sites/?name=a%00", "/o/org-a/dcim/sites/?q=%00", "/o/org-a/search/?q=%00"]
)
def test_nul_in_a_ui_list_is_a_400_page(owner, site, path):
    response = owner.get(path)

    assert response.status_code == 400
    assert NULL_CHARACTERS in response.content.decode()


def test_nul_in_a_ui_form_writes_nothing(owner, org_a):
    response = owner.post("/o/org-a/dcim/sites/add/", {"name": "A\x00", "slug": "a", "status": "active"})

    assert response.status_code == 400
    assert NULL_CHARACTERS in response.content.decode()
    assert sites(org_a) == []


@pytest.mark.parametrize(
    "data, fmt",
    [
        ("name,slug\nA\x00,a\n", "csv"),
        ('[{"name": "A\\u0000", "slug": "a"}]', "json"),
        ('- name: "A\\0"\n  slug: a\n', "yaml"),
        ('[{"name": "A\\ud800", "slug": "a"}]', "json"),
    ],
)
def test_unstorable_text_in_an_import_is_refused(owner, org_a, data, fmt):
    response = owner.post("/o/org-a/dcim/sites/import/", {"data": data, "format": fmt})

    assert response.status_code == 400
    assert NULL_CHARACTERS in response.content.decode() or UNPAIRED_SURROGATES in response.content.decode()
    assert sites(org_a) == []


def test_nul_in_an_uploaded_import_file_is_refused(owner, org_a):
    upload = SimpleUploadedFile("sites.csv", b"name,slug\nA\x00,a\nB,b\n", content_type="text/csv")

    response = owner.post("/o/org-a/dcim/sites/import/", {"upload": upload, "format": "auto"})

    assert response.status_code == 400
    assert NULL_CHARACTERS in response.content.decode()
    assert sites(org_a) == []


def test_a_lone_surrogate_in_a_username_is_a_400(org_a):
    response = post(
        Client(), f"{API}/users/tokens/provision/", '{"username": "owner-a\\ud800@example.com", "password": "x"}'
    )

    assert response.status_code == 400
    assert response.json() == {"username": [UNPAIRED_SURROGATES]}


def test_nul_at_login_and_in_the_platform_api_is_a_400(org_a):
    login = Client().post("/login/", {"login": "owner-a@example.com\x00", "password": "x"})
    invitation = Client().get("/invitations/abc%00/")
    platform_api = org_a.client().post(
        "/api/platform/organizations/", '{"name": "X\\ud800", "slug": "x"}', content_type="application/json"
    )

    assert login.status_code == 400 and NULL_CHARACTERS in login.content.decode()
    assert invitation.status_code == 400
    assert platform_api.status_code == 400
    assert platform_api.json() == {"name": [UNPAIRED_SURROGATES]}


# -- regular expressions -----------------------------------------------------------------------


@pytest.mark.parametrize("pattern", ["(", "a{2,1}", "[[:nosuchclass:]]", "\\"])
@pytest.mark.parametrize("lookup", ["regex", "iregex"])
def test_a_regex_postgresql_rejects_is_a_filter_400(owner, site, pattern, lookup):
    response = owner.get(f"{SITES}?name__{lookup}={urllib.parse.quote(pattern)}")

    assert response.status_code == 400, response.content
    (message,) = response.json()[f"name__{lookup}"]
    assert message.startswith("Invalid regular expression")
    # the request's transaction is intact: the next query in it works
    assert owner.get(f"{SITES}?name__regex=AMS").json()["count"] == 1


def test_a_postgresql_regex_python_would_refuse_is_accepted(owner, site):
    word = urllib.parse.quote(r"\mAMS1\M")  # PostgreSQL's word boundaries; Python's re has no \m

    response = owner.get(f"{SITES}?name__regex={word}")

    assert response.status_code == 200, response.content
    assert [row["slug"] for row in response.json()["results"]] == ["ams1"]


def test_a_bad_regex_in_a_custom_field_filter_is_a_400(owner, org_a, site):
    define_custom_field(org_a, "circuit", "text")

    response = owner.get(f"{SITES}?cf_circuit__regex={urllib.parse.quote('[[:nosuchclass:]]')}")

    assert response.status_code == 400, response.content
    assert list(response.json()) == ["cf_circuit__regex"]


def test_a_bad_regex_in_graphql_and_the_ui_is_an_error_not_a_500(owner, site):
    query = '{site_list(filters: {name: {regex: "[[:nosuchclass:]]"}}) {id}}'

    graphql = post(owner, "/o/org-a/graphql/", json.dumps({"query": query}))
    page = owner.get("/o/org-a/dcim/sites/?name__regex=%5B%5B%3Anosuchclass%3A%5D%5D")

    assert graphql.status_code == 200
    assert "Invalid regular expression" in graphql.json()["errors"][0]["message"]
    assert page.status_code == 200
    assert "Invalid regular expression" in page.content.decode()


# -- numbers beyond bigint ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"{SITES}?offset={BEYOND_BIGINT}",
        f"{SITES}?limit=1&offset={2**63}",
        f"{SITES}?start={BEYOND_BIGINT}",
        f"{API}/users/tokens/?offset={BEYOND_BIGINT}",
        f"{API}/search/?q=a&offset={BEYOND_BIGINT}",
    ],
)
def test_an_offset_beyond_bigint_is_a_400(owner, site, path):
    response = owner.get(path)

    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith("Invalid ")


def test_the_largest_offset_is_an_empty_page(owner, site):
    response = owner.get(f"{SITES}?offset={2**63 - 1}")

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_ids_beyond_bigint_are_not_found_not_a_500(owner, site):
    assert owner.get(f"{SITES}{BEYOND_BIGINT}/").status_code == 404
    assert owner.get(f"{SITES}?id={BEYOND_BIGINT}").json()["count"] == 0
    assert owner.get(f"{SITES}?region_id={BEYOND_BIGINT}").status_code == 400


def test_a_platform_api_offset_beyond_bigint_is_a_400(org_a):
    response = org_a.client().get(f"/api/platform/organizations/?offset={BEYOND_BIGINT}")

    assert response.status_code == 400
    assert "offset" in response.json()


# -- dates and times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "created__gte=9999-99-99",
        "created=2020-01-01T00:00:00%2B99:00",
        "last_updated__lt=0000-01-01",
        "created__lte=2020-02-30",
        "last_updated=9999-12-31T23:00:00-05:00",
    ],
)
def test_an_impossible_date_filter_is_a_400(owner, site, query):
    response = owner.get(f"{SITES}?{query}")

    assert response.status_code == 400, response.content
    name = query.split("=")[0]
    assert response.json() == {name: [f"“{urllib.parse.unquote(query.split('=', 1)[1])}” is not a valid value."]}


def test_an_impossible_date_in_a_custom_field_filter_and_the_ui_is_an_error(owner, org_a, site):
    define_custom_field(org_a, "installed", "date")

    api = owner.get(f"{SITES}?cf_installed__gte=9999-99-99")
    page = owner.get("/o/org-a/dcim/sites/?created__gte=9999-99-99")

    assert api.status_code == 400 and list(api.json()) == ["cf_installed__gte"]
    assert page.status_code == 200 and "is not a valid value" in page.content.decode()


@pytest.mark.parametrize("expires", ["9999-99-99", "2030-01-01T00:00:00+99:00", "9999-12-31T23:59:59-05:00"])
def test_an_impossible_token_expiry_is_a_field_error(owner, org_a, expires):
    before = Token.objects.filter(organization=org_a.organization).count()

    response = post(owner, f"{API}/users/tokens/", {"description": "ci", "expires": expires})

    assert response.status_code == 400, response.content
    assert list(response.json()) == ["expires"]
    assert Token.objects.filter(organization=org_a.organization).count() == before
    assert owner.get(f"{API}/users/tokens/").status_code == 200


@pytest.mark.parametrize("value", ["9999-99-99", "2020-01-01T00:00:00+99:00"])
def test_an_impossible_date_in_a_custom_field_write_is_a_field_error(owner, org_a, value):
    define_custom_field(org_a, "installed", "date")
    define_custom_field(org_a, "checked", "datetime")

    for name in ("installed", "checked"):
        response = post(owner, SITES, {"name": "A", "slug": "a", "custom_fields": {name: value}})
        assert response.status_code == 400, response.content
        assert list(response.json()) == ["custom_fields"]
    assert sites(org_a) == []


# -- JSON objects and lists where a value belongs ----------------------------------------------


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": {"a": 1}, "slug": "a"}, "name"),
        ({"name": [1], "slug": "a"}, "name"),
        ({"name": "A", "slug": {"$gt": ""}}, "slug"),
        ({"name": "A", "slug": "a", "latitude": {"a": 1}}, "latitude"),
        ({"name": "A", "slug": "a", "status": ["active"]}, "status"),
        ({"name": "A", "slug": "a", "custom_fields": {"circuit": {"a": 1}}}, "custom_fields"),
        ({"name": "A", "slug": "a", "custom_fields": ["circuit"]}, "custom_fields"),
    ],
)
def test_nested_json_where_a_value_belongs_is_a_field_error(owner, org_a, payload, field):
    define_custom_field(org_a, "circuit", "text")

    response = post(owner, SITES, payload)

    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert sites(org_a) == []


def test_nested_json_in_a_token_write_is_a_field_error(owner, org_a):
    response = post(owner, f"{API}/users/tokens/", {"description": {"a": 1}})

    assert response.status_code == 400
    assert response.json() == {"description": ["Not a valid string."]}


@pytest.mark.parametrize(
    "data",
    ['[{"name": {"a": 1}, "slug": "a"}]', '[{"name": "A", "slug": "a", "region": [1]}]', "- name: [1]\n  slug: a\n"],
)
def test_nested_values_in_a_ui_import_are_record_errors(owner, org_a, data):
    response = owner.post("/o/org-a/dcim/sites/import/", {"data": data, "format": "auto"})

    assert response.status_code == 400
    assert 'data-record="1"' in response.content.decode()
    assert sites(org_a) == []


# -- repeated ids in bulk writes ---------------------------------------------------------------


def test_a_bulk_delete_naming_an_object_twice_deletes_and_logs_it_once(owner, org_a, site):
    response = owner.delete(SITES, json.dumps([{"id": site.pk}, {"id": site.pk}]), content_type="application/json")

    assert response.status_code == 204
    with tenant_context(org_a.organization):
        deletions = ObjectChange.objects.filter(changed_object_id=site.pk, action="delete")
        assert deletions.count() == 1
        assert not Site.objects.filter(pk=site.pk).exists()


def test_a_bulk_update_naming_an_object_twice_applies_the_last_item_once(owner, org_a, site):
    payload = [{"id": site.pk, "description": "first"}, {"id": site.pk, "description": "second"}]

    response = owner.patch(SITES, json.dumps(payload), content_type="application/json")

    assert response.status_code == 200, response.content
    assert [row["description"] for row in response.json()] == ["second"]
    with tenant_context(org_a.organization):
        assert ObjectChange.objects.filter(changed_object_id=site.pk, action="update").count() == 1


# -- server errors show no internals -----------------------------------------------------------

INTERNALS = ("RuntimeError", "Traceback", "secret-internal-detail", "python_version", "exception")


def _no_internals(response) -> None:
    text = response.content.decode()
    for leak in (*INTERNALS, platform.python_version(), django.get_version()):
        assert leak not in text, f"{leak!r} in {text[:500]}"


def _explode(*args, **kwargs):
    raise RuntimeError("secret-internal-detail")


def test_a_rest_500_is_generic_json_and_rolled_back(owner, org_a, monkeypatch, settings):
    settings.DEBUG = False
    monkeypatch.setattr(endpoints.representation, "render_many", _explode)

    response = post(owner, SITES, {"name": "A", "slug": "a"})

    assert response.status_code == 500
    assert response.json() == {"detail": "An unexpected error occurred while processing the request."}
    assert response["X-Request-ID"]
    _no_internals(response)
    with tenant_context(org_a.organization):
        assert not Site.objects.filter(slug="a").exists()  # the write was rolled back with the response


def test_a_ui_500_page_shows_no_internals(owner, site, monkeypatch, settings):
    settings.DEBUG = False
    monkeypatch.setattr(listing, "filtered", _explode)

    response = owner.get("/o/org-a/dcim/sites/")

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    _no_internals(response)


def test_a_platform_api_500_is_generic_json(org_a, monkeypatch, settings):
    from saas_platform import api as platform_api

    settings.DEBUG = False
    monkeypatch.setattr(platform_api, "_memberships", _explode)

    response = org_a.client().get("/api/platform/me/")

    assert response.status_code == 500
    assert response.json() == {"detail": "An unexpected error occurred while processing the request."}
    _no_internals(response)


# -- isolation: the refusals above read and change nothing of another organization -------------


def test_bad_input_from_another_organization_or_anonymous_changes_nothing(org_a, org_b, site):
    other = org_b.client()
    anonymous = Client()

    for client in (other, anonymous):
        assert client.get(f"{SITES}?name=a%00").status_code in (400, 403, 404)
        assert client.delete(SITES, json.dumps([{"id": site.pk}] * 2), content_type="application/json").status_code in (
            403,
            404,
        )
        assert client.get(f"{SITES}?offset={BEYOND_BIGINT}").status_code in (403, 404)

    assert sites(org_a) == ["ams1"]


# -- found by the fuzz test (tests/security/test_fuzz.py) --------------------------------------


@pytest.mark.parametrize("query", ["id__lte=null", "created__gt=null", "latitude__lt=NULL"])
def test_null_in_a_range_filter_is_a_400(owner, site, query):
    response = owner.get(f"{SITES}?{query}")

    assert response.status_code == 400, response.content
    assert list(response.json()) == [query.split("=")[0]]


def test_an_unknown_key_in_a_related_object_dict_is_a_field_error(owner, org_a):
    response = post(owner, SITES, {"name": "A", "slug": "a", "region": {"x-unknown": 1}})

    assert response.status_code == 400, response.content
    assert list(response.json()) == ["region"]
    assert sites(org_a) == []
