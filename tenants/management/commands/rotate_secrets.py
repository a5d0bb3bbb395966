from django.core.management.base import BaseCommand, CommandError

from tenants.secrets import SecretUnreadable, secrets_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret (SSO client secrets, ...) with the first key of "
        "WIREBOOK_ENCRYPTION_KEY. To rotate the key: put a new key first, keeping the old one after it "
        "(WIREBOOK_ENCRYPTION_KEY=<new>,<old>), restart, run this command, then remove the old key. "
        "Safe to run again; each field is re-encrypted all or nothing."
    )

    def handle(self, *args, **options):
        try:
            results = secrets_rotate()
        except SecretUnreadable as error:
            raise CommandError(str(error)) from None
        for result in results:
            self.stdout.write(f"{result.label} ({result.schema}): {result.rotated} re-encrypted")
        total = sum(result.rotated for result in results)
        self.stdout.write(self.style.SUCCESS(f"{total} secrets re-encrypted with the newest key."))
