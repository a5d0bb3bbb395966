from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from automation.archives import organization_backup, organization_backups
from tenants.context import tenant_context
from tenants.models import Organization


class Command(BaseCommand):
    help = (
        "Write a backup of organizations to the storage (S3 when AWS_STORAGE_BUCKET_NAME is set, else "
        "MEDIA_ROOT): each organization's export archive, with every object, custom field, tag, journal "
        "entry and change-log entry, at backups/<id>/<slug>-<UTC time>.zip. The newest "
        "--keep backups of each are kept, older ones deleted. Restore one with `manage.py "
        "organization_restore`. One organization's failure is reported and the others go on; the exit "
        "status is 1 if any failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="slug", help="The organizations to back up.")
        parser.add_argument("--all", action="store_true", help="Back up every organization.")
        parser.add_argument(
            "--keep",
            type=int,
            default=settings.WIREBOOK_BACKUPS_KEPT,
            help="Backups kept per organization, this one included (default WIREBOOK_BACKUPS_KEPT, "
            f"{settings.WIREBOOK_BACKUPS_KEPT}).",
        )
        parser.add_argument(
            "--list", action="store_true", help="List the organizations' backups (oldest first) instead of writing one."
        )

    def handle(self, *args, slugs, all, keep, list, **options):
        if bool(slugs) == bool(all):
            raise CommandError("Name the organizations to back up, or pass --all (not both).")
        if keep < 1:
            raise CommandError("--keep must be 1 or more: the backup just written is kept.")
        organizations = Organization.objects.order_by("slug")
        if slugs:
            organizations = organizations.filter(slug__in=slugs)
            unknown = sorted(set(slugs) - set(organizations.values_list("slug", flat=True)))
            if unknown:
                raise CommandError(f"No organization with slug {', '.join(unknown)}.")
        failed = []
        for organization in organizations:
            if list:
                for name in organization_backups(organization):
                    self.stdout.write(name)
                continue
            try:
                with tenant_context(organization):
                    result = organization_backup(keep=keep)
            except Exception as error:  # reported, and the other organizations go on
                failed.append(organization.slug)
                self.stderr.write(self.style.ERROR(f"{organization.slug}: backup failed: {error!r}"))
                continue
            self.stdout.write(
                self.style.SUCCESS(f"{organization.slug}: {result['path']}")
                + f" ({result['rows']} rows, {result['size']} bytes; {len(result['deleted'])} older deleted)"
            )
        if failed:
            raise CommandError(f"The backup of {len(failed)} organization(s) failed: {', '.join(failed)}.")
