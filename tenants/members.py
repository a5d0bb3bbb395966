"""Organization members and invitations (public schema).

Who may do what:

- admins and owners invite, revoke invitations, change other members' roles and remove them;
- only owners make someone an owner, invite as owner, or demote or remove an owner;
- every member may leave;
- an organization always keeps at least one owner: its last owner can neither leave, be removed
  nor be demoted;
- a member who leaves or is removed loses the identities linked at the organization's identity
  providers (`tenants.sso.sso_identities_unlink`).

A refused permission raises `PermissionDenied`; a refused change raises `ValidationError` (a
`tenants.billing.BillingRefused` when the plan's member limit or a read-only organization refuses
a new member: open invitations count against the limit).

An invitation is accepted through a link carrying a random token; only its HMAC is stored. The
accepting user's verified email address (allauth `EmailAddress`) must be the invited one.
Everything runs in the public schema and may be called from inside an organization's request.
"""

import hmac
import secrets
from hashlib import sha256

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tenants.audit import audit_record
from tenants.billing import member_add_check
from tenants.context import public_context
from tenants.models import AuditAction, Invitation, Membership, MembershipRole, Organization, OrganizationStatus
from tenants.public_urls import public_url

INVITATION_PATH = "/invitations/{token}/"

INVALID = "This invitation link is not valid."
ALREADY_ACCEPTED = "This invitation has already been used."
EXPIRED = "This invitation has expired. Ask for a new one."
WRONG_EMAIL = "This invitation was sent to another email address. Log in with a verified {email} to accept it."
ALREADY_MEMBER = "You are already a member of this organization."
LAST_OWNER = "An organization needs at least one owner. Make someone else an owner first."


def invitation_digest(token: str) -> str:
    """Hex HMAC-SHA256 of an invitation token under the server's pepper."""
    return hmac.new(settings.API_TOKEN_PEPPER.encode(), f"invitation:{token}".encode(), sha256).hexdigest()


def invitation_url(token: str) -> str:
    """The accept link, on the public site (tenants.public_urls): never the request's host."""
    return public_url(INVITATION_PATH.format(token=token))


def memberships_listed(user) -> QuerySet[Membership]:
    """The memberships `user` sees among their organizations (the organization switcher, the list of
    organizations, the platform API): all of them, except that an organization pending deletion is
    shown to its owners only -- marked, with the way to cancel -- and to its other members not at
    all, as if it did not exist."""
    return Membership.objects.filter(user=user).filter(
        ~Q(organization__status=OrganizationStatus.PENDING_DELETION) | Q(role=MembershipRole.OWNER)
    )


def is_manager(membership: Membership | None) -> bool:
    return membership is not None and membership.is_manager


def _manager_membership(organization: Organization, user) -> Membership:
    membership = None
    if user is not None and getattr(user, "pk", None):
        membership = Membership.objects.filter(organization=organization, user=user).first()
    if not is_manager(membership):
        raise PermissionDenied("Only admins and owners manage members.")
    assert membership is not None
    return membership


def _lock_owners(organization_id: int) -> list[Membership]:
    """Lock the organization's owner rows, so two concurrent demotions cannot both pass the
    last-owner check."""
    return list(
        Membership.objects.select_for_update().filter(organization_id=organization_id, role=MembershipRole.OWNER)
    )


def _refuse_last_owner(membership: Membership) -> None:
    if membership.role != MembershipRole.OWNER:
        return
    owners = _lock_owners(membership.organization_id)
    if [owner.pk for owner in owners] == [membership.pk]:
        raise ValidationError(LAST_OWNER, code="last_owner")


def invitation_create(*, organization: Organization, email: str, role: str, invited_by) -> tuple[Invitation, str]:
    """Invite `email` to `organization` with `role` and email them the accept link. Returns the
    invitation and the plaintext token (which is never stored)."""
    email = (email or "").strip()
    with public_context(), transaction.atomic():
        inviter = _manager_membership(organization, invited_by)
        if role == MembershipRole.OWNER and inviter.role != MembershipRole.OWNER:
            raise PermissionDenied("Only owners invite owners.")
        member_add_check(organization, invitation=True)
        if email and Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
            raise ValidationError({"email": ["This person is already a member of the organization."]})
        open_invitations = Invitation.objects.filter(
            organization=organization, email__iexact=email, accepted_at__isnull=True
        )
        # An expired invitation is dead; it must not block a fresh one.
        open_invitations.filter(expires__lte=timezone.now()).delete()
        if email and open_invitations.exists():
            raise ValidationError({"email": ["This address already has an open invitation. Revoke it first."]})
        token = secrets.token_urlsafe(32)
        invitation = Invitation(
            organization=organization, email=email, role=role, invited_by=invited_by, digest=invitation_digest(token)
        )
        invitation.full_clean()
        invitation.save()
        audit_record(
            organization=organization,
            action=AuditAction.INVITATION_CREATED,
            actor=invited_by,
            target=invitation.email,
            data={"role": role},
        )
        link = invitation_url(token)
        subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Join {organization.name} on Wirebook"
        inviter_name = getattr(invited_by, "email", "") or "Someone"
        body = (
            f"{inviter_name} invites you to join {organization.name} on Wirebook as "
            f"{MembershipRole(role).label.lower()}.\n\n"
            f"Accept the invitation: {link}\n\n"
            f"Sign in (or sign up) with {email} to accept. The link expires on "
            f"{invitation.expires:%Y-%m-%d %H:%M} UTC.\n"
        )
        recipient = email
        transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))
    return invitation, token


