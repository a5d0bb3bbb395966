"""Real pynetbox (7.8, unmodified) against a live Wirebook, through `/o/<slug>`.

Every call here is pynetbox's public API as its users write it. Where Wirebook answers
differently from NetBox 4.7 and pynetbox notices, the test is `xfail(strict=True)` with the
exact request, our answer and NetBox's: it turns into a failure (to be un-marked) once fixed.
"""

import json
from concurrent.futures import ThreadPoolExecutor

import pynetbox
import pytest
from packaging import version

from tests.compat.conftest import PASSWORD, SLUG

SITE_STATUSES = ["planned", "staging", "active", "decommissioning", "retired"]
BULK_SITES = 1100  # more than NetBox's MAX_PAGE_SIZE (1000), so pynetbox must page


def api(compat, token=None, **options):
    return pynetbox.api(compat.url, token=compat.token if token is None else token, **options)


@pytest.fixture
def nb(compat):
    return api(compat)


def error_body(error: pynetbox.RequestError):
    """What NetBox's JSON error said (pynetbox keeps the raw text in `.error`)."""
    return json.loads(error.error)


# -- the API itself ----------------------------------------------------------------------------


def test_version_is_read_from_the_api_version_header(nb):
    assert nb.version == "4.7"


def test_status_reports_a_netbox_version_clients_can_compare(nb):
    status = nb.status()

    assert version.parse(status["netbox-version"]) >= version.parse("4.7")
    assert status["netbox-full-version"] == status["netbox-version"]
    assert {"django-version", "installed_apps", "plugins", "python-version", "rq-workers-running"} <= set(status)


def test_status_has_every_key_netbox_sends(nb):
    netbox_keys = {
        "django-version", "hostname", "installed_apps", "netbox-version", "netbox-full-version", "plugins",
        "python-version", "rq-workers-running",
    }  # fmt: skip

    assert netbox_keys <= set(nb.status())


def test_a_v1_token_works_too(compat):
    # pynetbox sends tokens without the nbt_ prefix as "Authorization: Token <hex>"
    nb = api(compat, token=compat.token_v1)
    nb.dcim.sites.create(name="V1", slug="v1")

    assert nb.version == "4.7"
    assert [site.slug for site in nb.dcim.sites.all()] == ["v1"]


# -- create, read, update, delete ---------------------------------------------------------------


def test_region_tree_crud(nb):
    europe = nb.dcim.regions.create(name="Europe", slug="europe", description="EU")
    netherlands = nb.dcim.regions.create(name="Netherlands", slug="nl", parent=europe.id)

    assert (europe.id, europe.name, europe.slug, europe.description, europe.parent) == (
        europe.id, "Europe", "europe", "EU", None
    )  # fmt: skip
    assert europe.url == f"{nb.base_url}/dcim/regions/{europe.id}/"
    assert netherlands.parent.id == europe.id
    assert netherlands.parent.name == "Europe"
    assert netherlands._depth == 1
    assert nb.dcim.regions.get(netherlands.id).slug == "nl"
    assert nb.dcim.regions.get(slug="europe").id == europe.id
    assert [r.slug for r in nb.dcim.regions.filter(parent_id=europe.id)] == ["nl"]
    assert [r.slug for r in nb.dcim.regions.filter(name__ic="ether")] == ["nl"]
    assert [r.slug for r in nb.dcim.regions.all()] == ["europe", "nl"]

    netherlands.description = "NL"
    assert netherlands.save() is True
    assert nb.dcim.regions.get(netherlands.id).description == "NL"

    assert netherlands.delete() is True
    assert nb.dcim.regions.get(netherlands.id) is None
    assert nb.dcim.regions.count() == 1


