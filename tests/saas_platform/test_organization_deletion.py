"""Deleting an organization: an owner schedules it (typing the slug), the organization closes,
an owner may cancel during the grace period, and afterwards a beat task drops everything."""

import json
import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.utils import timezone

from tenants.api import INVALID_CREDENTIALS
from tenants.context import public_context
from tenants.files import organization_files_prefix
from tenants.members import invitation_create
from tenants.middleware import PENDING_DELETION
from tenants.models import (
    AuditAction,
    AuditEvent,
    Domain,
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    OrganizationStatus,
    Token,
)
from tenants.services import organization_deletion_cancel, organization_deletion_schedule, organization_deletions_run
from tenants.tasks import organization_deletions_run as organization_deletions_task
from tenants.tokens import token_create
from tests.conftest import PASSWORD, wait_for
from tests.saas_platform.members import IP, client_of, events, member
from tests.saas_platform.test_beat import housekeeping_schedule

DANGER = "/o/org-a/settings/danger/"
DELETE = DANGER + "delete/"
CANCEL = DANGER + "cancel/"


def state(org):
    return Organization.objects.values_list("status", "status_before_deletion", "deletion_due").get(
        pk=org.organization.pk
    )


def schedule(org):
    return organization_deletion_schedule(organization=org.organization, by=org.owner, confirmation="org-a")


def schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None


# --- Scheduling --------------------------------------------------------------------------------


def test_an_owner_schedules_the_deletion_by_typing_the_slug(org_a):
    before = timezone.now()

    response = client_of(org_a.owner).post(DELETE, {"confirmation": "org-a"})

    assert response.status_code == 302
    assert response["Location"] == "/o/org-a/"
    status, previous, due = state(org_a)
    assert (status, previous) == (OrganizationStatus.PENDING_DELETION, OrganizationStatus.ACTIVE)
    grace = timedelta(days=settings.ORGANIZATION_DELETION_GRACE_DAYS)
    assert before + grace <= due <= timezone.now() + grace
    (event,) = events(org_a.organization, AuditAction.ORGANIZATION_DELETION_SCHEDULED)
    assert (event.actor, event.target, event.ip, event.data) == (
        org_a.owner,
        "org-a",
        IP,
        {"deletion_due": due.isoformat()},
    )


def test_the_grace_period_is_a_setting(org_a, settings):
    settings.ORGANIZATION_DELETION_GRACE_DAYS = 3

    schedule(org_a)

    due = state(org_a)[2]
    assert timedelta(days=3) - timedelta(minutes=1) < due - timezone.now() <= timedelta(days=3)


@pytest.mark.parametrize(
    ("confirmation", "message"),
    [("org-b", "Type the organization's slug, org-a, to confirm."), ("", "This field is required.")],
)
def test_a_wrong_confirmation_is_a_form_error_and_changes_nothing(org_a, confirmation, message):
    response = client_of(org_a.owner).post(DELETE, {"confirmation": confirmation})

    assert response.status_code == 400
    assert message in " ".join(response.context["deletion_form"].errors["confirmation"])
    assert state(org_a) == (OrganizationStatus.ACTIVE, "", None)
    assert events(org_a.organization, AuditAction.ORGANIZATION_DELETION_SCHEDULED) == []


@pytest.mark.parametrize("role", [MembershipRole.ADMIN, MembershipRole.EDITOR, MembershipRole.VIEWER])
def test_only_owners_delete(org_a, role):
    client = client_of(member(org_a, role).user)

    assert client.post(DELETE, {"confirmation": "org-a"}).status_code == 403
    assert state(org_a) == (OrganizationStatus.ACTIVE, "", None)
    with pytest.raises(PermissionDenied):
        organization_deletion_schedule(
            organization=org_a.organization, by=Membership.objects.get(role=role).user, confirmation="org-a"
        )


def test_an_admin_sees_the_danger_zone_without_the_delete_form(org_a):
    page = client_of(member(org_a, MembershipRole.ADMIN).user).get(DANGER)

    assert page.status_code == 200
    assert "Export now" in page.content.decode()
    assert 'name="confirmation"' not in page.content.decode()
    assert 'name="confirmation"' in client_of(org_a.owner).get(DANGER).content.decode()


def test_outsiders_cannot_delete(org_a, org_b):
    assert org_b.client().post(DELETE, {"confirmation": "org-a"}).status_code == 404
    assert org_b.client().get(DANGER).status_code == 404
    assert Client().post(DELETE, {"confirmation": "org-a"}).status_code == 302
    assert state(org_a) == (OrganizationStatus.ACTIVE, "", None)


def test_scheduling_twice_is_refused(org_a):
    schedule(org_a)

    with pytest.raises(ValidationError, match="already scheduled"):
        schedule(org_a)


# --- While the deletion is pending ------------------------------------------------------------


@pytest.mark.parametrize("role", [MembershipRole.ADMIN, MembershipRole.VIEWER])
def test_members_find_the_organization_closed(org_a, role):
    client = client_of(member(org_a, role).user)
    schedule(org_a)

    for path in ("/o/org-a/", "/o/org-a/settings/members/", DANGER):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "is scheduled for deletion" in response.content.decode()
        assert "Cancel the deletion" not in response.content.decode()
    assert client.post(CANCEL).status_code == 403
    assert state(org_a)[0] == OrganizationStatus.PENDING_DELETION


def test_owners_are_offered_to_cancel_on_every_page(org_a):
    schedule(org_a)

    response = client_of(org_a.owner).get("/o/org-a/dcim/sites/")

    assert response.status_code == 403
    assert f'action="{CANCEL}"' in response.content.decode()
    assert "Cancel the deletion" in response.content.decode()


