"""NetBox's circuit types, circuits, circuit terminations, circuit groups and group assignments.

A circuit shows its two terminations (`termination_a`, `termination_z`) from its terminations, loaded
with the list. A circuit termination is a cable endpoint (declared here through the registry's
`Cabling`, inventory knowing nothing of circuits): it shows its cable, cable end and link peers, and a
path traced from an interface cabled to one end of a circuit carries on from the circuit's other end,
as NetBox's does. Its `paths` route lists the paths passing through it."""

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

from addressing.api.common import TRAILER, linked_object, object_types_of
from circuits.models import Circuit, CircuitGroup, CircuitGroupAssignment, CircuitTermination, CircuitType
from circuits.models.circuits import GROUP_MEMBER_TYPES, TERMINATION_TYPES
from circuits.models.providers import ProviderNetwork
from core.fields import BRIEF_OBJECT, INTEGER_VALUE, TEXT_VALUE, Rendered, json_object, list_of, nullable
from core.registry import Api, Cabling, Counted, Search, object_type_renderer, plain_choice, registry
from core.representation import render
from inventory.api.components import OCCUPIED
from inventory.api.connections import CABLED, PATHS
from inventory.api.sites import at_site_count
from inventory.cabling import Loader, endpoint_queryset
from inventory.models import Site

NAMED_BRIEF = ("id", "url", "display", "name", "slug", "description")

registry.register(
    CircuitType,
    api=Api(
        "circuits/circuit-types",
        brief_fields=NAMED_BRIEF,
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "color", "description", *TRAILER,
            "circuit_count",
        ),
        counts={"circuit_count": "circuits"},
        brief_counts=("circuit_count",),
    ),
    search=Search(fields=("name", "slug", "description", "comments")),
)  # fmt: skip

# NetBox's CircuitCircuitTermination: a termination as its circuit shows it.
SIDE_FIELDS = (
    "id", "url", "display_url", "display", "termination_type", "termination_id", "termination", "port_speed",
    "upstream_speed", "xconnect_id", "description",
)  # fmt: skip
SIDE = nullable(
    json_object(
        {
            "id": INTEGER_VALUE,
            "url": TEXT_VALUE,
            "display_url": TEXT_VALUE,
            "display": TEXT_VALUE,
            "termination_type": nullable(TEXT_VALUE),
            "termination_id": nullable(INTEGER_VALUE),
            "termination": nullable(BRIEF_OBJECT),
            "port_speed": nullable(INTEGER_VALUE),
            "upstream_speed": nullable(INTEGER_VALUE),
            "xconnect_id": TEXT_VALUE,
            "description": TEXT_VALUE,
        }
    )
)


def _side(side: str) -> Rendered:
    def render_side(circuit, links):
        termination = circuit.termination(side)
        return None if termination is None else render(termination, links, only=set(SIDE_FIELDS))

    # The terminations with what each shows of its far object (a site, a provider network…): a query per
    # kind of object for the whole list, not one per circuit.
    return Rendered(
        render_side, SIDE, prefetch=("terminations", "terminations__termination_type", "terminations__termination")
    )


ASSIGNMENT = json_object(
    {
        "id": INTEGER_VALUE,
        "url": TEXT_VALUE,
        "display": TEXT_VALUE,
        "group": BRIEF_OBJECT,
        "priority": nullable(json_object({"value": TEXT_VALUE, "label": TEXT_VALUE})),
    }
)
ASSIGNMENT_FIELDS = {"id", "url", "display", "group", "priority"}


def assignments_renderer() -> Rendered:
    """NetBox's `assignments` of a circuit (or a virtual circuit): its groups, with priority."""
    return Rendered(
        lambda member, links: [
            render(assignment, links, only=ASSIGNMENT_FIELDS) for assignment in member.group_assignments.all()
        ],
        list_of(ASSIGNMENT),
        prefetch=("group_assignments__group",),
    )


