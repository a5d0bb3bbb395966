"""The organization's members as tenant objects refer to them: by user id (users live in the public
schema), shown as NetBox's nested user, written as ids of the organization's members, picked by email."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.fields import INTEGER_VALUE, TEXT_VALUE, json_object

# NetBox's nested user, as the REST API shows one.
MEMBER = json_object({"id": INTEGER_VALUE} | {name: TEXT_VALUE for name in ("url", "display", "username")})


def members(links) -> dict[int, str]:
    """The organization's members by id (their emails), loaded once per response."""
    cached = getattr(links, "_members", None)
    if cached is None:
        from tenants.context import current_organization
        from tenants.models import Membership

        memberships = Membership.objects.filter(organization=current_organization()).select_related("user")
        cached = {membership.user_id: membership.user.email for membership in memberships}
        links._members = cached
    return cached


def member_brief(user_id: int, links) -> dict:
    """NetBox's nested user; someone who has left the organization is shown by id."""
    name = members(links).get(user_id, f"user {user_id}")
    return {"id": user_id, "url": f"{links.api}users/users/{user_id}/", "display": name, "username": name}


def _unknown(user_id) -> ValidationError:
    return ValidationError(_("Related object not found using the provided numeric ID: {id}").format(id=user_id))


def _member_ids(wanted: list[int]) -> set[int]:
    from tenants.context import current_organization
    from tenants.models import Membership

    return set(
        Membership.objects.filter(organization=current_organization(), user_id__in=wanted).values_list(
            "user_id", flat=True
        )
    )


def member_ids(value, actor) -> list[int]:
    """A write converter: a list of the organization's members' ids."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        raise ValidationError(_("Expected a list of user ids."))
    unknown = sorted(set(value) - _member_ids(value))
    if unknown:
        raise _unknown(unknown[0])
    return sorted(set(value))


def member_id(value, actor) -> int:
    """A write converter: one member, by user id (a number, or its digits from a CSV file) or by
    username (their email, as NetBox's imports name users)."""
    from tenants.context import current_organization
    from tenants.models import Membership

    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, str) and value.strip():
        found = Membership.objects.filter(organization=current_organization(), user__email__iexact=value.strip())
        user_id = found.values_list("user_id", flat=True).first()
        if user_id is None:
            raise ValidationError(
                _("Related object not found using the provided attributes: {value}").format(value=value)
            )
        return user_id
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(_("Expected a user id."))
    if value not in _member_ids([value]):
        raise _unknown(value)
    return value


def member_choices() -> list[tuple[int, str]]:
    from tenants.context import current_organization
    from tenants.models import Membership

    memberships = Membership.objects.filter(organization=current_organization()).select_related("user")
    return sorted(((m.user_id, m.user.email) for m in memberships), key=lambda choice: choice[1].lower())


def member_field(*, multiple: bool, label: str, required: bool):
    """A form field picking members by email."""
    from django import forms

    if multiple:
        return forms.TypedMultipleChoiceField(
            choices=member_choices,
            coerce=int,
            empty_value=[],
            required=required,
            label=label,
            widget=forms.SelectMultiple(attrs={"class": "form-select"}),
        )
    return forms.TypedChoiceField(
        choices=_member_choices_or_none,
        coerce=int,
        empty_value=None,
        required=required,
        label=label,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def _member_choices_or_none() -> list[tuple[int | str, str]]:
    return [("", "---------"), *member_choices()]


def member_filters(name: str, path: str) -> dict:
    """NetBox's `user=<username>` (and `__n`) on objects that name a member (by `path`, their user id):
    members by email; a name that is no member of the organization is a 400, as NetBox answers."""
    from django.db.models import Q

    from core.filters import Filter, FilterError
    from tenants.context import current_organization
    from tenants.models import Membership

    def ids(label: str, values: list[str]) -> list[int]:
        found = dict(
            Membership.objects.filter(organization=current_organization(), user__email__in=values).values_list(
                "user__email", "user_id"
            )
        )
        for value in values:
            if value not in found:
                raise FilterError({label: [f"Select a valid choice. {value} is not one of the available choices."]})
        return list(found.values())

    return {
        name: Filter(lambda qs, values: qs.filter(Q(**{f"{path}__in": ids(name, values)}))),
        f"{name}__n": Filter(lambda qs, values: qs.exclude(Q(**{f"{path}__in": ids(f"{name}__n", values)}))),
    }
