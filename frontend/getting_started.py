"""A new organization's overview: a getting-started checklist instead of a dashboard of zeros.

An organization is new to a member while they can see no object of any type people write (the
change log, jobs and a member's own bookmarks do not count): the overview then shows the steps to
start -- add a site, import data, invite a member, create an API token (with a pynetbox snippet) --
each linked to its page and ticked once done. The first object makes the overview the dashboard.
"""

from django.urls import reverse

from core.context import ROLE_ACTIONS
from core.registry import registry
from frontend.base_views import object_url
from tenants.models import Invitation, Membership, Token

FIRST_SITE_TYPE = "dcim.site"


def counts_toward_new(label: str) -> bool:
    """Types whose objects show the organization is in use: written by people, not kept for them."""
    spec = registry.find_label(label)
    return spec is not None and not spec.access.read_only and spec.access.personal is None


def is_new(counts: dict[str, int]) -> bool:
    return not any(count for label, count in counts.items() if counts_toward_new(label))


def checklist(request) -> dict:
    """The steps, each {title, done, url}, and what the pynetbox snippet needs."""
    organization = request.organization
    actions = ROLE_ACTIONS.get(request.membership.role, frozenset())
    site = registry.find_label(FIRST_SITE_TYPE)
    writes = "add" in actions and site is not None and not site.access.read_only
    members = Membership.objects.filter(organization=organization).count() > 1
    invited = Invitation.objects.filter(organization=organization, accepted_at__isnull=True).exists()
    tokens = Token.objects.filter(organization=organization).exists()
    return {
        "site_url": object_url(site, "add") if writes and site is not None else None,
        "import_url": object_url(site, "import") if writes and site is not None else None,
        # Importing a NetBox is a settings page: admins and owners (frontend/settings/netbox_import.py).
        "netbox_import_url": reverse("settings-netbox-import") if request.membership.is_manager else None,
        "members_url": reverse("members"),
        "tokens_url": reverse("settings-tokens"),
        "invited": members or invited,
        "token_made": tokens,
        "api_url": request.build_absolute_uri(reverse("organization-home")).rstrip("/"),
        "compatibility_url": reverse("api-docs"),
    }
