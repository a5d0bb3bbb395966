import logging
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from tenants.audit import audit_record
from tenants.billing import billing_enabled
from tenants.billing.services import deletion_subscription_end, deletion_subscriptions_reconcile
from tenants.context import public_context, server_context
from tenants.files import organization_files_delete
from tenants.members import is_manager
from tenants.models import AuditAction, AuditEvent, Domain, Membership, MembershipRole, Organization, OrganizationStatus
from tenants.plugins import installed_plugins, plugins_enabled
from tenants.provisioning import spare_claim, spare_pool_schedule_refill
from tenants.schemas import organization_schema_name, schema_build, schema_drop
from tenants.servers import new_organizations_server
from tenants.sso import sso_forget

logger = logging.getLogger(__name__)

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


class OrganizationQuotaExceeded(PermissionDenied):
    """The owner already created `WIREBOOK_MAX_ORGANIZATIONS_PER_USER` organizations."""


def organizations_created_count(user) -> int:
    """Organizations created by (or by an operator for) `user` that still exist, those scheduled
    for deletion included: each holds a PostgreSQL schema until its data is dropped. Counted
    from their `organization.created` audit events, which go with the organization."""
    return AuditEvent.objects.filter(action=AuditAction.ORGANIZATION_CREATED, actor=user).count()


def _organization_quota_check(owner) -> None:
    limit = settings.WIREBOOK_MAX_ORGANIZATIONS_PER_USER
    if not limit:
        return
    # Take turns per user, so that two creates at the last free slot cannot both pass.
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
    if organizations_created_count(owner) >= limit:
        raise OrganizationQuotaExceeded(
            f"You have created {limit} organizations, the most one account may have. "
            "Delete one you no longer need, or ask the operators of this Wirebook for more."
        )


def organization_create(*, name: str, slug: str, owner, enforce_quota: bool = True) -> Organization:
    """Create an organization with a ready schema, its `<slug>.<base domain>` domain and the
    owner's membership -- all or nothing.

    Each organization is a PostgreSQL schema, so an owner may create at most
    `WIREBOOK_MAX_ORGANIZATIONS_PER_USER` (OrganizationQuotaExceeded, a PermissionDenied);
    operators (`manage.py create_organization`) pass `enforce_quota=False`.

    The schema is a spare from the pool when one is available (a rename), otherwise it is
    built here from the schema snapshot. A refill of the pool is queued after commit.
    """
    name = (name or "").strip()
    slug = organization_slug_validate(slug)
    if owner is None or not owner.pk:
        raise ValidationError({"owner": ["An organization needs a saved owner."]})
    organization = Organization(
        name=name,
        slug=slug,
        schema_name=organization_schema_name(slug),
        database=new_organizations_server(),
        enforce_global_unique=settings.WIREBOOK_ENFORCE_GLOBAL_UNIQUE,
    )
    with public_context():
        if Organization.objects.filter(slug=slug).exists():
            raise _slug_taken(slug)
        organization.full_clean(exclude=["slug", "schema_name"])
        try:
            with transaction.atomic():
                if enforce_quota:
                    _organization_quota_check(owner)
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
                # On the organization's server: there, a transaction of its own committed just before
                # this one (with one server, the same transaction: no savepoint).
                with server_context(organization.database), transaction.atomic(savepoint=False):
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
        with server_context(organization.database):
            schema_drop(schema_name)


# The longest change-log retention one can choose: 100 years is "forever" in all but name.
CHANGELOG_RETENTION_MAX = 36500
ONLY_MANAGERS = "Only admins and owners change the organization's settings."
ONLY_OWNERS = "Only owners delete an organization or cancel its deletion."


def _membership_of(organization: Organization, user) -> Membership | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return Membership.objects.filter(organization=organization, user=user).first()


