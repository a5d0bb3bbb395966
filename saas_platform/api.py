"""The platform API at `/api/platform/` on the public site: the logged-in user, their
organizations, and the members and invitations of those organizations.

Authenticated by the Django session (CSRF required for writes). Errors keep NetBox's shapes:
`{"detail": …}` for refusals, `{"field": ["message"]}` for invalid input. An organization the
caller is not a member of answers exactly as one that does not exist.

Members and invitations are managed through `tenants.members`, which holds the rules (roles,
the last owner, billing limits, audit events); these endpoints translate its outcomes:
PermissionDenied and billing refusals are 403, field errors 400, refused changes such as
demoting the last owner 409. As on the organization's own pages, a session that has not signed
in through an organization's required SSO is refused there, and an organization being deleted
takes no changes.
"""

from datetime import datetime
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth
from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from tenants.billing import BillingRefused
from tenants.billing.services import billing_summary
from tenants.inputs import MAX_BIGINT
from tenants.members import (
    invitation_create,
    invitation_revoke,
    is_manager,
    membership_leave,
    membership_remove,
    membership_role_change,
    memberships_listed,
)
from tenants.middleware import DELETION_CANCEL_PATH, PENDING_DELETION
from tenants.models import BillingStatus, Invitation, Membership, MembershipRole, OrganizationStatus
from tenants.plugins import enabled_plugins, installed_plugins, plugin_summary
from tenants.services import organization_create, organization_plugins_set
from tenants.sso import sso_session_required

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
NOT_FOUND = {"detail": "Not found."}
NOT_MANAGER = "Only admins and owners manage members."
SSO_REQUIRED = "This organization requires single sign-on."

api = NinjaAPI(
    title="Wirebook platform API",
    version="1",
    description="Your account and organizations on the public site. Authenticated by the session cookie.",
    urls_namespace="platform-api",
    auth=django_auth,  # session cookie; CSRF checked on unsafe methods
    openapi_url="/openapi.json",
    docs_url=None,  # ninja's interactive docs would load their assets from a CDN
)


class Choice(Schema):
    value: str
    label: str


class ErrorOut(Schema):
    detail: str


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    organizations_count: int


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    status: Choice
    role: Choice = Field(description="The caller's role in the organization.")
    url: str = Field(description="The organization's web interface.")
    api_url: str = Field(description="The organization's NetBox-compatible REST API.")
    created: datetime
    deletion_due: datetime | None = Field(
        description="While the organization is scheduled for deletion (listed to its owners only): when its data "
        "is deleted for good. Owners cancel on the organization's pages (deletion_cancel_url)."
    )
    deletion_cancel_url: str | None = Field(description="Where an owner POSTs (with the session) to cancel.")
    enforce_global_unique: bool = Field(
        description="Prefixes and IP addresses outside any VRF (the global table) may not repeat (NetBox's "
        "ENFORCE_GLOBAL_UNIQUE); admins and owners change it in the organization's settings."
    )
    plugins: list[str] = Field(
        description="The installed plugins the organization has enabled (admins and owners change them: "
        "PUT …/plugins/)."
    )


class BillingLimits(Schema):
    members: int | None = Field(description="null: unlimited")
    objects: int | None = Field(description="null: unlimited")


class BillingUsage(Schema):
    members: int
    invitations: int = Field(description="Open invitations; they count against the member limit.")
    objects: int | None = Field(description="null while billing is off (nothing is counted).")


class BillingOut(Schema):
    enabled: bool = Field(description="false on a self-hosted server: nothing is limited.")
    plan: Choice
    status: Choice = Field(description="The Stripe subscription's status; empty without one.")
    read_only: bool
    read_only_reason: str | None
    grace_ends: datetime | None = Field(description="While past due: when the organization becomes read-only.")
    current_period_end: datetime | None
    limits: BillingLimits
    usage: BillingUsage


class OrganizationIn(Schema):
    name: str = Field(max_length=100)
    slug: str = Field(max_length=50)


class OrganizationPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[OrganizationOut]


class MemberOut(Schema):
    id: int = Field(description="The user's id.")
    email: str
    display_name: str
    role: Choice
    joined: datetime


class MemberPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[MemberOut]


class RoleIn(Schema):
    role: MembershipRole


class PluginsIn(Schema):
    plugins: list[str] = Field(
        max_length=100, description="The names of the installed plugins the organization uses; the others are off."
    )


