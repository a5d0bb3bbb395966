"""Contacts at NetBox's tenancy endpoints: groups, roles, contacts and their assignments to objects."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from addressing.models import Tunnel
from circuits.models import Provider
from core.models import ObjectChange
from core.registry import object_type_for, object_type_label
from inventory.models import (
    Cluster,
    ClusterType,
    Contact,
    ContactAssignment,
    ContactGroup,
    ContactRole,
    Site,
    Tenant,
    TenantGroup,
)
from tenants.context import tenant_context
from tenants.tokens import token_create

API = "/o/org-a/api"
CONTACT_FIELDS = [
    "id", "url", "display_url", "display", "groups", "name", "title", "phone", "email", "address", "link",
    "description", "owner", "comments", "tags", "custom_fields", "created", "last_updated",
]  # fmt: skip
ASSIGNMENT_FIELDS = [
    "id", "url", "display", "object_type", "object_id", "object", "contact", "role", "priority",
    "tags", "custom_fields", "created", "last_updated",
]  # fmt: skip


def call(client, method, path, payload=None):
    if payload is None:
        return getattr(client, method)(f"{API}{path}")
    return getattr(client, method)(f"{API}{path}", json.dumps(payload), content_type="application/json")


def created(response) -> dict:
    assert response.status_code == 201, response.content
    return response.json()


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


@pytest.fixture
def api(org_a):
    return org_a.client()


@pytest.fixture
def book(org_a):
    """Engineering > NOC, Sales; roles; Alice (NOC), Bob (Engineering), Carol (Sales), Dave (no group);
    sites AMS1, FRA1 and tenant Acme; Alice is AMS1's primary technical contact."""
    with tenant_context(org_a.organization):
        engineering = ContactGroup.objects.create(name="Engineering", slug="engineering")
        noc = ContactGroup.objects.create(name="NOC", slug="noc", parent=engineering)
        sales = ContactGroup.objects.create(name="Sales", slug="sales")
        technical = ContactRole.objects.create(name="Technical", slug="technical")
        billing = ContactRole.objects.create(name="Billing", slug="billing")
        alice = Contact.objects.create(name="Alice", title="Network engineer", email="alice@example.com")
        alice.groups.set([noc])
        bob = Contact.objects.create(name="Bob", phone="+31 20 555 0100")
        bob.groups.set([engineering])
        carol = Contact.objects.create(name="Carol", address="Damrak 1, Amsterdam")
        carol.groups.set([sales])
        dave = Contact.objects.create(name="Dave", comments="on call in weekends")
        ams = Site.objects.create(name="AMS1", slug="ams1")
        fra = Site.objects.create(name="FRA1", slug="fra1")
        acme = Tenant.objects.create(name="Acme", slug="acme")
        site_type = ContentType.objects.get_for_model(Site)
        ContactAssignment.objects.create(
            object_type=site_type, object_id=ams.pk, contact=alice, role=technical, priority="primary"
        )
    return {
        "engineering": engineering, "noc": noc, "sales": sales, "technical": technical, "billing": billing,
        "alice": alice, "bob": bob, "carol": carol, "dave": dave, "ams": ams, "fra": fra, "acme": acme,
        "site_type": site_type,
    }  # fmt: skip


# -- object types ------------------------------------------------------------------------------


def test_object_types_use_netboxs_labels(org_a):
    with tenant_context(org_a.organization):
        site_type = ContentType.objects.get_for_model(Site)
        tenant_group_type = ContentType.objects.get_for_model(TenantGroup)

    assert object_type_label(site_type) == "dcim.site"
    assert object_type_label(tenant_group_type) == "tenancy.tenantgroup"
    assert object_type_for("dcim.site").model_class() is Site
    assert object_type_for("DCIM.Site").model_class() is Site
    assert object_type_for("tenancy.contact").model_class() is Contact
    assert object_type_for("dcim.nothing") is None
    assert object_type_for("site") is None


# -- contact groups ----------------------------------------------------------------------------


