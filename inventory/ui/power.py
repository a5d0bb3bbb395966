"""NetBox's Power menu (power panels and feeds) and the power roll-up on the pages of panels, feeds, racks
and power ports: what is drawn against what the feeds deliver (inventory.power)."""

from core.registry import Menu, Panel, Ui, registry
from frontend.base_views import object_url
from inventory.models import PowerFeed, PowerPanel
from inventory.power import PowerDraw, feeds_utilization, power_draws, utilization, with_draws

POWER = Menu("Power", "Power")


def _link(obj) -> dict:
    return {"url": object_url(registry.get(type(obj)), "detail", obj.pk), "name": str(obj)}


def _feed_rows(feeds) -> list[dict]:
    return [
        {
            **_link(feed),
            "rack": _link(feed.rack) if feed.rack is not None else None,
            "status": feed.get_status_display(),
            "port": _link(feed.fed_port) if feed.fed_port is not None else None,
            "device": _link(feed.fed_port.device) if feed.fed_port is not None else None,
            "available": feed.available_power,
            "allocated": feed.draw.allocated,
            "utilization": utilization(feed.draw.allocated, feed.available_power),
        }
        for feed in feeds
    ]


def _feeds(queryset) -> dict:
    feeds = list(with_draws(queryset.select_related("rack", "power_panel").order_by("name", "pk")))
    return {
        "feeds": _feed_rows(feeds),
        "available": sum(feed.available_power for feed in feeds),
        "allocated": sum(feed.draw.allocated for feed in feeds),
        "utilization": feeds_utilization(feeds),
    }


def panel_feeds(request, spec, actor, panel) -> dict:
    return _feeds(PowerFeed.objects.restrict(actor, "view").filter(power_panel=panel))


def rack_feeds(request, spec, actor, rack) -> dict:
    return _feeds(PowerFeed.objects.restrict(actor, "view").filter(rack=rack))


def _draw_rows(draw: PowerDraw, available: int | None) -> list[dict]:
    """The draw in total and per leg, each against what the feed delivers (a third of it per leg)."""
    rows = [
        {
            "label": "Total",
            "outlets": draw.outlet_count,
            "allocated": draw.allocated,
            "maximum": draw.maximum,
            "utilization": None if available is None else utilization(draw.allocated, available),
        }
    ]
    for leg in draw.legs:
        rows.append(
            {
                "label": f"Leg {leg.name}",
                "outlets": leg.outlet_count,
                "allocated": leg.allocated,
                "maximum": leg.maximum,
                "utilization": None if available is None else utilization(leg.allocated, available / 3),
            }
        )
    return rows


def port_draw(request, spec, actor, port) -> dict:
    """A power port's draw (NetBox's get_power_draw()) and, when a feed powers it, its share of the feed."""
    feed = PowerFeed._base_manager.filter(cable_id=port.cable_id).first() if port.cable_id is not None else None
    draw = power_draws([port])[port.pk]
    return {
        "feed": _link(feed) if feed is not None else None,
        "available": feed.available_power if feed is not None else None,
        "rows": _draw_rows(draw, feed.available_power if feed is not None else None),
    }


def feed_draw(request, spec, actor, feed) -> dict:
    (loaded,) = with_draws(PowerFeed._base_manager.filter(pk=feed.pk))
    port = loaded.fed_port
    return {
        "port": _link(port) if port is not None else None,
        "device": _link(port.device) if port is not None else None,
        "available": loaded.available_power,
        "rows": _draw_rows(loaded.draw, loaded.available_power) if port is not None else [],
    }


FEEDS_PANEL = "inventory/power/_feeds_panel.html"
DRAW_PANEL = "inventory/power/_draw_panel.html"
PORT_DRAW = Panel(DRAW_PANEL, context=port_draw, column="right")
RACK_FEEDS = Panel(FEEDS_PANEL, context=rack_feeds, column="full")

registry.extend(
    PowerPanel,
    ui=Ui(
        menu=POWER,
        table_columns=("name", "site", "location", "powerfeed_count", "description"),
        panels=(Panel(FEEDS_PANEL, context=panel_feeds, column="full"),),
        breadcrumbs=("location", "site"),
    ),
)
registry.extend(
    PowerFeed,
    ui=Ui(
        menu=POWER,
        sections=(
            ("Power feed", ("power_panel", "rack", "name", "status", "type", "description", "mark_connected")),
            ("Characteristics", ("supply", "voltage", "amperage", "phase", "max_utilization")),
            ("Tenancy", ("tenant",)),
        ),
        table_columns=(
            "name", "power_panel", "rack", "status", "type", "supply", "phase", "voltage", "amperage",
            "max_utilization", "cable", "connected_endpoints", "description",
        ),
        panels=(Panel(DRAW_PANEL, context=feed_draw, column="right"),),
        breadcrumbs=("power_panel",),
    ),
)  # fmt: skip
