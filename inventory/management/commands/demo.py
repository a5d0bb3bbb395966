import os
import secrets

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
        "demo@example.com, set the "
        "owner's password and print the login. The password is WIREBOOK_DEMO_PASSWORD when set, "
        "otherwise a fresh random one on every run."
    )

    def handle(self, *args, **options):
        password = os.environ.get("WIREBOOK_DEMO_PASSWORD") or secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(email=DEMO_EMAIL, defaults={"display_name": "Demo user"})
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