def test_contact_group_crud(api, org_a):
    parent = created(call(api, "post", "/tenancy/contact-groups/", {"name": "Engineering", "slug": "engineering"}))
    child = created(
        call(api, "post", "/tenancy/contact-groups/", {"name": "NOC", "slug": "noc", "parent": {"slug": "engineering"}})
    )

    assert list(child) == [
        "id", "url", "display_url", "display", "name", "slug", "parent", "description", "tags", "custom_fields",
        "created", "last_updated", "contact_count", "owner", "comments", "_depth",
    ]  # fmt: skip
    assert child["url"] == f"http://testserver/o/org-a/api/tenancy/contact-groups/{child['id']}/"
    assert child["parent"]["id"] == parent["id"] and child["_depth"] == 1
    assert set(child["parent"]) == {"id", "url", "display", "name", "slug", "description", "contact_count", "_depth"}

    patched = call(api, "patch", f"/tenancy/contact-groups/{child['id']}/", {"description": "24/7"})
    assert patched.status_code == 200 and patched.json()["description"] == "24/7"

    assert call(api, "delete", f"/tenancy/contact-groups/{parent['id']}/").status_code == 204
    with tenant_context(org_a.organization):
        assert not ContactGroup.objects.exists()  # the child went with its parent


def test_contact_group_names_are_unique_among_siblings(api, book):
    engineering = book["engineering"].pk

    sibling = call(api, "post", "/tenancy/contact-groups/", {"name": "NOC", "slug": "noc-2", "parent": engineering})
    root = call(api, "post", "/tenancy/contact-groups/", {"name": "Sales", "slug": "sales-2"})
    elsewhere = call(
        api, "post", "/tenancy/contact-groups/", {"name": "NOC", "slug": "noc", "parent": book["sales"].pk}
    )
    renamed = call(api, "patch", f"/tenancy/contact-groups/{book['sales'].pk}/", {"name": "Engineering"})

    assert sibling.status_code == 400
    assert list(sibling.json().values()) == [["Contact group with this Parent and Name already exists."]]
    assert root.status_code == 400
    assert list(root.json().values()) == [["A top-level contact group with this name already exists."]]
    assert renamed.status_code == 400
    # As in NetBox, only names must differ: the same slug is fine in another branch.
    assert elsewhere.status_code == 201, elsewhere.content


def test_contact_group_counts_include_descendants(api, book):
    groups = {row["slug"]: row for row in call(api, "get", "/tenancy/contact-groups/").json()["results"]}

    assert groups["engineering"]["contact_count"] == 2  # Bob, and Alice below it in NOC
    assert groups["noc"]["contact_count"] == 1
    assert groups["sales"]["contact_count"] == 1


def test_a_contact_in_two_groups_of_a_subtree_is_counted_once(api, org_a, book):
    with tenant_context(org_a.organization):
        book["alice"].groups.add(book["engineering"])

    groups = {row["slug"]: row for row in call(api, "get", "/tenancy/contact-groups/").json()["results"]}

    assert groups["engineering"]["contact_count"] == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name__ic=n", ["Engineering", "NOC"]),
        ("parent=engineering", ["NOC"]),
        ("parent_id=null", ["Engineering", "Sales"]),
        ("q=sal", ["Sales"]),
    ],
)
def test_contact_group_filters(api, book, query, expected):
    assert names(call(api, "get", f"/tenancy/contact-groups/?{query}")) == expected


def test_contact_group_filters_by_ancestor_and_contact(api, book):
    engineering, alice = book["engineering"].pk, book["alice"].pk

    assert names(call(api, "get", f"/tenancy/contact-groups/?ancestor_id={engineering}")) == ["Engineering", "NOC"]
    assert names(call(api, "get", f"/tenancy/contact-groups/?contact_id={alice}")) == ["NOC"]


# -- contact roles -----------------------------------------------------------------------------


