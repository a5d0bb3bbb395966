from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from tenants.models import Organization
from tenants.servers import MoveRefused, organization_move, servers


class Command(BaseCommand):
    help = (
        "Move organizations' schemas to another database server (one of WIREBOOK_DATABASE_SERVERS, or "
        "`default`): each schema is copied there in one transaction -- tables, rows, identity positions, "
        "constraints and indexes -- the organization switched to it, and the old schema dropped. Writes to "
        "the organization wait while it moves; reads go on. With --list, print each organization's server."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="slug", help="The organizations to move.")
        parser.add_argument("--to", dest="target", help="The server to move them to (an alias of DATABASES).")
        parser.add_argument("--list", action="store_true", help="List organizations by server instead of moving.")

    def handle(self, *args, slugs, target, list, **options):
        self.verbosity = options["verbosity"]
        if list:
            for slug, database in Organization.objects.order_by("database", "slug").values_list("slug", "database"):
                self.stdout.write(f"{database}\t{slug}")
            return
        if not slugs or not target:
            raise CommandError(f"Name the organizations and the server: --to one of {', '.join(servers())}.")
        organizations = Organization.objects.filter(slug__in=slugs).order_by("slug")
        unknown = sorted(set(slugs) - {organization.slug for organization in organizations})
        if unknown:
            raise CommandError(f"No organization with slug {', '.join(unknown)}.")
        for organization in organizations:
            try:
                result = organization_move(organization, target, progress=self._progress)
            except (MoveRefused, ImproperlyConfigured) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                self.style.SUCCESS(f"{organization.slug}: moved from server {result['from']} to {result['to']}")
                + f" ({result['size']} bytes of SQL)"
            )

    def _progress(self, message):
        if self.verbosity >= 2:
            self.stdout.write(f"  {message}")
