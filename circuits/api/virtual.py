"""NetBox's virtual circuit types, virtual circuits and their terminations on interfaces."""

from addressing.api.common import TRAILER
from circuits.api.circuits import NAMED_BRIEF
from circuits.models import VirtualCircuit, VirtualCircuitTermination, VirtualCircuitType
from core.registry import Api, Search, registry

registry.register(
    VirtualCircuitType,
    api=Api(
        "circuits/virtual-circuit-types",
        brief_fields=NAMED_BRIEF,
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "color", "description", *TRAILER,
            "virtual_circuit_count",
        ),
        counts={"virtual_circuit_count": "virtual_circuits"},
        brief_counts=("virtual_circuit_count",),
    ),
    search=Search(fields=("name", "slug", "description", "comments")),
)  # fmt: skip
registry.register(
    VirtualCircuit,
    api=Api(
        "circuits/virtual-circuits",
        brief_fields=("id", "url", "display", "cid", "provider_network", "description"),
        fields=(
            "id", "url", "display_url", "display", "cid", "provider_network", "provider_account", "type", "status",
            "tenant", "description", *TRAILER,
        ),
    ),
    search=Search(fields=("cid", "description", "comments")),
)  # fmt: skip
registry.register(
    VirtualCircuitTermination,
    api=Api(
        "circuits/virtual-circuit-terminations",
        brief_fields=("id", "url", "display", "virtual_circuit", "role", "interface", "description"),
        fields=(
            "id", "url", "display_url", "display", "virtual_circuit", "role", "interface", "description", "tags",
            "custom_fields", "created", "last_updated",
        ),
        display_uses=("virtual_circuit",),
    ),
    search=Search(fields=("description",)),
)  # fmt: skip