def test_contact_role_crud_and_unique_names(api):
    role = created(call(api, "post", "/tenancy/contact-roles/", {"name": "Technical", "slug": "technical"}))
    duplicate = call(api, "post", "/tenancy/contact-roles/", {"name": "Technical", "slug": "tech"})
    patched = call(api, "patch", f"/tenancy/contact-roles/{role['id']}/", {"description": "Hands on"})
    brief = call(api, "get", "/tenancy/contact-roles/?brief=1").json()["results"][0]

    assert list(role) == [
        "id", "url", "display_url", "display", "name", "slug", "description", "owner", "comments", "tags",
        "custom_fields", "created", "last_updated",
    ]  # fmt: skip
    assert duplicate.status_code == 400
    assert duplicate.json() == {"name": ["contact role with this name already exists."]}
    assert patched.json()["description"] == "Hands on"
    assert set(brief) == {"id", "url", "display", "name", "slug", "description"}
    assert call(api, "delete", f"/tenancy/contact-roles/{role['id']}/").status_code == 204


# -- contacts ----------------------------------------------------------------------------------


def test_contact_crud(api, book):
    contact = created(
        call(api, "post", "/tenancy/contacts/", {
            "name": "Erin", "title": "NOC lead", "phone": "+31 20 555 0199", "email": "erin@example.com",
            "address": "Keizersgracht 1", "link": "https://example.com/erin",
            "groups": [book["noc"].pk, {"slug": "sales"}], "comments": "escalations",
        })
    )  # fmt: skip

    assert list(contact) == CONTACT_FIELDS
    assert contact["display"] == "Erin"
    assert [group["slug"] for group in contact["groups"]] == ["noc", "sales"]
    assert contact["groups"][0]["_depth"] == 1

    patched = call(api, "patch", f"/tenancy/contacts/{contact['id']}/", {"groups": [], "title": "Manager"})
    fetched = call(api, "get", f"/tenancy/contacts/{contact['id']}/").json()
    brief = call(api, "get", f"/tenancy/contacts/{contact['id']}/?brief=1").json()

    assert patched.status_code == 200
    assert fetched["groups"] == [] and fetched["title"] == "Manager" and fetched["email"] == "erin@example.com"
    assert set(brief) == {"id", "url", "display", "name", "description"}
    assert call(api, "delete", f"/tenancy/contacts/{contact['id']}/").status_code == 204
    assert call(api, "get", f"/tenancy/contacts/{contact['id']}/").status_code == 404


def test_contact_validation(api, book):
    missing = call(api, "post", "/tenancy/contacts/", {"title": "Nobody"})
    bad = call(api, "post", "/tenancy/contacts/", {"name": "X", "email": "not-an-email", "link": "nowhere"})
    bad_group = call(api, "post", "/tenancy/contacts/", {"name": "X", "groups": [999999]})
    not_a_list = call(api, "post", "/tenancy/contacts/", {"name": "X", "groups": 5})
    same_name = call(api, "post", "/tenancy/contacts/", {"name": "Alice"})

    assert missing.json() == {"name": ["This field is required."]}
    assert bad.json() == {"email": ["Enter a valid email address."], "link": ["Enter a valid URL."]}
    assert bad_group.json() == {"groups": ["Related object not found using the provided numeric ID: 999999"]}
    assert not_a_list.status_code == 400 and "groups" in not_a_list.json()
    # NetBox 4.3+ dropped contact name uniqueness (contacts may be in many groups).
    assert same_name.status_code == 201


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("group=engineering", ["Alice", "Bob"]),
        ("group=noc", ["Alice"]),
        ("group__n=engineering", ["Carol", "Dave"]),
        ("group_id=null", ["Dave"]),
        ("name__ic=a", ["Alice", "Carol", "Dave"]),
        ("name__nic=a", ["Bob"]),
        ("email__ic=example.com", ["Alice"]),
        ("q=damrak", ["Carol"]),
        ("q=engineer", ["Alice"]),
        ("q=555", ["Bob"]),
        ("q=weekend", ["Dave"]),
    ],
)
def test_contact_filters(api, book, query, expected):
    assert names(call(api, "get", f"/tenancy/contacts/?{query}")) == expected


