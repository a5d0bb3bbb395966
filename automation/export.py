"""Export of all an organization's data as one .zip: a background job (automation.Job).

The archive holds one JSON file per registered model, `<api app>/<api path>.json` (e.g.
`dcim/sites.json`), a list of objects in exactly the shape NetBox's REST API returns them,
and `manifest.json`: the organization, the time, the count of each file's objects and the
Wirebook version. For restoring (automation.backup) it also holds every row of every table of
the organization's schema (`tables/<table>.jsonl`) and the migrations that schema had applied.
It is written to the default storage under the organization's own prefix (`tenants.files`),
which the organization's deletion removes.

The job runs inside the organization's schema (`OrganizationTask`), so it can only read that
organization's tables. It reads everything in one REPEATABLE READ, READ ONLY transaction: the
archive is the organization as it was at one moment (`snapshot_time` in the manifest), however
long the export takes and whatever members write meanwhile -- never a site whose region is missing
from the regions file because both were created halfway through.
"""

import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from automation.backup import applied_migrations, tables_holding_rows, tables_write, tenant_models
from automation.models import Job, JobStatus
from automation.services import job_enqueue, job_function_path
from core.registry import ObjectSpec, registry
from core.representation import Links, optimize, render
from tenants.audit import audit_record
from tenants.context import current_organization
from tenants.files import organization_files_prefix
from tenants.models import AuditAction, Organization

# 2: with `tables/` and the manifest's `tables` and `migrations`, which a restore reads.
EXPORT_FORMAT = 2
CHUNK_SIZE = 500
# Archives kept per organization: a new export deletes the files of older ones beyond this.
EXPORTS_KEPT = 3


def organization_export_enqueue(*, organization: Organization, user, root: str) -> Job:
    """Queue an export of the current organization; `root` is its base URL (`https://host/o/acme/`),
    from which the archive's `url` fields are built. Audited in the same transaction."""
    with transaction.atomic():
        job = job_enqueue(
            name="Organization export", function=organization_export, arguments={"root": root}, user_id=user.pk
        )
        audit_record(
            organization=organization,
            action=AuditAction.ORGANIZATION_EXPORT_REQUESTED,
            actor=user,
            target=str(job.job_id),
        )
    return job


def organization_exports(limit: int = 5) -> list[Job]:
    """The latest exports, each with `download_path`: its archive, or None while there is none."""
    jobs = list(Job.objects.filter(function=EXPORT_FUNCTION)[:limit])
    for job in jobs:
        job.download_path = export_path(job)
    return jobs


def export_path(job: Job) -> str | None:
    """Where a completed export's archive is, if it is one of this organization's."""
    organization = current_organization()
    path = (job.data or {}).get("path") if job.status == JobStatus.COMPLETED else None
    if organization is None or not isinstance(path, str):
        return None
    return path if path.startswith(organization_files_prefix(organization.pk)) else None


def _write_objects(entry, objects: Iterable, links: Links) -> int:
    """Stream a JSON list into an archive entry, one object at a time."""
    count = 0
    entry.write(b"[")
    for obj in objects:
        entry.write(b",\n" if count else b"\n")
        entry.write(json.dumps(render(obj, links), cls=DjangoJSONEncoder, ensure_ascii=False).encode())
        count += 1
    entry.write(b"\n]\n")
    return count


