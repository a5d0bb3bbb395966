"""/api/users/permissions/: NetBox's object permissions, managed through the API."""

import json

from core.models import ObjectPermission
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole

API = "/o/org-a/api"


def post(client, path, payload):
    return client.post(f"{API}{path}", json.dumps(payload), content_type="application/json")


def test_create_and_read_a_permission_in_netbox_shape(org_a, org_b):
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)

    response = post(
        org_a.client(),
        "/users/permissions/",
        {
            "name": "NL sites",
            "object_types": ["dcim.site"],
            "actions": ["change", "view"],
            "constraints": {"region__slug": "nl"},
            "users": [org_b.owner.pk],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["object_types"] == ["dcim.site"]
    assert body["actions"] == ["change", "view"]
    assert body["users"] == [
        {
            "id": org_b.owner.pk,
            "url": f"http://testserver{API}/users/users/{org_b.owner.pk}/",
            # the member's row on the members page, shown to the admins who see permissions
            "display_url": f"http://testserver/o/org-a/settings/members/#member-{org_b.owner.pk}",
            "display": "owner-b@example.com",
            "username": "owner-b@example.com",
        }
    ]
    members_page = org_a.client().get("/o/org-a/settings/members/").content.decode()
    assert f'id="member-{org_b.owner.pk}"' in members_page
    with tenant_context(org_a.organization):
        assert ObjectPermission.objects.get().user_ids == [org_b.owner.pk]


def test_permissions_only_name_members_and_known_types(org_a, org_b):
    valid = {"name": "x", "object_types": ["dcim.site"], "actions": ["view"]}
    not_member = post(org_a.client(), "/users/permissions/", {**valid, "users": [org_b.owner.pk]})
    bad_type = post(org_a.client(), "/users/permissions/", {**valid, "object_types": ["dcim.nope"]})
    no_actions = post(org_a.client(), "/users/permissions/", {**valid, "actions": []})

    assert not_member.status_code == 400 and "users" in not_member.json()
    assert bad_type.status_code == 400 and "object_types" in bad_type.json()
    assert no_actions.status_code == 400 and "actions" in no_actions.json()


def test_editors_cannot_grant_themselves_permissions_outsiders_see_nothing(org_a, org_b):
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)
    outsider_membership = Membership.objects.get(user=org_b.owner, organization=org_a.organization)

    grant = {"name": "me", "object_types": ["dcim.site"], "actions": ["add"], "users": [org_b.owner.pk]}
    refused = post(org_b.client(), "/users/permissions/", grant)
    outsider_membership.delete()

    assert refused.status_code == 403
    assert org_b.client().get(f"{API}/users/permissions/").status_code == 404


def test_settings_are_for_admins_and_cannot_be_granted(org_a, org_b):
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.EDITOR)
    editor = org_b.client()
    field = {"name": "ref", "type": "text", "object_types": ["dcim.site"]}

    assert post(editor, "/extras/custom-fields/", field).status_code == 403
    assert (
        post(
            editor, "/users/permissions/", {"name": "x", "object_types": ["dcim.site"], "actions": ["view"]}
        ).status_code
        == 403
    )
    # An owner granting the editor "add" on custom fields does not make them an admin.
    grant = {"name": "cf", "object_types": ["extras.customfield"], "actions": ["add"], "users": [org_b.owner.pk]}
    assert post(org_a.client(), "/users/permissions/", grant).status_code == 201
    assert post(editor, "/extras/custom-fields/", field).status_code == 403
    assert editor.get(f"{API}/extras/custom-fields/").status_code == 200
    assert post(org_a.client(), "/extras/custom-fields/", field).status_code == 201
