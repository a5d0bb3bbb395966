from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from tenants.models import Organization, TokenVersion
from tenants.tokens import token_create


class Command(BaseCommand):
    help = (
        "Create an API token of an organization for one of its members. Prints the token on "
        "stdout, alone, once (it is stored hashed and cannot be shown again); details go to stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument("organization", metavar="org-slug", help="The organization's slug.")
        parser.add_argument("--user", required=True, help="Email address of the member the token acts as.")
        parser.add_argument("--description", default="", help="What the token is for (e.g. 'CI pipeline').")
        parser.add_argument(
            "--expires",
            help="Expiry as an ISO 8601 date or date and time (e.g. 2030-01-31 or 2030-01-31T18:00:00+01:00); "
            "without a time zone, UTC. Default: never.",
        )
        parser.add_argument("--read-only", action="store_true", help="Refuse write methods (POST, PUT, PATCH…).")
        parser.add_argument(
            "--allowed-ip",
            action="append",
            default=[],
            metavar="CIDR",
            help="Network the token may be used from (repeatable). Default: anywhere.",
        )
        parser.add_argument("--v1", action="store_true", help="A legacy v1 token (40 hex characters).")

    def handle(self, *args, organization, user, description, expires, read_only, allowed_ip, v1, **options):
        org = Organization.objects.filter(slug=organization.strip().lower()).first()
        if org is None:
            raise CommandError(f"No organization with slug {organization!r}.")
        member = get_user_model().objects.filter(email__iexact=user.strip()).first()
        if member is None:
            raise CommandError(f"No user with email {user!r}.")
        try:
            token, plaintext = token_create(
                organization=org,
                user=member,
                description=description,
                expires=_expiry(expires) if expires else None,
                write_enabled=not read_only,
                allowed_ips=allowed_ip,
                version=TokenVersion.V1 if v1 else TokenVersion.V2,
                actor=None,  # an operator
            )
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        self.stderr.write(
            self.style.SUCCESS(
                f"Created a {'read-only ' if read_only else ''}v{token.version} token of {org.name!r} "
                f"for {member.email}" + (f", expiring {token.expires.isoformat()}" if token.expires else "") + "."
            )
        )
        self.stderr.write(self.style.WARNING("Copy it now: it is stored hashed and cannot be shown again."))
        self.stdout.write(plaintext)


def _expiry(value: str) -> datetime:
    try:
        moment = parse_datetime(value)
        day = None if moment else parse_date(value)
    except ValueError:
        moment = day = None
    if day is not None:
        moment = datetime(day.year, day.month, day.day)
    if moment is None:
        raise CommandError(f"--expires {value!r} is not an ISO 8601 date or date and time (e.g. 2030-01-31).")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)