registry.register(
    Circuit,
    images=True,
    api=Api(
        "circuits/circuits",
        brief_fields=("id", "url", "display", "cid", "provider", "description"),
        fields=(
            "id", "url", "display_url", "display", "cid", "provider", "provider_account", "type", "status", "tenant",
            "install_date", "termination_date", "commit_rate", "description", "distance", "distance_unit",
            "termination_a", "termination_z", "owner", "comments", "tags", "custom_fields", "created",
            "last_updated", "assignments",
        ),
        renderers={"termination_a": _side("A"), "termination_z": _side("Z"), "assignments": assignments_renderer()},
    ),
    search=Search(fields=("cid", "description", "comments")),
)  # fmt: skip
registry.register(
    CircuitTermination,
    api=Api(
        "circuits/circuit-terminations",
        brief_fields=("id", "url", "display", "circuit", "term_side", "description", "cable", "_occupied"),
        fields=(
            "id", "url", "display_url", "display", "circuit", "term_side", "termination_type", "termination_id",
            "termination", "port_speed", "upstream_speed", "xconnect_id", "pp_info", "description", "mark_connected",
            "cable", "cable_end", "link_peers", "link_peers_type", "tags", "custom_fields", "created", "last_updated",
            "_occupied",
        ),
        renderers={
            "term_side": plain_choice("term_side"),
            "termination_type": object_type_renderer("termination_type", null=True),
            "termination": linked_object("termination"),
            **CABLED,
            "_occupied": OCCUPIED,
        },
        write_converters={"termination_type": object_types_of(TERMINATION_TYPES)},
        display_uses=("circuit",),
        routes=(PATHS,),
    ),
    search=Search(fields=("xconnect_id", "pp_info", "description")),
)  # fmt: skip


def _on_provider_network(termination: CircuitTermination) -> bool:
    return (
        termination.termination_type_id is not None
        and termination.termination_type_id == ContentType.objects.get_for_model(ProviderNetwork).pk
    )


def _refused(termination: CircuitTermination) -> str | None:
    if _on_provider_network(termination):
        return _("Circuit terminations attached to a provider network may not be cabled.")
    return None


def _other_end(terminations: Sequence[CircuitTermination], positions, loader: Loader) -> list:
    """A trace arriving at one end of a circuit leaves from its other end (A to Z, Z to A), read once per
    change for every circuit the trace passes. A circuit without its other end, or whose other end is on
    a provider network, ends the path there."""
    memo = loader.memo.setdefault("circuit_ends", {})
    wanted = {termination.circuit_id for termination in terminations if termination.circuit_id not in memo}
    if wanted:
        for circuit_id in wanted:
            memo[circuit_id] = {}
        for end in endpoint_queryset(CircuitTermination).filter(circuit_id__in=wanted):
            memo[end.circuit_id][end.term_side] = end
    branches = []
    for termination in terminations:
        far = memo[termination.circuit_id].get("Z" if termination.term_side == "A" else "A")
        if far is not None and not _on_provider_network(far):
            branches.append(([far], tuple(positions)))
    return branches


registry.extend(
    CircuitTermination,
    cabling=Cabling(
        "circuittermination",
        "circuit",
        compatible=("interface", "frontport", "rearport", "circuittermination"),
        refuse=_refused,
        through=_other_end,
    ),
)
registry.register(
    CircuitGroup,
    api=Api(
        "circuits/circuit-groups",
        brief_fields=("id", "url", "display", "name"),
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "description", "tenant", *TRAILER,
            "circuit_count",
        ),
        counts={"circuit_count": "assignments"},
    ),
    search=Search(fields=("name", "slug", "description", "comments")),
)  # fmt: skip
registry.register(
    CircuitGroupAssignment,
    api=Api(
        "circuits/circuit-group-assignments",
        brief_fields=("id", "url", "display", "group", "member_type", "member_id", "member", "priority"),
        fields=(
            "id", "url", "display_url", "display", "group", "member_type", "member_id", "member", "priority", "tags",
            "custom_fields", "created", "last_updated",
        ),
        renderers={"member_type": object_type_renderer("member_type"), "member": linked_object("member")},
        write_converters={"member_type": object_types_of(GROUP_MEMBER_TYPES, null=False)},
        display_uses=("group",),
    ),
    search=Search(fields=("group__name",)),
)  # fmt: skip


def _site_circuits(outer: str):
    """Circuits with a termination at the site or at one of its locations (NetBox's `circuit_count` on
    sites), each once."""
    circuits = models.Count("circuit_id", distinct=True)
    return at_site_count(CircuitTermination, outer, scope="termination", count=circuits)


registry.augment(Site, counts={"circuit_count": Counted(Circuit, _site_circuits)})
