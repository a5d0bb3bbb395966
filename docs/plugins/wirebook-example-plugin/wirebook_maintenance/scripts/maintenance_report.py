"""A custom script the example plugin ships: organizations that enable the plugin find it under
Customization > Scripts as "maintenance/maintenance_report" and run it like their own scripts, in
Wirebook's sandbox, through the REST API (docs/plugins.md, "Shipping custom scripts")."""

from extras.scripts import ChoiceVar, Script
from wirebook import request

STATUSES = (
    ("planned", "Planned"),
    ("in-progress", "In progress"),
    ("completed", "Completed"),
    ("cancelled", "Cancelled"),
)


class WindowsByStatus(Script):
    class Meta:
        name = "Maintenance windows by status"
        description = "List the maintenance windows of one status, with their sites and times."
        commit_default = False

    status = ChoiceVar(choices=STATUSES, default="planned")

    def run(self, data, commit):
        page = request(
            "GET",
            "/api/plugins/maintenance/maintenance-windows/",
            params={"status": data["status"], "limit": 1000},
        )
        for window in page["results"]:
            self.log_info(f"{window['site']['name']}: {window['name']}, {window['start']} to {window['end']}")
        return f"{page['count']} maintenance window(s) {data['status']}"
