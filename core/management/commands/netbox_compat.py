from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from core.api.compat import table_markdown

TABLE = Path(settings.BASE_DIR) / "docs" / "netbox-compatibility.md"


class Command(BaseCommand):
    help = (
        "Write docs/netbox-compatibility.md: every path and operation of NetBox's REST API and whether "
        "Wirebook serves it. Use --check to only report whether the committed table is current."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Exit 1 if the table is out of date.")

    def handle(self, *args, check, **options):
        text = table_markdown()
        if check:
            if (TABLE.read_text() if TABLE.exists() else "") != text:
                self.stderr.write("docs/netbox-compatibility.md is out of date: run `make openapi`.")
                raise SystemExit(1)
            self.stdout.write("docs/netbox-compatibility.md is current.")
            return
        TABLE.write_text(text)
        self.stdout.write(f"wrote {TABLE.relative_to(settings.BASE_DIR)}")
