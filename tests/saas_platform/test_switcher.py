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


def test_switching_keeps_the_kind_of_page(org_a, org_b):
    Membership.objects.create(user=org_a.owner, organization=org_b.organization, role=MembershipRole.VIEWER)
    client = org_a.client()

    def lands(next_path: str) -> str:
        return client.get("/switch/", {"to": "org-b", "next": next_path})["Location"]

    # a list stays that list, an object's pages (their ids mean nothing there) lead to its list
    assert lands("/dcim/sites/") == "/o/org-b/dcim/sites/"
    assert lands("/dcim/sites/7/") == lands("/dcim/sites/7/changelog/") == "/o/org-b/dcim/sites/"
    assert lands("/dcim/devices/12/interfaces/") == "/o/org-b/dcim/devices/"
    assert lands("/settings/members/") == "/o/org-b/settings/members/"
    # anything else, or elsewhere, is the overview: never another site nor a page that does not exist
    for elsewhere in ("", "/", "//evil.example/", "https://evil.example/", "/../../admin/", "/no/such/page/", "x"):
        assert lands(elsewhere) == "/o/org-b/", elsewhere


def test_organization_pages_tell_the_switcher_where_they_are(org_a):
    body = org_a.client().get("/o/org-a/dcim/sites/").content.decode()

    assert body.count('<input type="hidden" name="next" value="/dcim/sites/">') == 2  # the top bar's, the phone's