def test_site_crud_and_the_fields_pynetbox_reads(nb):
    europe = nb.dcim.regions.create(name="Europe", slug="europe")

    site = nb.dcim.sites.create(name="AMS1", slug="ams1", region=europe.id, facility="Equinix AM3", time_zone="UTC")

    assert site.id and site.url == f"{nb.base_url}/dcim/sites/{site.id}/"
    assert site.display == "AMS1"
    assert site.status.value == "active" and site.status.label == "Active"
    assert site.region.id == europe.id and site.region.slug == "europe"
    assert site.tenant is None and site.tags == [] and site.custom_fields == {}
    assert site.created and site.last_updated
    assert nb.dcim.sites.get(site.id).facility == "Equinix AM3"
    assert nb.dcim.sites.get(slug="ams1").id == site.id
    assert nb.dcim.sites.get(999_999_999) is None  # a 404 is None, as pynetbox promises


def test_site_has_netbox_keys(nb):
    site = nb.dcim.sites.create(name="AMS1", slug="ams1")

    assert set(dict(site)) == {
        "id", "url", "display_url", "display", "name", "slug", "status", "region", "group", "tenant", "facility",
        "time_zone", "description", "physical_address", "shipping_address", "latitude", "longitude", "owner",
        "comments", "asns", "tags", "custom_fields", "created", "last_updated", "circuit_count", "device_count",
        "prefix_count", "rack_count", "virtualmachine_count", "vlan_count",
    }  # fmt: skip


def test_save_patches_only_the_changed_fields(nb):
    europe = nb.dcim.regions.create(name="Europe", slug="europe")
    site = nb.dcim.sites.create(name="AMS1", slug="ams1", region=europe.id)

    site.status = "planned"
    site.description = "main site"
    site.region = None
    assert site.updates() == {"status": "planned", "description": "main site", "region": None}
    assert site.save() is True

    again = nb.dcim.sites.get(site.id)
    assert (again.status.value, again.description, again.region) == ("planned", "main site", None)
    assert site.status.value == "planned"  # pynetbox re-reads the PATCH response

    assert again.update({"facility": "AM3", "latitude": 52.3676}) is True
    again.region = europe  # a Record is written as its id
    assert again.updates() == {"region": europe.id}
    assert again.save() is True
    fetched = nb.dcim.sites.get(site.id)
    assert (fetched.region.slug, fetched.facility, fetched.latitude) == ("europe", "AM3", 52.3676)  # a JSON number
    assert again.save() is False  # nothing changed: no request


def test_related_objects_may_be_written_by_attributes(nb):
    nb.dcim.regions.create(name="Europe", slug="europe")

    site = nb.dcim.sites.create(name="AMS1", slug="ams1", region={"slug": "europe"})

    assert site.region.slug == "europe"


def test_delete_by_record_and_missing_objects(nb):
    site = nb.dcim.sites.create(name="AMS1", slug="ams1")

    assert site.delete() is True
    assert nb.dcim.sites.get(site.id) is None
    assert nb.dcim.sites.get(slug="ams1") is None
    with pytest.raises(pynetbox.RequestError) as raised:
        site.delete()
    assert raised.value.req.status_code == 404


def test_filters_with_netbox_lookups(nb):
    europe = nb.dcim.regions.create(name="Europe", slug="europe")
    netherlands = nb.dcim.regions.create(name="Netherlands", slug="nl", parent=europe.id)
    nb.dcim.sites.create(
        [
            {"name": "AMS1", "slug": "ams1", "region": netherlands.id, "facility": "AM3"},
            {"name": "AMS2", "slug": "ams2", "region": netherlands.id, "status": "planned"},
            {"name": "FRA1", "slug": "fra1", "region": europe.id, "status": "retired"},
            {"name": "NYC1", "slug": "nyc1"},
        ]
    )

    def slugs(**filters):
        return [site.slug for site in nb.dcim.sites.filter(**filters)]

    assert slugs(name__ic="ams") == ["ams1", "ams2"]
    assert slugs(name__isw="a", status="planned") == ["ams2"]
    assert slugs(name__n="AMS1") == ["ams2", "fra1", "nyc1"]
    assert slugs(status=["planned", "retired"]) == ["ams2", "fra1"]  # a list repeats the parameter: OR
    assert slugs(region="europe") == ["ams1", "ams2", "fra1"]  # a region includes its descendants
    assert slugs(region_id=netherlands.id) == ["ams1", "ams2"]
    assert slugs(region_id=None) == ["nyc1"]  # pynetbox sends None as "null"
    assert slugs(facility__empty=False) == ["ams1"]
    assert slugs(q="fra") == ["fra1"]
    assert [site.slug for site in nb.dcim.sites.filter("nyc")] == ["nyc1"]  # a positional argument is q
    assert slugs(ordering="-name") == ["nyc1", "fra1", "ams2", "ams1"]
    assert nb.dcim.sites.count(region="europe") == 3
    assert nb.dcim.sites.count("ams") == 2


