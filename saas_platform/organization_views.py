"""Organization settings pages on the platform side: `/o/<slug>/settings/` (general) and
`/o/<slug>/settings/tokens/…` (API tokens), routed by frontend/tenant_urls.py.

The rules live in `tenants.services` and `tenants.tokens`; these views translate their
outcomes. General settings are for admins and owners only (403 for other roles, as NetBox
keeps its configuration to staff). Every member manages their own API tokens; admins and owners
also see and revoke every token of the organization, and owners create tokens for other members.
Tokens are looked up within the routed organization only, so another organization's ids answer 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from saas_platform.forms import OrganizationSettingsForm, TokenCreateForm
from tenants.context import public_context
from tenants.models import Membership, Token
from tenants.services import organization_update
from tenants.tokens import may_mint_for_others, token_create, token_revoke

TOKENS_PATH = "settings-tokens"


def _require_manager(request) -> None:
    if not request.membership.is_manager:
        raise PermissionDenied("Only admins and owners change the organization's settings.")


@never_cache
def settings_general(request) -> HttpResponse:
    _require_manager(request)
    organization = request.organization
    status = 200
    if request.method == "POST":
        form = OrganizationSettingsForm(request.POST)
        if form.is_valid():
            try:
                organization_update(organization=organization, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "Settings saved.")
                return redirect("settings-general")
        status = 400
    else:
        form = OrganizationSettingsForm(
            initial={"name": organization.name, "changelog_retention": organization.changelog_retention}
        )
    return render(request, "frontend/settings/general.html", {"form": form}, status=status)


def _tokens(request):
    """The tokens this member may see and revoke: their own, or all of the organization's for a manager."""
    tokens = Token.objects.filter(organization=request.organization).select_related("user", "created_by")
    return tokens if request.membership.is_manager else tokens.filter(user=request.user)


def _token_page(request, form: TokenCreateForm, status: int = 200, **extra) -> HttpResponse:
    with public_context():
        tokens = list(_tokens(request).order_by("-created", "-id"))
    context = {
        "form": form,
        "own_tokens": [token for token in tokens if token.user_id == request.user.pk],
        "other_tokens": [token for token in tokens if token.user_id != request.user.pk],
        **extra,
    }
    return render(request, "frontend/settings/tokens.html", context, status=status)


def _token_form(request, data=None) -> TokenCreateForm:
    with public_context():
        members = list(
            Membership.objects.filter(organization=request.organization).select_related("user").order_by("user__email")
        )
    return TokenCreateForm(
        data,
        members=members,
        choose_user=may_mint_for_others(request.membership.role),
        initial={"user": request.user.pk},
    )


@never_cache
def settings_tokens(request) -> HttpResponse:
    if request.method != "POST":
        return _token_page(request, _token_form(request))
    form = _token_form(request, request.POST)
    if not form.is_valid():
        return _token_page(request, form, status=400)
    options = dict(form.cleaned_data)
    user_id = options.pop("user") or request.user.pk
    with public_context():
        membership = (
            Membership.objects.select_related("user").filter(organization=request.organization, user_id=user_id).first()
        )
    if membership is None:  # left between the page and the post
        form.add_error("user", "This person is no longer a member of the organization.")
        return _token_page(request, form, status=400)
    try:
        token, plaintext = token_create(
            organization=request.organization, user=membership.user, actor=request.user, **options
        )
    except PermissionDenied as refusal:
        form.add_error("user" if form.fields["user"].widget.input_type != "hidden" else None, str(refusal))
        return _token_page(request, form, status=403)
    except ValidationError as error:
        form.add_service_errors(error)
        return _token_page(request, form, status=400)
    # Shown in this response only: the secret is not stored, so no later page can show it again.
    return _token_page(request, _token_form(request), status=201, created_token=token, plaintext=plaintext)


@never_cache
def settings_token_revoke(request, pk: int) -> HttpResponse:
    with public_context():
        token = get_object_or_404(_tokens(request), pk=pk)
    if request.method != "POST":
        return render(request, "frontend/settings/token_revoke.html", {"token": token})
    token_revoke(token=token, actor=request.user)
    messages.success(request, f"The token {token} was revoked.")
    return redirect(TOKENS_PATH)
