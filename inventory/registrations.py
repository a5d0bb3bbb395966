from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from core.fields import BRIEF_OBJECT, nullable, renders
from core.filters import Filter, FilterError
from core.registry import object_type_renderer, registry
from core.representation import render
from core.writes import object_type_converter
from inventory.models import (
    Contact,
    ContactAssignment,
    ContactGroup,
    ContactGroupMembership,
    ContactRole,
    Location,
    Region,
    Site,
    SiteGroup,
    Tenant,
    TenantGroup,
)

GROUP_BRIEF = ("id", "url", "display", "name", "slug", "description", "_depth")
SITE_GROUPING_BRIEF = ("id", "url", "display", "name", "slug", "description", "site_count", "_depth")
NAMED_BRIEF = ("id", "url", "display", "name", "slug", "description")


# -- contacts ----------------------------------------------------------------------------------


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


def _contacts_of(model) -> dict[str, Filter]:
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


registry.register(
    Region, menu="Organization", api="dcim/regions", brief_fields=SITE_GROUPING_BRIEF, counts={"site_count": "sites"},
    filters=_contacts_of(Region),
    search_fields=("name", "slug", "description"),
)  # fmt: skip
registry.register(
    SiteGroup, menu="Organization", api="dcim/site-groups", brief_fields=SITE_GROUPING_BRIEF,
    counts={"site_count": "sites"},
    filters=_contacts_of(SiteGroup),
    search_fields=("name", "slug", "description"),
)  # fmt: skip
registry.register(
    Site, menu="Organization", api="dcim/sites", brief_fields=NAMED_BRIEF,
    filters=_contacts_of(Site),
    search_fields=("name", "slug", "facility", "description", "physical_address", "shipping_address", "comments"),
)  # fmt: skip
registry.register(
    Location, menu="Organization", api="dcim/locations", brief_fields=GROUP_BRIEF,
    filters=_contacts_of(Location),
    search_fields=("name", "slug", "facility", "description"),
)  # fmt: skip
registry.register(
    TenantGroup, api="tenancy/tenant-groups",
    brief_fields=("id", "url", "display", "name", "slug", "description", "tenant_count", "_depth"),
    counts={"tenant_count": "tenants"},
    search_fields=("name", "slug", "description"),
)  # fmt: skip
registry.register(
    Tenant, api="tenancy/tenants", brief_fields=NAMED_BRIEF, counts={"site_count": "sites"},
    filters=_contacts_of(Tenant),
    search_fields=("name", "slug", "description", "comments"),
)  # fmt: skip


@renders(nullable(BRIEF_OBJECT))
def _assigned_object(assignment, links):
    target = assignment.assigned_object
    if target is None:
        return None
    if type(target) in registry:
        return render(target, links, brief=True)
    return {"id": target.pk, "display": str(target)}


registry.register(
    ContactGroup, api="tenancy/contact-groups",
    brief_fields=("id", "url", "display", "name", "slug", "description", "contact_count", "_depth"),
    counts={"contact_count": "contacts"},
    filters={"contact_id": Filter(_groups_of_contacts)},
    search_fields=("name", "slug", "description"),
)  # fmt: skip
registry.register(
    ContactRole, api="tenancy/contact-roles", brief_fields=NAMED_BRIEF, search_fields=("name", "slug", "description"),
)  # fmt: skip
registry.register(
    Contact, api="tenancy/contacts", brief_fields=("id", "url", "display", "name", "description"),
    fields=(
        "id", "url", "display_url", "display", "groups", "name", "title", "phone", "email", "address", "link",
        "description", "owner", "comments", "tags", "custom_fields", "created", "last_updated",
    ),
    # The derived `groups`/`groups_id` would join and repeat contacts: all four names use the subquery.
    filters=_group_filters("pk", "group", "group_id", "groups", "groups_id"),
    search_fields=("name", "title", "phone", "email", "address", "link", "description", "comments"),
)  # fmt: skip
registry.register(
    ContactAssignment, api="tenancy/contact-assignments",
    brief_fields=("id", "url", "display", "contact", "role", "priority"),
    fields=(
        "id", "url", "display", "object_type", "object_id", "object", "contact", "role", "priority",
        "tags", "custom_fields", "created", "last_updated",
    ),
    write_fields=("object_type", "object_id", "contact", "role", "priority"),
    renderers={"object_type": object_type_renderer("object_type"), "object": _assigned_object},
    # Any registered type converts; the model's clean() says which ones take contacts.
    write_converters={"object_type": object_type_converter(lambda model: model in registry, null=False)},
    filters=_group_filters("contact", "group", "group_id"),
    search_fields=("contact__name", "role__name"),
)  # fmt: skip
