"""Racks at NetBox's dcim endpoints: the validation rules, a rack type's attributes, reservations of
units, and the filters the generic ones cannot derive (what a rack stands in, whose type it is)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import ObjectChange
from inventory.models import (
    Location,
    Manufacturer,
    Rack,
    RackGroup,
    RackReservation,
    RackRole,
    RackType,
    Region,
    Site,
    SiteGroup,
    Tenant,
    TenantGroup,
)
from tenants.context import tenant_context
from tests.inventory.dcim import call, created, listed


@pytest.fixture
def floor(org_a):
    """Europe > Netherlands > AMS1 (hall 1 > cage 7), FRA1 in Germany; site group Core holds AMS1; an
    APC rack type; racks R1 (hall 1, typed), R2 (cage 7), R3 (FRA1); tenant Acme (group Customers) has R1."""
    with tenant_context(org_a.organization):
        europe = Region.objects.create(name="Europe", slug="europe")
        netherlands = Region.objects.create(name="Netherlands", slug="nl", parent=europe)
        germany = Region.objects.create(name="Germany", slug="de", parent=europe)
        core = SiteGroup.objects.create(name="Core", slug="core")
        ams1 = Site.objects.create(name="AMS1", slug="ams1", region=netherlands, group=core)
        fra1 = Site.objects.create(name="FRA1", slug="fra1", region=germany)
        hall = Location.objects.create(name="Hall 1", slug="hall-1", site=ams1)
        cage = Location.objects.create(name="Cage 7", slug="cage-7", site=ams1, parent=hall)
        apc = Manufacturer.objects.create(name="APC", slug="apc")
        ar3100 = RackType.objects.create(
            manufacturer=apc, model="AR3100", slug="ar3100", form_factor="4-post-cabinet", u_height=42
        )
        customers = TenantGroup.objects.create(name="Customers", slug="customers")
        acme = Tenant.objects.create(name="Acme", slug="acme", group=customers)
        r1 = Rack.objects.create(name="R1", site=ams1, location=hall, rack_type=ar3100, u_height=42, tenant=acme)
        r2 = Rack.objects.create(name="R2", site=ams1, location=cage, u_height=10, starting_unit=5)
        r3 = Rack.objects.create(name="R3", site=fra1, u_height=48)
    return {
        "europe": europe, "netherlands": netherlands, "ams1": ams1, "fra1": fra1, "hall": hall, "cage": cage,
        "apc": apc, "ar3100": ar3100, "acme": acme, "r1": r1, "r2": r2, "r3": r3,
    }  # fmt: skip


# -- racks -------------------------------------------------------------------------------------------------------------


def test_a_rack_is_represented_as_netbox_does(api, floor):
    body = call(api, "get", f"/racks/{floor['r1'].pk}/").json()

    assert list(body) == [
        "id", "url", "display_url", "display", "name", "facility_id", "site", "location", "group", "tenant",
        "status", "role", "serial", "asset_tag", "rack_type", "form_factor", "width", "u_height", "starting_unit",
        "weight", "max_weight", "weight_unit", "desc_units", "outer_width", "outer_height", "outer_depth",
        "outer_unit", "mounting_depth", "airflow", "cooling_capability", "cooling_capacity", "description", "owner",
        "comments", "tags", "custom_fields", "created", "last_updated", "device_count", "powerfeed_count",
        "utilization", "power_utilization",
    ]  # fmt: skip
    assert body["status"] == {"value": "active", "label": "Active"}
    assert body["width"] == {"value": 19, "label": "19 inches"}
    assert body["facility_id"] is None and body["airflow"] is None and body["outer_unit"] is None
    assert body["rack_type"]["manufacturer"]["slug"] == "apc" and body["rack_type"]["rack_count"] == 1
    assert body["device_count"] == body["powerfeed_count"] == 0
    assert body["utilization"] == body["power_utilization"] == 0.0


def test_a_rack_location_must_be_in_its_site(api, floor):
    response = call(api, "post", "/racks/", {"name": "R9", "site": floor["fra1"].pk, "location": floor["hall"].pk})
    moved = call(api, "patch", f"/racks/{floor['r2'].pk}/", {"site": floor["fra1"].pk})

    assert response.status_code == 400
    assert response.json() == {"__all__": ["Assigned location must belong to parent site (FRA1)."]}
    assert moved.json() == {"__all__": ["Assigned location must belong to parent site (FRA1)."]}


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"u_height": 0}, {"u_height": ["Ensure this value is greater than or equal to 1."]}),
        ({"u_height": 101}, {"u_height": ["Ensure this value is less than or equal to 100."]}),
        ({"starting_unit": 0}, {"starting_unit": ["Ensure this value is greater than or equal to 1."]}),
        ({"width": 20}, {"width": ["Value 20 is not a valid choice."]}),
        ({"status": "broken"}, {"status": ["Value 'broken' is not a valid choice."]}),
        ({"outer_width": 600}, {"__all__": ["Must specify a unit when setting an outer dimension"]}),
        ({"max_weight": 500}, {"__all__": ["Must specify a unit when setting a maximum weight"]}),
        ({"weight": "80.00"}, {"__all__": ["Must specify a unit when setting a weight"]}),
        ({"cooling_capacity": "-1"}, {"cooling_capacity": ["Ensure this value is greater than or equal to 0."]}),
    ],
)
def test_rack_validation(api, floor, payload, errors):
    response = call(api, "post", "/racks/", {"name": "R9", "site": floor["ams1"].pk, **payload})

    assert (response.status_code, response.json()) == (400, errors)


def test_an_outer_unit_without_dimensions_is_dropped(api, floor):
    rack = created(call(api, "post", "/racks/", {"name": "R9", "site": floor["ams1"].pk, "outer_unit": "mm"}))

    assert rack["outer_unit"] is None


def test_a_typed_rack_takes_its_types_physical_attributes(api, org_a, floor):
    rack = created(
        call(
            api, "post", "/racks/",
            {"name": "R9", "site": floor["ams1"].pk, "rack_type": floor["ar3100"].pk, "u_height": 12, "width": 23},
        )
    )  # fmt: skip

    assert rack["u_height"] == 42 and rack["width"]["value"] == 19
    assert rack["form_factor"] == {"value": "4-post-cabinet", "label": "4-post cabinet"}


def test_rack_names_and_facility_ids_are_unique_within_a_location(api, floor):
    same_location = call(api, "post", "/racks/", {"name": "R1", "site": floor["ams1"].pk, "location": floor["hall"].pk})
    other_location = call(
        api, "post", "/racks/", {"name": "R1", "site": floor["ams1"].pk, "location": floor["cage"].pk}
    )
    no_location = [call(api, "post", "/racks/", {"name": "Spare", "site": floor["fra1"].pk}) for _ in range(2)]
    first = created(
        call(
            api,
            "post",
            "/racks/",
            {"name": "A", "facility_id": "F-1", "site": floor["ams1"].pk, "location": floor["hall"].pk},
        )
    )
    same_facility = call(
        api,
        "post",
        "/racks/",
        {"name": "B", "facility_id": "F-1", "site": floor["ams1"].pk, "location": floor["hall"].pk},
    )

    assert same_location.json() == {"__all__": ["Rack with this Location and Name already exists."]}
    assert other_location.status_code == 201
    assert [response.status_code for response in no_location] == [201, 201]
    assert first["display"] == "A (F-1)"
    assert same_facility.json() == {"__all__": ["Rack with this Location and Facility ID already exists."]}


def test_asset_tags_are_unique(api, floor):
    created(call(api, "post", "/racks/", {"name": "A", "site": floor["ams1"].pk, "asset_tag": "T-1"}))
    again = call(api, "post", "/racks/", {"name": "B", "site": floor["fra1"].pk, "asset_tag": "T-1"})
    untagged = [call(api, "post", "/racks/", {"name": f"U{n}", "site": floor["fra1"].pk}) for n in range(2)]

    assert again.json() == {"asset_tag": ["rack with this asset tag already exists."]}
    assert [response.status_code for response in untagged] == [201, 201]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("site=ams1", ["R1", "R2"]),
        ("site_id={fra1}", ["R3"]),
        ("region=nl", ["R1", "R2"]),
        ("region_id={europe}", ["R1", "R2", "R3"]),  # a region stands for the regions below it
        ("region_id__n={netherlands}", ["R3"]),
        ("site_group=core", ["R1", "R2"]),
        ("location_id={hall}", ["R1", "R2"]),  # cage 7 is in hall 1
        ("location=cage-7", ["R2"]),
        ("manufacturer=apc", ["R1"]),
        ("rack_type=ar3100", ["R1"]),
        ("rack_type_id={ar3100}", ["R1"]),
        ("tenant_group=customers", ["R1"]),
        ("u_height=42", ["R1"]),
        ("u_height__gte=42", ["R1", "R3"]),
        ("q=r2", ["R2"]),
    ],
)
def test_rack_filters(api, floor, query, expected):
    query = query.format(**{name: getattr(obj, "pk", None) for name, obj in floor.items()})

    assert listed(call(api, "get", f"/racks/?{query}")) == expected


def test_rack_filters_refuse_unknown_objects(api, floor):
    response = call(api, "get", "/racks/?region=atlantis&manufacturer_id=999999")

    assert response.status_code == 400
    assert set(response.json()) == {"region", "manufacturer_id"}


def test_racks_count_on_their_groups_roles_and_types(api, org_a, floor):
    with tenant_context(org_a.organization):
        row = RackGroup.objects.create(name="Row A", slug="row-a")
        compute = RackRole.objects.create(name="Compute", slug="compute")
        Rack.objects.filter(pk__in=[floor["r1"].pk, floor["r2"].pk]).update(group=row, role=compute)

    assert call(api, "get", f"/rack-groups/{row.pk}/").json()["rack_count"] == 2
    assert call(api, "get", f"/rack-roles/{compute.pk}/").json()["rack_count"] == 2
    assert call(api, "get", f"/rack-types/{floor['ar3100'].pk}/").json()["rack_count"] == 1


def test_rack_types_in_use_cannot_be_deleted(api, floor):
    response = call(api, "delete", f"/rack-types/{floor['ar3100'].pk}/")

    assert response.status_code == 409


def test_rack_type_slugs_and_models_are_unique_per_manufacturer(api, org_a, floor):
    with tenant_context(org_a.organization):
        other = Manufacturer.objects.create(name="Rittal", slug="rittal")
    payload = {"model": "AR3100", "slug": "ar3100-b", "form_factor": "4-post-frame"}

    same = call(api, "post", "/rack-types/", {"manufacturer": floor["apc"].pk, **payload})
    elsewhere = call(api, "post", "/rack-types/", {"manufacturer": other.pk, **payload})

    assert same.json() == {"__all__": ["Rack type with this Manufacturer and Model already exists."]}
    assert elsewhere.status_code == 201


# -- a rack type's racks ---------------------------------------------------------------------------------------------


def test_a_rack_given_a_type_takes_its_attributes_and_keeps_them(api, floor):
    """NetBox copies the type's physical attributes into the rack on every save: a typed rack's own
    values cannot drift from its type's."""
    r2 = floor["r2"].pk

    typed = call(api, "patch", f"/racks/{r2}/", {"rack_type": floor["ar3100"].pk}).json()
    drifted = call(api, "patch", f"/racks/{r2}/", {"u_height": 12, "starting_unit": 3}).json()
    untyped = call(api, "patch", f"/racks/{r2}/", {"rack_type": None, "u_height": 12}).json()

    assert (typed["u_height"], typed["starting_unit"], typed["form_factor"]["value"]) == (42, 1, "4-post-cabinet")
    assert (drifted["u_height"], drifted["starting_unit"]) == (42, 1)
    assert untyped["rack_type"] is None and untyped["u_height"] == 12  # its own again, from the type's values
    assert untyped["form_factor"]["value"] == "4-post-cabinet"