def test_the_api_refuses_tokens_sessions_and_provisioning(org_a):
    _, plaintext = token_create(organization=org_a.organization, user=org_a.owner)
    schedule(org_a)

    with_token = Client().get("/o/org-a/api/dcim/sites/", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    with_session = client_of(org_a.owner).get("/o/org-a/api/dcim/sites/")
    provision = Client().post(
        "/o/org-a/api/users/tokens/provision/",
        json.dumps({"username": org_a.owner.email, "password": PASSWORD}),
        content_type="application/json",
    )

    assert (with_token.status_code, with_token.json()) == (403, {"detail": PENDING_DELETION})
    assert (with_session.status_code, with_session.json()) == (403, {"detail": PENDING_DELETION})
    assert (provision.status_code, provision.json()) == (403, {"detail": INVALID_CREDENTIALS})
    assert Token.objects.filter(organization=org_a.organization).count() == 1


def test_outsiders_still_learn_nothing_while_pending(org_a, org_b):
    _, plaintext_b = token_create(organization=org_b.organization, user=org_b.owner)
    schedule(org_a)

    assert org_b.client().get("/o/org-a/").status_code == 404
    assert Client().get("/o/org-a/api/dcim/sites/", HTTP_AUTHORIZATION=f"Bearer {plaintext_b}").status_code == 404
    assert Client().get("/o/org-a/").status_code == 302


# --- Cancelling ------------------------------------------------------------------------------------


def test_an_owner_cancels_and_the_organization_reopens(org_a):
    schedule(org_a)
    client = client_of(org_a.owner)

    response = client.post(CANCEL)

    assert response.status_code == 302
    assert state(org_a) == (OrganizationStatus.ACTIVE, "", None)
    (event,) = events(org_a.organization, AuditAction.ORGANIZATION_DELETION_CANCELLED)
    assert (event.actor, event.ip) == (org_a.owner, IP)
    page = client.get(DANGER)
    assert page.status_code == 200
    assert "Organization A will not be deleted." in page.content.decode()


def test_cancelling_restores_the_previous_status(org_a):
    org_a.organization.status = OrganizationStatus.READ_ONLY
    org_a.organization.save(update_fields=["status"])
    org_a.organization.refresh_from_db()
    schedule(org_a)

    organization_deletion_cancel(organization=org_a.organization, by=org_a.owner)

    assert state(org_a) == (OrganizationStatus.READ_ONLY, "", None)


def test_cancelling_what_is_not_scheduled_is_a_message_not_an_error(org_a):
    client = client_of(org_a.owner)

    response = client.post(CANCEL)

    assert response.status_code == 302
    assert "not scheduled for deletion" in client.get(DANGER).content.decode()
    assert events(org_a.organization, AuditAction.ORGANIZATION_DELETION_CANCELLED) == []


def test_an_organization_not_yet_due_is_kept(org_a):
    schedule(org_a)

    assert organization_deletions_run(now=timezone.now() + timedelta(days=1)) == []

    assert state(org_a)[0] == OrganizationStatus.PENDING_DELETION


def test_the_drop_runs_on_the_beat_schedule():
    entry = housekeeping_schedule()[organization_deletions_task.name]

    assert entry == {"task": organization_deletions_task.name, "schedule": 15 * 60}


# --- The drop (committed: schemas are really dropped) --------------------------------------------


def doomed_organization(committed, slug):
    owner = committed.user(f"owner-{slug}@example.com")
    organization = committed.organization(slug, owner=owner)
    token_create(organization=organization, user=owner)
    invitation_create(organization=organization, email=f"invitee-{slug}@example.com", role="viewer", invited_by=owner)
    default_storage.save(f"{organization_files_prefix(organization.pk)}exports/old.zip", ContentFile(b"zip"))
    organization_deletion_schedule(organization=organization, by=owner, confirmation=slug)
    return organization


def test_after_the_grace_period_everything_is_dropped(committed, media_root, caplog):
    # given an organization whose deletion is due, and one whose deletion is not
    doomed = doomed_organization(committed, "doomed")
    kept = doomed_organization(committed, "kept")
    Organization.objects.filter(pk=doomed.pk).update(deletion_due=timezone.now() - timedelta(seconds=1))

    # when the beat task's service runs
    with caplog.at_level(logging.WARNING, logger="tenants.services"):
        dropped = organization_deletions_run()

    # then the due one is gone -- rows, schema and files -- and the log says so
    assert dropped == ["doomed"]
    with public_context():
        assert not Organization.objects.filter(pk=doomed.pk).exists()
        for model in (Membership, Token, Domain, Invitation, AuditEvent):
            assert not model.objects.filter(**{"organization_id" if model is not Domain else "tenant_id": doomed.pk})
    assert not schema_exists(doomed.schema_name)
    assert not (media_root / organization_files_prefix(doomed.pk)).exists()
    assert any("doomed" in record.getMessage() and "deleted" in record.getMessage() for record in caplog.records)
    # and the other is untouched
    assert Organization.objects.get(pk=kept.pk).status == OrganizationStatus.PENDING_DELETION
    assert schema_exists(kept.schema_name)
    assert default_storage.exists(f"{organization_files_prefix(kept.pk)}exports/old.zip")


def test_a_worker_runs_the_drop_from_the_public_schema(committed, worker):
    doomed = doomed_organization(committed, "doomed-by-worker")
    Organization.objects.filter(pk=doomed.pk).update(deletion_due=timezone.now() - timedelta(seconds=1))

    with public_context():
        organization_deletions_task.delay()

    assert wait_for(lambda: not Organization.objects.filter(pk=doomed.pk).exists()), worker.read_text()[-3000:]
    assert not schema_exists(doomed.schema_name)
    assert "doomed-by-worker" in worker.read_text()