def test_bad_filter_values_raise_request_error(nb):
    with pytest.raises(pynetbox.RequestError) as raised:
        list(nb.dcim.sites.filter(region_id="europe"))

    assert raised.value.req.status_code == 400
    assert "region_id" in error_body(raised.value)


def test_an_unknown_choice_in_a_filter_is_a_400(nb):
    with pytest.raises(pynetbox.RequestError) as raised:
        list(nb.dcim.sites.filter(status="closed"))

    assert raised.value.req.status_code == 400
    assert error_body(raised.value) == {
        "status": ["Select a valid choice. closed is not one of the available choices."]
    }


def test_a_related_filter_naming_no_object_is_a_400(nb):
    for name, value in (("region", "nowhere"), ("region_id", 999_999), ("tenant", "nowhere"), ("tag", "nowhere")):
        with pytest.raises(pynetbox.RequestError) as raised:
            nb.dcim.sites.get(**{name: value})

        assert raised.value.req.status_code == 400
        assert error_body(raised.value) == {
            name: [f"Select a valid choice. {value} is not one of the available choices."]
        }


def test_brief_and_fields_lists(nb):
    nb.dcim.sites.create(name="AMS1", slug="ams1", description="d")

    brief = next(nb.dcim.sites.filter(brief=1))
    some = next(nb.dcim.sites.filter(fields="id,name"))

    assert set(dict(brief)) == {"id", "url", "display", "name", "slug", "description"}
    assert set(dict(some)) == {"id", "name"}


def test_tenancy_crud(nb):
    customers = nb.tenancy.tenant_groups.create(name="Customers", slug="customers")
    big = nb.tenancy.tenant_groups.create(name="Big", slug="big", parent=customers.id)
    acme = nb.tenancy.tenants.create(name="Acme", slug="acme", group=big.id)
    nb.tenancy.tenants.create(name="Initech", slug="initech")
    site = nb.dcim.sites.create(name="AMS1", slug="ams1", tenant=acme.id)

    assert acme.group.id == big.id and acme.group.name == "Big"
    assert site.tenant.name == "Acme"
    assert nb.tenancy.tenants.get(slug="acme").site_count == 1
    assert [t.slug for t in nb.tenancy.tenants.filter(group="customers")] == ["acme"]  # includes subgroups
    assert [t.slug for t in nb.tenancy.tenants.filter(group_id=big.id)] == ["acme"]
    assert [t.slug for t in nb.tenancy.tenants.filter(name__ic="init")] == ["initech"]
    assert [g.slug for g in nb.tenancy.tenant_groups.filter(parent="customers")] == ["big"]
    assert nb.tenancy.tenant_groups.get(customers.id).tenant_count == 1  # counts include subgroups

    acme.comments = "our biggest customer"
    assert acme.save() is True
    assert nb.tenancy.tenants.get(acme.id).comments == "our biggest customer"

    # a tenant still assigned to a site is protected
    with pytest.raises(pynetbox.RequestError) as raised:
        acme.delete()
    assert raised.value.req.status_code == 409
    assert "dependent objects" in error_body(raised.value)["detail"]

    assert site.delete() and acme.delete() and big.delete()
    assert [t.slug for t in nb.tenancy.tenants.all()] == ["initech"]
    assert [g.slug for g in nb.tenancy.tenant_groups.all()] == ["customers"]