def test_changing_a_rack_type_changes_its_racks(api, org_a, floor):
    r4 = created(
        call(api, "post", "/racks/", {"name": "R4", "site": floor["fra1"].pk, "rack_type": floor["ar3100"].pk})
    )

    response = call(
        api, "patch", f"/rack-types/{floor['ar3100'].pk}/",
        {"u_height": 45, "desc_units": True, "outer_width": 600, "outer_unit": "mm", "changelog_message": "taller"},
    )  # fmt: skip

    assert response.status_code == 200, response.content
    for rack in (floor["r1"].pk, r4["id"]):
        body = call(api, "get", f"/racks/{rack}/").json()
        assert (body["u_height"], body["desc_units"], body["outer_width"]) == (45, True, 600)
        assert body["outer_unit"]["value"] == "mm"
    assert call(api, "get", f"/racks/{floor['r2'].pk}/").json()["u_height"] == 10  # untyped: untouched
    with tenant_context(org_a.organization):
        change = ObjectChange.objects.filter(changed_object_id=floor["r1"].pk, action="update").get()
    assert (change.prechange_data["u_height"], change.postchange_data["u_height"]) == (42, 45)


def test_a_rack_type_change_writes_its_racks_in_one_batch(api, org_a, floor):
    def patch(u_height):
        with CaptureQueriesContext(connection) as queries:
            response = call(api, "patch", f"/rack-types/{floor['ar3100'].pk}/", {"u_height": u_height})
        assert response.status_code == 200, response.content
        return len(queries)

    patch(41)  # caches warmed
    one_rack = patch(40)
    with tenant_context(org_a.organization):
        for number in range(5):
            Rack.objects.create(name=f"T{number}", site=floor["fra1"], rack_type=floor["ar3100"], u_height=40)

    assert patch(44) == one_rack
    assert call(api, "get", "/racks/?rack_type_id={}&u_height=44".format(floor["ar3100"].pk)).json()["count"] == 6


