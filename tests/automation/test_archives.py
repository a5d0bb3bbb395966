"""Restoring from the organization's settings (an owner's background job), and the operators'
`organization_backup` / `organization_restore` commands and daily backups (automation.archives)."""

import io
import json
import zipfile
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from automation import tasks
from automation.archives import (
    RESTORES_DIR,
    backups_prefix,
    organization_backups,
)
from automation.backup import archive_open, organization_restore
from automation.models import Job
from core.models import Tag
from inventory.models import Site
from tenants.context import tenant_context
from tenants.files import organization_files_delete, organization_files_prefix
from tenants.models import AuditAction, Membership, MembershipRole, Organization
from tests.automation.test_backup import archive_of, assert_same, table_rows
from tests.conftest import wait_for
from tests.frontend.test_export import network
from tests.saas_platform.members import IP, client_of, events, member

RESTORE = "/o/org-b/settings/danger/restore/"


def upload(content: bytes, name="acme-export.zip") -> dict:
    return {"archive": SimpleUploadedFile(name, content, content_type="application/zip")}


def jobs(organization) -> list[Job]:
    with tenant_context(organization):
        return list(Job.objects.all())


def stored_uploads(organization) -> list[str]:
    try:
        return default_storage.listdir(f"{organization_files_prefix(organization.pk)}{RESTORES_DIR}".rstrip("/"))[1]
    except FileNotFoundError:
        return []


# --- an owner restores from the settings, through a real worker --------------------------------------


def test_an_owner_restores_an_archive_into_a_new_organization_through_the_worker(committed, worker):
    # given an organization with data and its archive, and a new organization of the same owner
    owner = committed.user("owner-restore@example.com")
    source = committed.organization("restore-source", owner=owner)
    network(source, "kept")
    content = archive_of(source)
    target = committed.organization("restore-target", owner=owner)
    client = client_of(owner)

    # when the owner uploads the archive in the new organization's danger zone
    response = client.post(f"/o/{target.slug}/settings/danger/restore/", upload(content))

    # then a job restores it, its page showing the progress until it is done
    assert response.status_code == 302, response.content[:500]
    job_page = response["Location"]
    done = wait_for(lambda: 'data-status="completed"' in client.get(job_page).content.decode(), timeout=90)
    assert done, worker.read_text()[-3000:]
    page = client.get(job_page).content.decode()
    assert "Restored" in page and "Restore-Source" in page
    # ... the new organization holds what the first one did, ids and all
    assert_same(table_rows(source), table_rows(target))
    with tenant_context(target):
        assert Site.objects.get().name == "kept site"
    # ... the uploaded file is gone, and the request is in the audit log
    assert stored_uploads(target) == []
    (event,) = events(target, AuditAction.ORGANIZATION_RESTORE_REQUESTED)
    assert (event.actor, event.data["source"]["slug"]) == (owner, source.slug)


# --- what is refused, in the request: nothing is queued, nothing stored ------------------------------


def test_an_archive_into_an_organization_with_data_is_refused_on_the_form(org_a, org_b, media_root):
    network(org_a.organization, "source")
    content = archive_of(org_a.organization)
    with tenant_context(org_b.organization):
        Tag.objects.create(name="mine", slug="mine")

    response = org_b.client().post(RESTORE, upload(content))

    assert response.status_code == 400
    assert "new or empty organization" in response.content.decode()
    assert jobs(org_b.organization) == []
    assert stored_uploads(org_b.organization) == []


def test_what_is_not_an_archive_is_refused_on_the_form(org_b, media_root):
    response = org_b.client().post(RESTORE, upload(b"hello"))

    assert response.status_code == 400
    assert "not a Wirebook export archive" in response.content.decode()
    assert jobs(org_b.organization) == []


def test_an_archive_larger_than_the_limit_is_refused(org_a, org_b, media_root, settings):
    settings.WIREBOOK_RESTORE_MAX_BYTES = 1024
    response = org_b.client().post(RESTORE, upload(archive_of(org_a.organization)))

    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert jobs(org_b.organization) == []


