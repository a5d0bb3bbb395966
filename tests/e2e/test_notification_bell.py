"""The notification bell in a real browser: an event rule notifies a group when another member
creates a site; the owner's bell shows the count and the list, and marks them read."""

from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import expect

from automation.models import EventRule, NotificationGroup
from core.services import object_create
from inventory.models import Site
from tenants.context import tenant_context
from tenants.models import MembershipRole
from tests.e2e.harness import field, login


def test_the_bell_counts_lists_and_marks_read_what_another_member_did(new_page, accounts, shot):
    # given an organization whose event rule notifies the owner of every new site
    owner = accounts.user()
    editor = accounts.user()
    organization = accounts.organization(owner=owner, name="Bell Lab")
    accounts.membership(organization=organization, user=editor, role=MembershipRole.EDITOR)
    slug = organization.slug
    with tenant_context(organization):
        group = object_create(model=NotificationGroup, data={"name": "Owners", "user_ids": [owner.pk]})
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
    mine = new_page()
    login(mine, owner.email)
    mine.goto(f"/o/{slug}/")
    bell = mine.get_by_role("button", name="Notifications (0 unread)")
    expect(bell).to_be_visible()
    expect(mine.locator("[data-wb-unread]")).to_have_count(0)

    # when another member creates two sites through their forms
    theirs = new_page()
    login(theirs, editor.email)
    for name in ("AMS1", "FRA1"):
        theirs.goto(f"/o/{slug}/dcim/sites/add/")
        field(theirs, "Name").fill(name)
        field(theirs, "Slug").fill(name.lower())
        theirs.get_by_role("button", name="Create", exact=True).click()
        expect(theirs.get_by_role("heading", level=1, name=name)).to_be_visible()

    # then the owner's bell counts both and lists them, linking to each site
    mine.reload()
    expect(mine.locator("[data-wb-unread]")).to_have_text("2")
    mine.get_by_role("button", name="Notifications (2 unread)").click()
    menu = mine.locator(".wb-bell-menu")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="AMS1")).to_be_visible()
    expect(menu.get_by_role("link", name="FRA1")).to_be_visible()
    expect(menu).to_contain_text("Object created")
    shot(mine, "bell-open")

    # when the owner marks one read: one is left
    menu.locator("div.border-bottom", has_text="AMS1").get_by_role("button", name="Mark read").click()
    expect(mine.locator("[data-wb-unread]")).to_have_text("1")
    mine.get_by_role("button", name="Notifications (1 unread)").click()
    expect(menu.get_by_role("link", name="AMS1")).to_have_count(0)
    expect(menu.get_by_role("link", name="FRA1")).to_be_visible()

    # and all read: the badge is gone, the list says so
    menu.get_by_role("button", name="Mark all read").click()
    expect(mine.locator("[data-wb-unread]")).to_have_count(0)
    mine.get_by_role("button", name="Notifications (0 unread)").click()
    expect(menu).to_contain_text("No unread notifications.")
    shot(mine, "all-read")

    # the member who made the changes was not notified (not in the group)
    expect(theirs.locator("[data-wb-unread]")).to_have_count(0)
