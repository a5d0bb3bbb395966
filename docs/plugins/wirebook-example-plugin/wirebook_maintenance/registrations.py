"""What the plugin adds to Wirebook, declared once through the registry (as Wirebook's own apps do):
the REST routes at /api/plugins/maintenance/maintenance-windows/, their filters, the GraphQL type and
queries (`maintenance_window`, `maintenance_window_list`), the list and detail pages, the navigation
entry, global search, tags, custom fields, journal and change log all derive from it. The registry
marks it as this plugin's, so organizations that have not enabled the plugin do not see it."""

from core.registry import Api, Menu, Search, Ui, registry
from wirebook_maintenance.models import MaintenanceWindow

registry.register(
    MaintenanceWindow,
    api=Api(
        "plugins/maintenance/maintenance-windows",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "site", "start", "end", "status", "description",
            "owner", "comments", "tags", "custom_fields", "created", "last_updated",
        ),
    ),
    search=Search(fields=("name", "description", "comments")),
    ui=Ui(
        menu=Menu("Plugins", "Maintenance"),
        table_columns=("name", "site", "start", "end", "status", "description"),
    ),
)  # fmt: skip