def test_contact_group_id_filter_includes_descendants_once(api, org_a, book):
    engineering, noc, sales = book["engineering"].pk, book["noc"].pk, book["sales"].pk
    with tenant_context(org_a.organization):
        book["alice"].groups.add(book["engineering"])  # Alice is now in Engineering and in NOC below it

    by_id = call(api, "get", f"/tenancy/contacts/?group_id={engineering}")

    assert names(by_id) == ["Alice", "Bob"] and by_id.json()["count"] == 2
    assert names(call(api, "get", f"/tenancy/contacts/?group_id={noc}&group_id={sales}")) == ["Alice", "Carol"]
    assert names(call(api, "get", f"/tenancy/contacts/?groups_id={engineering}")) == ["Alice", "Bob"]
    assert call(api, "get", "/tenancy/contacts/?group_id=abc").json() == {"group_id": ["“abc” is not a valid value."]}


# -- contact assignments -----------------------------------------------------------------------


def test_contact_assignment_representation(api, book):
    assignment = call(api, "get", "/tenancy/contact-assignments/").json()["results"][0]
    brief = call(api, "get", "/tenancy/contact-assignments/?brief=1").json()["results"][0]

    assert list(assignment) == ASSIGNMENT_FIELDS
    assert assignment["display"] == "Alice (Primary) -> AMS1"
    assert assignment["object_type"] == "dcim.site"
    assert assignment["object_id"] == book["ams"].pk
    assert assignment["object"] == {
        "id": book["ams"].pk,
        "url": f"http://testserver/o/org-a/api/dcim/sites/{book['ams'].pk}/",
        "display": "AMS1",
        "name": "AMS1",
        "slug": "ams1",
        "description": "",
    }
    assert assignment["contact"]["name"] == "Alice" and set(assignment["contact"]) == {
        "id", "url", "display", "name", "description",
    }  # fmt: skip
    assert assignment["role"]["slug"] == "technical"
    assert assignment["priority"] == {"value": "primary", "label": "Primary"}
    assert list(brief) == ["id", "url", "display", "contact", "role", "priority"]


def test_contact_assignment_crud(api, book):
    by_id = created(
        call(api, "post", "/tenancy/contact-assignments/", {
            "object_type": "dcim.site", "object_id": book["fra"].pk, "contact": book["bob"].pk,
            "role": {"slug": "billing"},
        })
    )  # fmt: skip
    by_attributes = created(
        call(api, "post", "/tenancy/contact-assignments/", {
            "object_type": "tenancy.tenant", "object_id": book["acme"].pk,
            "contact": book["carol"].pk, "role": book["technical"].pk, "priority": "secondary",
        })
    )  # fmt: skip

    assert by_id["object_type"] == "dcim.site" and by_id["object"]["name"] == "FRA1"
    assert by_id["priority"] is None and by_id["display"] == "Bob -> FRA1"
    assert by_attributes["object_type"] == "tenancy.tenant" and by_attributes["object"]["slug"] == "acme"

    patched = call(api, "patch", f"/tenancy/contact-assignments/{by_id['id']}/", {"priority": "tertiary"})
    moved = call(api, "patch", f"/tenancy/contact-assignments/{by_id['id']}/", {"object_id": book["ams"].pk})
    cleared = call(api, "patch", f"/tenancy/contact-assignments/{by_id['id']}/", {"priority": None})

    assert patched.json()["priority"] == {"value": "tertiary", "label": "Tertiary"}
    assert moved.json()["object"]["name"] == "AMS1"
    assert cleared.status_code == 200 and cleared.json()["priority"] is None
    assert call(api, "delete", f"/tenancy/contact-assignments/{by_id['id']}/").status_code == 204
    assert call(api, "get", f"/tenancy/contact-assignments/{by_id['id']}/").status_code == 404


def test_contact_assignment_bulk_create(api, book):
    payload = [
        {"object_type": "dcim.site", "object_id": site.pk, "contact": book["dave"].pk, "role": role.pk}
        for site in (book["ams"], book["fra"])
        for role in (book["technical"], book["billing"])
    ]

    response = call(api, "post", "/tenancy/contact-assignments/", payload)

    assert response.status_code == 201, response.content
    assert [row["display"] for row in response.json()] == [
        "Dave -> AMS1",
        "Dave -> AMS1",
        "Dave -> FRA1",
        "Dave -> FRA1",
    ]