def test_owners_are_created_and_assigned(compat, nb):
    me = next(iter(nb.users.users.all()))  # the token's member: the organization's owner
    group = nb.users.owner_groups.create(name="Network")
    noc = nb.users.owners.create(name="NOC", group=group.id, users=[me.id])
    nb.users.owners.create(name="Facilities")
    site = nb.dcim.sites.create(name="AMS1", slug="ams1")
    nb.dcim.sites.create(name="FRA1", slug="fra1")

    site.owner = noc.id
    assert site.save() is True

    assert noc.group.name == "Network" and [user.username for user in noc.users] == [me.username]
    assert nb.dcim.sites.get(site.id).owner.name == "NOC"
    assert [s.slug for s in nb.dcim.sites.filter(owner_id=noc.id)] == ["ams1"]
    assert [s.slug for s in nb.dcim.sites.filter(owner="NOC")] == ["ams1"]
    assert [s.slug for s in nb.dcim.sites.filter(owner_group_id=group.id)] == ["ams1"]
    assert [o.name for o in nb.users.owners.filter(group="Network")] == ["NOC"]
    assert nb.users.owner_groups.get(group.id).member_count == 1
    with pytest.raises(pynetbox.RequestError) as raised:
        noc.delete()
    assert raised.value.req.status_code == 409
    outsider = pynetbox.api(compat.other_url, token=compat.other_token)
    assert list(outsider.users.owners.all()) == []


def test_protected_delete_names_dependants_with_their_ids(nb):
    acme = nb.tenancy.tenants.create(name="Acme", slug="acme")
    site = nb.dcim.sites.create(name="AMS1", slug="ams1", tenant=acme.id)

    with pytest.raises(pynetbox.RequestError) as raised:
        acme.delete()

    assert error_body(raised.value) == {
        "detail": f"Unable to delete object. 1 dependent objects were found: AMS1 ({site.id})"
    }


# -- nested records ---------------------------------------------------------------------------


def test_nested_records_load_their_details_through_url(nb):
    europe = nb.dcim.regions.create(name="Europe", slug="europe", description="EU")
    netherlands = nb.dcim.regions.create(name="Netherlands", slug="nl", parent=europe.id)
    nb.dcim.sites.create(name="AMS1", slug="ams1", region=netherlands.id)

    site = nb.dcim.sites.get(slug="ams1")
    region = site.region

    # the nested (brief) form is enough for these
    assert (region.name, region.slug) == ("Netherlands", "nl")
    assert region.has_details is False
    # the nested record's endpoint comes from its `url`, through the /o/<slug> prefix
    assert region.endpoint.url == f"{nb.base_url}/dcim/regions"
    assert region.url == f"{nb.base_url}/dcim/regions/{netherlands.id}/"
    # a field outside the brief form makes pynetbox fetch the full record
    assert region.parent.name == "Europe"
    assert region.has_details is True
    assert region.full_details() is True
    assert region.site_count == 1
    # ...and the nested record of the nested record loads in turn
    assert region.parent.description == "EU"

    # a nested record can be changed and saved on its own endpoint
    region.description = "NL"
    assert region.save() is True
    assert nb.dcim.regions.get(netherlands.id).description == "NL"


def test_nested_region_has_netbox_brief_fields(nb):
    europe = nb.dcim.regions.create(name="Europe", slug="europe")
    site = nb.dcim.sites.create(name="AMS1", slug="ams1", region=europe.id)

    assert set(dict(site.region)) == {"id", "url", "display", "name", "slug", "description", "site_count", "_depth"}


# -- pagination, bulk and threading -----------------------------------------------------------


