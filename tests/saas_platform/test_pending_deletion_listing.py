"""An organization scheduled for deletion is listed to its owners only -- marked with its deletion
date and the way to cancel -- and to its other members not at all, as an unknown organization would
be: the organization switcher, the list of organizations, and /api/platform/."""

from datetime import datetime

import pytest
from django.test import Client

from tenants.models import Membership, MembershipRole, Organization, OrganizationStatus
from tenants.services import organization_deletion_schedule
from tests.saas_platform.members import member

API = "/api/platform"


@pytest.fixture
def pending(org_a):
    """org_a scheduled for deletion by its owner; returns (org_a, an editor of it, the deletion date)."""
    editor = member(org_a, MembershipRole.EDITOR, "editor-a@example.com").user
    organization_deletion_schedule(organization=org_a.organization, by=org_a.owner, confirmation="org-a")
    due = Organization.objects.get(pk=org_a.organization.pk).deletion_due
    return org_a, editor, due


def client_of(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def also_member_of(org, user):
    """`user` is also an editor of `org`: its pages show the switcher with both organizations."""
    Membership.objects.create(user=user, organization=org.organization, role=MembershipRole.EDITOR)


# --- the organization switcher (every page) --------------------------------------------------


def test_the_switcher_marks_the_organization_for_its_owners(pending, org_b):
    org_a, _, due = pending
    also_member_of(org_b, org_a.owner)

    page = client_of(org_a.owner).get("/o/org-b/").content.decode()

    assert f'<option value="org-a">Organization A (deletion scheduled on {due:%Y-%m-%d})</option>' in page
    assert '<option value="org-b">Organization B</option>' in page


def test_the_switcher_hides_it_from_other_members(pending, org_b):
    _, editor, _ = pending
    also_member_of(org_b, editor)

    page = client_of(editor).get("/o/org-b/").content.decode()

    assert '<option value="org-b">Organization B</option>' in page
    assert 'value="org-a"' not in page and "Organization A" not in page


def test_switching_to_it_works_for_owners_and_is_a_404_for_others(pending):
    org_a, editor, _ = pending

    owner = client_of(org_a.owner).get("/switch/?to=org-a")
    hidden = client_of(editor).get("/switch/?to=org-a")
    unknown = client_of(editor).get("/switch/?to=no-such-org")

    assert owner.status_code == 302 and owner["Location"] == "/o/org-a/"
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content


# --- the list of organizations (/) ------------------------------------------------------------


def test_the_list_shows_owners_the_date_and_a_cancel_button_that_works(pending):
    org_a, _, due = pending
    client = client_of(org_a.owner)

    page = client.get("/").content.decode()

    assert "Organization A" in page
    assert f'Deletion scheduled on <time datetime="{due.isoformat()}">{due:%Y-%m-%d}</time>' in page
    assert 'action="/o/org-a/settings/danger/cancel/"' in page
    # and the button cancels the deletion
    response = client.post("/o/org-a/settings/danger/cancel/")
    assert response.status_code == 302
    assert Organization.objects.get(pk=org_a.organization.pk).status == OrganizationStatus.ACTIVE
    page = client.get("/").content.decode()
    assert "Deletion scheduled" not in page and "danger/cancel" not in page


def test_the_list_hides_it_from_other_members(pending, org_b):
    _, editor, _ = pending
    also_member_of(org_b, editor)

    page = client_of(editor).get("/").content.decode()

    assert "Organization B" in page
    assert "Organization A" not in page and "org-a" not in page


# --- /api/platform/ ---------------------------------------------------------------------------------


def test_the_api_lists_it_to_owners_with_its_deletion_date(pending):
    org_a, _, due = pending
    client = client_of(org_a.owner)

    listed = client.get(f"{API}/organizations/").json()
    detail = client.get(f"{API}/organizations/org-a/")
    me = client.get(f"{API}/me/").json()

    [organization] = listed["results"]
    assert organization["status"] == {"value": "pending_deletion", "label": "Pending deletion"}
    assert datetime.fromisoformat(organization["deletion_due"]) == due.replace(
        microsecond=due.microsecond // 1000 * 1000
    )
    assert organization["deletion_cancel_url"] == "http://testserver/o/org-a/settings/danger/cancel/"
    assert detail.status_code == 200 and detail.json() == organization
    assert me["organizations_count"] == 1


def test_the_api_answers_other_members_as_for_an_unknown_organization(pending, org_b):
    _, editor, _ = pending
    also_member_of(org_b, editor)
    client = client_of(editor)

    listed = client.get(f"{API}/organizations/").json()
    me = client.get(f"{API}/me/").json()

    assert [organization["slug"] for organization in listed["results"]] == ["org-b"]
    assert listed["count"] == me["organizations_count"] == 1
    for path in ("", "members/", "invitations/", "billing/"):
        hidden = client.get(f"{API}/organizations/org-a/{path}")
        unknown = client.get(f"{API}/organizations/no-such-org/{path}")
        assert hidden.status_code == unknown.status_code == 404, path
        assert hidden.content == unknown.content
    assert client.post(f"{API}/organizations/org-a/leave/").status_code == 404


def test_active_organizations_carry_no_deletion_date(org_a, org_b):
    client = client_of(org_a.owner)

    [organization] = client.get(f"{API}/organizations/").json()["results"]
    detail = client.get(f"{API}/organizations/org-a/")
    other = client.get(f"{API}/organizations/org-b/")  # another organization's owner: unknown, as ever

    assert organization["deletion_due"] is None and organization["deletion_cancel_url"] is None
    assert detail.json() == organization
    assert other.status_code == 404
