"""The generic API cases (tests/api_cases.py) for every registered inventory model: data only."""

from inventory.models import (
    Contact,
    ContactAssignment,
    ContactGroup,
    ContactRole,
    Location,
    Region,
    Site,
    SiteGroup,
    Tenant,
    TenantGroup,
)
from tests.api_cases import APICase, Ref

GROUP_BRIEF = ["id", "url", "display", "name", "slug", "description", "_depth"]
NAMED_BRIEF = ["id", "url", "display", "name", "slug", "description"]


def _site_relations():
    return {
        "region": Region.objects.create(name="Europe", slug="europe"),
        "group": SiteGroup.objects.create(name="Core", slug="core"),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
    }


def _site_and_tenant():
    return {
        "site": Site.objects.create(name="AMS1", slug="ams1"),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
    }


def _assignment_relations():
    return {
        "site": Site.objects.create(name="AMS1", slug="ams1"),
        "contact": Contact.objects.create(name="Alice"),
        **{f"role{n}": ContactRole.objects.create(name=f"Role {n}", slug=f"role-{n}") for n in (1, 2, 3)},
    }


class TestRegionAPI(APICase):
    model = Region
    create_data = [
        {"name": "Region 1", "slug": "region-1", "description": "first"},
        {"name": "Region 2", "slug": "region-2"},
        {"name": "Region 3", "slug": "region-3"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*GROUP_BRIEF, "site_count"]


class TestSiteGroupAPI(APICase):
    model = SiteGroup
    create_data = [
        {"name": "Site group 1", "slug": "site-group-1", "description": "first"},
        {"name": "Site group 2", "slug": "site-group-2"},
        {"name": "Site group 3", "slug": "site-group-3"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*GROUP_BRIEF, "site_count"]


class TestSiteAPI(APICase):
    model = Site
    setup_objects = staticmethod(_site_relations)
    create_data = [
        {
            "name": "Site 1",
            "slug": "site-1",
            "status": "planned",
            "region": Ref("region"),
            "group": Ref("group"),
            "tenant": Ref("tenant"),
            "facility": "DC-1",
            "time_zone": "Europe/Amsterdam",
            "physical_address": "Damrak 1, Amsterdam",
            "latitude": "52.370216",
            "longitude": "4.895168",
            "comments": "first",
        },
        {"name": "Site 2", "slug": "site-2", "region": {"slug": "europe"}},
        {"name": "Site 3", "slug": "site-3", "status": "retired"},
    ]
    update_data = {"description": "changed", "status": "active"}
    brief_fields = NAMED_BRIEF


class TestLocationAPI(APICase):
    model = Location
    setup_objects = staticmethod(_site_and_tenant)
    create_data = [
        {
            "name": "Location 1",
            "slug": "location-1",
            "site": Ref("site"),
            "status": "planned",
            "tenant": Ref("tenant"),
            "facility": "Hall 1",
        },
        {"name": "Location 2", "slug": "location-2", "site": Ref("site")},
        {"name": "Location 3", "slug": "location-3", "site": {"slug": "ams1"}},
    ]
    update_data = {"description": "changed"}
    brief_fields = GROUP_BRIEF


class TestTenantGroupAPI(APICase):
    model = TenantGroup
    create_data = [
        {"name": "Tenant group 1", "slug": "tenant-group-1", "description": "first"},
        {"name": "Tenant group 2", "slug": "tenant-group-2"},
        {"name": "Tenant group 3", "slug": "tenant-group-3"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*GROUP_BRIEF, "tenant_count"]


class TestTenantAPI(APICase):
    model = Tenant
    setup_objects = staticmethod(lambda: {"group": TenantGroup.objects.create(name="Customers", slug="customers")})
    create_data = [
        {"name": "Tenant 1", "slug": "tenant-1", "group": Ref("group"), "comments": "first"},
        {"name": "Tenant 2", "slug": "tenant-2"},
        {"name": "Tenant 3", "slug": "tenant-3", "group": {"slug": "customers"}},
    ]
    update_data = {"description": "changed"}
    brief_fields = NAMED_BRIEF


class TestContactGroupAPI(APICase):
    model = ContactGroup
    create_data = [
        {"name": "Contact group 1", "slug": "contact-group-1", "description": "first"},
        {"name": "Contact group 2", "slug": "contact-group-2"},
        {"name": "Contact group 3", "slug": "contact-group-3"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "slug", "description", "contact_count", "_depth"]


class TestContactRoleAPI(APICase):
    model = ContactRole
    create_data = [
        {"name": "Contact role 1", "slug": "contact-role-1", "description": "first"},
        {"name": "Contact role 2", "slug": "contact-role-2"},
        {"name": "Contact role 3", "slug": "contact-role-3"},
    ]
    update_data = {"description": "changed"}
    brief_fields = NAMED_BRIEF


class TestContactAPI(APICase):
    model = Contact
    setup_objects = staticmethod(lambda: {"group": ContactGroup.objects.create(name="NOC", slug="noc")})
    create_data = [
        {
            "name": "Alice",
            "title": "Network engineer",
            "phone": "+31 20 555 0100",
            "email": "alice@example.com",
            "address": "Damrak 1, Amsterdam",
            "link": "https://example.com/alice",
            "groups": [Ref("group")],
        },
        {"name": "Bob", "groups": [{"slug": "noc"}]},
        {"name": "Carol"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "description"]


class TestContactAssignmentAPI(APICase):
    model = ContactAssignment
    setup_objects = staticmethod(_assignment_relations)
    create_data = [
        {
            "object_type": "dcim.site",
            "object_id": Ref("site"),
            "contact": Ref("contact"),
            "role": Ref("role1"),
            "priority": "primary",
        },
        {
            "object_type": "dcim.site",
            "object_id": Ref("site"),
            "contact": Ref("contact"),
            "role": Ref("role2"),
        },
        {
            "object_type": "dcim.site",
            "object_id": Ref("site"),
            "contact": {"name": "Alice"},
            "role": {"slug": "role-3"},
            "priority": "secondary",
        },
    ]
    filter_fields = ["object_type"]
    update_data = {"priority": "tertiary"}
    brief_fields = ["id", "url", "display", "contact", "role", "priority"]