def test_more_than_a_page_of_sites(compat, nb):
    # a bulk create carries at most WIREBOOK_MAX_BULK_OBJECTS (1000) objects: more is a 400, nothing written
    payload = [{"name": f"bulk-{n:04}", "slug": f"bulk-{n:04}"} for n in range(BULK_SITES)]
    with pytest.raises(pynetbox.RequestError, match="limited to 1000 objects per request"):
        nb.dcim.sites.create(payload)
    assert nb.dcim.sites.count() == 0

    # more than MAX_PAGE_SIZE objects, in two bulk creates
    created = nb.dcim.sites.create(payload[:1000]) + nb.dcim.sites.create(payload[1000:])
    expected = [f"bulk-{n:04}" for n in range(BULK_SITES)]

    assert len(created) == BULK_SITES and all(isinstance(site, pynetbox.core.response.Record) for site in created)
    assert [site.slug for site in created] == expected

    # count() asks ?limit=1&brief=1 and reads `count`
    assert nb.dcim.sites.count() == BULK_SITES
    assert nb.dcim.sites.count(name__isw="bulk-00") == 100

    # all(): ?limit=0 answers MAX_PAGE_SIZE rows with `next`; pynetbox then asks limit=<count>&offset=1000
    everything = nb.dcim.sites.all()
    assert len(everything) == BULK_SITES  # RecordSet's len() reads `count` of the first page
    assert [site.slug for site in everything] == expected

    # a small page size: pynetbox follows the `next` links
    assert [site.slug for site in nb.dcim.sites.filter(name__isw="bulk-", limit=100)] == expected

    # one explicit page
    assert [site.slug for site in nb.dcim.sites.filter(limit=5, offset=1095)] == expected[1095:]
    assert [site.slug for site in nb.dcim.sites.all(limit=3, offset=10)] == expected[10:13]

    # threading=True: pynetbox computes the offsets from `count` and fetches the pages in parallel
    threaded = api(compat, threading=True)
    assert sorted(site.slug for site in threaded.dcim.sites.all()) == expected
    assert sorted(site.slug for site in threaded.dcim.sites.filter(name__isw="bulk-", limit=100)) == expected

    # cursor pagination (NetBox 4.6+, chosen by pynetbox after reading nb.version): ?start=0&limit=0
    cursor = api(compat, pagination="cursor")
    assert [site.slug for site in cursor.dcim.sites.all()] == expected
    assert len(cursor.dcim.sites.filter(name__isw="bulk-")) == BULK_SITES

    # a bulk delete of Records (the rest is left to the fixture: ~8 ms per object through the API)
    assert nb.dcim.sites.delete(created[:100]) is True
    assert nb.dcim.sites.count() == BULK_SITES - 100


def test_bulk_update_and_delete(nb):
    sites = nb.dcim.sites.create([{"name": f"S{n}", "slug": f"s{n}"} for n in range(4)])

    # dicts with ids
    updated = nb.dcim.sites.update([{"id": site.id, "description": f"d{site.slug}"} for site in sites[:2]])
    assert [(site.slug, site.description) for site in updated] == [("s0", "ds0"), ("s1", "ds1")]

    # changed records: pynetbox sends only what changed, with the id
    sites[2].status = "planned"
    sites[3].facility = "F3"
    updated = nb.dcim.sites.update(sites[2:])
    assert [(site.status.value, site.facility) for site in updated] == [("planned", ""), ("active", "F3")]

    # a RecordSet updated with keyword arguments
    assert len(nb.dcim.sites.filter(slug=["s0", "s1"]).update(status="staging")) == 2
    assert [site.slug for site in nb.dcim.sites.filter(status="staging")] == ["s0", "s1"]

    # bulk delete by id, and by a RecordSet
    assert nb.dcim.sites.delete([sites[0].id]) is True
    assert nb.dcim.sites.filter(status="staging").delete() is True
    assert [site.slug for site in nb.dcim.sites.all()] == ["s2", "s3"]


def test_deleting_an_empty_selection_is_a_no_op(nb):
    nb.dcim.sites.create(name="AMS1", slug="ams1")

    assert nb.dcim.sites.filter(name="no such site").delete() is True
    assert nb.dcim.sites.count() == 1


