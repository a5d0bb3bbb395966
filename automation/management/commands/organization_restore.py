import json
import zipfile

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from automation.archives import organization_backups
from automation.backup import ArchiveRefused, archive_open, organization_restore
from tenants.context import tenant_context
from tenants.models import Organization
from tenants.services import organization_create, organization_drop


class Command(BaseCommand):
    help = (
        "Restore an organization from an export archive or backup into a new or an empty organization: every "
        "object, custom field, tag, journal entry and change-log entry, with their ids. All or nothing: a "
        "refused or failed restore leaves the organization as it was (and drops one --create made). Archives "
        "are restored by the same Wirebook migration state that wrote them; one from a newer or an older "
        "state is refused, naming the migrations that differ. Members, API tokens and settings are not in "
        "archives: the target keeps its own."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "archive",
            nargs="?",
            help="The archive: a local .zip file, or a name in the storage (as `organization_backup --list` prints).",
        )
        source.add_argument(
            "--latest-backup-of", metavar="SLUG", help="Restore the newest backup of this organization."
        )
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--into", metavar="SLUG", help="An existing, empty organization to restore into.")
        target.add_argument("--create", metavar="SLUG", help="Create this organization and restore into it.")
        parser.add_argument("--name", help="With --create: its display name (default: the archive's).")
        parser.add_argument("--owner", help="With --create: the email of its owner, an existing user.")

    def handle(self, *args, archive, latest_backup_of, into, create, name, owner, **options):
        path = self._source(archive, latest_backup_of)
        with self._open(path) as file:
            if into:
                organization = Organization.objects.filter(slug=into).first()
                if organization is None:
                    raise CommandError(f"No organization with slug {into!r}.")
                counts = self._restore(organization, file)
            else:
                organization = self._create(create, name, owner, file)
                try:
                    counts = self._restore(organization, file)
                except BaseException:
                    organization_drop(organization)
                    self.stderr.write(f"Dropped {create}, created for the restore.")
                    raise
        self.stdout.write(
            self.style.SUCCESS(f"Restored {sum(counts.values())} rows from {path} into {organization.slug}.")
        )

    def _source(self, archive, latest_backup_of) -> str:
        if archive:
            return archive
        source = Organization.objects.filter(slug=latest_backup_of).first()
        if source is None:
            raise CommandError(f"No organization with slug {latest_backup_of!r}.")
        backups = organization_backups(source)
        if not backups:
            raise CommandError(f"{latest_backup_of} has no backups.")
        return backups[-1]

    def _open(self, path: str):
        try:
            return open(path, "rb")
        except FileNotFoundError:
            pass
        if default_storage.exists(path):
            return default_storage.open(path, "rb")
        raise CommandError(f"No archive {path!r}: neither a local file nor a name in the storage.")

    def _create(self, slug, name, owner, file) -> Organization:
        if not owner:
            raise CommandError("--create needs --owner, the email of the new organization's owner.")
        user = get_user_model().objects.filter(email__iexact=owner).first()
        if user is None:
            raise CommandError(f"No user with email {owner!r}.")
        # Checked against the new organization's schema once it exists (and dropped if refused).
        name = name or _archived_name(file) or slug
        try:
            return organization_create(name=name, slug=slug, owner=user, enforce_quota=False)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

    def _restore(self, organization: Organization, file) -> dict[str, int]:
        file.seek(0)
        last = [0]

        def progress(done: int, total: int) -> None:
            if done - last[0] >= 10000 or done == total:
                last[0] = done
                self.stdout.write(f"  {done} of {total} rows")

        try:
            with tenant_context(organization):
                return organization_restore(archive_open(file), progress=progress)
        except ArchiveRefused as error:
            raise CommandError(" ".join(error.messages)) from error


def _archived_name(file) -> str | None:
    """The name of the organization the archive was made of, if it says."""
    try:
        manifest = json.loads(zipfile.ZipFile(file).read("manifest.json"))
        return str(manifest["organization"]["name"])
    except (zipfile.BadZipFile, KeyError, TypeError, ValueError):
        return None