def test_a_valid_upload_is_stored_queued_and_audited(org_a, org_b, media_root):
    network(org_a.organization, "source")

    response = org_b.client().post(RESTORE, upload(archive_of(org_a.organization)))

    (job,) = jobs(org_b.organization)
    assert response.status_code == 302 and response["Location"].endswith(f"/jobs/{job.pk}/")
    assert job.arguments["path"].startswith(f"{organization_files_prefix(org_b.organization.pk)}{RESTORES_DIR}")
    assert default_storage.exists(job.arguments["path"])
    assert [e.target for e in events(org_b.organization, AuditAction.ORGANIZATION_RESTORE_REQUESTED)] == [
        str(job.job_id)
    ]


# --- isolation: only the organization's owners restore into it ------------------------------------------


@pytest.mark.parametrize("role", [MembershipRole.ADMIN, MembershipRole.EDITOR, MembershipRole.VIEWER])
def test_other_roles_do_not_restore(org_a, org_b, media_root, role):
    content = archive_of(org_a.organization)
    someone = member(org_b, role).user

    response = client_of(someone).post(RESTORE, upload(content))

    assert response.status_code == 403
    assert jobs(org_b.organization) == []
    assert stored_uploads(org_b.organization) == []


def test_outsiders_do_not_restore_into_someone_elses_organization(org_a, org_b, media_root):
    content = archive_of(org_a.organization)
    anonymous = Client(raise_request_exception=False, REMOTE_ADDR=IP)

    # the owner of another organization, and someone not logged in
    from_outsider = org_a.client().post(RESTORE, upload(content))
    from_anonymous = anonymous.post(RESTORE, upload(content))

    assert from_outsider.status_code == 404
    assert from_anonymous.status_code == 302 and from_anonymous["Location"].startswith("/login/")
    assert jobs(org_b.organization) == []
    assert stored_uploads(org_b.organization) == []
    assert all(rows == [] for rows in table_rows(org_b.organization).values())


def test_a_restore_job_reads_only_an_upload_of_its_own_organization(org_a, org_b, media_root):
    # given an archive uploaded to organization A
    network(org_a.organization, "secret")
    path = default_storage.save(
        f"{organization_files_prefix(org_a.organization.pk)}{RESTORES_DIR}x.zip", ContentFile(b"PK")
    )
    from automation.archives import organization_restore_job

    # when a job of organization B is given its path, it refuses
    with tenant_context(org_b.organization), pytest.raises(ValueError, match="its own organization"):
        organization_restore_job(Job(pk=1), path=path)
    assert default_storage.exists(path)


def test_a_restore_writes_only_its_own_schema(org_a, org_b):
    # given an organization with data, and an empty one
    network(org_a.organization, "alpha")
    content = archive_of(org_a.organization)
    source_before = table_rows(org_a.organization)

    # when the archive is restored into the empty one
    with tenant_context(org_b.organization):
        organization_restore(archive_open(io.BytesIO(content)))

    # then the source is as it was, and the restored rows are in the target only
    assert table_rows(org_a.organization) == source_before
    assert_same(source_before, table_rows(org_b.organization))


# --- the commands -------------------------------------------------------------------------------------------


def test_organization_backup_writes_under_the_organizations_prefix_and_keeps_the_newest(org_a, org_b, media_root):
    network(org_a.organization, "alpha")

    for _ in range(3):
        call_command("organization_backup", "org-a", "--keep", "2", stdout=StringIO())

    backups = organization_backups(org_a.organization)
    assert len(backups) == 2 or len(backups) == 1  # two in the same second share a name
    assert all(name.startswith(f"backups/{org_a.organization.pk}/org-a-") for name in backups)
    assert all(name.startswith(backups_prefix(org_a.organization)) for name in backups)
    assert organization_backups(org_b.organization) == []
    # ... only what a restore reads: the tables, not the REST shapes
    with default_storage.open(backups[-1]) as stored, zipfile.ZipFile(stored) as archive:
        names = archive.namelist()
        assert "tables/inventory_site.jsonl" in names and "dcim/sites.json" not in names
        assert json.loads(archive.read("manifest.json"))["rest"] is False
    listed = StringIO()
    call_command("organization_backup", "org-a", "--list", stdout=listed)
    assert listed.getvalue().split() == backups


