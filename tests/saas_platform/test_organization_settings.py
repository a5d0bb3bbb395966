"""General settings (/o/<slug>/settings/) and the settings sub-navigation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from tenants.models import AuditAction, MembershipRole, Organization
from tenants.services import organization_update
from tests.saas_platform.members import IP, client_of, events, member

GENERAL = "/o/org-a/settings/"
OWNER, ADMIN, EDITOR, VIEWER = MembershipRole.OWNER, MembershipRole.ADMIN, MembershipRole.EDITOR, MembershipRole.VIEWER


def settings_of(org):
    return Organization.objects.values_list("name", "changelog_retention", "enforce_global_unique").get(
        pk=org.organization.pk
    )


@pytest.mark.parametrize("role", [OWNER, ADMIN])
def test_admins_and_owners_see_the_current_settings(org_a, role):
    user = org_a.owner if role == OWNER else member(org_a, role).user

    response = client_of(user).get(GENERAL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Organization A"' in page
    assert 'name="changelog_retention" value="90"' in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_an_admin_changes_name_and_retention_with_one_audit_event(org_a):
    admin = member(org_a, ADMIN).user
    client = client_of(admin)

    response = client.post(
        GENERAL, {"name": "  Acme Networks ", "changelog_retention": "0", "enforce_global_unique": "on"}
    )

    assert response.status_code == 302
    assert settings_of(org_a) == ("Acme Networks", 0, True)
    (event,) = events(org_a.organization, AuditAction.ORGANIZATION_UPDATED)
    assert (event.actor, event.target, event.ip) == (admin, "org-a", IP)
    assert event.data == {"name": ["Organization A", "Acme Networks"], "changelog_retention": [90, 0]}
    assert client.get(GENERAL).content.decode().count("Settings saved.") == 1


def test_saving_unchanged_settings_records_nothing(org_a):
    response = client_of(org_a.owner).post(
        GENERAL, {"name": "Organization A", "changelog_retention": "90", "enforce_global_unique": "on"}
    )

    assert response.status_code == 302
    assert events(org_a.organization, AuditAction.ORGANIZATION_UPDATED) == []


def _global_unique_box(response) -> str:
    """The page's `enforce_global_unique` checkbox, as its <input> tag."""
    page = response.content.decode()
    start = page.rindex("<input", 0, page.index('name="enforce_global_unique"'))
    return page[start : page.index(">", start) + 1]


@pytest.mark.parametrize("role", [OWNER, ADMIN])
def test_a_manager_lets_the_global_table_repeat_addresses(org_a, role):
    # given: NetBox's default, shown checked
    user = org_a.owner if role == OWNER else member(org_a, role).user
    client = client_of(user)
    assert _global_unique_box(client.get(GENERAL)).endswith(" checked>")

    # when: the box is cleared (a browser sends nothing for it)
    response = client.post(GENERAL, {"name": "Organization A", "changelog_retention": "90"})

    # then: the organization's setting changes, with its audit event, and the page shows it cleared
    assert response.status_code == 302
    assert Organization.objects.get(pk=org_a.organization.pk).enforce_global_unique is False
    (event,) = events(org_a.organization, AuditAction.ORGANIZATION_UPDATED)
    assert event.data == {"enforce_global_unique": [True, False]}
    assert not _global_unique_box(client.get(GENERAL)).endswith(" checked>")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "changelog_retention": "30"}, "name", "This field is required."),
        ({"name": "   ", "changelog_retention": "30"}, "name", "This field is required."),
        ({"name": "x" * 101, "changelog_retention": "30"}, "name", "at most 100 characters"),
        ({"name": "Acme", "changelog_retention": "-1"}, "changelog_retention", "greater than or equal to 0"),
        ({"name": "Acme", "changelog_retention": "soon"}, "changelog_retention", "Enter a whole number."),
        ({"name": "Acme", "changelog_retention": "36501"}, "changelog_retention", "less than or equal to 36500"),
        ({"name": "Acme"}, "changelog_retention", "This field is required."),
    ],
)
def test_bad_input_is_a_form_error_and_changes_nothing(org_a, data, field, message):
    response = client_of(org_a.owner).post(GENERAL, data)

    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert settings_of(org_a) == ("Organization A", 90, True)
    assert events(org_a.organization, AuditAction.ORGANIZATION_UPDATED) == []


@pytest.mark.parametrize("role", [EDITOR, VIEWER])
def test_other_roles_get_403_and_change_nothing(org_a, role):
    client = client_of(member(org_a, role).user)

    assert client.get(GENERAL).status_code == 403
    assert client.post(GENERAL, {"name": "Hijacked", "changelog_retention": "1"}).status_code == 403
    assert settings_of(org_a) == ("Organization A", 90, True)


def test_outsiders_see_and_change_nothing(org_a, org_b):
    from tenants.tokens import token_create

    _, token_b = token_create(organization=org_b.organization, user=org_b.owner)
    outsider = org_b.client()
    anonymous = Client(raise_request_exception=False)

    assert outsider.get(GENERAL).status_code == 404
    assert outsider.post(GENERAL, {"name": "Hijacked", "changelog_retention": "1"}).status_code == 404
    assert anonymous.get(GENERAL).status_code == 302
    assert anonymous.post(GENERAL, {"name": "Hijacked", "changelog_retention": "1"}).status_code == 302
    with_token = anonymous.post(
        GENERAL, {"name": "Hijacked", "changelog_retention": "1"}, HTTP_AUTHORIZATION=f"Bearer {token_b}"
    )
    assert with_token.status_code == 302  # pages never accept API tokens: this is an anonymous visitor
    assert settings_of(org_a) == ("Organization A", 90, True)


def test_the_service_refuses_non_managers_and_bad_values(org_a):
    editor = member(org_a, EDITOR).user
    with pytest.raises(PermissionDenied):
        organization_update(organization=org_a.organization, by=editor, name="X", changelog_retention=1)
    with pytest.raises(PermissionDenied):
        organization_update(organization=org_a.organization, by=None, name="X", changelog_retention=1)
    with pytest.raises(ValidationError) as raised:
        organization_update(organization=org_a.organization, by=org_a.owner, name="", changelog_retention=-5)
    assert set(raised.value.message_dict) == {"name", "changelog_retention"}
    assert settings_of(org_a) == ("Organization A", 90, True)


# --- The settings sub-navigation ----------------------------------------------------------------


NAV_LINKS = {
    "General": 'href="/o/org-a/settings/"',
    "Members": 'href="/o/org-a/settings/members/"',
    "Audit log": 'href="/o/org-a/settings/audit/"',
    "API tokens": 'href="/o/org-a/settings/tokens/"',
    "Danger zone": 'href="/o/org-a/settings/danger/"',
}


@pytest.mark.parametrize(
    "path", [GENERAL, "/o/org-a/settings/members/", "/o/org-a/settings/audit/", "/o/org-a/settings/tokens/"]
)
def test_every_settings_page_shows_the_whole_navigation_to_an_owner(org_a, path):
    page = client_of(org_a.owner).get(path).content.decode()

    assert 'class="nav nav-tabs settings-nav' in page
    assert [name for name, link in NAV_LINKS.items() if link not in page] == []
    assert page.count('aria-current="page"') == 1


def test_the_navigation_lists_only_what_a_viewer_may_open(org_a):
    page = client_of(member(org_a, VIEWER).user).get("/o/org-a/settings/members/").content.decode()

    assert [name for name, link in NAV_LINKS.items() if link in page] == ["Members", "API tokens"]