def test_a_rack_type_change_one_of_its_racks_refuses_writes_nothing(api, org_a, floor, monkeypatch):
    """What a rack's validation refuses (with devices: one too tall for the shorter type) refuses
    the rack type's change, naming the rack."""
    real_clean = Rack.clean

    def clean(rack):
        real_clean(rack)
        if rack.u_height < 42:
            raise ValidationError("Rack must be at least 42U tall to house currently installed devices.")

    monkeypatch.setattr(Rack, "clean", clean)

    response = call(api, "patch", f"/rack-types/{floor['ar3100'].pk}/", {"u_height": 24})

    assert response.status_code == 400
    assert response.json() == {
        "__all__": [
            "Rack R1 cannot take these attributes: Rack must be at least 42U tall to house currently installed devices."
        ]
    }
    assert call(api, "get", f"/rack-types/{floor['ar3100'].pk}/").json()["u_height"] == 42
    assert call(api, "get", f"/racks/{floor['r1'].pk}/").json()["u_height"] == 42


def test_bulk_edits_of_typed_racks_read_the_types_once(api, org_a, floor):
    with tenant_context(org_a.organization):
        other = RackType.objects.create(
            manufacturer=floor["apc"], model="AR3300", slug="ar3300", form_factor="4-post-cabinet", u_height=48
        )
        racks = [
            Rack.objects.create(name=f"T{n}", site=floor["fra1"], rack_type=(other, floor["ar3100"])[n % 2])
            for n in range(6)
        ]

    def bulk(chosen):
        with CaptureQueriesContext(connection) as queries:
            response = call(api, "patch", "/racks/", [{"id": rack.pk, "status": "planned"} for rack in chosen])
        assert response.status_code == 200, response.content
        return len(queries), response.json()

    bulk(racks[:1])  # caches warmed
    two, _ = bulk(racks[:2])
    six, body = bulk(racks)

    assert six == two
    assert sorted(row["u_height"] for row in body) == [42, 42, 42, 48, 48, 48]


