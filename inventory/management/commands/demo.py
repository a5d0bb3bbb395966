import os
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from inventory.sample_data import sample_data_load
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole, Organization
from tenants.services import organization_create, user_email_mark_verified

DEMO_EMAIL = "demo@example.com"
DEMO_SLUG = "demo"


class Command(BaseCommand):
    help = (
        "Create (idempotently) the demo organization 'demo' with a small sample network and its owner "
        "demo@example.com, set the owner's password and print the login. The password is "
        "WIREBOOK_DEMO_PASSWORD when set; otherwise the one kept in --password-file (generated and saved "
        "there on the first run), or a fresh random one on every run without that option."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password-file",
            type=Path,
            help="keep the generated password in this file and reuse it on later runs (make run uses .data/run/)",
        )

    def handle(self, *args, **options):
        password = os.environ.get("WIREBOOK_DEMO_PASSWORD") or _kept_password(options["password_file"])
        user, _ = get_user_model().objects.get_or_create(email=DEMO_EMAIL, defaults={"display_name": "Demo user"})
        # Setting even the same password again would log out the demo sessions of earlier runs.
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        user_email_mark_verified(user)
        organization = Organization.objects.filter(slug=DEMO_SLUG).first()
        if organization is None:
            organization = organization_create(name="Demo Network", slug=DEMO_SLUG, owner=user)
        Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": MembershipRole.OWNER})
        with tenant_context(organization):
            if sample_data_load():
                self.stdout.write("  sample network loaded (regions, sites, a tenant, a tag)")
        self.stdout.write(self.style.SUCCESS("Demo organization ready."))
        self.stdout.write(f"  Log in at  http://127.0.0.1:{os.environ.get('WIREBOOK_PORT', '8000')}/login/")
        self.stdout.write(f"  email      {DEMO_EMAIL}")
        self.stdout.write(f"  password   {password}")


def _kept_password(path: Path | None) -> str:
    if path is None:
        return secrets.token_urlsafe(12)
    if path.is_file():
        kept = path.read_text().strip()
        if kept:
            return kept
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(password + "\n")
    return password
