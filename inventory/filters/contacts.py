"""Contacts' filters the generic ones cannot derive: contacts by group (and below), assignments by the
contact's group, and NetBox's `contact=`, `contact_role=`, `contact_group=` on objects that take contacts."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from core.filters import Filter, FilterError
from core.registry import registry
from inventory.models import Contact, ContactAssignment, ContactGroup, ContactGroupMembership
from inventory.models.contacts import takes_contacts


def _ids(label: str, values: list[str]) -> tuple[list[int], bool]:
    """The integer ids in `values`, and whether "null" was among them."""
    ids, null = [], False
    for value in values:
        if value.lower() == "null":
            null = True
            continue
        try:
            ids.append(int(value))
        except ValueError:
            raise FilterError({label: [f"“{value}” is not a valid value."]}) from None
    return ids, null


def _narrow(queryset, q: Q, negate: bool):
    return queryset.exclude(q) if negate else queryset.filter(q)


def _group_members(label: str, key: str, values: list[str]):
    """(the contacts in the named groups or below them, as a subquery; whether "null" -- no group -- was asked)."""
    wanted: list[int] | list[str]
    if key == "pk":
        wanted, null = _ids(label, values)
    else:
        wanted = [value for value in values if value.lower() != "null"]
        null = len(wanted) != len(values)
    groups = ContactGroup._tree_manager.filter(**{f"{key}__in": wanted}).get_descendants(include_self=True)
    return ContactGroupMembership.objects.filter(group__in=groups).values("contact_id"), null


def _group_filters(contact: str, *names: str) -> dict[str, Filter]:
    """`group_id=5` / `group=<slug>` (and `__n`): contacts, reached through `contact`, in the group or below it;
    `null`: in no group. A subquery rather than a join, so a contact in several matching groups is listed once."""

    def in_groups(label: str, key: str, negate: bool) -> Filter:
        def apply(queryset, values):
            members, null = _group_members(label, key, values)
            q = Q(**{f"{contact}__in": members})
            if null:
                q |= ~Q(**{f"{contact}__in": ContactGroupMembership.objects.values("contact_id")})
            return _narrow(queryset, q, negate)

        return Filter(apply)

    filters = {}
    for name in names:
        key = "pk" if name.endswith("_id") else "slug"
        filters[name] = in_groups(name, key, negate=False)
        filters[f"{name}__n"] = in_groups(f"{name}__n", key, negate=True)
    return filters


def _groups_of_contacts(queryset, values):
    contacts = _ids("contact_id", values)[0]
    return queryset.filter(pk__in=ContactGroupMembership.objects.filter(contact_id__in=contacts).values("group_id"))


def contacts_filters(model) -> dict[str, Filter]:
    """NetBox's filters on objects that take contacts, by id: `contact=`, `contact_role=`, `contact_group=`."""
    conditions = {
        "contact": lambda label, values: Q(contact_id__in=_ids(label, values)[0]),
        "contact_role": lambda label, values: Q(role_id__in=_ids(label, values)[0]),
        "contact_group": lambda label, values: Q(contact__in=_group_members(label, "pk", values)[0]),
    }

    def assigned(name: str, condition, negate: bool) -> Filter:
        def apply(queryset, values):
            assignments = ContactAssignment._base_manager.filter(
                condition(name, values), object_type=ContentType.objects.get_for_model(model)
            )
            return _narrow(queryset, Q(pk__in=assignments.values("object_id")), negate)

        return Filter(apply)

    filters = {}
    for name, condition in conditions.items():
        filters[name] = assigned(name, condition, negate=False)
        filters[f"{name}__n"] = assigned(f"{name}__n", condition, negate=True)
    return filters


for spec in list(registry):
    if takes_contacts(spec.model):
        registry.extend(spec.model, filters=contacts_filters(spec.model))
registry.extend(ContactGroup, filters={"contact_id": Filter(_groups_of_contacts)})
# The derived `groups`/`groups_id` would join and repeat contacts: all four names use the subquery.
registry.extend(Contact, filters=_group_filters("pk", "group", "group_id", "groups", "groups_id"))
registry.extend(ContactAssignment, filters=_group_filters("contact", "group", "group_id"))
