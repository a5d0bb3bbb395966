"""The NetBox compatibility table: current with the code, and never serving less than it did."""

from core.api.compat import compatibility
from core.management.commands.netbox_compat import TABLE, table_markdown

# NetBox paths served when the table was last regenerated: raise it as paths arrive, never lower it.
PATHS_SERVED_AT_LEAST = 279


def test_committed_table_matches_the_code():
    assert TABLE.exists(), "run `make openapi` and commit docs/netbox-compatibility.md"
    assert TABLE.read_text() == table_markdown(), "the API changed: run `make openapi` and commit the table"


def test_no_path_netbox_clients_use_stops_being_served():
    rows, _extensions = compatibility()
    served = {row.path: row.ours for row in rows}

    assert sum(row.present for row in rows) >= PATHS_SERVED_AT_LEAST
    assert served["/api/dcim/sites/"] == ("get", "post", "put", "patch", "delete")
    assert served["/api/dcim/devices/{id}/"] == ("get", "put", "patch", "delete")
    assert served["/api/ipam/prefixes/{id}/available-ips/"] == ("get", "post")
    assert served["/api/status/"] == ("get",)
    assert len(rows) == 322  # NetBox 4.7.3's paths, all of them listed