@contextmanager
def read_snapshot() -> Iterator[dict]:
    """A REPEATABLE READ, READ ONLY transaction around the block: every read in it sees the
    database as it was when the transaction's first statement ran, whatever commits meanwhile.
    Yields what the manifest records: that moment (`snapshot_time`) and the isolation level.

    Inside a transaction that is already open (a test's), the block reads within it, and the
    isolation level says so."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        raw = connection.connection
        if outermost:
            # Straight to the server: the first statement Django sends in a transaction sets the
            # search path with a SELECT, after which the isolation level can no longer be chosen.
            raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        taken, isolation = raw.execute(
            "SELECT statement_timestamp(), current_setting('transaction_isolation')"
        ).fetchone()
        yield {"snapshot_time": taken.isoformat(), "isolation": isolation}


def organization_export(job: Job, *, root: str) -> dict:
    """The job: write the archive and return where it is, its size and the counts."""
    organization = current_organization()
    if organization is None:
        raise RuntimeError("an organization export must run inside the organization")
    name = f"{organization_files_prefix(organization.pk)}exports/{job.job_id}.zip"
    result = archive_store(name, root=root)
    _older_exports_delete(job)
    return result


def archive_store(name: str, *, root: str, rest: bool = True) -> dict:
    """Write the current organization's archive to the default storage as `name`: where it went,
    its size and the counts of objects. `root` is the base of the archive's URLs; `rest`: see
    `archive_write`."""
    with tempfile.TemporaryFile() as buffer:
        manifest = archive_write(buffer, root=root, rest=rest)
        size = buffer.tell()
        buffer.seek(0)
        path = default_storage.save(name, File(buffer, name=name))
    return {"path": path, "size": size, "counts": manifest["counts"], "rows": sum(manifest["tables"].values())}


def archive_write(file, *, root: str, rest: bool = True) -> dict:
    """Write the current organization's archive into `file`; its manifest.
    Without `rest`, only what a restore reads (the tables and the manifest): a backup, written in a
    small part of the time the REST shapes take."""
    organization = current_organization()
    if organization is None:
        raise RuntimeError("an organization archive is written inside the organization")
    links = Links.for_root(root)
    counts: dict[str, int] = {}
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive, read_snapshot() as snapshot:
        # Most tables of an organization are empty: one statement names those that are not, and the
        # files of the others are written without reading them (the same files, empty).
        specs = sorted(registry, key=lambda spec: spec.type_label) if rest else []
        holding = tables_holding_rows(
            [model._meta.db_table for model in tenant_models()] + [spec.model._meta.db_table for spec in specs]
        )
        for spec in specs:
            counts[spec.type_label] = export_model(archive, spec, links, empty=spec.model._meta.db_table not in holding)
        tables = tables_write(archive, holding)
        manifest = {
            "format": EXPORT_FORMAT,
            "organization": {"name": organization.name, "slug": organization.slug},
            "created": timezone.now().isoformat(),
            **snapshot,
            "wirebook_version": settings.WIREBOOK_VERSION,
            "netbox_version": settings.WIREBOOK_NETBOX_COMPATIBLE_VERSION,
            "counts": counts,
            "rest": rest,
            "tables": tables,
            "migrations": applied_migrations(),
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def export_model(archive: zipfile.ZipFile, spec: ObjectSpec, links: Links, *, empty: bool = False) -> int:
    """Write the file of one registered model (`<api app>/<api path>.json`); how many objects it holds.
    `empty`: its table is known to hold no row (an empty list is written without a query)."""
    objects = optimize(spec.model._default_manager.all(), spec, brief=False).order_by("pk")
    with archive.open(f"{spec.api_app}/{spec.api_path}.json", "w", force_zip64=True) as entry:
        return _write_objects(entry, () if empty else objects.iterator(chunk_size=CHUNK_SIZE), links)


# How export jobs are told apart from other jobs: the function they store.
EXPORT_FUNCTION = job_function_path(organization_export)


def _older_exports_delete(job: Job) -> None:
    """Delete the archives of all but the EXPORTS_KEPT newest exports, this one included."""
    finished = Job.objects.filter(function=EXPORT_FUNCTION, status=JobStatus.COMPLETED).exclude(pk=job.pk)
    for old in finished.order_by("-created", "-id")[EXPORTS_KEPT - 1 :]:
        path = export_path(old)
        if path is not None:
            default_storage.delete(path)
            Job.objects.filter(pk=old.pk).update(data={**(old.data or {}), "path": None, "deleted": True})
