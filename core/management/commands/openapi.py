import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from core.api.openapi import openapi_document

SNAPSHOT = Path(settings.BASE_DIR) / "docs" / "openapi.json"
SNAPSHOT_SERVER = "https://wirebook.example.com/o/acme"


def snapshot_text() -> str:
    return json.dumps(openapi_document(SNAPSHOT_SERVER), indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = (
        "Write the REST API's OpenAPI document to docs/openapi.json (the committed snapshot CI compares "
        "with the code). Use --check to only report whether the snapshot is current."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Exit 1 if docs/openapi.json is out of date.")

    def handle(self, *args, check, **options):
        text = snapshot_text()
        if check:
            current = SNAPSHOT.read_text() if SNAPSHOT.exists() else ""
            if current != text:
                self.stderr.write("docs/openapi.json is out of date: run `make openapi`.")
                raise SystemExit(1)
            self.stdout.write("docs/openapi.json is current.")
            return
        SNAPSHOT.write_text(text)
        self.stdout.write(f"wrote {SNAPSHOT.relative_to(settings.BASE_DIR)}")