def test_organization_backup_refuses_unknown_slugs_and_both_or_neither_selection(org_a, media_root):
    with pytest.raises(CommandError, match="No organization with slug nope"):
        call_command("organization_backup", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="or pass --all"):
        call_command("organization_backup", stdout=StringIO())
    with pytest.raises(CommandError, match="or pass --all"):
        call_command("organization_backup", "org-a", "--all", stdout=StringIO())


def test_organization_restore_from_the_latest_backup_into_a_new_organization(committed, media_root):
    # given an organization with data and a backup of it
    owner = committed.user("owner-cmd-restore@example.com")
    source = committed.organization("cmd-source", owner=owner)
    network(source, "backed-up")
    call_command("organization_backup", "cmd-source", stdout=StringIO())

    # when the operator restores its latest backup into a new organization
    out = StringIO()
    call_command(
        "organization_restore", "--latest-backup-of", "cmd-source", "--create", "cmd-restored", "--owner",
        owner.email, stdout=out,
    )  # fmt: skip

    # then the new organization, owned by them, holds the same rows
    restored = committed.track(Organization.objects.get(slug="cmd-restored"))
    assert restored.name == source.name
    assert Membership.objects.get(organization=restored).user == owner
    assert_same(table_rows(source), table_rows(restored))
    assert "Restored" in out.getvalue()


def test_organization_restore_refused_leaves_no_new_organization_and_the_target_unchanged(committed, media_root):
    owner = committed.user("owner-cmd-refused@example.com")
    source = committed.organization("cmd-refused-source", owner=owner)
    network(source, "data")
    target = committed.organization("cmd-refused-target", owner=owner)
    network(target, "own")
    before = table_rows(target)
    path = default_storage.save("archive.zip", ContentFile(archive_of(source)))

    with pytest.raises(CommandError, match="new or empty organization"):
        call_command("organization_restore", path, "--into", target.slug, stdout=StringIO())
    with pytest.raises(CommandError, match="not a Wirebook export archive"):
        call_command(
            "organization_restore", __file__, "--create", "cmd-never", "--owner", owner.email, stdout=StringIO()
        )

    assert table_rows(target) == before
    assert not Organization.objects.filter(slug="cmd-never").exists()


# --- daily backups ------------------------------------------------------------------------------------------


def test_the_daily_task_backs_up_every_organization_only_when_turned_on(
    org_a, org_b, media_root, settings, monkeypatch
):
    # run in this process, inside the organization that queued it
    monkeypatch.setattr(tasks.organization_backup, "delay", lambda: tasks.organization_backup.apply().get())
    settings.WIREBOOK_BACKUPS_DAILY = False
    assert tasks.organization_backups_run() == 0
    assert organization_backups(org_a.organization) == []

    settings.WIREBOOK_BACKUPS_DAILY = True
    queued = tasks.organization_backups_run()

    assert queued == Organization.objects.count()
    assert len(organization_backups(org_a.organization)) == 1
    assert len(organization_backups(org_b.organization)) == 1
    with default_storage.open(organization_backups(org_b.organization)[0]) as stored:
        assert io.BytesIO(stored.read()).getvalue().startswith(b"PK")


def test_an_organizations_backups_are_deleted_with_its_files(org_a, org_b, media_root):
    call_command("organization_backup", "org-a", "org-b", stdout=StringIO())

    organization_files_delete(org_a.organization.pk)

    assert organization_backups(org_a.organization) == []
    assert len(organization_backups(org_b.organization)) == 1
