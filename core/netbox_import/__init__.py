"""Importing a NetBox into an organization: see core.netbox_import.importer."""

from core.netbox_import.client import NetBoxClient, NetBoxUnavailable, normalized_url
from core.netbox_import.importer import ImportFailed, ImportReport, netbox_import

__all__ = ["ImportFailed", "ImportReport", "NetBoxClient", "NetBoxUnavailable", "netbox_import", "normalized_url"]
