from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.services import organization_create, user_email_mark_verified


class Command(BaseCommand):
    help = (
        "Create an organization with its own schema, owned by an existing user or a new one. "
        "Prints the organization's URLs. Not limited by WIREBOOK_MAX_ORGANIZATIONS_PER_USER."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="URL name: lowercase letters, digits and hyphens (e.g. acme-corp).")
        parser.add_argument("--name", help="Display name (default: the slug).")
        parser.add_argument("--owner", required=True, help="Owner's email address.")
        parser.add_argument(
            "--create-owner",
            action="store_true",
            help="Create the owner user if no user has that email (without a password: set one with "
            "`manage.py changepassword`).",
        )

    def handle(self, *args, slug, name, owner, create_owner, **options):
        users = get_user_model().objects
        user = users.filter(email__iexact=owner).first()
        if user is None:
            if not create_owner:
                raise CommandError(f"No user with email {owner!r}; pass --create-owner to create one.")
            try:
                user = users.create_user(email=owner)
                user_email_mark_verified(user)
            except ValidationError as exc:
                raise CommandError(_messages(exc)) from exc
        try:
            # Operators are not held to WIREBOOK_MAX_ORGANIZATIONS_PER_USER.
            organization = organization_create(name=name or slug, slug=slug, owner=user, enforce_quota=False)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Created organization {organization.name!r} (schema {organization.schema_name})")
        )
        for domain in organization.domains.all():
            self.stdout.write(f"  http://{domain.domain}/")
        self.stdout.write(f"  /o/{organization.slug}/ on any Wirebook host")


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)