class PluginOut(Schema):
    name: str = Field(description="What `plugins` lists when it is enabled.")
    verbose_name: str
    package: str
    version: str
    description: str
    author: str
    base_url: str = Field(description="Its REST routes are under the organization's /api/plugins/<base_url>/.")
    enabled: bool


class InvitationIn(Schema):
    email: str = Field(max_length=254)
    role: MembershipRole

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        value = value.strip()
        try:
            validate_email(value)
        except DjangoValidationError:
            raise PydanticCustomError("email", "Enter a valid email address.") from None
        return value


class InvitationOut(Schema):
    id: int
    email: str
    role: Choice
    invited_by: str | None = Field(description="The inviter's email; null once their account is gone.")
    created: datetime
    expires: datetime
    expired: bool = Field(description="An expired invitation's link no longer works; invite again.")


class InvitationPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[InvitationOut]


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=0, description=f"0 means {MAX_LIMIT}, the most one page holds.")
    offset: int = Field(0, ge=0, le=MAX_BIGINT)


# Errors -------------------------------------------------------------------------------------


@api.exception_handler(AuthenticationError)
def _not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # As the organizations' API answers (and NetBox): 403, not ninja's 401 "Unauthorized".
    return api.create_response(request, {"detail": "Authentication credentials were not provided."}, status=403)


@api.exception_handler(NinjaValidationError)
def _invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Ninja's 422 list of pydantic errors, as NetBox's 400 `{"field": ["message"]}`."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [part for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload", "paging")]
        field = str(loc[0]) if loc else "non_field_errors"
        message = "This field is required." if error.get("type") == "missing" else str(error.get("msg", ""))
        errors.setdefault(field, []).append(message)
    return api.create_response(request, errors, status=400)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Permission denied."}, status=403)


@api.exception_handler(BillingRefused)
def _billing_refused(request: HttpRequest, exc: BillingRefused) -> HttpResponse:
    # As the organizations' API answers a write its plan or billing status refuses.
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=403)


@api.exception_handler(DjangoValidationError)
def _refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service's field errors are 400 `{"field": ["message"]}`; a change refused for the
    state it would leave (the last owner, an invitation used meanwhile) is 409 `{"detail": …}`."""
    if hasattr(exc, "error_dict"):
        return api.create_response(request, exc.message_dict, status=400)
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=409)


def _choice(value: str, choices) -> dict:
    return {"value": value, "label": str(dict(choices.choices).get(value, value))}


def _page(request: HttpRequest, queryset: QuerySet, paging: Paging, represent) -> dict:
    limit = min(paging.limit or MAX_LIMIT, MAX_LIMIT)
    offset = paging.offset
    count = queryset.count()
    results = [represent(item) for item in queryset[offset : offset + limit]]

    def link(at: int) -> str:
        query = request.GET.copy()
        query["limit"], query["offset"] = str(limit), str(at)
        return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")

    return {
        "count": count,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": link(max(offset - limit, 0)) if offset > 0 else None,
        "results": results,
    }


def _organization(request: HttpRequest, membership: Membership) -> dict:
    organization = membership.organization
    web = request.build_absolute_uri(f"{get_script_prefix()}o/{organization.slug}/")
    return {
        "id": organization.pk,
        "name": organization.name,
        "slug": organization.slug,
        "status": _choice(organization.status, OrganizationStatus),
        "role": _choice(membership.role, MembershipRole),
        "url": web,
        "api_url": web + "api/",
        "created": organization.created,
        "deletion_due": organization.deletion_due,
        "deletion_cancel_url": web + DELETION_CANCEL_PATH.lstrip("/") if organization.deletion_due else None,
        "enforce_global_unique": organization.enforce_global_unique,
        "plugins": sorted(enabled_plugins(organization)),
    }


def _plugins(organization) -> list[dict]:
    enabled = enabled_plugins(organization)
    return [{**plugin_summary(config), "enabled": name in enabled} for name, config in installed_plugins().items()]


def _member(membership: Membership) -> dict:
    user = membership.user
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "role": _choice(membership.role, MembershipRole),
        "joined": membership.created,
    }


def _invitation(invitation: Invitation) -> dict:
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "role": _choice(invitation.role, MembershipRole),
        "invited_by": invitation.invited_by.email if invitation.invited_by else None,
        "created": invitation.created,
        "expires": invitation.expires,
        "expired": invitation.is_expired,
    }


def _user_id(request: HttpRequest) -> int:
    user_id = request.user.pk
    assert user_id is not None, "django_auth admits logged-in users only"
    return user_id


def _memberships(request: HttpRequest) -> QuerySet[Membership]:
    """The caller's memberships, as listed: an organization pending deletion only to its owners
    (`memberships_listed`); to its other members it answers as an unknown organization."""
    return memberships_listed(request.user)


def _membership_in(request: HttpRequest, slug: str, *, manage: bool = False, write: bool = False) -> Membership:
    """The caller's membership of the organization `slug`. One lookup through the caller's
    memberships: an unknown slug and someone else's organization are the same 404. Refused
    (403) where the organization's own pages would refuse the session; `manage` admits only
    admins and owners, `write` only an organization that is not being deleted."""
    membership = _memberships(request).filter(organization__slug=slug).select_related("organization").first()
    if membership is None:
        raise HttpError(404, NOT_FOUND["detail"])
    if sso_session_required(request.session, membership):
        raise HttpError(403, SSO_REQUIRED)
    if write and membership.organization.status == OrganizationStatus.PENDING_DELETION:
        raise HttpError(403, PENDING_DELETION)
    if manage and not is_manager(membership):
        raise HttpError(403, NOT_MANAGER)
    return membership


def _member_of(membership: Membership, user_id: int) -> Membership:
    """A member of `membership`'s organization by user id (the `id` the members list shows)."""
    target = (
        Membership.objects.filter(organization_id=membership.organization_id, user_id=user_id)
        .select_related("user", "organization")
        .first()
    )
    if target is None:
        raise HttpError(404, NOT_FOUND["detail"])
    return target


