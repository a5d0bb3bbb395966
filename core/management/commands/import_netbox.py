import json
import os

from django.core.management.base import BaseCommand, CommandError

from core.netbox_import import ImportFailed, ImportReport, netbox_import
from tenants.context import tenant_context
from tenants.models import Organization


class Command(BaseCommand):
    help = (
        "Copy a live NetBox (4.2 to 4.7) into an organization over NetBox's REST API: custom fields, tags and "
        "every object of the types Wirebook has, with their custom field values, journal entries, contact "
        "assignments, cables (paths traced again by Wirebook) and primary IPs. Read-only on the NetBox side. "
        "Running it again updates what changed in NetBox and leaves the rest; an interrupted run resumes. "
        "Objects Wirebook refuses are listed with NetBox's type, id and the reason, and the rest is imported; "
        "fields NetBox holds that Wirebook does not carry over are listed per type, with how many objects had one. "
        "Each run is written to the organization's audit log (by the operator, with NetBox's URL and the counts). "
        "Exits 1 when the import could not run to its end, 2 when it ended with refused objects."
    )

    def add_arguments(self, parser):
        parser.add_argument("organization", metavar="org-slug", help="The organization to import into.")
        parser.add_argument(
            "--url",
            required=True,
            help="NetBox's base URL, e.g. https://netbox.example.com (no user name or password in it).",
        )
        parser.add_argument(
            "--token",
            help="A NetBox API token that may read everything: v2 (nbt_...) or v1 (40 hex characters). "
            "Default: the NETBOX_TOKEN environment variable (keeps it out of the shell's history).",
        )
        parser.add_argument(
            "--parallel", type=int, default=4, help="Requests to NetBox at the same time (default 4, at most 16)."
        )
        parser.add_argument(
            "--rate", type=float, default=20.0, help="Requests to NetBox per second at most (default 20)."
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, organization, url, token, parallel, rate, json: bool, **options):
        token = token or os.environ.get("NETBOX_TOKEN", "")
        if not token:
            raise CommandError("Give NetBox's API token with --token or NETBOX_TOKEN.")
        if not 1 <= parallel <= 16:
            raise CommandError("--parallel is 1 to 16.")
        if rate <= 0:
            raise CommandError("--rate is a positive number of requests per second.")
        org = Organization.objects.filter(slug=organization.strip().lower()).first()
        if org is None:
            raise CommandError(f"No organization with slug {organization!r}.")

        def progress(done: int, total: int, label: str) -> None:
            if label and not json:
                self.stderr.write(f"[{done + 1}/{total}] {label}")

        with tenant_context(org):
            try:
                report = netbox_import(url=url, token=token, parallel=parallel, rate=rate, progress=progress)
            except ImportFailed as error:
                raise CommandError(
                    f"The import stopped: {error} (what was imported stays; run it again to resume)"
                ) from None
        if json:
            self.stdout.write(_json(report))
        else:
            self._print(report, org.slug)
        if report.failures:
            raise SystemExit(2)

    def _print(self, report: ImportReport, slug: str) -> None:
        self.stdout.write(f"NetBox {report.netbox_version} at {report.netbox_url} -> {slug}")
        self.stdout.write(f"{'type':40} {'created':>8} {'updated':>8} {'unchanged':>10} {'failed':>7}")
        for label, counts in report.counts.items():
            if counts.created or counts.updated or counts.unchanged or counts.failed:
                self.stdout.write(
                    f"{label:40} {counts.created:>8} {counts.updated:>8} {counts.unchanged:>10} {counts.failed:>7}"
                )
        totals = report.totals()
        created, updated, unchanged, failed = (totals[name] for name in ("created", "updated", "unchanged", "failed"))
        self.stdout.write(f"{'total':40} {created:>8} {updated:>8} {unchanged:>10} {failed:>7}")
        for label, why in sorted(report.skipped.items()):
            self.stdout.write(f"not imported: {label}: {why}")
        for label, dropped in report.dropped.items():
            fields = ", ".join(f"{key} ({count})" for key, count in sorted(dropped.items()))
            self.stdout.write(f"not carried over: {label}: {fields}")
        for failure in report.failures:
            errors = "; ".join(f"{key}: {' '.join(map(str, messages))}" for key, messages in failure["errors"].items())
            what = "references of" if failure.get("imported") else "refused"
            self.stdout.write(f"{what} {failure['object_type']} {failure['id']} {failure['display']!r}: {errors}")
        message = f"{sum(totals.values()) - totals['failed']} objects imported, {len(report.failures)} problems."
        self.stdout.write(self.style.SUCCESS(message) if not report.failures else self.style.WARNING(message))


def _json(report: ImportReport) -> str:
    return json.dumps(report.as_dict(), indent=2)