def test_a_failed_bulk_create_creates_nothing(nb):
    with pytest.raises(pynetbox.RequestError) as raised:
        nb.dcim.sites.create([{"name": "A", "slug": "a"}, {"name": "B"}])

    assert raised.value.req.status_code == 400
    assert error_body(raised.value) == {
        "detail": "1 of 2 objects could not be created.",
        "errors": [{"index": 1, "errors": {"slug": ["This field is required."]}}],
    }
    assert nb.dcim.sites.count() == 0


def test_organizations_served_in_parallel_never_mix(compat, nb):
    # given sites in `compat` and none in the other organization
    nb.dcim.sites.create([{"name": f"mine-{n}", "slug": f"mine-{n}"} for n in range(30)])

    # when both are read at once, on one threaded server (pynetbox also fetching its pages in parallel)
    def read(whose):
        if whose == "ours":
            client = api(compat, threading=True)
        else:
            client = pynetbox.api(compat.other_url, token=compat.other_token)
        return sorted(site.slug for site in client.dcim.sites.filter(limit=5))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(read, ["ours", "theirs"] * 6))

    # then each sees exactly its own
    assert results[0::2] == [sorted(f"mine-{n}" for n in range(30))] * 6
    assert results[1::2] == [[]] * 6


# -- choices, tags, custom fields --------------------------------------------------------------


def test_choices_come_from_options(nb):
    choices = nb.dcim.sites.choices()

    assert [choice["value"] for choice in choices["status"]] == SITE_STATUSES
    assert choices["status"][2] == {"value": "active", "display_name": "Active"}


def test_tags_by_id(nb):
    core = nb.extras.tags.create(name="Core", slug="core", color="ff0000")
    edge = nb.extras.tags.create(name="Edge", slug="edge")

    site = nb.dcim.sites.create(name="AMS1", slug="ams1", tags=[core.id])
    nb.dcim.sites.create(name="FRA1", slug="fra1")

    assert [(tag.id, tag.name, tag.slug, tag.color) for tag in site.tags] == [(core.id, "Core", "core", "ff0000")]
    assert [s.slug for s in nb.dcim.sites.filter(tag="core")] == ["ams1"]
    assert [s.slug for s in nb.dcim.sites.filter(tag__n="core")] == ["fra1"]
    # tags may also be written as attributes; several `tag` filters must all match
    both = nb.dcim.sites.create(name="LON1", slug="lon1", tags=[{"slug": "core"}, {"name": "Edge"}])
    assert [s.slug for s in nb.dcim.sites.filter(tag=["core", "edge"])] == ["lon1"]
    assert both.delete()

    # pynetbox writes tag lists as ids
    site.tags.append(edge)
    assert site.updates() == {"tags": [core.id, edge.id]}
    assert site.save() is True
    assert sorted(tag.slug for tag in nb.dcim.sites.get(site.id).tags) == ["core", "edge"]

    site.tags = [edge.id]
    assert site.save() is True
    assert [tag.slug for tag in nb.dcim.sites.get(site.id).tags] == ["edge"]
    assert nb.extras.tags.get(slug="edge").color == "9e9e9e"


def _custom_fields_endpoint(nb):
    try:
        nb.extras.custom_fields.count()
    except pynetbox.RequestError as error:
        if error.req.status_code == 404:
            pytest.skip("extras/custom-fields is not served yet (GET /api/extras/custom-fields/ answers 404)")
        raise
    return nb.extras.custom_fields


def test_custom_fields(nb):
    custom_fields = _custom_fields_endpoint(nb)
    circuit_ref = custom_fields.create(name="circuit_ref", type="text", object_types=["dcim.site"])
    custom_fields.create(name="racks", type="integer", object_types=["dcim.site"])
    assert circuit_ref.type.value == "text"
    assert circuit_ref.object_types == ["dcim.site"]

    site = nb.dcim.sites.create(name="AMS1", slug="ams1", custom_fields={"circuit_ref": "C-1"})
    assert site.custom_fields == {"circuit_ref": "C-1", "racks": None}

    # PATCH merges custom fields: the ones left out keep their values
    site.custom_fields["racks"] = 12
    assert site.updates() == {"custom_fields": {"circuit_ref": "C-1", "racks": 12}}
    assert site.save() is True
    assert site.update({"custom_fields": {"racks": 14}}) is True
    assert nb.dcim.sites.get(site.id).custom_fields == {"circuit_ref": "C-1", "racks": 14}

    assert [s.slug for s in nb.dcim.sites.filter(cf_circuit_ref="C-1")] == ["ams1"]
    assert [s.slug for s in nb.dcim.sites.filter(cf_racks__gte=13)] == ["ams1"]

    with pytest.raises(pynetbox.RequestError) as raised:
        nb.dcim.sites.create(name="FRA1", slug="fra1", custom_fields={"racks": "many"})
    assert raised.value.req.status_code == 400
    assert "custom_fields" in error_body(raised.value)


