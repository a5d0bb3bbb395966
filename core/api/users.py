"""`/api/users/…`: the organization's members and API tokens, in NetBox's shapes.

Members and tokens live in the public schema; these endpoints show only the current
organization's. Everyone sees their own tokens; admins and owners see and revoke all of them.
Everyone creates tokens for themselves; owners also for other members (`tenants.tokens`).
"""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse

from core.api.endpoints import ApiError, detail, json_response, paginate
from core.context import ROLE_ACTIONS, Actor
from tenants.api import api_root, token_options, token_representation, user_representation
from tenants.context import public_context
from tenants.models import Membership, Token
from tenants.requests import OrganizationRequest
from tenants.tokens import FOR_SELF_ONLY, may_mint_for_others, token_create, token_revoke


def _is_admin(actor: Actor) -> bool:
    return "settings" in ROLE_ACTIONS.get(actor.role, frozenset())


def _tokens(request: OrganizationRequest, actor: Actor):
    tokens = Token.objects.filter(organization=request.organization).select_related("user").order_by("pk")
    if _is_admin(actor):
        return tokens
    # A token bound to no user (no user id) sees the organization's other such tokens.
    return tokens.filter(user_id=actor.user_id) if actor.user_id is not None else tokens.filter(user__isnull=True)


def token_list(request: OrganizationRequest, actor: Actor) -> HttpResponse:
    with public_context():
        if request.method == "POST":
            return _token_create(request, actor)
        rows, page = paginate(request, _tokens(request, actor))
        root = api_root(request)
        page["results"] = [token_representation(token, root) for token in rows]
    return json_response(page)


def _token_create(request: OrganizationRequest, actor: Actor) -> HttpResponse:
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        raise detail(400, "JSON parse error") from None
    if not isinstance(payload, dict):
        raise detail(400, "Invalid data. Expected a dictionary.")
    user_id = payload.get("user", actor.user_id)
    if isinstance(user_id, dict):
        user_id = user_id.get("id")
    if isinstance(user_id, str) and user_id.isdecimal():
        user_id = int(user_id)
    if user_id != actor.user_id and not may_mint_for_others(actor.role):
        raise detail(403, FOR_SELF_ONLY)  # before looking the user up: no hint who is a member
    membership = None
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        members = Membership.objects.filter(organization=request.organization, user_id=user_id)
        membership = members.select_related("user").first()
    if membership is None:
        raise ApiError(400, {"user": [f"Related object not found using the provided numeric ID: {user_id}"]})
    try:
        token, plaintext = token_create(
            organization=request.organization,
            user=membership.user,
            actor=request.user,
            **token_options(payload),
        )
    except PermissionDenied as refusal:  # the service decides who may create tokens for whom
        raise detail(403, str(refusal)) from None
    except ValidationError as error:
        raise ApiError(400, error.message_dict) from None
    return json_response(token_representation(token, api_root(request), plaintext=plaintext), 201)


def token_detail(request: OrganizationRequest, actor: Actor, pk: int) -> HttpResponse:
    with public_context():
        token = _tokens(request, actor).filter(pk=pk).first()
        if token is None:
            raise detail(404, "No Token matches the given query.")
        if request.method == "DELETE":
            token_revoke(token=token, actor=request.user)
            return HttpResponse(status=204)
        return json_response(token_representation(token, api_root(request)))


def _members(request: OrganizationRequest):
    return Membership.objects.filter(organization=request.organization).select_related("user").order_by("user_id")


def user_list(request: OrganizationRequest, actor: Actor) -> HttpResponse:
    with public_context():
        rows, page = paginate(request, _members(request))
        root = api_root(request)
        page["results"] = [user_representation(membership, root) for membership in rows]
    return json_response(page)


def user_detail(request: OrganizationRequest, actor: Actor, pk: int) -> HttpResponse:
    with public_context():
        membership = _members(request).filter(user_id=pk).first()
        if membership is None:
            raise detail(404, "No User matches the given query.")
        return json_response(user_representation(membership, api_root(request)))


def authentication_check(request: OrganizationRequest, actor: Actor) -> HttpResponse:
    """NetBox's `/api/authentication-check/`: who the credentials belong to (a token bound to no
    member belongs to nobody NetBox could show: 403, as NetBox answers an invalid token)."""
    if actor.user_id is None:
        raise detail(403, "Invalid token.")
    return user_detail(request, actor, actor.user_id)


def group_list(request: OrganizationRequest, actor: Actor) -> HttpResponse:
    """NetBox's user groups: Wirebook has none (a member's access is their role and object
    permissions), so the list is empty."""
    rows, page = paginate(request, Membership.objects.none())
    page["results"] = rows
    return json_response(page)


def group_detail(request: OrganizationRequest, actor: Actor, pk: int) -> HttpResponse:
    raise detail(404, "No Group matches the given query.")


def user_config(request: OrganizationRequest, actor: Actor) -> HttpResponse:
    """NetBox's per-user preferences (`/api/users/config/`): none are kept through the API."""
    return json_response({})