# -- reservations ----------------------------------------------------------------------------------------------------


@pytest.fixture
def owner_id(org_a) -> int:
    return org_a.owner.pk


def reserve(api, rack, units, user, **extra):
    return call(api, "post", "/rack-reservations/", {"rack": rack.pk, "units": units, "user": user, **extra})


def test_a_reservation_is_represented_as_netbox_does(api, floor, owner_id):
    body = created(reserve(api, floor["r2"], [5, 6, 7, 9], owner_id, description="Firewalls"))

    assert list(body) == [
        "id", "url", "display_url", "display", "rack", "units", "unit_count", "status", "created", "last_updated",
        "user", "tenant", "description", "owner", "comments", "tags", "custom_fields",
    ]  # fmt: skip
    assert body["units"] == [5, 6, 7, 9] and body["unit_count"] == 4
    assert body["user"] == {
        "id": owner_id,
        "url": f"http://testserver/o/org-a/api/users/users/{owner_id}/",
        "display": "owner-a@example.com",
        "username": "owner-a@example.com",
    }
    assert body["display"] == "Reservation for rack R2"
    assert body["status"] == {"value": "active", "label": "Active"}


def test_reserved_units_must_exist_in_the_rack(api, floor, owner_id):
    # R2 has 10 units numbered from 5: 5-14.
    response = reserve(api, floor["r2"], [4, 5, 14, 15], owner_id, description="x")

    assert response.json() == {"units": ["Invalid unit(s) for 10U rack: 4, 15"]}


