"""The generic API cases (tests/api_cases.py) for bookmarks, subscriptions, notifications, notification
groups and custom links: data only. A member's own rows (bookmarks, subscriptions, notifications) are
checked by `others_see_none_of_mine` in place of the role checks."""

from django.contrib.auth import get_user_model

from automation.models import Bookmark, CustomLink, Notification, NotificationGroup, Subscription
from core.services import object_create
from inventory.models import Site
from tests.api_cases import APICase, Ref


def _sites() -> dict:
    return {
        f"site{index}": object_create(model=Site, data={"name": f"Marked {index}", "slug": f"marked-{index}"})
        for index in range(3)
    }


MARKS = [{"object_type": "dcim.site", "object_id": Ref(f"site{index}")} for index in range(3)]


class TestBookmarkAPI(APICase):
    model = Bookmark
    setup_objects = staticmethod(_sites)
    create_data = MARKS
    update_data = {"object_type": "dcim.site"}
    update_is_unchanged = True
    brief_fields = ["display", "id", "object_id", "object_type", "url"]


class TestSubscriptionAPI(APICase):
    model = Subscription
    setup_objects = staticmethod(_sites)
    create_data = MARKS
    update_data = {"object_type": "dcim.site"}
    update_is_unchanged = True
    brief_fields = ["display", "id", "object_id", "object_type", "url", "user"]


class TestNotificationAPI(APICase):
    model = Notification
    setup_objects = staticmethod(_sites)
    create_data = [{**mark, "event_type": "object_updated"} for mark in MARKS]
    update_data = {"event_type": "object_deleted"}
    brief_fields = ["display", "event_type", "id", "object_id", "object_type", "read", "url", "user"]


def _members() -> dict:
    owner = get_user_model().objects.get(email="owner-a@example.com")
    return {"owner": owner}


class TestNotificationGroupAPI(APICase):
    model = NotificationGroup
    setup_objects = staticmethod(_members)
    create_data = [
        {"name": "On call", "description": "first", "users": [Ref("owner")]},
        {"name": "Network team"},
        {"name": "Managers", "users": []},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["description", "display", "id", "name", "url"]


class TestCustomLinkAPI(APICase):
    model = CustomLink
    create_data = [
        {
            "name": "Grafana",
            "object_types": ["dcim.site", "dcim.device"],
            "link_text": "Graphs of {{ object.name }}",
            "link_url": "https://grafana.example.com/d/{{ object.slug }}",
            "weight": 10,
            "group_name": "Monitoring",
            "button_class": "blue",
            "new_window": True,
        },
        {"name": "Wiki", "object_types": ["dcim.site"], "link_text": "Wiki", "link_url": "https://wiki.example.com/"},
        {
            "name": "Off",
            "object_types": ["ipam.prefix"],
            "enabled": False,
            "link_text": "{{ object.prefix }}",
            "link_url": "/ipam/prefixes/?q={{ object.prefix }}",
        },
    ]
    update_data = {"weight": 200}
    brief_fields = ["display", "id", "name", "url"]
