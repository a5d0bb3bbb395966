"""The generic list page beyond the per-model cases: big pages, column and page-size preferences,
sorting, saved filters, "select all matching", navigation, search and the assets it loads."""

import re

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.context import Actor, acting_as
from core.models import CustomField, SavedFilter, Tag, UserPreference
from core.services import object_create
from inventory.models import Region, Site
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole

SITES = "/o/org-a/dcim/sites/"


def _sites(organization, count: int, *, tagged: bool = True) -> None:
    """`count` sites with a region, a tag and a custom field value (raw rows: this is data setup)."""
    with tenant_context(organization):
        region = Region.objects.create(name="Europe", slug="europe")
        tag = Tag.objects.create(name="Core", slug="core")
        field = CustomField.objects.create(name="rack_count", type="integer")
        field.object_types.add(_site_type())
        sites = Site.objects.bulk_create(
            Site(name=f"Site {n:04}", slug=f"site-{n:04}", region=region, custom_field_data={"rack_count": n})
            for n in range(count)
        )
        if tagged:
            for site in sites:
                site.tagged_items.create(tag=tag)


def _site_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Site)


def _member(org_a, role: str) -> Client:
    user = get_user_model().objects.create_user(f"list-{role}@example.com")
    Membership.objects.create(user=user, organization=org_a.organization, role=role)
    client = Client()
    client.force_login(user)
    return client


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_a_thousand_row_page_costs_what_a_ten_row_page_costs(org_a):
    # given 1,000 sites, each with a region, a tag and a custom field, shown with those columns
    _sites(org_a.organization, 1000)
    owner = org_a.client()
    owner.post(f"{SITES}table/", {"columns": ["name", "region", "tags", "cf_rack_count", "status"]})

    owner.get(SITES)  # warm-up: what the base page caches per member (the bell's email preference)

    # then a page of 1,000 rows takes as many queries as a page of 10
    small = _queries(owner, f"{SITES}?per_page=10")
    big = _queries(owner, f"{SITES}?per_page=1000")
    assert big == small
    body = owner.get(f"{SITES}?per_page=1000").content.decode()
    assert body.count('name="pk"') == 1000
    assert "Site 0999" in body and ">999<" in body  # the custom field column


def test_column_choice_and_page_size_are_remembered_per_user(org_a):
    _sites(org_a.organization, 30, tagged=False)
    owner = org_a.client()

    response = owner.post(f"{SITES}table/", {"columns": ["name", "cf_rack_count", "nonsense"], "per_page": "25"})

    assert response.status_code == 302
    body = owner.get(SITES).content.decode()
    headers = re.findall(r'data-column="([^"]+)"', body)
    assert headers == ["name", "cf_rack_count"]
    assert body.count('name="pk"') == 25
    with tenant_context(org_a.organization):
        stored = UserPreference.objects.get(user_id=org_a.owner.pk, key="tables.inventory.site")
    assert stored.value == {"columns": ["name", "cf_rack_count"], "per_page": 25}
    # another member still sees the defaults
    other = _member(org_a, MembershipRole.EDITOR)
    assert re.findall(r'data-column="([^"]+)"', other.get(SITES).content.decode())[:2] == ["name", "status"]
    # and reset brings the defaults back
    owner.post(f"{SITES}table/", {"reset": "1"})
    assert re.findall(r'data-column="([^"]+)"', owner.get(SITES).content.decode())[0:2] == ["name", "status"]


def test_sorting_by_a_column_either_way(org_a):
    _sites(org_a.organization, 3, tagged=False)
    owner = org_a.client()

    ascending = re.findall(r">(Site \d{4})<", owner.get(f"{SITES}?sort=name").content.decode())
    descending = re.findall(r">(Site \d{4})<", owner.get(f"{SITES}?sort=-name").content.decode())

    assert ascending == ["Site 0000", "Site 0001", "Site 0002"]
    assert descending == list(reversed(ascending))
    # an unknown column is ignored, not an error
    assert owner.get(f"{SITES}?sort=password").status_code == 200


def test_saved_filters_are_offered_and_applied(org_a):
    _sites(org_a.organization, 3, tagged=False)
    with tenant_context(org_a.organization), acting_as(Actor(user_id=org_a.owner.pk, user_name="o", role="owner")):
        saved = object_create(
            model=SavedFilter,
            data={"name": "Zero", "slug": "zero", "parameters": {"q": ["Site 0000"]}, "object_types": [_site_type()]},
        )
    owner = org_a.client()

    body = owner.get(SITES).content.decode()

    assert saved.name in body
    link = re.search(r'href="\?([^"]*)">Zero<', body)[1].replace("&amp;", "&")
    filtered = owner.get(f"{SITES}?{link}").content.decode()
    assert re.findall(r">(Site \d{4})<", filtered[filtered.index("<tbody>") :]) == ["Site 0000"]
    # the list offers to save the current filter as a new saved filter
    assert "/extras/saved-filters/add/?object_types=dcim.site" in owner.get(f"{SITES}?status=active").content.decode()


def test_select_all_matching_deletes_exactly_the_filtered_objects(org_a):
    _sites(org_a.organization, 120, tagged=False)
    owner = org_a.client()

    preview = owner.post(f"{SITES}delete/", {"_all": "1", "_query": "q=Site 00"})
    assert preview.status_code == 200 and "Delete 100 sites" in preview.content.decode()
    done = owner.post(f"{SITES}delete/", {"_all": "1", "_query": "q=Site 00", "_confirm": "1"})

    assert done.status_code == 302
    with tenant_context(org_a.organization):
        assert sorted(Site.objects.values_list("name", flat=True)) == [f"Site {n:04}" for n in range(100, 120)]