def invitation_find(*, token: str) -> Invitation | None:
    """The invitation a link's token belongs to (open or not), or None."""
    if not token or len(token) > 100:
        return None
    with public_context():
        return Invitation.objects.select_related("organization").filter(digest=invitation_digest(token)).first()


def invitation_problem(*, invitation: Invitation, user) -> str | None:
    """Why `user` cannot accept `invitation` now, or None when they can."""
    if invitation.accepted_at is not None:
        return ALREADY_ACCEPTED
    if invitation.is_expired:
        return EXPIRED
    with public_context():
        if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
            return WRONG_EMAIL.format(email=invitation.email)
        if Membership.objects.filter(organization_id=invitation.organization_id, user=user).exists():
            return ALREADY_MEMBER
    return None


def invitation_accept(*, token: str, user) -> Membership:
    """Make `user` a member with the invited role. Raises ValidationError when the token is
    unknown, used, expired, or was sent to an address that is not one of the user's verified ones."""
    if user is None or not getattr(user, "pk", None):
        raise ValidationError(INVALID, code="invalid")
    with public_context(), transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("organization")
            .filter(digest=invitation_digest(token or ""))
            .first()
        )
        if invitation is None:
            raise ValidationError(INVALID, code="invalid")
        problem = invitation_problem(invitation=invitation, user=user)
        if problem is not None:
            raise ValidationError(problem, code="refused")
        member_add_check(invitation.organization, invitation=False)
        membership = Membership(organization=invitation.organization, user=user, role=invitation.role)
        membership.full_clean()
        membership.save()
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            organization=invitation.organization,
            action=AuditAction.INVITATION_ACCEPTED,
            actor=user,
            target=invitation.email,
            data={"role": invitation.role},
        )
    return membership


def invitation_revoke(*, invitation: Invitation, by) -> None:
    """Withdraw an open invitation; its link stops working."""
    with public_context(), transaction.atomic():
        _manager_membership(invitation.organization, by)
        if invitation.accepted_at is not None:
            raise ValidationError(ALREADY_ACCEPTED, code="accepted")
        Invitation.objects.filter(pk=invitation.pk).delete()
        audit_record(
            organization=invitation.organization,
            action=AuditAction.INVITATION_REVOKED,
            actor=by,
            target=invitation.email,
            data={"role": invitation.role},
        )


def membership_role_change(*, membership: Membership, role: str, by) -> Membership:
    with public_context(), transaction.atomic():
        actor = _manager_membership(membership.organization, by)
        membership.refresh_from_db()
        if MembershipRole.OWNER in (role, membership.role) and actor.role != MembershipRole.OWNER:
            raise PermissionDenied("Only owners make or demote owners.")
        if role != membership.role:
            if role != MembershipRole.OWNER:
                _refuse_last_owner(membership)
            previous = membership.role
            membership.role = role
            membership.full_clean()
            membership.save(update_fields=["role"])
            audit_record(
                organization=membership.organization,
                action=AuditAction.MEMBERSHIP_ROLE_CHANGED,
                actor=by,
                target=membership.user.email,
                data={"from": previous, "to": role},
            )
    return membership


def membership_remove(*, membership: Membership, by) -> None:
    from tenants.sso import sso_identities_unlink  # tenants.sso uses this module

    with public_context(), transaction.atomic():
        actor = _manager_membership(membership.organization, by)
        membership.refresh_from_db()
        if membership.role == MembershipRole.OWNER and actor.role != MembershipRole.OWNER:
            raise PermissionDenied("Only owners remove owners.")
        _refuse_last_owner(membership)
        membership.delete()
        sso_identities_unlink(organization=membership.organization, user=membership.user)
        audit_record(
            organization=membership.organization,
            action=AuditAction.MEMBERSHIP_REMOVED,
            actor=by,
            target=membership.user.email,
            data={"role": membership.role},
        )


def membership_leave(*, membership: Membership) -> None:
    from tenants.sso import sso_identities_unlink  # tenants.sso uses this module

    with public_context(), transaction.atomic():
        membership.refresh_from_db()
        _refuse_last_owner(membership)
        membership.delete()
        sso_identities_unlink(organization=membership.organization, user=membership.user)
        audit_record(
            organization=membership.organization,
            action=AuditAction.MEMBERSHIP_LEFT,
            actor=membership.user,
            target=membership.user.email,
            data={"role": membership.role},
        )
