"""Brief (nested) representations inventory's registrations share, as NetBox 4.7's Brief schemas list them."""

from core.registry import Search

GROUP_BRIEF = ("id", "url", "display", "name", "slug", "description", "_depth")
SITE_GROUPING_BRIEF = ("id", "url", "display", "name", "slug", "description", "site_count", "_depth")
NAMED_BRIEF = ("id", "url", "display", "name", "slug", "description")
NAMES = Search(fields=("name", "slug", "description", "comments"))
