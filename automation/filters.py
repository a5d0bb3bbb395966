"""Filters of automation's models that the generic ones (core.filters.filters_for) cannot derive:
NetBox's `user=` (by username) on a member's own rows, `user_id=` on notification groups."""

from automation.models import Bookmark, Notification, NotificationGroup, Subscription
from core.filters import Filter
from core.members import member_filters
from core.registry import registry

for model in (Bookmark, Subscription, Notification):
    registry.extend(model, filters=member_filters("user", "user_id"))
registry.extend(
    NotificationGroup,
    filters={
        "user_id": Filter(
            lambda queryset, values: queryset.filter(user_ids__overlap=[int(v) for v in values if v.isdigit()])
        )
    },
)
