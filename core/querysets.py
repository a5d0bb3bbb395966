"""Permissions live in the queryset: `Model.objects.restrict(actor, "view")`.

The membership role gives the baseline (viewer: view; editor: view, add, change, delete;
admin and owner: everything). Object permissions then *add* grants for users whose role lacks
an action: object types x actions x constraints (ORM lookups; a list of them is OR'ed).

Registrations marked `admin_only` (permissions, custom field definitions) are the
organization's settings: only roles with "settings" (admins, owners) change them, and object
permissions cannot grant that -- nobody can escalate themselves.

A registration's `visible_to(actor)` narrows every action before roles and grants apply: rows
outside it do not exist for that member (404), whatever they may otherwise do -- another
member's private saved filter, for instance. A `personal` registration (bookmarks, notifications)
keeps each member to their own rows, and lets them do anything to those whatever their role.
"""

from collections.abc import Sequence
from typing import Self

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Q

from core.context import ROLE_ACTIONS, Actor


def is_settings_write(model, action: str) -> bool:
    from core.registry import registry

    spec = registry.find(model)
    return action != "view" and spec is not None and spec.access.admin_only


def _personal(model) -> str | None:
    from core.registry import registry

    spec = registry.find(model)
    return spec.access.personal if spec is not None else None


def role_allows(actor: Actor, model, action: str) -> bool:
    actions = ROLE_ACTIONS.get(actor.role, frozenset())
    if _personal(model) is not None:  # their own rows, whatever the role (visibility() keeps them to those)
        return actor.user_id is not None and actor.role in ROLE_ACTIONS
    return "settings" in actions if is_settings_write(model, action) else action in actions


def visibility(actor: Actor, model) -> Q | None:
    """The registration's `visible_to` rule for `actor`: None when every row is visible."""
    from core.registry import registry

    spec = registry.find(model)
    if spec is None:
        return None
    rule = spec.access.visible_to(actor) if spec.access.visible_to is not None else None
    if spec.access.personal is not None:
        own = Q(pk__in=[]) if actor.user_id is None else Q(**{spec.access.personal: actor.user_id})
        rule = own if rule is None else rule & own
    return rule


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, actor: Actor, action: str = "view") -> Self:
        if actor.is_system or actor.is_superuser:
            return self
        visible = visibility(actor, self.model)
        queryset = self if visible is None else self.filter(visible)
        if role_allows(actor, self.model, action):
            return queryset
        if is_settings_write(self.model, action):
            return self.none()
        grants = permission_constraints(actor, self.model, action)
        if grants is None:
            return self.none()
        return queryset.filter(grants).distinct() if grants else queryset


def restricted(model: type[models.Model], actor: Actor, action: str = "view") -> RestrictedQuerySet:
    """`model.objects.restrict(actor, action)` for code that knows the model only as a class: every
    registered model's default manager gives restricted querysets (core.models.base)."""
    queryset = model._default_manager.all()
    if not isinstance(queryset, RestrictedQuerySet):
        raise TypeError(f"{model._meta.label}'s default manager does not restrict: give it RestrictedQuerySet")
    return queryset.restrict(actor, action)


def permission_constraints(actor: Actor, model, action: str) -> Q | None:
    """The Q granted to `actor` for `action` on `model` by object permissions.

    None: nothing granted. An empty Q: everything granted (a permission without constraints).
    """
    from django.contrib.contenttypes.models import ContentType

    from core.models import ObjectPermission

    if actor.user_id is None:
        return None
    content_type = ContentType.objects.get_for_model(model)
    permissions = ObjectPermission.objects.filter(
        enabled=True, object_types=content_type, actions__contains=[action], user_ids__contains=[actor.user_id]
    )
    combined = None
    for permission in permissions:
        constraints = permission.constraints
        if not constraints:
            return Q()
        for constraint in constraints if isinstance(constraints, list) else [constraints]:
            q = Q(**constraint)
            combined = q if combined is None else combined | q
    return combined


def count_each(querysets: Sequence[models.QuerySet]) -> list[int]:
    """How many rows each queryset has, in one query however many there are: a UNION ALL of one
    COUNT(*) per queryset over its own SQL, so whatever `restrict()` added (WHERE, DISTINCT) counts.
    All querysets must read the same database."""
    if not querysets:
        return []
    alias = querysets[0].db
    counts = [0] * len(querysets)
    parts: list[str] = []
    params: list = []
    for index, queryset in enumerate(querysets):
        if queryset.db != alias:
            raise ValueError("count_each counts querysets of one database")
        try:
            sql, part_params = queryset.order_by().values("pk").query.get_compiler(using=alias).as_sql()
        except EmptyResultSet:  # .none(): nothing to ask the database
            continue
        # The SQL is the ORM's own, its values passed as parameters.
        parts.append(f"SELECT {index} AS i, COUNT(*) AS n FROM ({sql}) AS q{index}")  # noqa: S608
        params.extend(part_params)
    if parts:
        with connections[alias].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for index, count in cursor.fetchall():
                counts[index] = count
    return counts
