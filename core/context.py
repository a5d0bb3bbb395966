"""Who is acting, in which request: read by services for change logging and permissions.

The API and UI set it once per request; Celery tasks and commands set it for their work.
Code that writes without one is "system" work (no user) and is still change-logged.
"""

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from tenants.models import MembershipRole


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    user_name: str
    role: str | None  # membership role in the current organization; None for system work
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    is_superuser: bool = False
    # Who created the API token this request came with, when not the user it acts as (an owner
    # minting for a member, tenants.tokens): the change log names them too.
    token_created_by: str = ""

    @property
    def is_system(self) -> bool:
        return self.user_id is None and self.role is None


SYSTEM = Actor(user_id=None, user_name="", role=None)

_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("wirebook_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


@contextmanager
def acting_as(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def actor_for(user, membership, request_id: uuid.UUID | None = None, token=None) -> Actor:
    """The actor of a request by `user` (a session, or `token`, a `tenants.models.Token`)."""
    creator = getattr(token, "created_by", None)
    return Actor(
        user_id=user.pk,
        user_name=user.get_username(),
        role=membership.role if membership is not None else None,
        request_id=request_id or uuid.uuid4(),
        token_created_by=creator.email if creator is not None and creator.pk != user.pk else "",
    )


# By an actor's role; system work (role None) has none: `ROLE_ACTIONS.get(actor.role, frozenset())`.
# "run" runs a custom script (NetBox's extras.run_script): the script acts as its runner, so it can do
# no more than they could by hand; a viewer runs scripts only with an object permission granting "run".
ROLE_ACTIONS: dict[str | None, frozenset[str]] = {
    MembershipRole.VIEWER: frozenset({"view"}),
    MembershipRole.EDITOR: frozenset({"view", "add", "change", "delete", "run"}),
    MembershipRole.ADMIN: frozenset({"view", "add", "change", "delete", "run", "settings"}),
    MembershipRole.OWNER: frozenset({"view", "add", "change", "delete", "run", "settings"}),
}
