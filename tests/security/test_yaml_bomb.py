"""Imports are bounded before anything expensive happens (frontend.transfer.parse, REST bulk writes).

Issue #9: 482 bytes of nested YAML anchors took 13.5 s and ~1 GB through an import page; imports
had no size or record cap.
"""

import html
import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from automation.models import Job
from frontend import transfer
from inventory.models import Site
from tenants.context import tenant_context
from tenants.tokens import token_create

IMPORT = "/o/org-a/dcim/sites/import/"
API = "/o/org-a/api/dcim/sites/"


def _bomb(levels: int = 6) -> str:
    """Billion laughs: each level lists the previous one nine times (9**levels strings once expanded;
    kept small enough that the code before the fix survives this test)."""
    anchors = ['&l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    anchors += [f"&l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, levels + 1)]
    return f"- name: Bomb\n  slug: bomb\n  comments: [{', '.join(anchors)}]\n"


def _page_error(response) -> str:
    assert response.status_code == 400, response.status_code
    page = html.unescape(response.content.decode())
    start = page.index("wb-import-format-error")
    return page[start : page.index("</div>", start)]


def _sites(org) -> int:
    with tenant_context(org.organization):
        return Site.objects.count()


def _jobs(org) -> int:
    with tenant_context(org.organization):
        return Job.objects.count()


@pytest.mark.parametrize("fmt", ["yaml", "auto"])
def test_the_alias_bomb_is_refused_at_once_by_the_import_page(org_a, fmt):
    client = org_a.client()
    assert client.get(IMPORT).status_code == 200  # the page's own first-time costs are not measured

    started = time.monotonic()
    response = client.post(IMPORT, {"data": _bomb(), "format": fmt})
    elapsed = time.monotonic() - started

    assert "Invalid YAML: aliases and anchors are not allowed (line 3)." in _page_error(response)
    assert elapsed < 1
    assert _sites(org_a) == 0


def test_the_alias_bomb_never_becomes_a_background_job(org_a, settings):
    settings.WIREBOOK_IMPORT_BACKGROUND_ROWS = 1
    upload = SimpleUploadedFile("sites.yaml", _bomb().encode(), content_type="application/yaml")

    response = org_a.client().post(IMPORT, {"upload": upload, "format": "auto"})

    assert "aliases and anchors are not allowed" in _page_error(response)
    assert _jobs(org_a) == 0 and _sites(org_a) == 0


def test_anchors_alone_are_refused_too(org_a):
    text = "- name: A\n  slug: a\n  description: &d text\n"

    response = org_a.client().post(IMPORT, {"data": text, "format": "yaml"})

    assert "aliases and anchors are not allowed" in _page_error(response)


@pytest.mark.parametrize(
    ("text", "fmt"),
    [("[" * 5000 + "]" * 5000, "yaml"), ("- " * 5000 + "x\n", "yaml"), ("[" * 5000 + "]" * 5000, "json")],
)
def test_deeply_nested_imports_are_refused(org_a, text, fmt):
    response = org_a.client().post(IMPORT, {"data": text, "format": fmt})

    assert "The data is nested deeper than 64 levels." in _page_error(response)


def _csv(count: int) -> str:
    return "name,slug\n" + "".join(f"S{n},s{n}\n" for n in range(count))


def test_the_size_of_pasted_and_uploaded_imports_is_capped(org_a, settings):
    settings.WIREBOOK_IMPORT_MAX_BYTES = 2048
    client = org_a.client()
    text = _csv(300)  # > 2 KB

    pasted = client.post(IMPORT, {"data": text, "format": "csv"})
    upload = SimpleUploadedFile("sites.csv", text.encode(), content_type="text/csv")
    uploaded = client.post(IMPORT, {"upload": upload, "format": "auto"})

    assert f"The data is too large: {len(text)} bytes, at most 2048 per import." in _page_error(pasted)
    assert f"The file is too large: {len(text)} bytes, at most 2048 per import." in _page_error(uploaded)
    assert _sites(org_a) == 0


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (_csv(6), "csv"),
        (json.dumps([{"name": f"S{n}", "slug": f"s{n}"} for n in range(6)]), "json"),
        ("".join(f"- name: S{n}\n  slug: s{n}\n" for n in range(6)), "yaml"),
        ("".join(f"---\nname: S{n}\nslug: s{n}\n" for n in range(6)), "yaml"),
    ],
)
def test_the_number_of_records_is_capped(org_a, settings, text, fmt):
    settings.WIREBOOK_IMPORT_MAX_RECORDS = 5
    settings.WIREBOOK_IMPORT_BACKGROUND_ROWS = 2  # the background path is refused alike

    response = org_a.client().post(IMPORT, {"data": text, "format": fmt})

    assert "Too many records: 6, at most 5 per import." in _page_error(response)
    assert _jobs(org_a) == 0 and _sites(org_a) == 0


def test_the_cap_is_inclusive(org_a, settings):
    settings.WIREBOOK_IMPORT_MAX_RECORDS = 5

    response = org_a.client().post(IMPORT, {"data": _csv(5), "format": "csv"})

    assert response.status_code == 302
    assert _sites(org_a) == 5


def test_a_background_import_job_refuses_too_many_records(org_a, settings):
    settings.WIREBOOK_IMPORT_MAX_RECORDS = 5
    records = [{"name": f"S{n}", "slug": f"s{n}"} for n in range(6)]

    with tenant_context(org_a.organization), pytest.raises(transfer.ImportFormatError, match="Too many records"):
        transfer.import_job(
            None, model="inventory.site", records=records, user_id=org_a.owner.pk, user_name="owner", role="owner"
        )

    assert _sites(org_a) == 0


def test_other_organizations_and_anonymous_callers_cannot_import(org_a, org_b):
    anonymous = Client().post(IMPORT, {"data": _csv(2), "format": "csv"})
    other = org_b.client().post(IMPORT, {"data": _csv(2), "format": "csv"})

    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert other.status_code == 404
    assert _sites(org_a) == 0


# -- the REST API's bulk writes: its imports -------------------------------------------------


def _token(org):
    _, token = token_create(organization=org.organization, user=org.owner)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_rest_bulk_writes_are_capped(org_a, settings):
    settings.WIREBOOK_MAX_BULK_OBJECTS = 3
    client, auth = Client(), _token(org_a)
    sites = [{"name": f"S{n}", "slug": f"s{n}"} for n in range(4)]
    refused = {"detail": "Bulk operations are limited to 3 objects per request (4 given)."}

    # when 4 objects are sent at once, then nothing is written
    created = client.post(API, json.dumps(sites), content_type="application/json", **auth)
    assert (created.status_code, created.json()) == (400, refused)
    assert _sites(org_a) == 0

    # 3 are accepted
    accepted = client.post(API, json.dumps(sites[:3]), content_type="application/json", **auth)
    assert accepted.status_code == 201
    ids = [{"id": site["id"]} for site in accepted.json()] + [{"id": 999999}]

    # and updates and deletes are capped alike
    patched = client.patch(
        API, json.dumps([{**i, "description": "x"} for i in ids]), content_type="application/json", **auth
    )
    deleted = client.delete(API, json.dumps(ids), content_type="application/json", **auth)
    assert (patched.status_code, patched.json()) == (400, refused)
    assert (deleted.status_code, deleted.json()) == (400, refused)
    assert _sites(org_a) == 3