def test_units_are_reserved_once(api, floor, owner_id):
    first = created(reserve(api, floor["r2"], [5, 6], owner_id, description="first"))
    overlapping = reserve(api, floor["r2"], [6, 7], owner_id, description="second")
    other_rack = reserve(api, floor["r3"], [6, 7], owner_id, description="elsewhere")
    extended = call(api, "patch", f"/rack-reservations/{first['id']}/", {"units": [5, 6, 7]})

    assert overlapping.json() == {"units": ["The following units have already been reserved: 6"]}
    assert other_rack.status_code == 201
    assert extended.status_code == 200 and extended.json()["units"] == [5, 6, 7]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"units": []}, {"units": ["This field may not be blank."]}),
        ({"units": "5"}, {"units": ['Expected a list of items but got type "str".']}),
        ({"units": ["five"]}, {"units": ["A valid integer is required."]}),
        ({"description": ""}, {"description": ["This field may not be blank."]}),
        ({"user": None}, {"user": ["Expected a user id."]}),
        ({"user": 999999}, {"user": ["Related object not found using the provided numeric ID: 999999"]}),
    ],
)
def test_reservation_validation(api, floor, owner_id, payload, errors):
    response = call(
        api, "post", "/rack-reservations/",
        {"rack": floor["r3"].pk, "units": [1], "user": owner_id, "description": "x", **payload},
    )  # fmt: skip

    assert (response.status_code, response.json()) == (400, errors)


def test_a_reservation_is_for_a_member_of_the_organization(api, org_b, floor):
    """Someone of another organization cannot be named, by id or by username (tenant isolation)."""
    by_id = reserve(api, floor["r3"], [1], org_b.owner.pk, description="x")
    by_name = reserve(api, floor["r3"], [1], "owner-b@example.com", description="x")
    filtered = call(api, "get", "/rack-reservations/?user=owner-b@example.com")

    assert by_id.json() == {"user": [f"Related object not found using the provided numeric ID: {org_b.owner.pk}"]}
    assert by_name.json() == {"user": ["Related object not found using the provided attributes: owner-b@example.com"]}
    assert filtered.status_code == 400 and "user" in filtered.json()