def test_deleting_a_region_shows_what_goes_with_it_and_what_blocks(org_a):
    with tenant_context(org_a.organization):
        parent = Region.objects.create(name="Europe", slug="europe")
        Region.objects.create(name="Benelux", slug="benelux", parent=parent)
    owner = org_a.client()

    body = owner.get(f"/o/org-a/dcim/regions/{parent.pk}/delete/").content.decode()

    assert "These will be deleted too" in body and "Region: Benelux" in body
    # and its page lists the child region among its related objects
    detail = owner.get(f"/o/org-a/dcim/regions/{parent.pk}/").content.decode()
    assert re.search(rf'href="/o/org-a/dcim/regions/\?parent_id={parent.pk}">Child regions</a><span[^>]*>1<', detail)


def test_navigation_groups_every_registered_model_like_netbox(org_a):
    body = org_a.client().get("/o/org-a/").content.decode()
    groups = re.findall(r'<summary class="wb-nav-heading">([^<]+)</summary>', body)
    assert groups == [
        "Organization",
        "Racks",
        "Devices",
        "Connections",
        "Wireless",
        "IPAM",
        "VPN",
        "Virtualization",
        "Circuits",
        "Power",
        "Provisioning",
        "Customization",
        "Operations",
        "Admin",
    ]  # NetBox's menus, in its order
    # each menu is split by NetBox's headings, in its order
    organization = body[body.index(">Organization</summary>") : body.index(">Racks</summary>")]
    headings = re.findall(r'<div class="wb-nav-subheading">([^<]+)</div>', organization)
    assert headings == ["Sites", "Tenancy", "Contacts"]
    sites = organization[organization.index(">Sites</div>") : organization.index(">Tenancy</div>")]
    assert re.findall(r'class="wb-nav-link[^"]*" href="[^"]+">([^<]+)</a>', sites) == [
        "Sites",
        "Regions",
        "Site groups",
        "Locations",
    ]
    racks = body[body.index(">Racks</summary>") : body.index(">Devices</summary>")]
    assert re.findall(r'<div class="wb-nav-subheading">([^<]+)</div>', racks) == [
        "Racks",
        "Rack Organization",
        "Rack Types",
    ]
    devices = body[body.index(">Devices</summary>") : body.index(">Connections</summary>")]
    assert re.findall(r'<div class="wb-nav-subheading">([^<]+)</div>', devices) == [
        "Devices",
        "Addressing",
        "Device Types",
        "Device Components",
        "Component Templates",
    ]
    device_types = devices[devices.index(">Device Types</div>") : devices.index(">Device Components</div>")]
    assert re.findall(r'class="wb-nav-link[^"]*" href="[^"]+">([^<]+)</a>', device_types) == [
        "Device types",
        "Module types",
        "Module type profiles",
        "Module bay types",
        "Manufacturers",
    ]
    for path in (
        "/o/org-a/dcim/sites/",
        "/o/org-a/dcim/racks/",
        "/o/org-a/dcim/device-roles/",
        "/o/org-a/tenancy/contacts/",
        "/o/org-a/extras/tags/",
        "/o/org-a/core/object-changes/",
    ):
        assert f'href="{path}"' in body


def test_search_groups_hits_by_type(org_a):
    owner = org_a.client()
    owner.post("/o/org-a/dcim/regions/add/", {"name": "Amsterdam area", "slug": "ams-area"})
    owner.post("/o/org-a/dcim/sites/add/", {"name": "Amsterdam 1", "slug": "ams1", "status": "active"})

    body = owner.get("/o/org-a/search/?q=amsterdam").content.decode()

    assert 'data-type="dcim.site"' in body and 'data-type="dcim.region"' in body
    assert "2 results" in body
    assert "No results" in owner.get("/o/org-a/search/?q=nothing-here").content.decode()


def test_search_is_isolated(org_a, org_b):
    org_a.client().post("/o/org-a/dcim/sites/add/", {"name": "Secret site", "slug": "secret", "status": "active"})
    body = org_b.client().get("/o/org-b/search/?q=secret").content.decode()
    assert "Secret site" not in body and "No results" in body
    assert org_b.client().get("/o/org-a/search/?q=secret").status_code == 404


def test_pages_load_only_our_own_assets(org_a, client):
    body = org_a.client().get(SITES).content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', body)
    assert assets and all(asset.startswith("/static/frontend/") for asset in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_the_change_log_filters_by_type_action_and_time(org_a):
    owner = org_a.client()
    owner.post("/o/org-a/dcim/regions/add/", {"name": "Europe", "slug": "europe"})
    owner.post(SITES + "add/", {"name": "AMS1", "slug": "ams1", "status": "active"})
    changes = "/o/org-a/core/object-changes/"

    form = owner.get(changes).content.decode()
    assert 'name="changed_object_type"' in form and 'name="time__gte"' in form and 'name="action"' in form
    # an empty filter form filters nothing (its empty fields are dropped from the URL)
    everything = owner.get(f"{changes}?q=&action=&time__gte=&changed_object_type=dcim.site", follow=True)
    assert everything.redirect_chain == [(f"{changes}?changed_object_type=dcim.site", 302)]
    assert "1 object change" in everything.content.decode()
    later = owner.get(f"{changes}?time__gte=2999-01-01T00:00").content.decode()
    assert "0 object changes" in later
    created = owner.get(f"{changes}?action=create").content.decode()
    assert "2 object changes" in created


def test_columns_of_reverse_relations_are_labelled_by_what_they_list(org_a):
    from core.registry import registry
    from frontend.tables import available_columns

    with tenant_context(org_a.organization):
        labels = {column.name: column.label for column in available_columns(registry.get(Site))}

    assert labels["asns"] == "ASNs"
