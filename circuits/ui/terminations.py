"""A circuit's page shows its two ends, as NetBox's: for each side the termination (where it is handed off,
its speeds, cross-connect and patch panel) and what is at the far end of it: the cable and the objects on
its other end, or "Not connected" (or "Marked as connected") without a cable."""

from typing import Any

from circuits.models import CircuitTermination
from core.registry import Panel, registry
from frontend.base_views import object_url, permissions
from inventory.cabling import terminations_prefetch

SIDES = ("A", "Z")


def speed(kbps: int | None) -> str:
    """NetBox's humanized speed: 1000000 Kbps is "1 Gbps"."""
    if kbps is None:
        return "—"
    for unit, size in (("Tbps", 1_000_000_000), ("Gbps", 1_000_000), ("Mbps", 1_000)):
        if kbps >= size and kbps % size == 0:
            return f"{kbps // size} {unit}"
    return f"{kbps} Kbps"


def _far_end(termination: CircuitTermination) -> str:
    return "Marked as connected" if termination.mark_connected else "Not connected"


def _linked(obj) -> dict:
    spec = registry.find(type(obj))
    parent = getattr(obj, "device", None)
    return {
        "text": f"{parent} {obj}" if parent is not None else str(obj),
        "url": object_url(spec, "detail", obj.pk) if spec is not None else None,
    }


def _peers(termination: CircuitTermination) -> list[dict]:
    """The objects on the other end of the termination's cable (its prefetched terminations)."""
    if termination.cable is None:
        return []
    return [
        _linked(row.termination)
        for row in termination.cable.terminations.all()
        if row.cable_end != termination.cable_end and row.termination is not None
    ]


def _ends(request, spec, actor, circuit) -> dict:
    termination_spec = registry.get(CircuitTermination)
    visible = {
        end.term_side: end
        for end in CircuitTermination.objects.restrict(actor, "view")
        .filter(circuit=circuit)
        .select_related("circuit", "cable")
        .prefetch_related(terminations_prefetch())
    }
    may_add = permissions(termination_spec, actor)["add"]
    ends: list[dict[str, Any]] = []
    for side in SIDES:
        end = visible.get(side)
        if end is None:
            add = object_url(termination_spec, "add", circuit=circuit.pk, term_side=side) if may_add else None
            ends.append({"side": side, "termination": None, "add_url": add})
            continue
        target = end.termination
        target_spec = registry.find(type(target)) if target is not None else None
        ends.append(
            {
                "side": side,
                "termination": end,
                "url": object_url(termination_spec, "detail", end.pk),
                "target": target,
                "target_url": object_url(target_spec, "detail", target.pk) if target_spec is not None else None,
                "port_speed": speed(end.port_speed),
                "upstream_speed": speed(end.upstream_speed),
                "far_end": _far_end(end),
                "cable": _linked(end.cable) if end.cable is not None else None,
                "peers": _peers(end),
            }
        )
    return {"circuit_ends": ends}


CIRCUIT_ENDS = Panel("circuits/_ends.html", context=_ends, column="right")
