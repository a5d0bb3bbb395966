"""Where organizations' archives are kept, and restoring one as a background job.

Backups (`manage.py organization_backup`, and the daily Celery beat task when
WIREBOOK_BACKUPS_DAILY is on) are export archives (automation.export) written to the default
storage -- local files under MEDIA_ROOT, or S3 when AWS_STORAGE_BUCKET_NAME is set -- under the
organization's own backups prefix: `backups/<id>/<slug>-<UTC time>.zip` (tenants.files). The
newest WIREBOOK_BACKUPS_KEPT of each organization are kept. Deleting an organization deletes them.

An owner restores an archive into their (new, empty) organization from its settings: the upload
is checked at once (automation.backup says what is refused), stored under the organization's prefix
and restored by a job whose page shows its progress; the uploaded file is deleted when it ends.
"""

import datetime
import uuid
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from automation.backup import archive_open, organization_restore, require_empty, restored_models
from automation.export import archive_store
from automation.models import Job
from automation.services import job_enqueue, job_progress_report
from tenants.audit import audit_record
from tenants.context import current_organization
from tenants.files import organization_backups_prefix, organization_files_prefix
from tenants.models import AuditAction, Organization

RESTORES_DIR = "restores/"


def backups_prefix(organization: Organization) -> str:
    return organization_backups_prefix(organization.pk)


def organization_root(organization: Organization) -> str:
    """The base of the URLs in an archive written outside a request."""
    return f"{settings.WIREBOOK_PUBLIC_URL}/o/{organization.slug}/"


def organization_backup(*, keep: int | None = None, now: datetime.datetime | None = None) -> dict:
    """Write a backup of the current organization to the storage and delete all but the newest
    `keep` (WIREBOOK_BACKUPS_KEPT); where it went, its size, its counts and what was deleted."""
    organization = _current()
    keep = settings.WIREBOOK_BACKUPS_KEPT if keep is None else keep
    if keep < 1:
        raise ValueError("at least one backup is kept: the one just written")
    stamp = (now or timezone.now()).astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"{backups_prefix(organization)}{organization.slug}-{stamp}.zip"
    # Only what a restore reads: the REST shapes would take most of the time (docs/operations.md).
    result = archive_store(name, root=organization_root(organization), rest=False)
    result["deleted"] = backups_prune(organization, keep=keep)
    return result


def organization_backups(organization: Organization) -> list[str]:
    """The organization's backups in the storage, oldest first."""
    prefix = backups_prefix(organization)
    try:
        _directories, files = default_storage.listdir(prefix.rstrip("/"))
    except FileNotFoundError:  # local files; S3 lists an unknown prefix as empty
        return []
    return sorted(f"{prefix}{name}" for name in files if name.endswith(".zip"))


def backups_prune(organization: Organization, *, keep: int) -> list[str]:
    """Delete all but the newest `keep` backups; the names deleted."""
    backups = organization_backups(organization)
    doomed = backups[: max(0, len(backups) - keep)]
    for name in doomed:
        default_storage.delete(name)
    return doomed


# --- restoring from the organization's settings ------------------------------------------------------


def organization_restore_enqueue(*, organization: Organization, user, upload: IO[bytes]) -> Job:
    """Check an uploaded archive against the current organization (ArchiveRefused says what is
    wrong), keep it in the storage and queue its restore. Audited in the same transaction."""
    archive = archive_open(upload)
    require_empty(restored_models())
    source = archive.manifest.get("organization") or {}
    upload.seek(0)
    name = f"{organization_files_prefix(organization.pk)}{RESTORES_DIR}{uuid.uuid4()}.zip"
    path = default_storage.save(name, File(upload, name=name))
    try:
        with transaction.atomic():
            job = job_enqueue(
                name=f"Restore of {source.get('name') or 'an archive'}",
                function=organization_restore_job,
                arguments={"path": path},
                user_id=user.pk,
            )
            audit_record(
                organization=organization,
                action=AuditAction.ORGANIZATION_RESTORE_REQUESTED,
                actor=user,
                target=str(job.job_id),
                data={"source": source, "snapshot_time": archive.manifest.get("snapshot_time")},
            )
    except BaseException:
        default_storage.delete(path)
        raise
    return job


def organization_restore_job(job: Job, *, path: str) -> dict:
    """The job: restore the stored upload into this organization, then delete it."""
    organization = _current()
    if not path.startswith(f"{organization_files_prefix(organization.pk)}{RESTORES_DIR}"):
        raise ValueError("a restore reads an archive uploaded to its own organization only")
    try:
        with default_storage.open(path, "rb") as stored:
            archive = archive_open(stored)

            def progress(done: int, total: int) -> None:
                job_progress_report(job.pk, done, total, unit="rows")

            counts = organization_restore(archive, progress=progress)
    finally:
        default_storage.delete(path)
    source = archive.manifest.get("organization") or {}
    rows = sum(counts.values())
    return {
        "counts": counts,
        "source": source,
        "snapshot_time": archive.manifest.get("snapshot_time"),
        "summary": f"Restored {rows} rows of {source.get('name', 'the archive')} "
        f"as it was at {archive.manifest.get('snapshot_time')}.",
    }


def _current() -> Organization:
    organization = current_organization()
    if organization is None:
        raise RuntimeError("this runs inside an organization")
    return organization
