import sys

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import migrate as django_migrate

from tenants.context import public_context, server_context
from tenants.migration import (
    by_server,
    default_jobs,
    missing_migrations,
    schema_targets,
    schemas_migrate,
    spares_withdraw,
    stale_schemas,
)
from tenants.models import SpareSchema
from tenants.plugins import plugins_resync
from tenants.provisioning import spare_pool_refill
from tenants.schemas import current_fingerprint, template_refresh

# Django migrate options that make sense for one schema at a time: they touch the public schema only.
PUBLIC_ONLY_OPTIONS = {"app_label": "app_label", "fake": "--fake", "fake_initial": "--fake-initial", "prune": "--prune"}


class Command(django_migrate.Command):
    help = (
        "Migrate the public schema, then every organization schema and spare schema in parallel "
        "(schemas already up to date are skipped), refresh the schema snapshot new organizations "
        "are built from, refill the spare pool, and bring what enabled plugins ship (their script modules) "
        "into their organizations. A schema that fails is reported by organization "
        "and the others still complete. Safe to re-run. app_label/migration_name, --fake, --fake-initial "
        "and --prune apply to the public schema only; --plan and --check also list stale organization schemas."
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
        public_specific = [flag for key, flag in PUBLIC_ONLY_OPTIONS.items() if options.get(key)]
        if only and (public_specific or public_only):
            raise CommandError("--schema cannot be combined with --public-only, app_label, --fake or --prune.")
        with public_context():
            if not only:
                super().handle(*args, **options)
            if public_only:
                return
            if public_specific:
                self._say(
                    verbosity,
                    f"{', '.join(public_specific)} applied to the public schema only; organization schemas untouched.",
                )
                return
            if options["plan"] or options["check_unapplied"]:
                self._report_stale(only, options["check_unapplied"])
                return
            self._migrate_organizations(only, jobs, verbosity)

    def _report_stale(self, only, exit_if_stale):
        targets = self._targets(only)
        stale: set[str] = set()
        for server, on_server in by_server(targets).items():
            with server_context(server):
                stale |= stale_schemas([t.schema_name for t in on_server])
        self.stdout.write(self.style.MIGRATE_HEADING("Organization schemas:"))
        self.stdout.write(f"  {len(targets) - len(stale)} up to date, {len(stale)} to migrate")
        for target in targets:
            if target.schema_name in stale:
                self.stdout.write(f"  would migrate {target.schema_name}: {target.label}")
        if stale and exit_if_stale:
            sys.exit(1)

    def _targets(self, only):
        targets = schema_targets(only)
        if only and len(targets) < len(set(only)):
            missing = sorted(set(only) - {t.schema_name for t in targets})
            raise CommandError(f"No organization or spare uses schema(s): {', '.join(missing)}")
        return targets

    def _say(self, verbosity, message, style=None):
        if verbosity >= 1:
            self.stdout.write(style(message) if style else message)

    def _migrate_organizations(self, only, jobs, verbosity):
        self._say(verbosity, "Organization schemas:", self.style.MIGRATE_HEADING)
        snapshot = template_refresh()
        if snapshot is None:
            self._say(
                verbosity, "  no schema snapshot (see the warning logged): new schemas will be built by migrating"
            )
        targets = self._targets(only)
        results = []
        grouped = by_server(targets)
        for server, on_server in grouped.items():
            # Each database server's schemas, on that server (tenants.servers).
            with server_context(server):
                missing = missing_migrations([t.schema_name for t in on_server])
                todo = spares_withdraw([t for t in on_server if t.schema_name in missing])
                where = f" on server {server}" if len(grouped) > 1 or server != "default" else ""
                self._say(
                    verbosity,
                    f"  {len(on_server) - len(missing)} up to date, {len(todo)} to migrate{where} with {jobs} job(s)",
                )
                run = schemas_migrate(todo, jobs=jobs, missing=missing)
            for note in run.notes:
                self._say(verbosity, f"  {note}")
            results += run.results
        if not grouped:
            self._say(verbosity, f"  0 up to date, 0 to migrate with {jobs} job(s)")
        failed = [r for r in results if r.error]
        for result in results:
            if result.error:
                last_line = result.error.strip().splitlines()[-1]
                self.stderr.write(f"  FAILED {result.target.schema_name}: {result.target.label}: {last_line}")
                if result.note:
                    self.stderr.write(f"    {result.note}")
                if verbosity >= 2:
                    self.stderr.write(result.error)
            else:
                self._say(verbosity, f"  migrated {result.target.schema_name}: {result.target.label}")
                if result.note and verbosity >= 2:
                    self._say(verbosity, f"    {result.note}")
        failed_names = {r.target.schema_name for r in failed}
        current = [t.schema_name for t in targets if t.schema_name not in failed_names]
        SpareSchema.objects.filter(schema_name__in=current).update(fingerprint=current_fingerprint())
        if not only and not failed:
            created = spare_pool_refill()
            if created:
                self._say(verbosity, f"  built {created} spare schema(s)")
            # A plugin installed or upgraded with this deploy: its organizations get what it ships now.
            synced = plugins_resync()
            if synced:
                self._say(verbosity, f"  synced the enabled plugins of {synced} organization(s)")
        if failed:
            raise CommandError(
                f"{len(failed)} schema(s) failed to migrate: "
                + ", ".join(f"{r.target.schema_name} ({r.target.label})" for r in failed)
                + ". The others are migrated; fix the cause and re-run."
            )
