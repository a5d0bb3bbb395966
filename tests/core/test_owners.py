"""NetBox 4.7's owners (/api/users/owners/, /api/users/owner-groups/) and the `owner` every object carries:
owners hold the organization's members, objects are assigned one by id (or by name in imports), lists filter
by owner and owner group, and nothing of one organization's owners reaches another."""

import json

from django.test import Client

from core.models import ObjectChange, Owner, OwnerGroup
from inventory.models import DeviceRole, DeviceType, Manufacturer, Site
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole

API = "/o/org-a/api"


def post(client, path, payload, api=API):
    return client.post(f"{api}{path}", json.dumps(payload), content_type="application/json")


def patch(client, path, payload):
    return client.patch(f"{API}{path}", json.dumps(payload), content_type="application/json")


def _owners(organization) -> dict[str, Owner]:
    """Two groups (Network: NOC; Facilities: DC team) and an owner in none (Security)."""
    with tenant_context(organization):
        network = OwnerGroup.objects.create(name="Network")
        facilities = OwnerGroup.objects.create(name="Facilities")
        return {
            "noc": Owner.objects.create(name="NOC", group=network),
            "dc": Owner.objects.create(name="DC team", group=facilities),
            "security": Owner.objects.create(name="Security"),
        }


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row.get("name") or row["display"] for row in response.json()["results"])


def test_an_owner_holds_members_and_reads_in_netbox_shape(org_a):
    client = org_a.client()
    group = post(client, "/users/owner-groups/", {"name": "Network", "description": "netops"}).json()

    response = post(
        client,
        "/users/owners/",
        {"name": "NOC", "group": group["id"], "description": "24/7", "users": [org_a.owner.pk], "user_groups": []},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert list(body) == ["id", "url", "display_url", "display", "name", "group", "description", "user_groups", "users"]
    assert body["url"] == f"http://testserver{API}/users/owners/{body['id']}/"
    assert body["group"] == {
        "id": group["id"],
        "url": f"http://testserver{API}/users/owner-groups/{group['id']}/",
        "display": "Network",
        "name": "Network",
        "description": "netops",
    }
    assert body["user_groups"] == []
    assert body["users"] == [
        {
            "id": org_a.owner.pk,
            "url": f"http://testserver{API}/users/users/{org_a.owner.pk}/",
            "display": "owner-a@example.com",
            "username": "owner-a@example.com",
        }
    ]
    groups = client.get(f"{API}/users/owner-groups/").json()["results"]
    assert [(row["name"], row["member_count"]) for row in groups] == [("Network", 1)]
    brief = client.get(f"{API}/users/owners/?brief=true").json()["results"]
    assert brief == [{"id": body["id"], "url": body["url"], "display": "NOC", "name": "NOC", "description": "24/7"}]


def test_only_the_organizations_members_can_be_an_owners_users(org_a, org_b):
    client = org_a.client()

    outsider = post(client, "/users/owners/", {"name": "NOC", "users": [org_b.owner.pk]})
    groups = post(client, "/users/owners/", {"name": "NOC", "user_groups": [1]})
    not_a_list = post(client, "/users/owners/", {"name": "NOC", "users": "me"})

    assert outsider.status_code == 400
    assert outsider.json() == {"users": [f"Related object not found using the provided numeric ID: {org_b.owner.pk}"]}
    assert groups.status_code == 400 and groups.json() == {
        "user_groups": ["Related object not found using the provided numeric ID: 1"]
    }
    assert not_a_list.status_code == 400 and "users" in not_a_list.json()
    with tenant_context(org_a.organization):
        assert not Owner.objects.exists()


def test_owner_filters(org_a, org_b):
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)
    owners = _owners(org_a.organization)
    with tenant_context(org_a.organization):
        Owner.objects.filter(pk=owners["noc"].pk).update(user_ids=[org_a.owner.pk])
        Owner.objects.filter(pk=owners["dc"].pk).update(user_ids=[org_a.owner.pk, org_b.owner.pk])
    client = org_a.client()

    def names(query: str) -> list[str]:
        return _names(client.get(f"{API}/users/owners/?{query}"))

    assert names("group=Network") == ["NOC"]
    assert names(f"group_id={owners['dc'].group_id}") == ["DC team"]
    assert names("group_id=null") == ["Security"]
    assert names(f"user_id={org_b.owner.pk}") == ["DC team"]
    assert names("user=owner-a@example.com") == ["DC team", "NOC"]
    assert names("user__n=owner-b@example.com") == ["NOC", "Security"]
    assert names("q=secur") == ["Security"]
    assert client.get(f"{API}/users/owners/?user_group_id=1").json() == {
        "user_group_id": ["Select a valid choice. 1 is not one of the available choices."]
    }
    assert client.get(f"{API}/users/owners/?group=Nope").status_code == 400


