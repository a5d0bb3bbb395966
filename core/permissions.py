"""Who may do what to objects: the checks REST, GraphQL, the UI and imports share.

`allowed` / `require` answer for a type of object: the member's role allows the action, or an
object permission grants it on some objects. `ensure_permitted` checks objects just written
against the actor's grant, inside the write's transaction (core.usecases calls it after every
write, so no writer can skip it). A refusal is `NotPermitted`: the REST API answers it with 403
`{"detail": …}`, the UI with its refusal page or a form error.
"""

from collections.abc import Iterable

from django.db import models

from core.context import Actor
from core.querysets import is_settings_write, permission_constraints, restricted, role_allows, visibility

NOT_PERMITTED = "You do not have permission to perform this action."


class NotPermitted(Exception):
    def __init__(self, message: str = NOT_PERMITTED):
        super().__init__(message)
        self.message = message


def allowed(actor: Actor, model: type[models.Model], action: str) -> bool:
    if actor.is_system or actor.is_superuser or role_allows(actor, model, action):
        return True
    return not is_settings_write(model, action) and permission_constraints(actor, model, action) is not None


def require(actor: Actor, model: type[models.Model], action: str) -> None:
    if not allowed(actor, model, action):
        raise NotPermitted


def ensure_permitted(actor: Actor, model: type[models.Model], action: str, pks: Iterable[int]) -> None:
    """Every object in `pks` is within what `actor` may `action` (checked after writing: a change
    may not move an object out of the writer's grant, nor a create put one outside it)."""
    wanted = set(pks)
    if not wanted or actor.is_system or actor.is_superuser:
        return
    if role_allows(actor, model, action) and visibility(actor, model) is None:
        return  # the role grants every row: nothing to count
    if restricted(model, actor, action).filter(pk__in=wanted).count() != len(wanted):
        raise NotPermitted