def test_select_custom_fields_read_as_value_and_label(nb):
    custom_fields = _custom_fields_endpoint(nb)
    tiers = nb.extras.custom_field_choice_sets.create(
        name="Tiers", extra_choices=[["gold", "Gold"], ["silver", "Silver"]]
    )
    custom_fields.create(name="tier", type="select", choice_set=tiers.id, object_types=["dcim.site"])

    site = nb.dcim.sites.create(name="AMS1", slug="ams1", custom_fields={"tier": "gold"})

    assert site.custom_fields == {"tier": {"value": "gold", "label": "Gold"}}


# -- errors and authentication ------------------------------------------------------------------


def test_validation_errors_carry_netbox_field_messages(nb):
    with pytest.raises(pynetbox.RequestError) as raised:
        nb.dcim.sites.create(name="AMS1")

    assert raised.value.req.status_code == 400
    assert error_body(raised.value) == {"slug": ["This field is required."]}

    with pytest.raises(pynetbox.RequestError) as raised:
        nb.dcim.sites.create(name="AMS1", slug="ams1", status="closed")
    assert raised.value.req.status_code == 400
    assert list(error_body(raised.value)) == ["status"]

    site = nb.dcim.sites.create(name="AMS1", slug="ams1")
    site.latitude = 123
    with pytest.raises(pynetbox.RequestError) as raised:
        site.save()
    assert raised.value.req.status_code == 400
    assert list(error_body(raised.value)) == ["latitude"]


def test_a_duplicate_slug_is_a_field_error(nb):
    nb.dcim.sites.create(name="AMS1", slug="ams1")

    with pytest.raises(pynetbox.RequestError) as raised:
        nb.dcim.sites.create(name="AMS2", slug="ams1")

    assert raised.value.req.status_code == 400
    assert list(error_body(raised.value)) == ["slug"]


def test_a_duplicate_slug_has_netbox_message(nb):
    nb.dcim.sites.create(name="AMS1", slug="ams1")

    with pytest.raises(pynetbox.RequestError) as raised:
        nb.dcim.sites.create(name="AMS2", slug="ams1")

    assert error_body(raised.value) == {"slug": ["site with this slug already exists."]}


def test_a_bad_token_is_refused_with_403(compat):
    for bad_token, message in (("nbt_abcdefghijkl." + "x" * 40, "Invalid v2 token"), ("0" * 40, "Invalid v1 token")):
        with pytest.raises(pynetbox.RequestError) as raised:
            api(compat, token=bad_token).dcim.sites.count()

        assert raised.value.req.status_code == 403
        assert error_body(raised.value) == {"detail": message}


def test_no_token_is_refused_with_403(compat):
    with pytest.raises(pynetbox.RequestError) as raised:
        pynetbox.api(compat.url).dcim.sites.count()

    assert raised.value.req.status_code == 403
    assert error_body(raised.value) == {"detail": "Authentication credentials were not provided."}


def test_a_token_of_another_organization_finds_nothing(compat, nb):
    nb.dcim.sites.create(name="AMS1", slug="ams1")
    intruder = api(compat, token=compat.other_token)

    for attempt in (
        lambda: intruder.dcim.sites.count(),
        lambda: intruder.dcim.sites.create(name="X", slug="x"),
        lambda: intruder.status(),
    ):
        with pytest.raises(pynetbox.RequestError) as raised:
            attempt()
        assert raised.value.req.status_code == 404

    # pynetbox's get() turns the 404 into None
    assert intruder.dcim.sites.get(nb.dcim.sites.get(slug="ams1").id) is None
    assert [site.slug for site in nb.dcim.sites.all()] == ["ams1"]


