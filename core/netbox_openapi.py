"""NetBox 4.7.3's own OpenAPI document, committed in core/api/netbox/: read by the compatibility table
(core.api.compat), by the NetBox importer's report of what it does not carry over (core.netbox_import) and by
the shape tests. Outside core.api, so that the importer needs nothing of the REST API's package."""

import functools
import gzip
import json
from pathlib import Path
from typing import Any

NETBOX_VERSION = "4.7.3"
NETBOX_DOCUMENT = Path(__file__).resolve().parent / "api" / "netbox" / f"openapi-{NETBOX_VERSION}.json.gz"


@functools.cache
def netbox_openapi() -> dict[str, Any]:
    """The document, read once per process (callers only read it)."""
    return json.loads(gzip.decompress(NETBOX_DOCUMENT.read_bytes()))