def test_contact_assignments_are_unique_per_object_contact_and_role(api, book):
    payload = {
        "object_type": "dcim.site", "object_id": book["ams"].pk, "contact": book["alice"].pk,
        "role": book["technical"].pk,
    }  # fmt: skip

    duplicate = call(api, "post", "/tenancy/contact-assignments/", {**payload, "priority": "secondary"})
    other_role = call(api, "post", "/tenancy/contact-assignments/", {**payload, "role": book["billing"].pk})

    assert duplicate.status_code == 400
    assert list(duplicate.json().values()) == [
        ["The fields object_type, object_id, contact, role must make a unique set."]
    ]
    assert other_role.status_code == 201


def test_contact_assignment_validation(api, org_a, book):
    with tenant_context(org_a.organization):
        tenant_group = TenantGroup.objects.create(name="Customers", slug="customers")
    base = {"contact": book["alice"].pk, "role": book["billing"].pk}

    missing = call(api, "post", "/tenancy/contact-assignments/", {})
    wrong_type = call(api, "post", "/tenancy/contact-assignments/", {
        **base, "object_type": "tenancy.tenantgroup", "object_id": tenant_group.pk,
    })  # fmt: skip
    no_object = call(api, "post", "/tenancy/contact-assignments/", {
        **base, "object_type": "dcim.site", "object_id": 999999,
    })  # fmt: skip
    bad_priority = call(api, "post", "/tenancy/contact-assignments/", {
        **base, "object_type": "dcim.site", "object_id": book["fra"].pk, "priority": "urgent",
    })  # fmt: skip

    assert missing.json() == {
        "object_type": ["This field is required."],
        "object_id": ["This field is required."],
        "contact": ["This field is required."],
        "role": ["This field is required."],
    }
    assert wrong_type.json() == {
        "object_type": ["Contacts cannot be assigned to this object type (tenancy.tenantgroup)."]
    }
    assert no_object.json() == {"object_id": ["Related object not found using the provided numeric ID: 999999"]}
    assert bad_priority.json() == {"priority": ["Value 'urgent' is not a valid choice."]}


def test_contact_assignment_accepts_netboxs_object_type_label(api, book):
    response = call(api, "post", "/tenancy/contact-assignments/", {
        "object_type": "dcim.site", "object_id": book["fra"].pk, "contact": book["bob"].pk,
        "role": book["technical"].pk,
    })  # fmt: skip

    assert response.status_code == 201, response.content


def test_deleting_an_object_deletes_its_contact_assignments(api, org_a, book):
    assert call(api, "delete", f"/dcim/sites/{book['ams'].pk}/").status_code == 204

    with tenant_context(org_a.organization):
        assert not ContactAssignment.objects.exists()


@pytest.fixture
def assignments(org_a, book):
    """Besides Alice -> AMS1 (technical, primary): Bob -> FRA1 (billing), Carol -> Acme (technical, secondary)."""
    with tenant_context(org_a.organization):
        ContactAssignment.objects.create(
            object_type=book["site_type"], object_id=book["fra"].pk, contact=book["bob"], role=book["billing"]
        )
        ContactAssignment.objects.create(
            object_type=ContentType.objects.get_for_model(Tenant), object_id=book["acme"].pk, contact=book["carol"],
            role=book["technical"], priority="secondary",
        )  # fmt: skip
    return book


def contacts_of(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["contact"]["name"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Alice", "Bob", "Carol"]),
        ("object_type=dcim.site", ["Alice", "Bob"]),
        ("object_type=tenancy.tenant", ["Carol"]),
        ("object_type__n=dcim.site", ["Carol"]),
        ("object_type=dcim.nothing", []),
        ("role=technical", ["Alice", "Carol"]),
        ("priority=primary", ["Alice"]),
        ("priority__n=primary", ["Bob", "Carol"]),
        ("group=engineering", ["Alice", "Bob"]),
        ("group=noc", ["Alice"]),
        ("group_id=null", []),
        ("q=bo", ["Bob"]),
        ("q=billing", ["Bob"]),
    ],
)
def test_contact_assignment_filters(api, assignments, query, expected):
    assert contacts_of(call(api, "get", f"/tenancy/contact-assignments/?{query}")) == expected


