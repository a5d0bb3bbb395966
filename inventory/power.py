"""The power chain's roll-up: what a power port draws, what a feed, a rack and a panel deliver against it.

As NetBox's `PowerPort.get_power_draw()`: a power port with its own `allocated_draw` or `maximum_draw`
draws that; one with neither draws what the power ports cabled to its outlets draw together, and when it
is fed by one three-phase feed that sum is also given per leg (the outlets' `feed_leg`). A feed's
utilization is the draw of the power port cabled to it against the feed's `available_power`; a rack's
the draw of the ports on its feeds against all its feeds can deliver.

Everything is read for a whole list at once: `power_draws(ports)` answers for any number of ports in
at most three queries, `feed_draws(feeds)` in at most four.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.db.models.query import ModelIterable

from inventory.choices import PowerFeedPhase, PowerOutletFeedLeg
from inventory.models import PowerFeed, PowerOutlet, PowerPort


@dataclass
class Leg:
    name: str
    allocated: int = 0
    maximum: int = 0
    outlet_count: int = 0


@dataclass
class PowerDraw:
    """NetBox's get_power_draw(): watts allocated and at most, the outlets, and per leg of a three-phase feed."""

    allocated: int = 0
    maximum: int = 0
    outlet_count: int = 0
    legs: list[Leg] = field(default_factory=list)


def utilization(drawn: float, available: float) -> float:
    """Percent of `available` watts that `drawn` uses, to one decimal (0 when nothing is available)."""
    if not available:
        return 0.0
    return round(drawn / available * 100, 1)


def power_draws(ports: Sequence[PowerPort]) -> dict[int, PowerDraw]:
    """The draw of each port, by port id."""
    if not ports:
        return {}
    outlets = list(
        PowerOutlet._base_manager.filter(power_port_id__in=[port.pk for port in ports]).values_list(
            "power_port_id", "feed_leg", "cable_id"
        )
    )
    # What the ports cabled to each outlet draw (a power outlet is cabled to power ports only).
    downstream: dict[int, list[tuple[int, int]]] = defaultdict(list)
    outlet_cables = {cable_id for _port, _leg, cable_id in outlets if cable_id is not None}
    if outlet_cables:
        for cable_id, allocated, maximum in PowerPort._base_manager.filter(cable_id__in=outlet_cables).values_list(
            "cable_id", "allocated_draw", "maximum_draw"
        ):
            downstream[cable_id].append((allocated or 0, maximum or 0))
    # Ports fed by a three-phase feed show their draw per leg.
    three_phase: set[int] = set()
    rolled_up = [port for port in ports if port.allocated_draw is None and port.maximum_draw is None]
    port_cables = {port.cable_id for port in rolled_up if port.cable_id is not None}
    if port_cables:
        feeds = PowerFeed._base_manager.filter(cable_id__in=port_cables).values_list("cable_id", "phase")
        counted: dict[int, list[str]] = defaultdict(list)
        for cable_id, phase in feeds:
            counted[cable_id].append(phase)
        three_phase = {cable_id for cable_id, phases in counted.items() if phases == [PowerFeedPhase.THREE]}
    by_port: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for port_id, leg, cable_id in outlets:
        by_port[port_id].append((leg, cable_id))
    draws = {}
    for port in ports:
        mine = by_port.get(port.pk, [])
        if port.allocated_draw is not None or port.maximum_draw is not None:
            draws[port.pk] = PowerDraw(port.allocated_draw or 0, port.maximum_draw or 0, len(mine))
            continue
        draw = PowerDraw(outlet_count=len(mine))
        for _leg, outlet_cable in mine:
            for allocated, maximum in downstream.get(outlet_cable, []) if outlet_cable is not None else []:
                draw.allocated += allocated
                draw.maximum += maximum
        if port.cable_id in three_phase:
            for leg, label in PowerOutletFeedLeg.choices:
                on_leg = [cable_id for outlet_leg, cable_id in mine if outlet_leg == leg]
                drawn = [d for cable_id in on_leg if cable_id is not None for d in downstream.get(cable_id, [])]
                draw.legs.append(
                    Leg(str(label), sum(d[0] for d in drawn), sum(d[1] for d in drawn), outlet_count=len(on_leg))
                )
        draws[port.pk] = draw
    return draws


def feed_draws(feeds: Iterable[PowerFeed]) -> None:
    """Give each feed the power port cabled to it (`fed_port`, or None) and that port's draw (`draw`)."""
    feeds = list(feeds)
    cables = {feed.cable_id for feed in feeds if feed.cable_id is not None}
    ports: dict[int | None, PowerPort] = {}
    if cables:
        for port in PowerPort._base_manager.filter(cable_id__in=cables).select_related("device").order_by("pk"):
            ports.setdefault(port.cable_id, port)
    draws = power_draws(list(ports.values()))
    for feed in feeds:
        fed = ports.get(feed.cable_id) if feed.cable_id is not None else None
        feed.fed_port = fed
        feed.draw = draws[fed.pk] if fed is not None else PowerDraw()


class _WithDraws(ModelIterable):
    def __iter__(self):
        rows = list(super().__iter__())
        feed_draws(rows)
        yield from rows


def with_draws(queryset: QuerySet) -> QuerySet:
    """Feeds that carry their draw (`feed_draws`) when read: for all the feeds read at once (a list of
    racks prefetching their feeds reads the draws of all their feeds together)."""
    clone = queryset.all()
    clone._iterable_class = _WithDraws
    return clone


def feeds_utilization(feeds: Iterable[PowerFeed]) -> float:
    """The allocated draw on `feeds` (loaded `with_draws`) against what they can deliver, in percent: a rack's
    or a panel's power utilization, as NetBox's Rack.get_power_utilization()."""
    feeds = list(feeds)
    return utilization(sum(feed.draw.allocated for feed in feeds), sum(feed.available_power for feed in feeds))
