"""The organization's API tokens: `/o/<slug>/settings/tokens/…`.

The rules live in `tenants.tokens`; these views translate its outcomes. Every member manages
their own API tokens; admins and owners also see and revoke every token of the organization, and
owners create tokens for other members. Tokens are looked up within the routed organization
only, so another organization's ids answer 404.
"""

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from saas_platform.forms import ServiceForm
from tenants.context import public_context
from tenants.models import Membership, Token, allowed_ips_normalize
from tenants.tokens import may_mint_for_others, token_create, token_revoke

TOKENS_PATH = "settings-tokens"


class TokenCreateForm(ServiceForm):
    user = forms.TypedChoiceField(
        label="For member",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Owners also create tokens for other members; the token acts as that member.",
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
    expires = forms.DateTimeField(
        label="Expires (UTC)",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Empty: never.",
    )
    write_enabled = forms.BooleanField(
        label="Write enabled",
        required=False,
        initial=True,
        help_text="Without it the token may only read (GET, HEAD, OPTIONS).",
    )
    allowed_ips = forms.CharField(
        label="Allowed IPs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "192.0.2.0/24\n2001:db8::/32"}),
        help_text="Networks in CIDR notation the token may be used from, one per line. Empty: any.",
    )

    def __init__(self, *args, members=(), choose_user: bool = False, **kwargs):
        """`members`: the organization's memberships, offered as whom the token acts for when
        `choose_user` (owners); for others the field stays hidden on themselves. Who may create a
        token for whom is `tenants.tokens.token_create_check`'s decision, whatever is posted."""
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.TypedChoiceField)
        user_field.choices = [(m.user_id, m.user.email) for m in members]
        if not choose_user:
            self.fields["user"].widget = forms.HiddenInput()

    def clean_allowed_ips(self) -> list[str]:
        values = [value for value in re.split(r"[\s,]+", self.cleaned_data["allowed_ips"]) if value]
        return allowed_ips_normalize(values)


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