def _device_type(organization):
    with tenant_context(organization):
        vendor = Manufacturer.objects.create(name="Juniper", slug="juniper")
        return (
            DeviceType.objects.create(manufacturer=vendor, model="EX4300", slug="ex4300"),
            DeviceRole.objects.create(name="Access", slug="access"),
        )


def test_objects_are_assigned_an_owner_and_lists_filter_by_it(org_a):
    owners = _owners(org_a.organization)
    device_type, role = _device_type(org_a.organization)
    client = org_a.client()
    sites = {}
    for name, owner in (("AMS1", "noc"), ("FRA1", "dc"), ("NYC1", None)):
        payload = {"name": name, "slug": name.lower(), "owner": owners[owner].pk if owner else None}
        response = post(client, "/dcim/sites/", payload)
        assert response.status_code == 201, response.content
        sites[name] = response.json()
        device = {"name": f"sw-{name}", "device_type": device_type.pk, "role": role.pk, "site": sites[name]["id"]}
        if owner:
            device["owner"] = {"name": owners[owner].name}  # by attributes, as NetBox takes any related object
        assert post(client, "/dcim/devices/", device).status_code == 201

    assert sites["AMS1"]["owner"] == {
        "id": owners["noc"].pk,
        "url": f"http://testserver{API}/users/owners/{owners['noc'].pk}/",
        "display": "NOC",
        "name": "NOC",
        "description": "",
    }
    assert sites["NYC1"]["owner"] is None
    keys = list(sites["AMS1"])
    assert keys.index("description") < keys.index("owner") < keys.index("comments")
    for path in ("/dcim/sites/", "/dcim/devices/"):

        def names(query: str, path=path) -> list[str]:
            return _names(client.get(f"{API}{path}?{query}"))

        prefix = "sw-" if "devices" in path else ""
        assert names(f"owner_id={owners['noc'].pk}") == [f"{prefix}AMS1"]
        assert names("owner_id=null") == [f"{prefix}NYC1"]
        assert names(f"owner_id__n={owners['noc'].pk}") == [f"{prefix}FRA1", f"{prefix}NYC1"]
        assert names("owner=DC team&owner=NOC") == [f"{prefix}AMS1", f"{prefix}FRA1"]
        assert names("owner__n=NOC") == [f"{prefix}FRA1", f"{prefix}NYC1"]
        assert names(f"owner_group_id={owners['dc'].group_id}") == [f"{prefix}FRA1"]
        assert names("owner_group=Network") == [f"{prefix}AMS1"]
        assert names("owner_group__n=Network") == [f"{prefix}FRA1", f"{prefix}NYC1"]
        assert client.get(f"{API}{path}?owner=Nobody").json() == {
            "owner": ["Select a valid choice. Nobody is not one of the available choices."]
        }
        assert client.get(f"{API}{path}?owner_group_id=999999").status_code == 400

    changed = patch(client, f"/dcim/sites/{sites['NYC1']['id']}/", {"owner": owners["security"].pk})
    assert changed.json()["owner"]["name"] == "Security"
    with tenant_context(org_a.organization):
        change = ObjectChange.objects.filter(changed_object_id=sites["NYC1"]["id"], action="update").get()
        assert change.prechange_data["owner"] is None
        assert change.postchange_data["owner"] == owners["security"].pk


def test_an_owner_in_use_cannot_be_deleted_nor_its_group(org_a):
    owners = _owners(org_a.organization)
    client = org_a.client()
    site = post(client, "/dcim/sites/", {"name": "AMS1", "slug": "ams1", "owner": owners["noc"].pk}).json()

    refused = client.delete(f"{API}/users/owners/{owners['noc'].pk}/")
    group_refused = client.delete(f"{API}/users/owner-groups/{owners['noc'].group_id}/")
    unused = client.delete(f"{API}/users/owners/{owners['security'].pk}/")

    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("Unable to delete object. 1 dependent objects were found: AMS1")
    assert group_refused.status_code == 409
    assert unused.status_code == 204
    assert patch(client, f"/dcim/sites/{site['id']}/", {"owner": None}).json()["owner"] is None
    assert client.delete(f"{API}/users/owners/{owners['noc'].pk}/").status_code == 204


