"""The organization switcher: every page lists the member's organizations (one query), and
switching only leads into organizations the user belongs to."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import Membership, MembershipRole, Organization


def _join(user, count):
    for number in range(count):
        organization = Organization.objects.create(
            name=f"Customer {number:03}", slug=f"customer-{number:03}", schema_name=f"org_customer_{number:03}"
        )
        Membership.objects.create(user=user, organization=organization, role=MembershipRole.EDITOR)


def test_the_switcher_lists_my_organizations_in_one_query(org_a):
    client = org_a.client()
    client.get("/o/org-a/")  # the first request caches the organization's row (tenants.authcache)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/o/org-a/")
    _join(org_a.owner, 200)

    with CaptureQueriesContext(connection) as many:
        page = client.get("/o/org-a/")

    assert page.status_code == 200
    assert b'<option value="customer-199">Customer 199</option>' in page.content
    assert b"Organization B" not in page.content
    assert len(many) == len(few) > 0


def test_switching_leads_only_into_my_organizations(org_a, org_b):
    client = org_a.client()

    assert client.get("/switch/?to=org-a")["Location"] == "/o/org-a/"
    other = client.get("/switch/?to=org-b")
    unknown = client.get("/switch/?to=no-such-org")
    assert other.status_code == unknown.status_code == 404
    assert other.content == unknown.content
    assert client.get("/switch/?to=org-a", HTTP_HOST="org-b.localhost")["Location"] == "/o/org-a/"
