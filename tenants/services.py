import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from tenants.audit import audit_record
from tenants.context import public_context
from tenants.models import AuditAction, Domain, Membership, MembershipRole, Organization
from tenants.provisioning import spare_claim, spare_pool_schedule_refill
from tenants.schemas import organization_schema_name, schema_build, schema_drop
from tenants.sso import sso_forget

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?\Z")
# Slugs that would be confusing or collide with platform host names and paths.
RESERVED_SLUGS = frozenset(
    {"admin", "api", "app", "auth", "billing", "demo-admin", "docs", "help", "login", "logout", "mail", "o",
     "platform", "public", "signup", "sso", "static", "status", "support", "www"}
)  # fmt: skip


def organization_slug_validate(slug: str) -> str:
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug) or "--" in slug:
        raise ValidationError(
            {
                "slug": [
                    "Use 1-50 lowercase letters, digits and single hyphens, starting and ending with a letter or digit."
                ]
            }
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": [f"'{slug}' is reserved; choose another slug."]})
    return slug


def _slug_taken(slug: str) -> ValidationError:
    return ValidationError({"slug": [f"An organization with slug '{slug}' already exists."]})


def organization_create(*, name: str, slug: str, owner) -> Organization:
    """Create an organization with a ready schema, its `<slug>.<base domain>` domain and the
    owner's membership -- all or nothing.

    The schema is a spare from the pool when one is available (a rename), otherwise it is
    built here from the schema snapshot. A refill of the pool is queued after commit.
    """
    name = (name or "").strip()
    slug = organization_slug_validate(slug)
    if owner is None or not owner.pk:
        raise ValidationError({"owner": ["An organization needs a saved owner."]})
    organization = Organization(name=name, slug=slug, schema_name=organization_schema_name(slug))
    with public_context():
        if Organization.objects.filter(slug=slug).exists():
            raise _slug_taken(slug)
        organization.full_clean(exclude=["slug", "schema_name"])
        try:
            with transaction.atomic():
                organization.save()
                Domain.objects.create(domain=f"{slug}.{settings.WIREBOOK_BASE_DOMAIN}", tenant=organization)
                Membership.objects.create(user=owner, organization=organization, role=MembershipRole.OWNER)
                audit_record(
                    organization=organization,
                    action=AuditAction.ORGANIZATION_CREATED,
                    actor=owner,
                    target=slug,
                    data={"name": name, "slug": slug},
                )
                if not spare_claim(organization.schema_name):
                    schema_build(organization.schema_name)
                spare_pool_schedule_refill()
        except IntegrityError as exc:
            # A concurrent signup won the slug (or its domain) between our check and our insert.
            organization.pk = None
            raise _slug_taken(slug) from exc
        except DatabaseError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == "42P06":  # duplicate_schema
                organization.pk = None
                raise _slug_taken(slug) from exc
            raise
    return organization


def organization_drop(organization: Organization) -> None:
    """Delete an organization's rows and its schema, atomically. Irreversible; for operators."""
    with public_context(), transaction.atomic():
        schema_name = organization.schema_name
        sso_forget(organization)
        organization.delete()
        schema_drop(schema_name)


def user_email_mark_verified(user) -> None:
    """Record that `user`'s address is confirmed (an operator vouches for it: demo, CLI-made owners),
    so login does not ask them to verify it first."""
    from allauth.account.models import EmailAddress

    with public_context():
        EmailAddress.objects.update_or_create(
            user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True, "primary": True}
        )
