"""Export of an organization's data (/o/<slug>/settings/danger/): a background job writes one .zip
with a JSON file per registered model, in NetBox's REST shapes, and a manifest."""

import datetime
import io
import json
import threading
import uuid
import zipfile

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InternalError, connection
from django.test import Client
from django.utils import timezone

from automation import export
from automation.export import EXPORT_FUNCTION, organization_export
from automation.models import Job, JobStatus
from core.context import SYSTEM, acting_as
from core.models import Tag
from core.registry import registry
from core.services import object_create, object_update
from inventory.models import Region, Site, Tenant
from tenants.context import tenant_context
from tenants.files import organization_files_prefix
from tenants.models import AuditAction, Membership, MembershipRole
from tests.conftest import wait_for
from tests.saas_platform.members import IP, client_of, events, member

DANGER = "/o/org-a/settings/danger/"


def network(organization, name):
    """A tagged site in a region, with a tenant: nested objects in the REST shape."""
    with tenant_context(organization), acting_as(SYSTEM):
        tag = object_create(model=Tag, data={"name": f"{name} tag", "slug": f"{name}-tag"})
        region = object_create(model=Region, data={"name": f"{name} region", "slug": f"{name}-region"})
        tenant = object_create(model=Tenant, data={"name": f"{name} tenant", "slug": f"{name}-tenant"})
        return object_create(
            model=Site,
            data={"name": f"{name} site", "slug": f"{name}-site", "region": region, "tenant": tenant},
            tags=[tag],
        )


