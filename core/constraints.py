"""A batch's model constraints checked as `Model.validate_constraints` checks them, with one query per unique
constraint for the whole batch when no row conflicts.

Django checks a unique constraint with one query per object, and one with a condition (a device's name, unique
per site and tenant when it has one) in a savepoint of its own besides: three statements per object. Here each
unique constraint is first looked for in one statement for every object of the batch (the rows any object's
check would find, ORed); only when that finds a row are the objects checked one by one, by Django, for its
exact errors. Other constraints (check constraints, unique ones on generated fields) are Django's per object.
"""

from collections.abc import Sequence
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.constraints import BaseConstraint, UniqueConstraint
from django.db.models.expressions import F
from django.db.models.lookups import Exact, IsNull


class _PerObject(Exception):
    """The constraint is left to Django's check of each object."""


def _filter(constraint: Any, model, instance: Any, exclude: set[str]) -> models.Q | None:
    """The rows Django's `UniqueConstraint.validate` looks for (django/db/models/constraints.py), as a filter;
    None where it looks for none (a field excluded, a NULL that cannot collide)."""
    if constraint.fields:
        lookups = {}
        for name in constraint.fields:
            if name in exclude:
                return None
            field = model._meta.get_field(name)
            if field.generated:
                raise _PerObject
            value = getattr(instance, field.attname)
            if constraint.nulls_distinct is not False and value is None:
                return None
            lookups[field.name] = value
        found = models.Q(**lookups)
    else:
        if exclude and any(
            constraint._expression_refs_exclude(model, expression, exclude) for expression in constraint.expressions
        ):
            return None
        replacements = {
            F(name): value
            for name, value in instance._get_field_expression_map(meta=model._meta, exclude=exclude).items()
        }
        conditions = []
        for expression in constraint.expressions:
            if hasattr(expression, "get_expression_for_validation"):
                expression = expression.get_expression_for_validation()
            rhs = expression.replace_expressions(replacements)
            condition = models.Q(Exact(expression, rhs))
            if constraint.nulls_distinct is False:
                condition |= models.Q(IsNull(expression, True), IsNull(rhs, True))
            conditions.append(condition)
        found = reduce(lambda left, right: left & right, conditions)
    if not instance._state.adding and instance._is_pk_set(model._meta):
        found &= ~models.Q(pk=instance.pk)
    return found


def _clear(constraint: BaseConstraint, model, instances: Sequence[models.Model], excludes: Sequence[set[str]]) -> bool:
    """Whether no object of the batch can break `constraint` (one query at most)."""
    if not isinstance(constraint, UniqueConstraint):
        return False
    try:
        filters = [
            _filter(constraint, model, instance, exclude) for instance, exclude in zip(instances, excludes, strict=True)
        ]
    except _PerObject:
        return False
    wanted = [found for found in filters if found is not None]
    if not wanted:
        return True  # Django would not query either
    rows = model._default_manager.filter(reduce(or_, wanted))
    if constraint.condition:
        rows = rows.filter(constraint.condition)
    return not rows.exists()


def constraints_validate(instances: Sequence[models.Model], excludes: Sequence[set[str]]) -> list[dict]:
    """Each object's constraint errors (as `validate_constraints(exclude=...)` would raise them, as an error dict;
    {} when it passes), the objects all of one model."""
    if not instances:
        return []
    checked: list[tuple[type[models.Model], list[Any]]] = [
        (model_class, [c for c in constraints if not _clear(c, model_class, instances, excludes)])
        for model_class, constraints in instances[0].get_constraints()
    ]
    found: list[dict] = []
    for instance, exclude in zip(instances, excludes, strict=True):
        errors: dict = {}
        for model_class, constraints in checked:
            for constraint in constraints:
                try:
                    constraint.validate(model_class, instance, exclude=exclude)
                except ValidationError as error:  # as Model.validate_constraints files it
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        found.append(errors)
    return found
