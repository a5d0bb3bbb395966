"""Notifications: what subscribers and event rules' notification groups are told, on commit.

Per committed transaction (core.events' consumer): one query for the subscriptions of the changed
and deleted objects, one INSERT for their notifications, one query for who wants them by email, and
for deleted objects one DELETE each of their bookmarks and subscriptions (they go with their
object; notifications stay, naming it). Event rules with the notification action add theirs in
automation.events, beside the webhook deliveries.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model, Q, Value
from django.utils import timezone

from automation.models import Bookmark, EventType, Notification, Subscription
from core.events import DELETE, UPDATE, ObjectEvent
from core.generations import Generation
from core.models import UserPreference
from tenants.context import current_organization, tenant_context

# The member's preference (core.UserPreference) to get their notifications by email too; off by default.
EMAIL_PREFERENCE = "notifications.email"
EMAIL_PREFERENCE_CACHED = 24 * 3600  # seconds a member's preference stays cached under one generation
EVENT_TYPES = {UPDATE: EventType.OBJECT_UPDATED, DELETE: EventType.OBJECT_DELETED}


def _objects_q(keys: list[tuple[int, int]]) -> Q:
    by_type: dict[int, list[int]] = defaultdict(list)
    for content_type_id, pk in keys:
        by_type[content_type_id].append(pk)
    query = Q(pk__in=[])
    for content_type_id, pks in by_type.items():
        query |= Q(object_type_id=content_type_id, object_id__in=pks)
    return query


def subscribers_notify(events: list[ObjectEvent]) -> None:
    """core.events' consumer: notify the subscribers of every updated or deleted object; drop the
    bookmarks and subscriptions of deleted ones."""
    watched = [event for event in events if event.action in EVENT_TYPES]
    if not watched or current_organization() is None:
        return
    types = {model: ContentType.objects.get_for_model(model).pk for model in {event.model for event in watched}}
    keyed = {(types[event.model], event.pk): event for event in watched}
    keys = list(keyed)
    notifications = [
        Notification(
            object_type_id=content_type_id,
            object_id=object_id,
            user_id=user_id,
            event_type=EVENT_TYPES[keyed[(content_type_id, object_id)].action],
            object_repr=keyed[(content_type_id, object_id)].object_repr[:200],
        )
        for user_id, content_type_id, object_id in Subscription.objects.filter(_objects_q(keys)).values_list(
            "user_id", "object_type_id", "object_id"
        )
    ]
    notifications_create(notifications)
    deleted = [key for key, event in keyed.items() if event.action == DELETE]
    if deleted:
        gone = _objects_q(deleted)
        Subscription.objects.filter(gone).delete()
        Bookmark.objects.filter(gone).delete()


def notification_for(event: ObjectEvent, event_type: str, content_type: ContentType, user_id: int) -> Notification:
    return Notification(
        object_type=content_type,
        object_id=event.pk,
        user_id=user_id,
        event_type=event_type,
        object_repr=event.object_repr[:200],
    )


def notifications_create(notifications: list[Notification]) -> None:
    """Write the notifications in one INSERT; queue the email of those whose member asked for it."""
    if not notifications:
        return
    Notification.objects.bulk_create(notifications)
    wanted = set(
        UserPreference.objects.filter(
            key=EMAIL_PREFERENCE, value=True, user_id__in={notification.user_id for notification in notifications}
        ).values_list("user_id", flat=True)
    )
    emailed = [notification.pk for notification in notifications if notification.user_id in wanted]
    if emailed:
        organization = current_organization()
        transaction.on_commit(lambda: _email_queue(organization, emailed))


def _email_queue(organization, pks: list[int]) -> None:
    from automation.tasks import notifications_email

    with tenant_context(organization):
        notifications_email.delay(organization.pk, pks)


def notifications_email_send(pks: list[int]) -> int:
    """Email each notification to its member (one message per member); how many messages went."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail

    organization = current_organization()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in Notification.objects.filter(pk__in=pks, read__isnull=True).order_by("pk"):
        by_user[notification.user_id].append(notification)
    emails = dict(get_user_model().objects.filter(pk__in=by_user).values_list("pk", "email"))
    base = f"{settings.WIREBOOK_PUBLIC_URL}/o/{organization.slug}" if organization is not None else ""
    sent = 0
    for user_id, found in by_user.items():
        if not emails.get(user_id):
            continue
        lines = [f"- {n.object_repr}: {n.get_event_type_display()}" for n in found]
        send_mail(
            subject=f"[Wirebook] {len(found)} new notification{'s' if len(found) != 1 else ''}",
            message="\n".join([*lines, "", f"{base}/extras/notifications/"]),
            from_email=None,
            recipient_list=[emails[user_id]],
        )
        sent += 1
    return sent


def notifications_mark_read(*, user_id: int, pks: list[int] | None = None) -> int:
    """Mark the member's unread notifications (these, or all of them) read; how many."""
    unread = Notification.objects.filter(user_id=user_id, read__isnull=True)
    if pks is not None:
        unread = unread.filter(pk__in=pks)
    return unread.update(read=timezone.now())


def _email_generation(user_id: int) -> Generation:
    return Generation(f"{EMAIL_PREFERENCE}:{user_id}")  # the cache's keys carry the schema


def email_wanted(user_id: int) -> bool:
    """Whether the member gets their notifications by email too. The bell asks on every page: cached under
    the preference's generation (two cache round trips, no query); read from the database by the
    transaction that is changing it."""
    generation = _email_generation(user_id)
    if generation.changing():
        return _email_wanted_now(user_id)
    key = f"{generation.key}:{generation.current()}"
    wanted = cache.get(key)
    if wanted is None:
        wanted = _email_wanted_now(user_id)
        cache.add(key, wanted, EMAIL_PREFERENCE_CACHED)
    return wanted


def _email_wanted_now(user_id: int) -> bool:
    return UserPreference.objects.filter(user_id=user_id, key=EMAIL_PREFERENCE, value=True).exists()


def email_preference_set(*, user_id: int, wanted: bool) -> None:
    """The member's choice to get their notifications by email too (off until they turn it on)."""
    UserPreference.objects.update_or_create(user_id=user_id, key=EMAIL_PREFERENCE, defaults={"value": wanted})
    _email_generation(user_id).changed()


def notifications_prune(*, batch: int = 5000) -> int:
    """Delete at most `batch` notifications older than NOTIFICATION_RETENTION_DAYS; how many went."""
    cutoff = timezone.now() - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    old = Notification.objects.filter(created__lt=cutoff).order_by("created").values("pk")[:batch]
    deleted, _ = Notification.objects.filter(pk__in=old).delete()
    return deleted


def is_marked(model: type[Model], pk: int, user_id: int | None) -> dict[str, int | None]:
    """The member's bookmark and subscription of one object (their ids, None where there is none)."""
    if user_id is None:
        return {"bookmark": None, "subscription": None}
    content_type = ContentType.objects.get_for_model(model)
    mine = {"object_type": content_type, "object_id": pk, "user_id": user_id}
    # One query for both (a UNION of the two lookups).
    found = dict(
        Bookmark.objects.filter(**mine)
        .values_list(Value("bookmark"), "pk")
        .union(Subscription.objects.filter(**mine).values_list(Value("subscription"), "pk"), all=True)
    )
    return {"bookmark": found.get("bookmark"), "subscription": found.get("subscription")}