def archive_of(content: bytes) -> dict:
    """The archive's REST-shaped files and manifest, by name (its `tables/` are a restore's: tests/automation)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist() if not name.startswith("tables/")}


def stored_export(organization, path=None) -> Job:
    """A finished export job of `organization` whose archive is in the storage."""
    with tenant_context(organization):
        job = Job.objects.create(name="Organization export", function=EXPORT_FUNCTION, status=JobStatus.COMPLETED)
        path = path or f"{organization_files_prefix(organization.pk)}exports/{job.job_id}.zip"
        path = default_storage.save(path, ContentFile(b"PK archive of " + organization.slug.encode()))
        Job.objects.filter(pk=job.pk).update(data={"path": path, "size": 10, "counts": {}})
        return Job.objects.get(pk=job.pk)


# --- The whole flow, through a real worker ------------------------------------------------------


def test_an_admin_exports_through_the_worker_and_downloads_the_archive(committed, worker):
    # given two organizations with data, and an admin of the first
    mine, theirs = committed.organization("export-mine"), committed.organization("export-theirs")
    site = network(mine, "mine")
    network(theirs, "theirs")
    admin = committed.user("admin-export@example.com")
    Membership.objects.create(user=admin, organization=mine, role=MembershipRole.ADMIN)
    client = client_of(admin)
    danger = f"/o/{mine.slug}/settings/danger/"

    # when they start an export and the worker has run it
    assert client.post(danger + "export/").status_code == 302
    with tenant_context(mine):
        job = Job.objects.get(function=EXPORT_FUNCTION)
    finished = wait_for(lambda: "Download</a>" in client.get(danger).content.decode(), timeout=60)
    assert finished, worker.read_text()[-3000:]

    # then the page links the archive, which holds every registered model in NetBox's shapes
    response = client.get(f"{danger}exports/{job.job_id}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="{mine.slug}-export-')
    content = b"".join(response.streaming_content)
    files = archive_of(content)
    manifest = files.pop("manifest.json")
    assert set(files) == {f"{spec.api_app}/{spec.api_path}.json" for spec in registry}
    assert manifest["organization"] == {"name": mine.name, "slug": mine.slug}
    assert manifest["wirebook_version"] == settings.WIREBOOK_VERSION
    assert manifest["counts"] == {
        f"{spec.api_app}.{spec.model._meta.model_name}": len(files[f"{spec.api_app}/{spec.api_path}.json"])
        for spec in registry
    }
    assert manifest["counts"]["dcim.site"] == 1
    # ... exactly what the REST API returns for the same object
    api = client.get(f"/o/{mine.slug}/api/dcim/sites/{site.pk}/").json()
    assert files["dcim/sites.json"] == [api]
    assert files["dcim/sites.json"][0]["tags"][0]["name"] == "mine tag"
    # ... and nothing of the other organization
    assert b"theirs" not in content
    assert "theirs" not in json.dumps(files)


# --- The job itself, in process ---------------------------------------------------------------------


def test_the_job_writes_the_archive_under_the_organizations_prefix(org_a, org_b, media_root):
    network(org_a.organization, "alpha")
    network(org_b.organization, "beta")

    with tenant_context(org_a.organization):
        job = Job.objects.create(name="Organization export", function=EXPORT_FUNCTION)
        result = organization_export(job, root="https://example.com/o/org-a/")

    assert result["path"] == f"{organization_files_prefix(org_a.organization.pk)}exports/{job.job_id}.zip"
    with default_storage.open(result["path"]) as stored:
        files = archive_of(stored.read())
    assert result["size"] == default_storage.size(result["path"])
    assert result["counts"] == files["manifest.json"]["counts"]
    (site,) = files["dcim/sites.json"]
    assert site["url"] == f"https://example.com/o/org-a/api/dcim/sites/{site['id']}/"
    assert site["region"]["name"] == "alpha region"
    assert [region["name"] for region in files["dcim/regions.json"]] == ["alpha region"]
    assert "beta" not in json.dumps(files)


def test_the_archive_is_one_moment_of_the_organization_whatever_is_written_meanwhile(
    committed, media_root, monkeypatch
):
    # given an organization with a site in a region
    organization = committed.organization("export-snapshot")
    site = network(organization, "early")
    written = {}

    def write_meanwhile():
        """Another member's writes, committed on their own connection while the export runs."""
        try:
            with tenant_context(organization), acting_as(SYSTEM):
                late = object_create(model=Region, data={"name": "late region", "slug": "late-region"})
                object_create(model=Site, data={"name": "late site", "slug": "late-site", "region": late})
                object_update(instance=Site.objects.get(pk=site.pk), data={"name": "renamed site"})
                written["at"] = timezone.now()
        finally:
            connection.close()

    real_export_model = export.export_model

    def export_model(archive, spec, links, **options):
        count = real_export_model(archive, spec, links, **options)
        if spec.type_label == "dcim.region":  # regions written, sites still to come
            thread = threading.Thread(target=write_meanwhile)
            thread.start()
            thread.join(30)
        return count

    monkeypatch.setattr(export, "export_model", export_model)

    # when the export runs, and halfway through a region and a site in it are created and the
    # first site renamed, all committed
    with tenant_context(organization):
        job = Job.objects.create(name="Organization export", function=EXPORT_FUNCTION)
        result = organization_export(job, root="https://example.com/o/export-snapshot/")
        assert Site.objects.filter(name__in=["late site", "renamed site"]).count() == 2  # they did commit

    # then the archive holds the organization as it was when the export began: no late region, no
    # late site (whose region would be missing from the regions file), the site's old name
    with default_storage.open(result["path"]) as stored:
        files = archive_of(stored.read())
    assert "at" in written
    assert [region["name"] for region in files["dcim/regions.json"]] == ["early region"]
    assert [site["name"] for site in files["dcim/sites.json"]] == ["early site"]
    assert files["manifest.json"]["counts"]["dcim.site"] == 1
    assert "late" not in json.dumps(files["core/object-changes.json"])
    manifest = files["manifest.json"]
    assert manifest["isolation"] == "repeatable read"
    assert datetime.datetime.fromisoformat(manifest["snapshot_time"]) < written["at"]


def test_the_export_transaction_cannot_write(committed):
    organization = committed.organization("export-read-only")

    with (
        tenant_context(organization),
        export.read_snapshot() as snapshot,
        pytest.raises(InternalError, match="read-only transaction"),
    ):
        Tag.objects.create(name="Sneaky", slug="sneaky")

    assert snapshot["isolation"] == "repeatable read"
    with tenant_context(organization):
        assert not Tag.objects.filter(slug="sneaky").exists()