# Endpoints ----------------------------------------------------------------------------------


@api.get("/me/", response=MeOut, url_name="me", summary="The logged-in user")
def me(request: HttpRequest):
    user = request.user
    return {
        "id": user.pk,
        "email": getattr(user, "email", ""),
        "display_name": getattr(user, "display_name", ""),
        "organizations_count": _memberships(request).count(),
    }


@api.get("/organizations/", response=OrganizationPage, url_name="organizations", summary="Your organizations")
def organizations(request: HttpRequest, paging: Query[Paging]):
    queryset = _memberships(request).select_related("organization").order_by("organization__name", "organization__slug")
    return _page(request, queryset, paging, lambda membership: _organization(request, membership))


@api.get(
    "/organizations/{slug}/",
    response={200: OrganizationOut, 403: ErrorOut, 404: ErrorOut},
    url_name="organization",
    summary="One of your organizations",
)
def organization(request: HttpRequest, slug: str):
    return _organization(request, _membership_in(request, slug))


@api.post(
    "/organizations/",
    response={201: OrganizationOut, 400: dict[str, list[str]], 403: ErrorOut},
    url_name="organizations",
    summary="Create an organization (you become its owner)",
    description="403 when you already created as many organizations as one account may have.",
)
def organization_new(request: HttpRequest, payload: OrganizationIn):
    try:
        organization = organization_create(name=payload.name, slug=payload.slug, owner=request.user)
    except DjangoValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Status(400, errors)
    membership = Membership.objects.select_related("organization").get(
        organization=organization, user_id=_user_id(request)
    )
    return Status(201, _organization(request, membership))


@api.get(
    "/organizations/{slug}/members/",
    response={200: MemberPage, 404: ErrorOut},
    url_name="organization-members",
    summary="Members of one of your organizations",
)
def organization_members(request: HttpRequest, slug: str, paging: Query[Paging]):
    membership = _membership_in(request, slug)
    queryset = (
        Membership.objects.filter(organization_id=membership.organization_id)
        .select_related("user")
        .order_by("user__email", "pk")
    )
    return _page(request, queryset, paging, _member)