def test_a_read_only_token_reads_but_cannot_write(compat, nb):
    site = nb.dcim.sites.create(name="AMS1", slug="ams1")
    reader = api(compat, token=compat.read_only_token)

    assert reader.dcim.sites.get(site.id).slug == "ams1"
    for attempt in (
        lambda: reader.dcim.sites.create(name="X", slug="x"),
        lambda: reader.dcim.sites.get(site.id).update({"description": "changed"}),
        lambda: reader.dcim.sites.delete([site.id]),
    ):
        with pytest.raises(pynetbox.RequestError) as raised:
            attempt()
        assert raised.value.req.status_code == 403
        assert error_body(raised.value) == {"detail": "This token does not permit write operations."}
    assert nb.dcim.sites.get(site.id).description == ""


def test_create_token_provisions_a_token_from_username_and_password(compat):
    nb = pynetbox.api(compat.url)
    try:
        token = nb.create_token(f"{SLUG}-owner@example.com", PASSWORD)
    except pynetbox.RequestError as error:
        if error.req.status_code == 404:
            pytest.skip("users/tokens/provision/ is not served yet (POST answers 404)")
        raise

    assert nb.token.startswith("nbt_") and token.version == 2
    assert nb.dcim.sites.count() == 0  # pynetbox now authenticates with the new token
    with pytest.raises(pynetbox.RequestError) as raised:
        pynetbox.api(compat.url).create_token(f"{SLUG}-owner@example.com", "wrong password")
    assert raised.value.req.status_code == 403


def test_version_is_readable_without_a_valid_token(compat):
    assert pynetbox.api(compat.url).version == "4.7"
    assert api(compat, token="nbt_abcdefghijkl." + "x" * 40).version == "4.7"


def test_strict_filters_validate_against_the_openapi_schema(compat):
    strict = api(compat, strict_filters=True)

    assert list(strict.dcim.sites.filter(name__ic="ams")) == []
    with pytest.raises(pynetbox.core.query.ParameterValidationError):
        strict.dcim.sites.filter(no_such_filter="x")


# -- devices and their components -------------------------------------------------------------------------------------


def test_a_device_gets_the_interfaces_of_its_type_and_one_is_patched(nb):
    juniper = nb.dcim.manufacturers.create(name="Juniper", slug="juniper")
    ex4300 = nb.dcim.device_types.create(manufacturer=juniper.id, model="EX4300", slug="ex4300")
    for port in range(3):
        nb.dcim.interface_templates.create(device_type=ex4300.id, name=f"ge-0/0/{port}", type="1000base-t")
    role = nb.dcim.device_roles.create(name="Access", slug="access")
    site = nb.dcim.sites.create(name="AMS1", slug="ams1")

    device = nb.dcim.devices.create(name="sw1", device_type=ex4300.id, role=role.id, site=site.id)

    assert device.interface_count == 3 and device.device_type.manufacturer.name == "Juniper"
    assert [port.name for port in nb.dcim.interfaces.filter(device_id=device.id)] == [
        "ge-0/0/0",
        "ge-0/0/1",
        "ge-0/0/2",
    ]
    port = nb.dcim.interfaces.get(device_id=device.id, name="ge-0/0/1")
    port.description = "uplink"
    port.mtu = 9000
    port.mode = "access"
    assert port.save()
    again = nb.dcim.interfaces.get(port.id)
    assert (again.description, again.mtu, again.mode.value) == ("uplink", 9000, "access")
    assert again.device.name == "sw1" and again.device.serial == ""  # the nested device loads through its url
    assert nb.dcim.devices.get(device.id).interface_count == 3
    assert device.delete()
    assert nb.dcim.interfaces.count() == 0
