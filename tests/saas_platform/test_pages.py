"""Pages keep a constant number of queries as their lists grow."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from automation.models import Job
from tenants.context import tenant_context
from tenants.models import Membership, Organization


def queries_for(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_organization_list_does_not_grow_with_memberships(org_a):
    client = org_a.client()
    client.get("/")  # the first request looks the host's domain up (then cached, tenants.middleware)
    few = queries_for(client, "/")
    for number in range(5):
        organization = Organization.objects.create(
            name=f"Extra {number}", slug=f"extra-{number}", schema_name=f"org_extra_{number}"
        )
        Membership.objects.create(user=org_a.owner, organization=organization)

    many = queries_for(client, "/")

    assert many == few
    assert b"Extra 4" in client.get("/").content


def test_organization_home_does_not_grow_with_jobs(org_a):
    client = org_a.client()
    for home in ("/o/org-a/", "/o/org-a/?dashboard=1"):  # the getting-started checklist, and the dashboard
        client.get(home)  # the first request caches the organization's row (tenants.authcache)
    few = [queries_for(client, home) for home in ("/o/org-a/", "/o/org-a/?dashboard=1")]
    with tenant_context(org_a.organization):
        Job.objects.bulk_create(Job(name=f"job-{n}", function="x.y", user_id=org_a.owner.pk) for n in range(8))

    assert [queries_for(client, home) for home in ("/o/org-a/", "/o/org-a/?dashboard=1")] == few
