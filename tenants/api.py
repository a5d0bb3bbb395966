"""NetBox's `/api/users/…` representations of public-schema objects (tokens, members), and
token provisioning -- the one API call made without a token.
"""

import json
from datetime import datetime

from allauth.core import ratelimit
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import get_script_prefix

from tenants.context import public_context
from tenants.inputs import parse_datetime_bounded
from tenants.models import Membership, Organization, Token
from tenants.sso import password_login_refused
from tenants.tokens import token_create

PROVISION_PATH = "/api/users/tokens/provision/"
INVALID_CREDENTIALS = "Invalid username/password"
THROTTLED = "Request was throttled."
SSO_REQUIRED = "An organization you belong to requires single sign-on: create tokens in the web interface."


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def api_root(request) -> str:
    return request.build_absolute_uri(get_script_prefix()) + "api/"


def user_brief(user, root: str) -> dict | None:
    return None if user is None else _user_brief(user, root)


def _user_brief(user, root: str) -> dict:
    return {"id": user.pk, "url": f"{root}users/users/{user.pk}/", "display": user.email, "username": user.email}


def user_representation(membership: Membership, root: str) -> dict:
    user = membership.user
    first, _, last = (user.display_name or "").partition(" ")
    return {
        **_user_brief(user, root),
        "display_url": f"{root[: -len('api/')]}users/users/{user.pk}/",
        "first_name": first,
        "last_name": last,
        "email": user.email,
        "is_active": user.is_active,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "role": {"value": membership.role, "label": membership.get_role_display()},
        "groups": [],
        "permissions": [],
    }


def token_representation(token: Token, root: str, *, plaintext: str | None = None) -> dict:
    data = {
        "id": token.pk,
        "url": f"{root}users/tokens/{token.pk}/",
        "display_url": f"{root[: -len('api/')]}users/tokens/{token.pk}/",
        "display": str(token),
        "version": token.version,
        "key": token.key,
        "user": user_brief(token.user, root),
        "description": token.description,
        "created": _iso(token.created),
        "expires": _iso(token.expires),
        "last_used": _iso(token.last_used),
        "enabled": token.enabled,
        "write_enabled": token.write_enabled,
        "allowed_ips": list(token.allowed_ips),
    }
    if plaintext is not None:
        # Shown once. pynetbox builds its credential from `key` and `token` (v2) or `token` (v1).
        data["token"] = plaintext if token.version == 1 else plaintext.split(".", 1)[1]
    return data


def token_options(payload: dict) -> dict:
    """The optional token fields of a create request, validated into token_create's arguments."""
    options: dict = {}
    errors: dict[str, list[str]] = {}
    if "description" in payload:
        if payload["description"] is not None and not isinstance(payload["description"], str):
            errors["description"] = ["Not a valid string."]
        else:
            options["description"] = payload["description"] or ""
    for flag in ("write_enabled",):
        if flag in payload:
            if not isinstance(payload[flag], bool):
                errors[flag] = ["Must be a valid boolean."]
            else:
                options[flag] = payload[flag]
    if payload.get("expires") is not None:
        expires = parse_datetime_bounded(str(payload["expires"]))
        if expires is None:
            errors["expires"] = ["Datetime has wrong format. Use ISO 8601, e.g. 2030-01-01T00:00:00Z."]
        else:
            options["expires"] = expires
    if "allowed_ips" in payload:
        options["allowed_ips"] = payload["allowed_ips"] or []
    if "version" in payload:
        if payload["version"] not in (1, 2):
            errors["version"] = [f'"{payload["version"]}" is not a valid choice.']
        else:
            options["version"] = payload["version"]
    if errors:
        raise ValidationError(errors)
    return options


def token_provision(request, organization: Organization | None) -> JsonResponse:
    """POST {"username", "password", ...token fields} -> a new token for that member (201).

    Every failure -- wrong credentials, not a member, no such organization -- is the same 403,
    so provisioning reveals neither accounts nor organizations.
    """
    if request.method != "POST":
        return JsonResponse({"detail": f'Method "{request.method}" not allowed.'}, status=405)
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"detail": "JSON parse error"}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"detail": "Invalid data. Expected a dictionary."}, status=400)
    missing = {name: ["This field is required."] for name in ("username", "password") if not payload.get(name)}
    if missing:
        return JsonResponse(missing, status=400)
    username = str(payload["username"]).strip().lower()
    with public_context():  # also for the rate limit's cache keys, which carry the schema
        # Password guessing here is throttled like the login page (ACCOUNT_RATE_LIMITS["login_failed"]).
        if not ratelimit.consume(request, action="login_failed", key=username, dry_run=True):
            return JsonResponse({"detail": THROTTLED}, status=429)
        user = authenticate(request, username=username, password=str(payload["password"]))
        if (
            organization is None
            or user is None
            or not Membership.objects.filter(user=user, organization=organization).exists()
        ):
            ratelimit.consume(request, action="login_failed", key=username)
            return JsonResponse({"detail": INVALID_CREDENTIALS}, status=403)
        if password_login_refused(user) is not None:
            # The password was right, but a password is not how this member may sign in.
            return JsonResponse({"detail": SSO_REQUIRED}, status=403)
        try:
            token, plaintext = token_create(organization=organization, user=user, actor=user, **token_options(payload))
        except ValidationError as error:
            return JsonResponse(error.message_dict, status=400)
    return JsonResponse(token_representation(token, api_root(request), plaintext=plaintext), status=201)