# --- Who may export and download ------------------------------------------------------------------


def test_requesting_an_export_queues_a_job_and_an_audit_event(org_a):
    admin = member(org_a, MembershipRole.ADMIN).user

    response = client_of(admin).post(DANGER + "export/")

    assert response.status_code == 302
    with tenant_context(org_a.organization):
        job = Job.objects.get(function=EXPORT_FUNCTION)
    assert (job.status, job.user_id, job.arguments) == (
        JobStatus.PENDING,
        admin.pk,
        {"root": "http://testserver/o/org-a/"},
    )
    (event,) = events(org_a.organization, AuditAction.ORGANIZATION_EXPORT_REQUESTED)
    assert (event.actor, event.target, event.ip) == (admin, str(job.job_id), IP)


@pytest.mark.parametrize("role", [MembershipRole.EDITOR, MembershipRole.VIEWER])
def test_other_roles_neither_export_nor_download(org_a, media_root, role):
    job = stored_export(org_a.organization)
    client = client_of(member(org_a, role).user)

    assert client.get(DANGER).status_code == 403
    assert client.post(DANGER + "export/").status_code == 403
    assert client.get(f"{DANGER}exports/{job.job_id}/download/").status_code == 403
    with tenant_context(org_a.organization):
        assert Job.objects.filter(function=EXPORT_FUNCTION).count() == 1


def test_outsiders_download_nothing(org_a, org_b, media_root):
    job = stored_export(org_a.organization)
    outsider = org_b.client()

    assert client_of(org_a.owner).get(f"{DANGER}exports/{job.job_id}/download/").status_code == 200
    assert outsider.get(f"{DANGER}exports/{job.job_id}/download/").status_code == 404
    # B's own download page does not find A's job: it lives in A's schema
    assert outsider.get(f"/o/org-b/settings/danger/exports/{job.job_id}/download/").status_code == 404
    assert Client().get(f"{DANGER}exports/{job.job_id}/download/").status_code == 302
    assert outsider.post(DANGER + "export/").status_code == 404


def test_only_finished_archives_of_this_organization_are_served(org_a, org_b, media_root):
    elsewhere = stored_export(org_a.organization, path=f"{organization_files_prefix(org_b.organization.pk)}x.zip")
    with tenant_context(org_a.organization):
        pending = Job.objects.create(name="Organization export", function=EXPORT_FUNCTION)
    client = client_of(org_a.owner)

    assert client.get(f"{DANGER}exports/{elsewhere.job_id}/download/").status_code == 404
    assert client.get(f"{DANGER}exports/{pending.job_id}/download/").status_code == 404
    assert client.get(f"{DANGER}exports/{uuid.uuid4()}/download/").status_code == 404
    page = client.get(DANGER).content.decode()
    assert "Download</a>" not in page


def test_only_the_latest_archives_are_kept(org_a, media_root):
    older = [stored_export(org_a.organization) for _ in range(3)]
    with tenant_context(org_a.organization):
        Job.objects.filter(pk=older[0].pk).update(created=older[0].created.replace(year=2020))
        job = Job.objects.create(name="Organization export", function=EXPORT_FUNCTION)
        organization_export(job, root="https://example.com/o/org-a/")
        deleted = Job.objects.get(pk=older[0].pk)

    assert not default_storage.exists(older[0].data["path"])
    assert (deleted.data["path"], deleted.data["deleted"]) == (None, True)
    assert all(default_storage.exists(kept.data["path"]) for kept in older[1:])  # with the new one: EXPORTS_KEPT
    client = client_of(org_a.owner)
    assert client.get(f"{DANGER}exports/{older[0].job_id}/download/").status_code == 404
    assert "deleted (only the latest 3 are kept)" in client.get(DANGER).content.decode()
