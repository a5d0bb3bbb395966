"""The organization's members and invitations: `/o/<slug>/settings/members/…` (the emailed
invitation's accept page is the public site's: saas_platform/views.py).

The rules live in `tenants.members`; these views only translate its outcomes: PermissionDenied
becomes 403, a ValidationError a message on the page. Memberships and invitations are looked up
within the routed organization only, so another organization's ids answer 404.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.members import (
    invitation_create,
    invitation_revoke,
    is_manager,
    membership_leave,
    membership_remove,
    membership_role_change,
)
from tenants.models import Invitation, Membership, MembershipRole

MEMBERS_PATH = "members"


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    role = forms.ChoiceField(label="Role", choices=MembershipRole.choices, initial=MembershipRole.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=MembershipRole.choices)


def _messages_of(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _member_page(request, form: InvitationForm, status: int = 200) -> HttpResponse:
    organization = request.organization
    members = Membership.objects.filter(organization=organization).select_related("user").order_by("user__email")
    manager = is_manager(request.membership)
    invitations = []
    if manager:
        invitations = list(
            Invitation.objects.filter(organization=organization, accepted_at__isnull=True).select_related("invited_by")
        )
    context = {
        "members": list(members),
        "invitations": invitations,
        "can_manage": manager,
        "form": form,
        "roles": MembershipRole.choices,
    }
    return render(request, "frontend/members/list.html", context, status=status)


@never_cache
def members(request):
    return _member_page(request, InvitationForm())


@require_POST
def member_invite(request):
    form = InvitationForm(request.POST)
    if not is_manager(request.membership):
        # Checked again by the service; refused here before any form error could leak through.
        return HttpResponse("Only admins and owners manage members.", status=403, content_type="text/plain")
    if not form.is_valid():
        return _member_page(request, form, status=400)
    try:
        _, _token = invitation_create(
            organization=request.organization,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            form.add_error(None, error)
        return _member_page(request, form, status=400)
    messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
    return redirect(MEMBERS_PATH)


def _membership(request, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organization"), pk=pk, organization=request.organization
    )


@require_POST
def member_role_change(request, pk: int):
    membership = _membership(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid role.")
        return redirect(MEMBERS_PATH)
    try:
        membership_role_change(membership=membership, role=form.cleaned_data["role"], by=request.user)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, f"{membership.user.email} is now {membership.get_role_display().lower()}.")
    return redirect(MEMBERS_PATH)


@require_POST
def member_remove(request, pk: int):
    membership = _membership(request, pk)
    try:
        membership_remove(membership=membership, by=request.user)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, f"{membership.user.email} was removed.")
        if membership.user_id == request.user.pk:
            return redirect("/")
    return redirect(MEMBERS_PATH)


@require_POST
def member_leave(request):
    try:
        membership_leave(membership=request.membership)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
        return redirect(MEMBERS_PATH)
    return redirect("/")


@require_POST
def invitation_revoke_view(request, pk: int):
    invitation = get_object_or_404(
        Invitation.objects.select_related("organization"),
        pk=pk,
        organization=request.organization,
        accepted_at__isnull=True,
    )
    try:
        invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, f"The invitation to {invitation.email} was revoked.")
    return redirect(MEMBERS_PATH)