def test_contact_assignment_filters_by_id(api, assignments):
    book = assignments
    path = "/tenancy/contact-assignments/"

    assert contacts_of(call(api, "get", f"{path}?object_type_id={book['site_type'].pk}")) == ["Alice", "Bob"]
    assert contacts_of(
        call(api, "get", f"{path}?object_type=dcim.site&object_id={book['fra'].pk}")
    ) == ["Bob"]  # fmt: skip
    assert contacts_of(call(api, "get", f"{path}?contact_id={book['carol'].pk}")) == ["Carol"]
    assert contacts_of(call(api, "get", f"{path}?role_id={book['billing'].pk}")) == ["Bob"]
    assert contacts_of(call(api, "get", f"{path}?group_id={book['engineering'].pk}")) == ["Alice", "Bob"]


def test_objects_filter_by_their_contacts(api, assignments):
    book = assignments

    assert names(call(api, "get", f"/dcim/sites/?contact={book['alice'].pk}")) == ["AMS1"]
    assert names(call(api, "get", f"/dcim/sites/?contact_role={book['billing'].pk}")) == ["FRA1"]
    assert names(call(api, "get", f"/dcim/sites/?contact_group={book['engineering'].pk}")) == ["AMS1", "FRA1"]
    assert names(call(api, "get", f"/dcim/sites/?contact__n={book['alice'].pk}")) == ["FRA1"]
    assert names(call(api, "get", f"/tenancy/tenants/?contact={book['carol'].pk}")) == ["Acme"]
    # A site and a tenant with the same id must not be mixed up.
    assert names(call(api, "get", f"/tenancy/tenants/?contact={book['alice'].pk}")) == []


def test_contacts_in_use_cannot_be_deleted(api, book):
    contact = call(api, "delete", f"/tenancy/contacts/{book['alice'].pk}/")
    role = call(api, "delete", f"/tenancy/contact-roles/{book['technical'].pk}/")

    assert contact.status_code == role.status_code == 409
    assert "1 dependent objects" in contact.json()["detail"]


# -- change log --------------------------------------------------------------------------------


def test_contact_writes_are_change_logged(api, org_a, book):
    contact = created(call(api, "post", "/tenancy/contacts/", {"name": "Erin", "groups": [book["noc"].pk]}))
    assignment = created(
        call(api, "post", "/tenancy/contact-assignments/", {
            "object_type": "dcim.site", "object_id": book["fra"].pk, "contact": contact["id"],
            "role": book["billing"].pk, "changelog_message": "handover",
        })
    )  # fmt: skip
    call(api, "patch", f"/tenancy/contacts/{contact['id']}/", {"groups": [book["sales"].pk, book["noc"].pk]})
    call(api, "delete", f"/tenancy/contact-assignments/{assignment['id']}/")
    call(api, "delete", f"/tenancy/contacts/{contact['id']}/")

    with tenant_context(org_a.organization):
        contact_changes = list(ObjectChange.objects.filter(changed_object_id=contact["id"], object_repr="Erin"))
        assignment_changes = list(
            ObjectChange.objects.filter(
                changed_object_type=ContentType.objects.get_for_model(ContactAssignment),
                changed_object_id=assignment["id"],
            ).order_by("id")
        )
    contact_changes.sort(key=lambda change: change.pk)
    assert [c.action for c in contact_changes] == ["create", "update", "delete"]
    assert contact_changes[0].postchange_data["groups"] == [book["noc"].pk]
    assert contact_changes[1].postchange_data["groups"] == sorted([book["sales"].pk, book["noc"].pk])
    assert contact_changes[0].user_name == "owner-a@example.com"
    assert [c.action for c in assignment_changes] == ["create", "delete"]
    assert assignment_changes[0].message == "handover"
    assert assignment_changes[0].object_repr == "Erin -> FRA1"
    assert assignment_changes[0].postchange_data["object_id"] == book["fra"].pk

    listed = call(api, "get", f"/core/object-changes/?changed_object_id={assignment['id']}&ordering=id").json()
    actions = [row["action"]["value"] for row in listed["results"] if row["object_repr"] == "Erin -> FRA1"]
    assert actions == ["create", "delete"]


