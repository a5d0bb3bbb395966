from allauth.account.models import EmailAddress
from django.test import Client, override_settings

from automation.models import Job
from tenants.context import tenant_context
from tenants.models import Domain, Membership, MembershipRole


def test_member_reaches_organization_by_path_prefix(org_a):
    response = org_a.client().get("/o/org-a/")

    assert response.status_code == 200
    assert b"Organization A" in response.content
    assert b"You are owner of this organization" in response.content
    # URLs reversed inside the organization carry its prefix.
    assert b'href="/o/org-a/"' in response.content


def test_member_reaches_organization_by_its_host(org_a):
    response = org_a.client().get("/", HTTP_HOST="org-a.localhost")

    assert response.status_code == 200
    assert b"Organization A" in response.content
    # On the organization's own host, no prefix is needed.
    assert b'href="/"' in response.content and b"/o/org-a/" not in response.content


@override_settings(ALLOWED_HOSTS=["netbox.example.net", ".localhost"])
def test_custom_domain_routes_to_its_organization(org_a):
    Domain.objects.create(domain="netbox.example.net", tenant=org_a.organization, is_primary=False)

    response = org_a.client().get("/", HTTP_HOST="netbox.example.net")

    assert response.status_code == 200
    assert b"Organization A" in response.content


def test_public_site_is_served_without_an_organization(org_a):
    response = org_a.client().get("/")

    assert response.status_code == 200
    assert b"Your organizations" in response.content
    assert b'href="/o/org-a/"' in response.content
    assert b"Organization B" not in response.content


def test_path_without_trailing_slash_is_redirected(org_a):
    response = org_a.client().get("/o/org-a?x=1")

    assert response.status_code == 301
    assert response["Location"] == "/o/org-a/?x=1"


def test_non_member_gets_the_same_404_as_for_an_unknown_organization(org_a, org_b):
    outsider = org_b.client()

    existing = outsider.get("/o/org-a/")
    unknown = outsider.get("/o/no-such-org/")
    existing_host = outsider.get("/", HTTP_HOST="org-a.localhost")
    unknown_host = outsider.get("/", HTTP_HOST="no-such-org.localhost")

    assert existing.status_code == unknown.status_code == 404
    assert existing.content == unknown.content
    assert existing_host.status_code == unknown_host.status_code == 404
    assert existing_host.content == unknown_host.content == existing.content
    assert b"Organization A" not in existing.content


def test_anonymous_is_sent_to_log_in_whether_or_not_the_organization_exists(org_a):
    anonymous = Client()

    existing = anonymous.get("/o/org-a/")
    unknown = anonymous.get("/o/no-such-org/")

    assert existing.status_code == unknown.status_code == 302
    assert existing["Location"] == "/login/?next=/o/org-a/"
    assert unknown["Location"] == "/login/?next=/o/no-such-org/"


def test_each_role_is_admitted(org_a, org_b):
    for role in MembershipRole.values:
        Membership.objects.update_or_create(user=org_b.owner, organization=org_a.organization, defaults={"role": role})
        assert org_b.client().get("/o/org-a/").status_code == 200


def test_data_of_one_organization_is_invisible_from_another(org_a, org_b):
    with tenant_context(org_a.organization):
        Job.objects.create(name="secret-job-of-a", function="x.y")

    # (the dashboard's recent jobs: an organization with only a job is new, its overview the checklist)
    page_b = org_b.client().get("/o/org-b/?dashboard=1")
    page_a = org_a.client().get("/o/org-a/?dashboard=1")

    assert b"secret-job-of-a" in page_a.content
    assert b"secret-job-of-a" not in page_b.content
    with tenant_context(org_b.organization):
        assert not Job.objects.filter(name="secret-job-of-a").exists()


def test_login_page_is_public_on_organization_hosts(db):
    response = Client().get("/login/", HTTP_HOST="org-a.localhost")

    assert response.status_code == 200
    assert b"Log in" in response.content


def test_user_logs_in_with_email_and_password(org_a):
    EmailAddress.objects.create(user=org_a.owner, email=org_a.owner.email, verified=True, primary=True)
    client = Client()

    response = client.post(
        "/login/?next=/o/org-a/",
        {"login": "OWNER-A@example.com", "password": "correct horse battery staple", "next": "/o/org-a/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/o/org-a/"
    assert client.get("/o/org-a/").status_code == 200


def test_wrong_password_shows_a_form_error(org_a):
    response = Client().post("/login/", {"login": "owner-a@example.com", "password": "nope"})

    assert response.status_code == 200
    assert b"The email address and/or password you specified are not correct." in response.content
