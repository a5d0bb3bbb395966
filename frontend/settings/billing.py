"""The organization's billing: `/o/<slug>/settings/billing/…` (plan, Checkout, Stripe's portal),
and the banner every page of an organization shows (`billing_banner`, rendered by
frontend/_billing_banner.html). Stripe's webhook is the public site's (`tenants.billing.webhooks`).

Owners manage billing; admins may look. The routing middleware has already answered 404 to
non-members, so another organization's people never reach these views.
"""

import logging
from collections.abc import Callable

import stripe
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.billing import billing_banner, plans
from tenants.billing.services import billing_checkout_start, billing_portal_open, billing_summary
from tenants.context import tenant_context
from tenants.members import is_manager
from tenants.models import MembershipRole
from tenants.requests import OrganizationRequest

logger = logging.getLogger(__name__)
STRIPE_UNREACHABLE = "Stripe could not be reached. Nothing was changed; please try again in a moment."


def billing_context_processor(request: HttpRequest) -> dict:
    """`billing_banner`: what the organization's pages must warn about (a Banner), or None."""
    organization = getattr(request, "organization", None)
    if organization is None or getattr(request, "membership", None) is None:
        return {"billing_banner": None}

    def banner():
        with tenant_context(organization):  # also when read after the response, e.g. by tests
            return billing_banner(organization)

    return {"billing_banner": SimpleLazyObject(banner)}


def _is_owner(request: OrganizationRequest) -> bool:
    membership = request.membership
    return membership is not None and membership.pk is not None and membership.role == MembershipRole.OWNER


def _billing_url(request: HttpRequest, query: str = "") -> str:
    return request.build_absolute_uri(reverse("billing")) + query


@never_cache
def billing_settings(request: OrganizationRequest) -> HttpResponse:
    if not is_manager(request.membership):
        raise PermissionDenied("Only admins and owners see billing.")
    organization = request.organization
    if request.GET.get("checkout") == "success":
        messages.success(request, "Thank you! The new plan applies as soon as Stripe confirms the payment.")
    summary = billing_summary(organization)
    context = {
        "summary": summary,
        "status": organization.get_billing_status_display() if organization.billing_status else "",
        "can_manage": _is_owner(request) and summary.enabled,
        "purchasable": [p for p in plans() if p.price and p.key != organization.plan],
    }
    return render(request, "frontend/billing/settings.html", context)


def _redirect_to_stripe(request: HttpRequest, start: Callable[[], str], what: str) -> HttpResponse:
    """Send the owner to the Stripe page `start` creates; on a refusal or an unreachable Stripe,
    back to the billing page with a message."""
    try:
        url = start()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("billing")
    except stripe.StripeError:
        logger.exception("%s could not be opened", what)
        messages.error(request, STRIPE_UNREACHABLE)
        return redirect("billing")
    return redirect(url)


@require_POST
def billing_checkout(request: OrganizationRequest) -> HttpResponse:
    def start() -> str:
        return billing_checkout_start(
            organization=request.organization,
            plan_key=request.POST.get("plan", ""),
            by=request.user,
            success_url=_billing_url(request, "?checkout=success"),
            cancel_url=_billing_url(request),
        )

    return _redirect_to_stripe(request, start, "Stripe Checkout")


@require_POST
def billing_portal(request: OrganizationRequest) -> HttpResponse:
    def start() -> str:
        return billing_portal_open(
            organization=request.organization,
            by=request.user,
            return_url=_billing_url(request),
        )

    return _redirect_to_stripe(request, start, "Stripe's billing portal")