# -- isolation ---------------------------------------------------------------------------------


ENDPOINTS = ("contact-groups", "contact-roles", "contacts", "contact-assignments")


def test_another_organizations_member_sees_and_changes_nothing(org_a, org_b, assignments):
    book = assignments
    outsider = org_b.client()
    with tenant_context(org_a.organization):
        assignment = ContactAssignment.objects.get(contact=book["alice"])
    objects = {
        "contact-groups": book["noc"].pk,
        "contact-roles": book["technical"].pk,
        "contacts": book["alice"].pk,
        "contact-assignments": assignment.pk,
    }

    for endpoint, pk in objects.items():
        responses = [
            call(outsider, "get", f"/tenancy/{endpoint}/"),
            call(outsider, "get", f"/tenancy/{endpoint}/{pk}/"),
            call(outsider, "patch", f"/tenancy/{endpoint}/{pk}/", {"description": "mine"}),
            call(outsider, "put", f"/tenancy/{endpoint}/", [{"id": pk, "description": "mine"}]),
            call(outsider, "delete", f"/tenancy/{endpoint}/{pk}/"),
            call(outsider, "delete", f"/tenancy/{endpoint}/", [{"id": pk}]),
            call(outsider, "post", f"/tenancy/{endpoint}/", {"name": "X", "slug": "x"}),
        ]
        assert {r.status_code for r in responses} == {404}, endpoint
        assert responses[1].json() == {"detail": "Not found."}

    with tenant_context(org_a.organization):
        assert ContactGroup.objects.filter(pk=book["noc"].pk, description="").exists()
        assert ContactRole.objects.filter(pk=book["technical"].pk).exists()
        assert Contact.objects.filter(pk=book["alice"].pk, description="").exists()
        assert ContactAssignment.objects.filter(pk=assignment.pk).exists()
        assert not ContactRole.objects.filter(slug="x").exists()
    for endpoint in ENDPOINTS:  # and B's own API shows none of A's
        assert outsider.get(f"/o/org-b/api/tenancy/{endpoint}/").json()["count"] == 0


def test_another_organizations_token_gets_404(org_a, org_b, book):
    _, token = token_create(organization=org_b.organization, user=org_b.owner)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    for endpoint in ENDPOINTS:
        assert call(client, "get", f"/tenancy/{endpoint}/").status_code == 404
    assert call(client, "delete", f"/tenancy/contacts/{book['alice'].pk}/").status_code == 404
    with tenant_context(org_a.organization):
        assert Contact.objects.filter(pk=book["alice"].pk).exists()


def test_another_organizations_writes_cannot_reach_organization_as_objects(org_b, book):
    """Ids of A's objects mean nothing in B: B's own writes cannot reach them."""
    outsider = org_b.client()
    with tenant_context(org_b.organization):
        role = ContactRole.objects.create(name="Technical", slug="technical")
        contact = Contact.objects.create(name="Zed")

    def post(payload):
        return outsider.post(
            "/o/org-b/api/tenancy/contact-assignments/", json.dumps(payload), content_type="application/json"
        )

    to_a_site = post({"object_type": "dcim.site", "object_id": book["ams"].pk, "contact": contact.pk,
                      "role": role.pk})  # fmt: skip
    with_a_contact = post({"object_type": "dcim.site", "object_id": 1, "contact": book["alice"].pk,
                           "role": role.pk})  # fmt: skip
    groups = outsider.post(
        "/o/org-b/api/tenancy/contacts/", json.dumps({"name": "Y", "groups": [book["noc"].pk]}),
        content_type="application/json",
    )  # fmt: skip

    assert to_a_site.status_code == 400
    assert to_a_site.json() == {
        "object_id": [f"Related object not found using the provided numeric ID: {book['ams'].pk}"]
    }
    assert with_a_contact.status_code == 400 and "contact" in with_a_contact.json()
    assert groups.json() == {"groups": [f"Related object not found using the provided numeric ID: {book['noc'].pk}"]}


