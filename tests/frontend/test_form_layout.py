"""The create and edit forms' layout: sections (NetBox's fieldsets), help text under fields, the slug filled
from the name on create, and a site's time zone as a searchable list of the IANA zones."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from core.models import CustomField
from core.registry import registry
from frontend.forms import build_form
from inventory.models import Site
from tenants.context import tenant_context

SITES = "/o/org-a/dcim/sites"


def sections(body: str) -> dict[str, list[str]]:
    found = {}
    for heading, content in re.findall(r"<legend[^>]*>([^<]+)</legend>(.*?)</fieldset>", body, re.S):
        found[heading] = re.findall(r'data-field="([^"]+)"', content)
    return found


def test_a_sites_form_is_grouped_into_its_sections(org_a):
    with tenant_context(org_a.organization):
        CustomField.objects.create(name="owner", type="text").object_types.set(
            [ContentType.objects.get_for_model(Site)]
        )
    body = org_a.client().get(f"{SITES}/add/").content.decode()

    found = sections(body)
    assert list(found) == ["Site", "Tenancy", "Contact info", "Custom fields", "Tags"]
    assert found["Site"][:3] == ["name", "slug", "status"] and "time_zone" in found["Site"]
    assert found["Tenancy"] == ["tenant"]
    assert found["Contact info"] == ["physical_address", "shipping_address", "latitude", "longitude"]
    assert found["Custom fields"] == ["cf_owner"] and found["Tags"] == ["tags"]
    # fields the declaration does not place stay in the form, in the first section
    assert "comments" in found["Site"]


# NetBox's fieldsets of the main models' forms, as their add pages show them.
SECTIONED = {
    "/o/org-a/dcim/racks/add/": ["Rack", "Inventory control", "Tenancy", "Dimensions", "Cooling"],
    "/o/org-a/dcim/devices/add/": [
        "Device", "Hardware", "Location", "Management", "Virtualization", "Virtual chassis", "Tenancy",
        "Config context",
    ],
    "/o/org-a/dcim/device-types/add/": ["Device type", "Chassis", "Weight"],
    "/o/org-a/dcim/interfaces/add/": [
        "Interface", "Addressing", "Operation", "Related interfaces", "PoE", "802.1Q switching", "Wireless", "Channels",
    ],
    "/o/org-a/ipam/prefixes/add/": ["Prefix", "Scope", "VLAN assignment", "Tenancy"],
    "/o/org-a/ipam/ip-addresses/add/": ["IP address", "Tenancy", "Assignment", "NAT IP"],
    "/o/org-a/ipam/vlans/add/": ["VLAN", "Q-in-Q (802.1ad)", "Assignment", "Tenancy"],
    "/o/org-a/circuits/circuits/add/": ["Circuit", "Service parameters", "Tenancy"],
    "/o/org-a/virtualization/virtual-machines/add/": [
        "Virtual machine", "Site/cluster", "Tenancy", "Management", "Resources", "Config context",
    ],
}  # fmt: skip


@pytest.mark.parametrize("path", SECTIONED)
def test_the_main_models_forms_are_grouped_as_netboxs(org_a, path):
    found = sections(org_a.client().get(path).content.decode())

    assert list(found)[: len(SECTIONED[path])] == SECTIONED[path]
    assert "Tenancy" not in SECTIONED[path] or found["Tenancy"] == ["tenant"]
    assert list(found)[-1] == "Tags"


def test_a_prefixs_scope_and_a_devices_place_are_sections_of_their_own(org_a):
    prefix = sections(org_a.client().get("/o/org-a/ipam/prefixes/add/").content.decode())
    device = sections(org_a.client().get("/o/org-a/dcim/devices/add/").content.decode())

    assert prefix["Scope"] == ["scope_type", "scope_id"] and prefix["VLAN assignment"] == ["vlan"]
    assert device["Location"] == ["site", "location", "rack", "face", "position", "latitude", "longitude"]
    assert "comments" in prefix["Prefix"] and "comments" in device["Device"]  # what no section names: the first


def test_declared_sections_name_fields_of_the_form(org_a):
    for spec in registry.installed():
        if not spec.ui.sections:
            continue
        with tenant_context(org_a.organization):
            fields = set(build_form(spec).base_fields)
        for heading, names in spec.ui.sections:
            unknown = sorted(set(names) - fields)
            assert not unknown, f"{spec.model.__name__}, {heading}: {unknown} are not fields of its form"


def test_a_model_without_sections_has_one_named_after_it(org_a):
    found = sections(org_a.client().get("/o/org-a/dcim/regions/add/").content.decode())
    assert list(found) == ["Region", "Tags"]
    assert found["Region"][:3] == ["name", "slug", "parent"]


def test_help_text_shows_under_its_field_and_describes_it(org_a):
    body = org_a.client().get("/o/org-a/dcim/device-types/add/").content.decode()

    field = body[body.index('data-field="is_full_depth"') :]
    field = field[: field.index('<div class="row mb-3')]
    assert '<div class="form-text wb-help" id="id_is_full_depth_helptext">' in field
    assert "Device consumes both front and rear rack faces." in field
    assert 'aria-describedby="id_is_full_depth_helptext"' in field


def test_the_create_form_fills_the_slug_but_the_edit_form_does_not(org_a):
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="AMS1", slug="ams1")
    owner = org_a.client()

    assert "data-wb-slugify" in owner.get(f"{SITES}/add/").content.decode()
    assert "data-wb-slugify" not in owner.get(f"{SITES}/{site.pk}/edit/").content.decode()
    slug = re.search(r'<input[^>]*name="slug"[^>]*>', owner.get(f"{SITES}/add/").content.decode())
    assert slug is not None and 'maxlength="100"' in slug[0]


def test_the_time_zone_is_picked_from_the_iana_zones(org_a):
    owner = org_a.client()

    body = owner.get(f"{SITES}/add/").content.decode()
    select = body[body.index('name="time_zone"') - 200 :]
    select = select[: select.index("</select>")]
    assert "data-wb-searchable" in select
    assert '<option value="Europe/Amsterdam">Europe/Amsterdam</option>' in select
    assert '<option value="" selected>---------</option>' in select

    # a zone that does not exist is a form error, not a 500
    refused = owner.post(
        f"{SITES}/add/", {"name": "AMS1", "slug": "ams1", "status": "active", "time_zone": "Mars/Base"}
    )
    assert refused.status_code == 200 and "wb-field-error" in refused.content.decode()
    owner.post(f"{SITES}/add/", {"name": "AMS1", "slug": "ams1", "status": "active", "time_zone": "Europe/Amsterdam"})
    with tenant_context(org_a.organization):
        site = Site.objects.get(slug="ams1")
    assert site.time_zone == "Europe/Amsterdam"
    # the edit form shows the chosen zone
    assert '<option value="Europe/Amsterdam" selected>' in owner.get(f"{SITES}/{site.pk}/edit/").content.decode()
