"""A registration's own tabs and panels (core.registry.Tab / Panel): the Contacts tab of the objects
that take contacts, the change log's difference panel."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from inventory.models import Contact, ContactAssignment, ContactRole, Site, TenantGroup
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole


@pytest.fixture
def ams(org_a):
    """AMS1 with Alice (technical) and Bob (billing); FRA1 with Carol."""
    with tenant_context(org_a.organization):
        technical = ContactRole.objects.create(name="Technical", slug="technical")
        billing = ContactRole.objects.create(name="Billing", slug="billing")
        ams = Site.objects.create(name="AMS1", slug="ams1")
        fra = Site.objects.create(name="FRA1", slug="fra1")
        site = ContentType.objects.get_for_model(Site)
        for contact, role, where in (("Alice", technical, ams), ("Bob", billing, ams), ("Carol", technical, fra)):
            ContactAssignment.objects.create(
                object_type=site, object_id=where.pk, contact=Contact.objects.create(name=contact), role=role
            )
    return ams


def test_the_contacts_tab_lists_the_objects_assignments(org_a, ams):
    owner = org_a.client()

    detail = owner.get(f"/o/org-a/dcim/sites/{ams.pk}/").content.decode()
    tab = owner.get(f"/o/org-a/dcim/sites/{ams.pk}/contacts/")

    # the tab sits after the detail tab, with a count of the site's assignments
    assert re.search(rf'href="/o/org-a/dcim/sites/{ams.pk}/contacts/">Contacts <span[^>]*>2</span>', detail)
    assert tab.status_code == 200
    body = tab.content.decode()
    assert f'aria-current="page" href="/o/org-a/dcim/sites/{ams.pk}/contacts/"' in body
    table = body[body.index("wb-related-table") :]
    assert "Alice" in table and "Bob" in table and "Carol" not in table
    assert f"/o/org-a/tenancy/contact-assignments/add/?object_type=dcim.site&amp;object_id={ams.pk}" in body
    assert f"/o/org-a/tenancy/contact-assignments/?object_type=dcim.site&amp;object_id={ams.pk}" in body


def test_the_add_link_fills_in_the_object(org_a, ams):
    form = org_a.client().get(f"/o/org-a/tenancy/contact-assignments/add/?object_type=dcim.site&object_id={ams.pk}")
    body = form.content.decode()
    assert re.search(r'<option value="dcim.site" selected>', body) or 'value="dcim.site" selected' in body
    assert f'name="object_id" value="{ams.pk}"' in body


def test_only_objects_that_take_contacts_have_the_tab(org_a):
    with tenant_context(org_a.organization):
        group = TenantGroup.objects.create(name="Customers", slug="customers")
    owner = org_a.client()
    assert f"/{group.pk}/contacts/" not in owner.get(f"/o/org-a/tenancy/tenant-groups/{group.pk}/").content.decode()
    assert owner.get(f"/o/org-a/tenancy/tenant-groups/{group.pk}/contacts/").status_code == 404


def test_the_tab_is_the_organizations_own(org_a, org_b, ams):
    viewer = Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)
    # a viewer sees the assignments but is offered no Add
    body = org_b.client().get(f"/o/org-a/dcim/sites/{ams.pk}/contacts/").content.decode()
    assert "Alice" in body[body.index("wb-related-table") :] and "contact-assignments/add/" not in body
    # once not a member, and from another organization's address, nothing
    viewer.delete()
    assert org_b.client().get(f"/o/org-a/dcim/sites/{ams.pk}/contacts/").status_code == 404
    assert org_b.client().get(f"/o/org-b/dcim/sites/{ams.pk}/contacts/").status_code == 404
    assert org_a.client().get(f"/o/org-a/dcim/sites/{ams.pk + 1000}/contacts/").status_code == 404


def test_a_changes_page_shows_the_difference_panel(org_a):
    owner = org_a.client()
    owner.post("/o/org-a/dcim/regions/add/", {"name": "Europe", "slug": "europe"})
    change_url = re.search(
        r'href="(/o/org-a/core/object-changes/\d+/)"', owner.get("/o/org-a/core/object-changes/").content.decode()
    )

    body = owner.get(change_url[1]).content.decode()

    assert "Difference" in body and "europe" in body
    assert "/changelog/" not in body  # the change log's own entries have no changelog tab