def test_anonymous_callers_get_nothing(book):
    anonymous = Client()

    for endpoint in ENDPOINTS:
        assert anonymous.get(f"{API}/tenancy/{endpoint}/").status_code == 403
        refused = anonymous.post(f"{API}/tenancy/{endpoint}/", "{}", content_type="application/json")
        assert refused.status_code == 403


# -- cost --------------------------------------------------------------------------------------


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call(client, "get", path)
    assert response.status_code == 200, response.content
    return len(queries)


def test_list_queries_do_not_grow_with_rows(api, org_a, assignments):
    book = assignments
    paths = [f"/tenancy/{endpoint}/" for endpoint in ENDPOINTS] + [
        "/tenancy/contact-assignments/?brief=1",
        f"/tenancy/contacts/?group_id={book['engineering'].pk}",
        "/dcim/sites/?contact_group=" + str(book["engineering"].pk),
    ]
    for path in paths:  # the first requests cache the organization and content types (tenants.authcache)
        _queries(api, path)
    few = {path: _queries(api, path) for path in paths}

    with tenant_context(org_a.organization):
        tenant_type = ContentType.objects.get_for_model(Tenant)
        for number in range(8):
            group = ContactGroup.objects.create(name=f"Team {number}", slug=f"team-{number}", parent=book["noc"])
            role = ContactRole.objects.create(name=f"Role {number}", slug=f"role-{number}")
            contact = Contact.objects.create(name=f"Contact {number}")
            contact.groups.set([group, book["sales"]])
            site = Site.objects.create(name=f"Site {number}", slug=f"site-{number}")
            tenant = Tenant.objects.create(name=f"Tenant {number}", slug=f"tenant-{number}")
            ContactAssignment.objects.create(
                object_type=book["site_type"], object_id=site.pk, contact=contact, role=role
            )
            ContactAssignment.objects.create(object_type=tenant_type, object_id=tenant.pk, contact=contact, role=role)
    many = {path: _queries(api, path) for path in paths}

    assert many == few


def test_circuits_virtualization_and_vpn_objects_take_contacts(api, org_a, org_b, book):
    # given: Bob (Engineering) is the technical contact of a provider, a cluster and a tunnel; each has a twin without
    with tenant_context(org_a.organization):
        vmware = ClusterType.objects.create(name="VMware", slug="vmware")
        objects = {
            "circuits.provider": Provider.objects.create(name="Telia", slug="telia"),
            "virtualization.cluster": Cluster.objects.create(name="vsphere1", type=vmware),
            "vpn.tunnel": Tunnel.objects.create(name="ams-fra", encapsulation="gre"),
        }
        Provider.objects.create(name="Zayo", slug="zayo")
        Cluster.objects.create(name="vsphere2", type=vmware)
        Tunnel.objects.create(name="ams-lon", encapsulation="gre")
    bob, technical, engineering = book["bob"].pk, book["technical"].pk, book["engineering"].pk
    for object_type, obj in objects.items():
        assignment = {"object_type": object_type, "object_id": obj.pk, "contact": bob, "role": technical}
        created(call(api, "post", "/tenancy/contact-assignments/", assignment))

    for path, name, other in (
        ("/circuits/providers/", "Telia", "Zayo"),
        ("/virtualization/clusters/", "vsphere1", "vsphere2"),
        ("/vpn/tunnels/", "ams-fra", "ams-lon"),
    ):
        # when / then
        for query in (f"contact={bob}", f"contact_role={technical}", f"contact_group={engineering}"):
            assert names(call(api, "get", f"{path}?{query}")) == [name], (path, query)
        assert names(call(api, "get", f"{path}?contact__n={bob}")) == [other], path
        theirs = org_b.client().get(f"/o/org-b/api{path}?contact={bob}")
        assert theirs.status_code == 200 and theirs.json()["count"] == 0, path
