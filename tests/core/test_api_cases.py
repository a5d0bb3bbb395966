"""The generic API cases (tests/api_cases.py) for every registered core model: data only."""

from django.contrib.auth import get_user_model

from core.context import Actor, acting_as
from core.models import (
    CustomField,
    CustomFieldChoiceSet,
    ImageAttachment,
    JournalEntry,
    ObjectChange,
    ObjectPermission,
    Owner,
    OwnerGroup,
    SavedFilter,
    Tag,
)
from core.services import object_create
from inventory.models import Region, Site
from tests.api_cases import APICase, Ref, Upload, call
from tests.core.test_images import picture


def _change(index: int) -> None:
    """One change-log record, made by user `index`."""
    actor = Actor(user_id=1000 + index, user_name=f"user-{index}@example.com", role=None)
    with acting_as(actor):
        object_create(model=Region, data={"name": f"Region {index}", "slug": f"region-{index}"})


class TestTagAPI(APICase):
    model = Tag
    create_data = [
        {"name": "Tag 1", "slug": "tag-1", "color": "ff0000", "description": "first", "weight": 10},
        {"name": "Tag 2", "slug": "tag-2"},
        {"name": "Tag 3", "slug": "tag-3", "color": "00ff00"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "slug", "color", "description"]


class TestCustomFieldAPI(APICase):
    model = CustomField
    create_data = [
        {
            "name": "asset_tag",
            "type": "text",
            "object_types": ["dcim.site"],
            "label": "Asset tag",
            "group_name": "Inventory",
            "required": False,
            "search_weight": 500,
            "filter_logic": "exact",
            "weight": 10,
            "validation_regex": "^A-",
        },
        {
            "name": "rack_count",
            "type": "integer",
            "object_types": ["dcim.site", "tenancy.tenant"],
            "nulls_first": False,
        },
        {
            "name": "monitoring",
            "type": "json",
            "object_types": ["dcim.region"],
            "validation_schema": {"type": "object", "required": ["probe"]},
        },
    ]
    update_data = {"description": "changed", "nulls_first": False}
    brief_fields = ["id", "url", "display", "name", "description"]


class TestCustomFieldChoiceSetAPI(APICase):
    model = CustomFieldChoiceSet
    create_data = [
        {
            "name": "Colors",
            "extra_choices": [["red", "Red"], ["green", "Green"]],
            "choice_colors": {"red": "red", "green": "green"},
            "order_alphabetically": True,
        },
        {"name": "Sizes", "extra_choices": [["s", "Small"], ["l", "Large"]]},
        {"name": "Shapes", "extra_choices": [["round", "Round"]], "description": "third"},
    ]
    update_data = {"description": "changed", "choice_colors": {}}
    brief_fields = ["id", "url", "display", "name", "description", "choices_count"]


class TestJournalEntryAPI(APICase):
    model = JournalEntry
    setup_objects = staticmethod(lambda: {"site": Site.objects.create(name="AMS1", slug="ams1")})
    create_data = [
        {
            "assigned_object_type": "dcim.site",
            "assigned_object_id": Ref("site"),
            "kind": "warning",
            "comments": "Replaced PSU",
        },
        {"assigned_object_type": "dcim.site", "assigned_object_id": Ref("site"), "comments": "All good"},
        {
            "assigned_object_type": "dcim.site",
            "assigned_object_id": Ref("site"),
            "kind": "danger",
            "comments": "Power outage",
        },
    ]
    update_data = {"comments": "changed"}
    brief_fields = ["id", "url", "display", "created"]
    filter_fields = ["created_by"]


class TestSavedFilterAPI(APICase):
    model = SavedFilter
    create_data = [
        {
            "name": "Active sites",
            "slug": "active-sites",
            "object_types": ["dcim.site"],
            "parameters": {"status": ["active"]},
            "weight": 10,
            "enabled": True,
            "shared": True,
        },
        {
            "name": "Planned sites",
            "slug": "planned-sites",
            "object_types": ["dcim.site"],
            "parameters": {"status": ["planned"]},
        },
        {
            "name": "Big tenants",
            "slug": "big-tenants",
            "object_types": ["tenancy.tenant", "dcim.site"],
            "parameters": {"q": "big"},
            "enabled": False,
            # all shared: the generic cases show every object to viewers (private ones:
            # tests/security/test_saved_filters.py)
            "shared": True,
        },
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "slug", "description"]
    filter_fields = ["user"]


class TestObjectPermissionAPI(APICase):
    model = ObjectPermission
    setup_objects = staticmethod(lambda: {"owner": get_user_model().objects.get(email="owner-a@example.com")})
    create_data = [
        {
            "name": "View active sites",
            "description": "first",
            "object_types": ["dcim.site"],
            "actions": ["view"],
            "constraints": {"status": "active"},
            "users": [Ref("owner")],
        },
        {"name": "Change tenants", "object_types": ["tenancy.tenant"], "actions": ["change", "view"]},
        {"name": "Disabled", "object_types": ["dcim.site", "dcim.region"], "actions": ["add"], "enabled": False},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "description", "enabled", "object_types", "actions"]
    filter_fields = ["enabled"]


class TestOwnerGroupAPI(APICase):
    model = OwnerGroup
    create_data = [
        {"name": "Network", "description": "first"},
        {"name": "Facilities"},
        {"name": "Security", "description": "third"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "description"]


def _owner_setup() -> dict:
    return {
        "owner": get_user_model().objects.get(email="owner-a@example.com"),
        "group": OwnerGroup.objects.create(name="Operations"),
    }


class TestOwnerAPI(APICase):
    model = Owner
    setup_objects = staticmethod(_owner_setup)
    create_data = [
        {"name": "NOC", "group": Ref("group"), "description": "first", "users": [Ref("owner")], "user_groups": []},
        {"name": "Field team", "group": None},
        {"name": "Data center", "description": "third"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "description"]
    rendered_as = {"user_groups": []}


class TestObjectChangeAPI(APICase):
    model = ObjectChange
    make_object = staticmethod(_change)
    # NetBox's brief form of a change is its full one.
    brief_fields = [
        "id", "url", "display_url", "display", "time", "user", "user_name", "request_id", "action",
        "changed_object_type", "changed_object_id", "changed_object", "object_repr", "message", "prechange_data",
        "postchange_data",
    ]  # fmt: skip
    filter_fields = [
        "user",
        "user_name",
        "request_id",
        "action",
        "changed_object_type",
        "changed_object_id",
        "object_repr",
    ]


def upload(kind: str = "PNG", name: str = "rack.png") -> Upload:
    return Upload(name, picture(kind=kind), "image/png")


class TestImageAttachmentAPI(APICase):
    model = ImageAttachment
    setup_objects = staticmethod(lambda: {"site": Site.objects.create(name="AMS1", slug="ams1")})
    create_data = [
        {
            "object_type": "dcim.site",
            "object_id": Ref("site"),
            "name": "Entrance",
            "description": "the door",
            "image": upload(),
        },
        {"object_type": "dcim.site", "object_id": Ref("site"), "name": "Cage", "image": upload(kind="JPEG")},
        {"object_type": "dcim.site", "object_id": Ref("site"), "image": upload(name="floor.png")},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "image", "description"]
    filter_fields = ["image_width", "image_height", "image_size"]

    def test_bulk_create(self, org_a, owner, slug, payloads):
        """A list of objects is JSON, which carries no file (NetBox's bulk create takes none either): each
        item is refused, and nothing is written."""
        response = call(owner, "post", self.list_url(slug), payloads[1:])

        assert response.status_code == 400, response.content
        assert [error["errors"] for error in response.json()["errors"]] == [
            {"image": ["The submitted data was not a file. Check the encoding type on the form."]}
        ] * 2
        assert self.listed(owner, slug) == []
