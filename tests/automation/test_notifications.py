"""Bookmarks, subscriptions and notifications: subscribers told of updates and deletions on commit
(batched), event rules notifying a group, the bell, mark read, email by preference, retention, and
what goes with a deleted object; another member or organization sees none of a member's own."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from automation.models import Bookmark, EventRule, Notification, NotificationGroup, Subscription
from automation.notifications import EMAIL_PREFERENCE
from automation.tasks import notifications_prune
from automation.ui import BELL_SHOWN
from core.models import UserPreference
from core.services import ObjectWrite, object_create, object_delete, object_update, objects_update
from inventory.models import Site
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole


def site(name: str) -> Site:
    return object_create(model=Site, data={"name": name, "slug": name.lower()})


def member(org, email: str, role: str = MembershipRole.VIEWER):
    user = get_user_model().objects.create_user(email)
    Membership.objects.create(user=user, organization=org.organization, role=role)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return user, client


def mark(model, obj, user_id: int):
    return model.objects.create(object_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, user_id=user_id)


def committing(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks(execute=True)


def test_subscribers_are_told_of_updates_and_deletions_once_committed(org_a, django_capture_on_commit_callbacks):
    other, _ = member(org_a, "follower@example.com")
    with tenant_context(org_a.organization):
        # given two subscribers of one site, and a bookmark of it
        watched, quiet = site("Watched"), site("Quiet")
        for user_id in (org_a.owner.pk, other.pk):
            mark(Subscription, watched, user_id)
        mark(Bookmark, watched, other.pk)

        # when it changes in a transaction that rolls back: nobody is told
        with committing(django_capture_on_commit_callbacks), pytest.raises(RuntimeError), transaction.atomic():
            object_update(instance=watched, data={"description": "never"})
            raise RuntimeError
        assert Notification.objects.count() == 0

        # when it changes twice in one transaction, and another site changes: one notification each
        with committing(django_capture_on_commit_callbacks), transaction.atomic():
            object_update(instance=watched, data={"description": "first"})
            object_update(instance=watched, data={"description": "second"})
            object_update(instance=quiet, data={"description": "unwatched"})
        rows = set(Notification.objects.values_list("user_id", "event_type", "object_id", "object_repr", "read"))
        assert rows == {
            (org_a.owner.pk, "object_updated", watched.pk, "Watched", None),
            (other.pk, "object_updated", watched.pk, "Watched", None),
        }

        # when it is deleted: told again, and its bookmarks and subscriptions go with it
        with committing(django_capture_on_commit_callbacks):
            object_delete(instance=watched)
        assert Notification.objects.filter(event_type="object_deleted").count() == 2
        assert not Subscription.objects.exists() and not Bookmark.objects.exists()


def test_notifying_many_objects_costs_what_notifying_few_does(org_a, django_capture_on_commit_callbacks):
    def update_all(sites: list[Site], text: str) -> int:
        writes = [ObjectWrite(model=Site, data={"description": text}, instance=s) for s in sites]
        with committing(django_capture_on_commit_callbacks), CaptureQueriesContext(connection) as queries:
            objects_update(writes)
        return len(queries)

    with tenant_context(org_a.organization):
        few = [site(f"F{i}") for i in range(3)]
        many = [site(f"M{i}") for i in range(40)]
        for s in few + many:
            mark(Subscription, s, org_a.owner.pk)
        update_all(few, "warm")  # what the first write caches
        Notification.objects.all().delete()

        assert update_all(few, "a") == update_all(many, "b")
        assert Notification.objects.count() == 43


def test_an_event_rule_notifies_its_notification_group(org_a, django_capture_on_commit_callbacks):
    other, _ = member(org_a, "oncall@example.com")
    with tenant_context(org_a.organization):
        group = object_create(model=NotificationGroup, data={"name": "On call", "user_ids": [org_a.owner.pk, other.pk]})
        object_create(
            model=EventRule,
            data={
                "name": "New sites",
                "event_types": ["object_created"],
                "action_type": "notification",
                "action_object_type": ContentType.objects.get_for_model(NotificationGroup),
                "action_object_id": group.pk,
                "object_types": [ContentType.objects.get_for_model(Site)],
            },
        )

        with committing(django_capture_on_commit_callbacks):
            created = site("Fresh")

        assert set(Notification.objects.values_list("user_id", "event_type", "object_id")) == {
            (org_a.owner.pk, "object_created", created.pk),
            (other.pk, "object_created", created.pk),
        }


def test_a_notification_rule_must_name_an_existing_group(org_a):
    owner = org_a.client()
    response = owner.post(
        f"/o/{org_a.organization.slug}/api/extras/event-rules/",
        {
            "name": "Nobody",
            "object_types": ["dcim.site"],
            "event_types": ["object_updated"],
            "action_type": "notification",
            "action_object_type": "extras.notificationgroup",
            "action_object_id": 999999,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "No notification group with this id exists." in str(response.json())


def test_members_who_asked_get_their_notifications_by_email(org_a, eager, django_capture_on_commit_callbacks):
    other, _ = member(org_a, "reader@example.com")
    with tenant_context(org_a.organization):
        watched = site("Mailed")
        mark(Subscription, watched, org_a.owner.pk)
        mark(Subscription, watched, other.pk)
        UserPreference.objects.create(user_id=other.pk, key=EMAIL_PREFERENCE, value=True)
        mail.outbox.clear()

        with committing(django_capture_on_commit_callbacks):
            object_update(instance=watched, data={"description": "changed"})

    assert [message.to for message in mail.outbox] == [["reader@example.com"]]
    assert "Mailed: Object updated" in mail.outbox[0].body


def test_old_notifications_are_pruned_a_bounded_batch_per_run(org_a, org_b, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 30
    with tenant_context(org_b.organization):
        old_b = mark(Notification, site("B"), org_b.owner.pk)
        Notification.objects.filter(pk=old_b.pk).update(created=timezone.now() - timedelta(days=90))
    with tenant_context(org_a.organization):
        s = site("Pruned")
        rows = [mark(Notification, s, org_a.owner.pk) for _ in range(4)]
        old = [row.pk for row in rows[:3]]
        Notification.objects.filter(pk__in=old).update(created=timezone.now() - timedelta(days=31))

        assert notifications_prune.run(org_a.organization.pk) == 3
        assert list(Notification.objects.values_list("pk", flat=True)) == [rows[3].pk]
    with tenant_context(org_b.organization):
        assert Notification.objects.count() == 1


# -- the UI: buttons in the object header, the bell, mark read -------------------------------------------


def test_a_member_bookmarks_and_subscribes_from_the_object_page(org_a):
    user, client = member(org_a, "viewer-marks@example.com")
    slug = org_a.organization.slug
    with tenant_context(org_a.organization):
        s = site("Marked")
    page = f"/o/{slug}/dcim/sites/{s.pk}/"

    body = client.get(page).content.decode()
    assert "Bookmark</button>" in body and "Subscribe</button>" in body

    form = {"object_type": "dcim.site", "object_id": s.pk, "return_url": page}
    assert client.post(f"/o/{slug}/extras/bookmark-toggle/", form).url == page
    assert client.post(f"/o/{slug}/extras/subscription-toggle/", form).status_code == 302
    body = client.get(page).content.decode()
    assert "Unbookmark</button>" in body and "Unsubscribe</button>" in body
    with tenant_context(org_a.organization):
        assert list(Bookmark.objects.values_list("user_id", "object_id")) == [(user.pk, s.pk)]
        assert list(Subscription.objects.values_list("user_id", "object_id")) == [(user.pk, s.pk)]

    # the owner's page still offers them theirs
    assert "Bookmark</button>" in org_a.client().get(page).content.decode()
    # the bookmarks page lists the member's own
    assert "Marked" in client.get(f"/o/{slug}/extras/bookmarks/").content.decode()
    assert "Marked" not in org_a.client().get(f"/o/{slug}/extras/bookmarks/").content.decode()

    client.post(f"/o/{slug}/extras/bookmark-toggle/", form)
    with tenant_context(org_a.organization):
        assert not Bookmark.objects.exists()


def test_the_bell_counts_unread_and_marks_read(org_a):
    user, client = member(org_a, "bell@example.com")
    slug = org_a.organization.slug
    with tenant_context(org_a.organization):
        s = site("Rung")
        first, _second = (mark(Notification, s, user.pk) for _ in range(2))
        mark(Notification, s, org_a.owner.pk)  # the owner's: not counted for this member

    body = client.get(f"/o/{slug}/").content.decode()
    assert "data-wb-unread>2</span>" in body

    client.post(f"/o/{slug}/extras/notifications-read/", {"id": first.pk})
    assert "data-wb-unread>1</span>" in client.get(f"/o/{slug}/").content.decode()
    client.post(f"/o/{slug}/extras/notifications-read/", {})
    assert "data-wb-unread" not in client.get(f"/o/{slug}/").content.decode()
    with tenant_context(org_a.organization):
        assert Notification.objects.filter(user_id=org_a.owner.pk, read__isnull=True).count() == 1

    # email is off until the member turns it on, from the bell
    assert "data-wb-email-on" in client.get(f"/o/{slug}/").content.decode()
    client.post(f"/o/{slug}/extras/notifications-email/", {"email": "on"})
    assert "data-wb-email-off" in client.get(f"/o/{slug}/").content.decode()
    with tenant_context(org_a.organization):
        assert list(UserPreference.objects.filter(key=EMAIL_PREFERENCE).values_list("user_id", "value")) == [
            (user.pk, True)
        ]


def test_another_organization_and_anonymous_reach_none_of_the_pages(org_a, org_b):
    slug = org_a.organization.slug
    with tenant_context(org_a.organization):
        s = site("Private")
        mark(Notification, s, org_a.owner.pk)
    form = {"object_type": "dcim.site", "object_id": s.pk}

    callers = {"member of B": (org_b.client(), {404}), "anonymous": (Client(), {302, 404})}
    for caller, (client, statuses) in callers.items():
        for path in ("extras/bookmarks/", "extras/notifications/", "extras/subscriptions/"):
            assert client.get(f"/o/{slug}/{path}").status_code in statuses, (caller, path)
        for path in ("extras/bookmark-toggle/", "extras/subscription-toggle/", "extras/notifications-read/"):
            assert client.post(f"/o/{slug}/{path}", form).status_code in statuses, (caller, path)
    with tenant_context(org_a.organization):
        assert not Bookmark.objects.exists() and not Subscription.objects.exists()
        assert Notification.objects.get().read is None


def test_the_bell_and_the_header_buttons_cost_one_query_each(org_a):
    # given a member with more unread notifications than the bell lists, a bookmark and a subscription
    user, client = member(org_a, "frugal@example.com")
    slug = org_a.organization.slug
    with tenant_context(org_a.organization):
        s = site("Counted")
        for _ in range(BELL_SHOWN + 2):
            mark(Notification, s, user.pk)
        mark(Bookmark, s, user.pk)
        mark(Subscription, s, user.pk)
    page = f"/o/{slug}/dcim/sites/{s.pk}/"
    client.get(page)  # the first request caches the content types and the email preference

    with CaptureQueriesContext(connection) as queries:
        body = client.get(page).content.decode()

    # then the bell counts them all, the buttons know both marks
    assert f"data-wb-unread>{BELL_SHOWN + 2}</span>" in body
    assert "Unbookmark</button>" in body and "Unsubscribe</button>" in body
    # with one query for the bell, one for both buttons, none for the email preference
    # (statements reading the tables themselves: the change log's count names them in subqueries, `U0`, that
    # leave out changes to other members' private objects)
    sql = [query["sql"] for query in queries]
    assert len([q for q in sql if re.search(r'FROM "automation_notification"(?! U0)', q)]) == 1, sql
    assert len([q for q in sql if re.search(r'FROM "automation_(bookmark|subscription)"(?! U0)', q)]) == 1, sql
    assert not [q for q in sql if '"core_userpreference"' in q], sql
