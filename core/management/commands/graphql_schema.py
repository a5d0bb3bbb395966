from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from core.graphql import schema_sdl

SNAPSHOT = Path(settings.BASE_DIR) / "docs" / "graphql.schema"


class Command(BaseCommand):
    help = "Write the GraphQL schema (SDL) to docs/graphql.schema, the committed snapshot CI compares with the code."

    def handle(self, *args, **options):
        SNAPSHOT.write_text(schema_sdl())
        self.stdout.write(f"wrote {SNAPSHOT.relative_to(settings.BASE_DIR)}")