def test_a_member_who_left_is_still_shown(api, org_a, floor):
    former = get_user_model().objects.create_user("former@example.com")
    with tenant_context(org_a.organization):
        reservation = RackReservation.objects.create(
            rack=floor["r3"], units=[1], user_id=former.pk, description="left behind"
        )

    body = call(api, "get", f"/rack-reservations/{reservation.pk}/").json()

    assert body["user"]["id"] == former.pk and body["user"]["display"] == f"user {former.pk}"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("unit=6", ["firewalls"]),
        ("unit=6&unit=40", ["firewalls", "storage"]),
        ("site=ams1", ["firewalls", "patch panel"]),
        ("region_id={europe}", ["firewalls", "patch panel", "storage"]),
        ("location=hall-1", ["firewalls", "patch panel"]),
        ("unit_count_min=2", ["firewalls", "storage"]),
        ("unit_count_max=1", ["patch panel"]),
        ("user=owner-a@example.com", ["firewalls", "patch panel", "storage"]),
        ("user_id={owner}", ["firewalls", "patch panel", "storage"]),
        ("tenant=acme", ["storage"]),
        ("tenant_group=customers", ["storage"]),
        ("q=patch", ["patch panel"]),
    ],
)
def test_reservation_filters(api, org_a, floor, owner_id, query, expected):
    with tenant_context(org_a.organization):
        for rack, units, description, tenant in (
            (floor["r2"], [5, 6], "firewalls", None),
            (floor["r1"], [1], "patch panel", None),
            (floor["r3"], [40, 41, 42], "storage", floor["acme"]),
        ):
            RackReservation.objects.create(
                rack=rack, units=units, user_id=owner_id, description=description, tenant=tenant
            )
    query = query.format(owner=owner_id, **{name: getattr(obj, "pk", None) for name, obj in floor.items()})

    response = call(api, "get", f"/rack-reservations/?{query}")

    assert response.status_code == 200, response.content
    assert sorted(row["description"] for row in response.json()["results"]) == expected


def test_deleting_a_rack_deletes_its_reservations(api, org_a, floor, owner_id):
    created(reserve(api, floor["r3"], [1, 2], owner_id, description="x"))

    assert call(api, "delete", f"/racks/{floor['r3'].pk}/").status_code == 204
    with tenant_context(org_a.organization):
        assert not RackReservation.objects.exists()


# -- the reservation form --------------------------------------------------------------------------------------------

RESERVATIONS = "/o/org-a/dcim/rack-reservations/"


def test_the_reservation_form_picks_the_member_by_email(api, org_a, org_b, floor, owner_id):
    form = api.get(f"{RESERVATIONS}add/").content.decode()
    select = form[form.index('name="user_id"') : form.index("</select>", form.index('name="user_id"'))]

    assert f'<option value="{owner_id}">owner-a@example.com</option>' in select
    assert "owner-b@example.com" not in form  # members of other organizations are not offered
    post = {"rack": floor["r3"].pk, "units": "1, 2", "status": "active", "description": "Core"}
    outsider = api.post(f"{RESERVATIONS}add/", {**post, "user_id": org_b.owner.pk})
    response = api.post(f"{RESERVATIONS}add/", {**post, "user_id": owner_id})

    assert outsider.status_code == 200 and "wb-field-error" in outsider.content.decode()
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_context(org_a.organization):
        reservation = RackReservation.objects.get()
    assert (reservation.user_id, reservation.units) == (owner_id, [1, 2])
    edit = api.get(f"{RESERVATIONS}{reservation.pk}/edit/").content.decode()
    assert f'<option value="{owner_id}" selected>owner-a@example.com</option>' in edit