def test_owners_follow_permissions(org_a, org_b):
    _owners(org_a.organization)
    membership = Membership.objects.create(
        user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER
    )
    viewer = org_b.client()

    assert _names(viewer.get(f"{API}/users/owners/")) == ["DC team", "NOC", "Security"]
    assert post(viewer, "/users/owners/", {"name": "Mine"}).status_code == 403
    membership.role = MembershipRole.EDITOR
    membership.save()
    assert post(viewer, "/users/owners/", {"name": "Mine"}).status_code == 201


def test_another_organization_sees_and_assigns_none_of_them(org_a, org_b):
    owners = _owners(org_a.organization)
    other = org_b.client()

    assert other.get(f"{API}/users/owners/").status_code == 404
    assert other.get(f"{API}/users/owners/{owners['noc'].pk}/").status_code == 404
    assert other.delete(f"{API}/users/owners/{owners['noc'].pk}/").status_code == 404
    assert Client().get(f"{API}/users/owners/").status_code in (401, 403)
    assert Client().get(f"{API}/users/owner-groups/").status_code in (401, 403)
    assert _names(other.get("/o/org-b/api/users/owners/")) == []
    # org B has no owner of that id or name: org A's are out of its reach
    by_id = post(other, "/dcim/sites/", {"name": "B1", "slug": "b1", "owner": owners["noc"].pk}, api="/o/org-b/api")
    by_name = post(other, "/dcim/sites/", {"name": "B1", "slug": "b1", "owner": {"name": "NOC"}}, api="/o/org-b/api")
    assert by_id.status_code == 400 and "owner" in by_id.json()
    assert by_name.status_code == 400 and "owner" in by_name.json()
    assert other.get(f"/o/org-b/api/dcim/sites/?owner_id={owners['noc'].pk}").status_code == 400
    with tenant_context(org_b.organization):
        assert not Site.objects.exists()
    with tenant_context(org_a.organization):
        assert Owner.objects.count() == 3


def test_graphql_shows_and_filters_by_owner(org_a):
    owners = _owners(org_a.organization)
    with tenant_context(org_a.organization):
        Site.objects.create(name="AMS1", slug="ams1", owner=owners["noc"])
        Site.objects.create(name="FRA1", slug="fra1")
    text = '{ site_list(filters: {owner: {name: {exact: "NOC"}}}) { name owner { name group { name } } } }'

    response = org_a.client().post("/o/org-a/graphql/", json.dumps({"query": text}), content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "data": {"site_list": [{"name": "AMS1", "owner": {"name": "NOC", "group": {"name": "Network"}}}]}
    }


def test_the_ui_assigns_shows_filters_imports_and_exports_owners(org_a):
    owners = _owners(org_a.organization)
    client = org_a.client()

    form = client.get("/o/org-a/dcim/sites/add/").content.decode()
    assert 'name="owner"' in form
    created = client.post(
        "/o/org-a/dcim/sites/add/", {"name": "AMS1", "slug": "ams1", "status": "active", "owner": owners["noc"].pk}
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    detail = client.get(created["Location"]).content.decode()
    assert f'/o/org-a/users/owners/{owners["noc"].pk}/">NOC</a>' in detail

    listing = client.get("/o/org-a/dcim/sites/").content.decode()
    assert 'name="owner_id"' in listing and 'name="owner_group_id"' in listing
    filtered = client.get(f"/o/org-a/dcim/sites/?owner_group_id={owners['dc'].group_id}").content.decode()
    assert "AMS1" not in filtered

    imported = client.post(
        "/o/org-a/dcim/sites/import/", {"data": "name,slug,status,owner\nFRA1,fra1,active,DC team\n", "format": "csv"}
    )
    assert imported.status_code == 302, imported.content.decode()[:2000]
    with tenant_context(org_a.organization):
        assert Site.objects.get(slug="fra1").owner == owners["dc"]
    exported = client.get("/o/org-a/dcim/sites/?export=csv").content.decode()
    header, *rows = exported.strip().splitlines()
    column = header.split(",").index("owner")
    assert sorted(row.split(",")[column] for row in rows) == ["DC team", "NOC"]

    owner_form = client.get("/o/org-a/users/owners/add/").content.decode()
    assert 'name="user_ids"' in owner_form and "owner-a@example.com" in owner_form
