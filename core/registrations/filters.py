"""Filters of the core app's models that the generic ones (core.filters.filters_for) cannot derive."""

from django.db.models import Q

from core.context import current_actor
from core.filters import Filter, FilterError, path_filters
from core.models import CustomField, ImageAttachment, JournalEntry, ObjectPermission, Owner, OwnerGroup, SavedFilter
from core.registry import object_type_for, registry


def _object_type_filter(path: str, label: str, *, by_id: bool = False) -> Filter:
    def apply(queryset, values):
        ids = []
        for value in values:
            if by_id:
                if not value.isdigit():
                    raise FilterError({label: [f"“{value}” is not a valid value."]})
                ids.append(int(value))
            else:
                content_type = object_type_for(value)
                if content_type is not None:
                    ids.append(content_type.pk)
        return queryset.filter(**{f"{path}__in": ids}).distinct()

    return Filter(apply)


def _usable(queryset, values):
    """NetBox's `usable`: the filters the caller may apply (enabled, and shared or their own)."""
    usable = Q(enabled=True) & (Q(shared=True) | Q(user_id=current_actor().user_id))
    wanted = values[-1].lower() in ("true", "1")
    return queryset.filter(usable) if wanted else queryset.exclude(usable)


def _granted_to(key: str, label: str, *, negate: bool = False):
    """`user_id=` / `user=<username>`: permissions granting (owners holding) any of these members
    (NetBox's filters); `negate`: none of them."""

    def apply(queryset, values):
        from tenants.context import current_organization
        from tenants.models import Membership

        if key == "id":
            ids = [int(value) for value in values if value.isdigit()]
            if len(ids) != len(values):
                raise FilterError({label: [f"“{values[0]}” is not a valid value."]})
        else:
            members = Membership.objects.filter(organization=current_organization(), user__email__in=values)
            ids = list(members.values_list("user_id", flat=True))
        return queryset.exclude(user_ids__overlap=ids) if negate else queryset.filter(user_ids__overlap=ids)

    return Filter(apply)


def _no_user_groups(label: str) -> Filter:
    """NetBox's `user_group=` / `user_group_id=`: Wirebook has no user groups, so any value names none."""

    def apply(queryset, values):
        raise FilterError({label: [f"Select a valid choice. {values[0]} is not one of the available choices."]})

    return Filter(apply)


registry.extend(
    CustomField,
    filters={
        "object_type": _object_type_filter("object_types", "object_type"),
        "object_type_id": _object_type_filter("object_types", "object_type_id", by_id=True),
        "related_object_type": _object_type_filter("related_object_type", "related_object_type"),
        "choice_set": Filter(lambda queryset, values: queryset.filter(choice_set__name__in=values)),
    },
)
registry.extend(
    JournalEntry,
    filters={
        "assigned_object_type": _object_type_filter("assigned_object_type", "assigned_object_type"),
        "assigned_object_type_id": _object_type_filter("assigned_object_type", "assigned_object_type_id", by_id=True),
        "created_by": Filter(lambda queryset, values: queryset.filter(created_by_name__in=values)),
    },
)
registry.extend(
    ImageAttachment,
    filters={
        "object_type": _object_type_filter("object_type", "object_type"),
        "object_type_id": _object_type_filter("object_type", "object_type_id", by_id=True),
    },
)
registry.extend(
    SavedFilter,
    filters={
        "object_type": _object_type_filter("object_types", "object_type"),
        "object_type_id": _object_type_filter("object_types", "object_type_id", by_id=True),
        "usable": Filter(_usable),
    },
)
registry.extend(
    ObjectPermission, filters={"user_id": _granted_to("id", "user_id"), "user": _granted_to("email", "user")}
)
registry.extend(
    Owner,
    filters={
        **path_filters("group", "group", OwnerGroup, attribute="name"),
        **{
            label: _granted_to(key, label, negate=label.endswith("__n"))
            for label, key in (("user_id", "id"), ("user_id__n", "id"), ("user", "email"), ("user__n", "email"))
        },
        **{
            label: _no_user_groups(label)
            for label in ("user_group", "user_group__n", "user_group_id", "user_group_id__n")
        },
    },
)