@api.patch(
    "/organizations/{slug}/members/{user_id}/",
    response={200: MemberOut, 400: dict[str, list[str]], 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    url_name="organization-member",
    summary="Change a member's role (admins and owners; only owners make or demote owners)",
)
def organization_member_update(request: HttpRequest, slug: str, user_id: int, payload: RoleIn):
    target = _member_of(_membership_in(request, slug, manage=True, write=True), user_id)
    membership_role_change(membership=target, role=payload.role.value, by=request.user)
    return _member(target)


@api.delete(
    "/organizations/{slug}/members/{user_id}/",
    response={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    url_name="organization-member",
    summary="Remove a member (admins and owners; only owners remove owners)",
)
def organization_member_remove(request: HttpRequest, slug: str, user_id: int):
    target = _member_of(_membership_in(request, slug, manage=True, write=True), user_id)
    membership_remove(membership=target, by=request.user)
    return Status(204, None)


@api.post(
    "/organizations/{slug}/leave/",
    response={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    url_name="organization-leave",
    summary="Leave one of your organizations (not as its last owner)",
)
def organization_leave(request: HttpRequest, slug: str):
    membership_leave(membership=_membership_in(request, slug, write=True))
    return Status(204, None)


@api.get(
    "/organizations/{slug}/plugins/",
    response={200: list[PluginOut], 403: ErrorOut, 404: ErrorOut},
    url_name="organization-plugins",
    summary="The plugins installed on this server, and whether the organization uses each",
)
def organization_plugins(request: HttpRequest, slug: str):
    return _plugins(_membership_in(request, slug).organization)


@api.put(
    "/organizations/{slug}/plugins/",
    response={200: list[PluginOut], 400: dict[str, list[str]], 403: ErrorOut, 404: ErrorOut},
    url_name="organization-plugins",
    summary="Choose the plugins the organization uses (admins and owners)",
    description="`plugins` lists every plugin to enable; the ones left out are disabled, their data kept. "
    "A name that is no installed plugin is a 400.",
)
def organization_plugins_update(request: HttpRequest, slug: str, payload: PluginsIn):
    membership = _membership_in(request, slug, manage=True, write=True)
    organization = organization_plugins_set(
        organization=membership.organization, by=request.user, plugins=payload.plugins
    )
    return _plugins(organization)


@api.get(
    "/organizations/{slug}/invitations/",
    response={200: InvitationPage, 403: ErrorOut, 404: ErrorOut},
    url_name="organization-invitations",
    summary="Open invitations of one of your organizations (admins and owners)",
)
def organization_invitations(request: HttpRequest, slug: str, paging: Query[Paging]):
    membership = _membership_in(request, slug, manage=True)
    queryset = (
        Invitation.objects.filter(organization_id=membership.organization_id, accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created", "-pk")
    )
    return _page(request, queryset, paging, _invitation)


@api.post(
    "/organizations/{slug}/invitations/",
    response={201: InvitationOut, 400: dict[str, list[str]], 403: ErrorOut, 404: ErrorOut},
    url_name="organization-invitations",
    summary="Invite someone by email (admins and owners; only owners invite owners)",
)
def organization_invite(request: HttpRequest, slug: str, payload: InvitationIn):
    membership = _membership_in(request, slug, manage=True, write=True)
    invitation, _token = invitation_create(
        organization=membership.organization,
        email=payload.email,
        role=payload.role.value,
        invited_by=request.user,
    )
    return Status(201, _invitation(invitation))


@api.delete(
    "/organizations/{slug}/invitations/{invitation_id}/",
    response={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    url_name="organization-invitation",
    summary="Revoke an open invitation (admins and owners)",
)
def organization_invitation_revoke(request: HttpRequest, slug: str, invitation_id: int):
    membership = _membership_in(request, slug, manage=True, write=True)
    invitation = (
        Invitation.objects.filter(
            organization_id=membership.organization_id, pk=invitation_id, accepted_at__isnull=True
        )
        .select_related("organization")
        .first()
    )
    if invitation is None:
        raise HttpError(404, NOT_FOUND["detail"])
    invitation_revoke(invitation=invitation, by=request.user)
    return Status(204, None)


@api.get(
    "/organizations/{slug}/billing/",
    response={200: BillingOut, 403: ErrorOut, 404: ErrorOut},
    url_name="organization-billing",
    summary="Plan, billing status, limits and usage of one of your organizations (admins and owners)",
)
def organization_billing(request: HttpRequest, slug: str):
    membership = _membership_in(request, slug)
    if not is_manager(membership):
        raise HttpError(403, "Only admins and owners see billing.")
    summary = billing_summary(membership.organization)
    return {
        "enabled": summary.enabled,
        "plan": {"value": summary.plan.key, "label": summary.plan.name},
        "status": _choice(summary.status, BillingStatus),
        "read_only": summary.read_only_reason is not None,
        "read_only_reason": summary.read_only_reason,
        "grace_ends": summary.grace_ends,
        "current_period_end": summary.account.current_period_end if summary.account else None,
        "limits": {"members": summary.plan.max_members or None, "objects": summary.plan.max_objects or None},
        "usage": {"members": summary.members, "invitations": summary.invitations, "objects": summary.objects},
    }
