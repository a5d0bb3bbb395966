from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max

from inventory.models import CablePath
from inventory.services.cables import paths_retrace
from tenants.context import tenant_context
from tenants.models import Organization

BATCH = 500


class Command(BaseCommand):
    help = (
        "Trace every stored cable path again, in each organization (or those named with --organization), as "
        "NetBox's trace_paths --force does: after an upgrade that changes how paths are traced, paths stored "
        f"before it show the new tracing only once a change touches them. Paths are traced {BATCH} at a time, "
        "each batch in its own transaction; run it again safely at any time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organization",
            action="append",
            default=[],
            metavar="SLUG",
            help="only this organization (repeat for more); every organization by default",
        )

    def handle(self, *args, **options):
        organizations = Organization.objects.order_by("slug")
        if options["organization"]:
            organizations = organizations.filter(slug__in=options["organization"])
            missing = set(options["organization"]) - set(organizations.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"no organization with the slug {', '.join(sorted(missing))}")
        total = 0
        for organization in organizations:
            with tenant_context(organization):
                traced = _retrace_all()
            if traced:
                self.stdout.write(f"  {organization.slug}: {traced} paths traced again")
            total += traced
        self.stdout.write(self.style.SUCCESS(f"{total} paths traced again."))


def _retrace_all() -> int:
    """Trace every path of the current organization again, BATCH origins at a time; how many. A path traced
    again is stored anew (a higher id): only the ids there were at the start are read."""
    last = CablePath.objects.aggregate(last=Max("pk"))["last"] or 0
    traced, after = 0, 0
    while True:
        rows = list(
            CablePath.objects.filter(pk__gt=after, pk__lte=last)
            .order_by("pk")
            .values_list("pk", "origin_type_id", "origin_id")[:BATCH]
        )
        if not rows:
            return traced
        after = rows[-1][0]
        with transaction.atomic():
            paths_retrace([], origins=[(type_id, origin_id) for _pk, type_id, origin_id in rows])
        traced += len(rows)
