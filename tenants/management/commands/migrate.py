from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import migrate as django_migrate

from tenants.context import public_context
from tenants.migration import default_jobs, schema_targets, schemas_migrate, stale_schemas
from tenants.models import SpareSchema
from tenants.provisioning import spare_pool_refill
from tenants.schemas import current_fingerprint, template_refresh


class Command(django_migrate.Command):
    help = (
        "Migrate the public schema, then every organization schema and spare schema in parallel "
        "(schemas already up to date are skipped), refresh the schema snapshot new organizations "
        "are built from, and refill the spare pool. A schema that fails is reported by organization "
        "and the others still complete. Safe to re-run."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="Worker processes for organization schemas (default WIREBOOK_MIGRATE_JOBS, else one per CPU).",
        )
        parser.add_argument(
            "--schema",
            action="append",
            dest="only_schemas",
            metavar="SCHEMA",
            help="Migrate only this organization or spare schema (repeatable); skips the public schema.",
        )
        parser.add_argument("--public-only", action="store_true", help="Migrate the public schema only.")

    def handle(self, *args, **options):
        jobs = default_jobs(options.pop("jobs") or settings.WIREBOOK_MIGRATE_JOBS)
        only = options.pop("only_schemas")
        public_only = options.pop("public_only")
        verbosity = options["verbosity"]
        with public_context():
            if not only:
                super().handle(*args, **options)
            if public_only:
                return
            self._migrate_organizations(only, jobs, verbosity)

    def _say(self, verbosity, message, style=None):
        if verbosity >= 1:
            self.stdout.write(style(message) if style else message)

    def _migrate_organizations(self, only, jobs, verbosity):
        self._say(verbosity, "Organization schemas:", self.style.MIGRATE_HEADING)
        snapshot = template_refresh()
        if snapshot is None:
            self._say(verbosity, "  no schema snapshot (pg_dump unavailable): new schemas will be migrated")
        targets = schema_targets(only)
        if only and len(targets) < len(set(only)):
            missing = sorted(set(only) - {t.schema_name for t in targets})
            raise CommandError(f"No organization or spare uses schema(s): {', '.join(missing)}")
        stale = stale_schemas([t.schema_name for t in targets])
        todo = [t for t in targets if t.schema_name in stale]
        self._say(verbosity, f"  {len(targets) - len(todo)} up to date, {len(todo)} to migrate with {jobs} job(s)")
        results = schemas_migrate(todo, jobs=jobs)
        failed = [r for r in results if r.error]
        for result in results:
            if result.error:
                last_line = result.error.strip().splitlines()[-1]
                self.stderr.write(f"  FAILED {result.target.schema_name}: {result.target.label}: {last_line}")
                if verbosity >= 2:
                    self.stderr.write(result.error)
            else:
                self._say(verbosity, f"  migrated {result.target.schema_name}: {result.target.label}")
        failed_names = {r.target.schema_name for r in failed}
        current = [t.schema_name for t in targets if t.schema_name not in failed_names]
        SpareSchema.objects.filter(schema_name__in=current).update(fingerprint=current_fingerprint())
        if not only and not failed:
            created = spare_pool_refill()
            if created:
                self._say(verbosity, f"  built {created} spare schema(s)")
        if failed:
            raise CommandError(
                f"{len(failed)} schema(s) failed to migrate: "
                + ", ".join(f"{r.target.schema_name} ({r.target.label})" for r in failed)
                + ". The others are migrated; fix the cause and re-run."
            )