def organization_update(
    *,
    organization: Organization,
    by,
    name: str,
    changelog_retention: int,
    enforce_global_unique: bool | None = None,
) -> Organization:
    """Change the organization's name, change-log retention (days, 0: forever) and whether the global table's
    prefixes and addresses are unique (None: unchanged). Admins and owners only (PermissionDenied); a bad value
    raises ValidationError and changes nothing. One audit event lists the fields that changed, as [old, new];
    an unchanged form writes none."""
    name = (name or "").strip()
    with public_context(), transaction.atomic():
        if not is_manager(_membership_of(organization, by)):
            raise PermissionDenied(ONLY_MANAGERS)
        current = Organization.objects.select_for_update().get(pk=organization.pk)
        before = {
            "name": current.name,
            "changelog_retention": current.changelog_retention,
            "enforce_global_unique": current.enforce_global_unique,
        }
        current.name = name
        current.changelog_retention = changelog_retention
        if enforce_global_unique is not None:
            current.enforce_global_unique = enforce_global_unique
        errors: dict[str, list[str]] = {}
        if isinstance(changelog_retention, int) and changelog_retention > CHANGELOG_RETENTION_MAX:
            errors["changelog_retention"] = [f"Keep entries at most {CHANGELOG_RETENTION_MAX} days, or 0 for forever."]
        try:
            current.full_clean(exclude=["slug", "schema_name"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        changes = {
            field: [old, getattr(current, field)] for field, old in before.items() if getattr(current, field) != old
        }
        if changes:
            current.save(update_fields=list(changes))
            audit_record(
                organization=current,
                action=AuditAction.ORGANIZATION_UPDATED,
                actor=by,
                target=current.slug,
                data=changes,
            )
    for field in before:
        setattr(organization, field, getattr(current, field))
    return organization


def organization_plugins_set(*, organization: Organization, by, plugins: list[str]) -> Organization:
    """Set the installed plugins the organization uses (tenants.plugins). Admins and owners only
    (PermissionDenied); a name that is no installed plugin raises ValidationError and changes nothing.
    Disabling keeps the plugin's data: enabling it again shows it (and brings what the plugin ships up to
    date: tenants.plugins.plugins_enabled). One audit event records the change
    ({"plugins": [old, new]}), as other settings changes; an unchanged list writes none."""
    installed = installed_plugins()
    if not isinstance(plugins, list) or not all(isinstance(name, str) for name in plugins):
        raise ValidationError({"plugins": ["Give a list of plugin names."]})
    unknown = sorted({name for name in plugins if name not in installed})
    if unknown:
        choices = ", ".join(installed) or "none"
        raise ValidationError(
            {"plugins": [f"{name!r} is not an installed plugin (installed: {choices})." for name in unknown]}
        )
    wanted = [name for name in installed if name in plugins]  # installed order, each once
    with public_context(), transaction.atomic():
        if not is_manager(_membership_of(organization, by)):
            raise PermissionDenied(ONLY_MANAGERS)
        current = Organization.objects.select_for_update().get(pk=organization.pk)
        # Names of plugins uninstalled since are kept: reinstalling one brings it back where it was.
        before = list(current.plugins)
        after = [name for name in before if name not in installed] + wanted
        if after != before:
            current.plugins = after
            current.save(update_fields=["plugins"])
            audit_record(
                organization=current,
                action=AuditAction.ORGANIZATION_UPDATED,
                actor=by,
                target=current.slug,
                data={"plugins": [before, after]},
            )
    organization.plugins = current.plugins
    # What the newly enabled plugins ship into the organization's schema (their script modules).
    plugins_enabled(organization, frozenset(after) - frozenset(before))
    return organization


def _owner_locked(organization: Organization, by) -> Organization:
    membership = _membership_of(organization, by)
    if membership is None or membership.role != MembershipRole.OWNER:
        raise PermissionDenied(ONLY_OWNERS)
    return Organization.objects.select_for_update().get(pk=organization.pk)


def organization_deletion_schedule(*, organization: Organization, by, confirmation: str) -> Organization:
    """Mark the organization for deletion after ORGANIZATION_DELETION_GRACE_DAYS. Owners only,
    and only with the organization's slug typed as `confirmation`. Until then the organization
    is closed to its members, and its owners can cancel (`organization_deletion_cancel`);
    afterwards `organization_deletions_run` drops it."""
    with public_context(), transaction.atomic():
        current = _owner_locked(organization, by)
        if current.status == OrganizationStatus.PENDING_DELETION:
            raise ValidationError("This organization is already scheduled for deletion.")
        if (confirmation or "").strip() != current.slug:
            raise ValidationError({"confirmation": [f"Type the organization's slug, {current.slug}, to confirm."]})
        due = timezone.now() + timedelta(days=settings.ORGANIZATION_DELETION_GRACE_DAYS)
        _deletion_state_set(current, OrganizationStatus.PENDING_DELETION, current.status, due)
        audit_record(
            organization=current,
            action=AuditAction.ORGANIZATION_DELETION_SCHEDULED,
            actor=by,
            target=current.slug,
            data={"deletion_due": due.isoformat()},
        )
        _subscription_sync_on_commit(current, by)
    _deletion_state_set(organization, current.status, current.status_before_deletion, current.deletion_due, save=False)
    return organization


def organization_deletion_cancel(*, organization: Organization, by) -> Organization:
    """Keep the organization: back to the status it had before the deletion was scheduled."""
    with public_context(), transaction.atomic():
        current = _owner_locked(organization, by)
        if current.status != OrganizationStatus.PENDING_DELETION:
            raise ValidationError("This organization is not scheduled for deletion.")
        due = current.deletion_due
        _deletion_state_set(current, current.status_before_deletion or OrganizationStatus.ACTIVE, "", None)
        audit_record(
            organization=current,
            action=AuditAction.ORGANIZATION_DELETION_CANCELLED,
            actor=by,
            target=current.slug,
            data={"deletion_due": due.isoformat() if due else None},
        )
        _subscription_sync_on_commit(current, by)
    _deletion_state_set(organization, current.status, "", None, save=False)
    return organization


def _subscription_sync_on_commit(organization: Organization, by) -> None:
    """Once the deletion (or its cancellation) is committed, have a worker stop (or resume) the
    subscription's renewal (`tenants.tasks.deletion_subscription_sync`): the owner's request never
    waits for Stripe, and a failure (retried, then audited) cannot undo the owner's decision."""
    if not billing_enabled():
        return

    def subscription_sync() -> None:
        from tenants.tasks import deletion_subscription_sync

        with public_context():  # stamped for the public schema: it outlives the organization's schema
            deletion_subscription_sync.delay(organization.pk, getattr(by, "pk", None))

    transaction.on_commit(subscription_sync, robust=True)


def _deletion_state_set(organization: Organization, status: str, before: str, due, *, save: bool = True) -> None:
    organization.status, organization.status_before_deletion, organization.deletion_due = status, before, due
    if save:
        organization.save(update_fields=["status", "status_before_deletion", "deletion_due"])


def organization_deletions_run(*, now=None) -> list[str]:
    """Drop every organization whose deletion grace period is over: its schema, its rows
    (memberships, tokens, domains, invitations and audit events cascade) and its files.
    Returns the slugs dropped. Each organization is dropped in its own transaction, with its
    row locked, so a concurrent cancellation either wins or waits and finds nothing. Its Stripe
    subscription, if any, is cancelled first; while Stripe cannot be reached the organization waits
    for the next run (docs/billing.md)."""
    now = now or timezone.now()
    dropped = []
    with public_context():
        deletion_subscriptions_reconcile()
        due = Organization.objects.filter(status=OrganizationStatus.PENDING_DELETION, deletion_due__lte=now)
        for pk in list(due.values_list("pk", flat=True)):
            with transaction.atomic():
                organization = due.select_for_update(skip_locked=True).filter(pk=pk).first()
                if organization is None:
                    continue
                slug, schema_name = organization.slug, organization.schema_name
                if not deletion_subscription_end(organization):
                    continue  # its subscription could not be cancelled: kept until the next run
                organization_drop(organization)
                logger.warning(
                    "organization %s (id %s, schema %s) deleted: its deletion was due at %s",
                    slug, pk, schema_name, organization.deletion_due.isoformat(),
                )  # fmt: skip
            # Files are not transactional: removed once the rows are surely gone.
            organization_files_delete(pk)
            dropped.append(slug)
    return dropped


def user_email_mark_verified(user) -> None:
    """Record that `user`'s address is confirmed (an operator vouches for it: demo, CLI-made owners),
    so login does not ask them to verify it first."""
    from allauth.account.models import EmailAddress

    with public_context():
        EmailAddress.objects.update_or_create(
            user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True, "primary": True}
        )
