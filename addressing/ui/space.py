"""The pages of IP space: what lies below a prefix, an aggregate or a range, with the free space between
(NetBox's "available" rows, each a link to the form that fills it), utilization, the VLAN IDs a group
has left. Tables reuse the list pages' columns and representation (one query per page, not per row)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import netaddr
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst

from addressing.models import VLAN, Aggregate, IPAddress, IPRange, Prefix, VLANGroup
from addressing.models.vlans import inclusive
from addressing.querysets import in_vrf
from core.registry import ObjectSpec, Panel, Tab, registry
from core.representation import Links, optimize, render_many
from frontend import tables
from frontend.base_views import object_url, permissions

# Rows a tab shows at most (its "all" link lists the rest).
TAB_ROWS = 500
# Above this many free addresses a gap says "Many IPs available", as NetBox's does.
COUNTED_GAP = 65536


@dataclass
class Row:
    cells: list[SafeString]
    available: bool = False


def _table(model, actor, queryset, links: Links, *, depth_from: int | None = None) -> tuple[list, list[tuple]]:
    """The list page's columns for `model`, and (sort key, Row) for the objects of `queryset` (at most
    TAB_ROWS). `depth_from`: indent prefixes by their depth below that one."""
    spec = registry.get(model)
    columns = tables.chosen_columns(spec, None)
    objects = list(optimize(queryset, spec, brief=False, tags=False)[:TAB_ROWS])
    rows = []
    for obj, data in zip(objects, render_many(objects, links), strict=True):
        if depth_from is not None:
            data = {**data, "_depth": max(obj._depth - depth_from, 0)}
        rows.append((obj, Row(tables.row_cells(columns, data, links, tree=depth_from is not None))))
    return columns, rows


def _available(columns: list, label: str, url: str | None) -> Row:
    """A row of free space: its label (a link to the form filling it, for members who may add) and blanks."""
    if url:
        first = format_html('<a class="badge text-bg-success wb-available" href="{}">{}</a>', url, label)
    else:
        first = format_html('<span class="badge text-bg-success wb-available">{}</span>', label)
    return Row([first, *(format_html("{}", "") for _column in columns[1:])], available=True)


def _context(model, columns, rows: list[Row], total: int, list_url: str, add_url: str | None, title: str) -> dict:
    return {
        "space_title": title,
        "space_columns": columns,
        "space_rows": rows,
        "space_total": total,
        "space_list_url": list_url,
        "space_add_url": add_url,
        "space_truncated": total > TAB_ROWS,
        "space_name": registry.get(model).model._meta.verbose_name_plural,
    }


def _add_url(model, actor, **initial) -> str | None:
    spec = registry.get(model)
    if not permissions(spec, actor)["add"]:
        return None
    return object_url(spec, "add", **{key: value for key, value in initial.items() if value is not None})


# -- prefixes below a prefix or an aggregate ----------------------------------------------------------


def _prefix_rows(request, actor, children, network: netaddr.IPNetwork, vrf_id, depth_from: int | None) -> dict:
    links = Links(request)
    visible = children.restrict(actor, "view")
    columns, rows = _table(Prefix, actor, visible, links, depth_from=depth_from)
    total = visible.count()
    free = netaddr.IPSet([network]) - netaddr.IPSet(visible.order_by().values_list("prefix", flat=True))
    placed: list[tuple[tuple, Row]] = [((obj.prefix.first, obj.prefix.prefixlen, 0), row) for obj, row in rows]
    for block in free.iter_cidrs():
        if total > TAB_ROWS and rows and block.first > rows[-1][0].prefix.first:
            break  # beyond the rows shown
        url = _add_url(Prefix, actor, prefix=str(block), vrf=vrf_id)
        placed.append(((block.first, block.prefixlen, 1), _available(columns, f"{block} available", url)))
    placed.sort(key=lambda item: item[0])
    return {
        "columns": columns,
        "rows": [row for _key, row in placed],
        "total": total,
    }


def prefix_child_prefixes(request, spec: ObjectSpec, actor, prefix: Prefix) -> tuple[str, dict]:
    children = prefix.child_prefixes()
    found = _prefix_rows(request, actor, children, prefix.prefix, prefix.vrf_id, depth_from=prefix._depth + 1)
    list_url = object_url(registry.get(Prefix), "list", within=str(prefix.prefix), vrf_id=prefix.vrf_id or "null")
    first_free = next(iter(_free_blocks(prefix)), None)
    add = _add_url(Prefix, actor, prefix=str(first_free) if first_free else None, vrf=prefix.vrf_id)
    return "addressing/_space.html", _context(
        Prefix, found["columns"], found["rows"], found["total"], list_url, add, "Child prefixes"
    )


def aggregate_prefixes(request, spec: ObjectSpec, actor, aggregate: Aggregate) -> tuple[str, dict]:
    children = Prefix.objects.filter(prefix__net_contained_or_equal=str(aggregate.prefix))
    found = _prefix_rows(request, actor, children, aggregate.prefix, None, depth_from=0)
    list_url = object_url(registry.get(Prefix), "list", within_include=str(aggregate.prefix))
    return "addressing/_space.html", _context(
        Prefix, found["columns"], found["rows"], found["total"], list_url, _add_url(Prefix, actor), "Prefixes"
    )


def _free_blocks(prefix: Prefix) -> Iterable[netaddr.IPNetwork]:
    children = Prefix.objects.filter(in_vrf(prefix.vrf_id), prefix__net_contained=str(prefix.prefix))
    free = netaddr.IPSet([prefix.prefix]) - netaddr.IPSet(children.order_by().values_list("prefix", flat=True))
    return free.iter_cidrs()


# -- addresses below a prefix or in a range -----------------------------------------------------------


def _gap_label(size: int) -> str:
    if size == 1:
        return "1 IP available"
    return f"{size} IPs available" if size <= COUNTED_GAP else "Many IPs available"


def _address_rows(
    request, actor, addresses, ranges, first: netaddr.IPAddress, last: netaddr.IPAddress, mask: int, vrf_id
) -> tuple[list, list[Row], int]:
    """The addresses (and populated ranges) of a span, with the free space between them."""
    links = Links(request)
    visible = addresses.restrict(actor, "view")
    columns, rows = _table(IPAddress, actor, visible, links)
    total = visible.count()
    records: list[tuple[int, int, Row]] = [(int(obj.address.ip), int(obj.address.ip), row) for obj, row in rows]
    for ip_range in ranges.restrict(actor, "view")[:TAB_ROWS]:
        label = format_html(
            '<a href="{}">{}</a> <span class="badge text-bg-secondary">populated</span>',
            object_url(registry.get(IPRange), "detail", ip_range.pk),
            ip_range,
        )
        cells = [label, *(format_html("{}", "") for _column in columns[1:])]
        records.append((int(ip_range.first_ip), int(ip_range.last_ip), Row(cells)))
    records.sort(key=lambda record: (record[0], record[1]))
    version = first.version
    out: list[Row] = []
    candidate = int(first)
    for start, end, row in records:
        if start > candidate and candidate <= int(last):
            gap_end = min(start - 1, int(last))
            url = _add_url(IPAddress, actor, address=f"{netaddr.IPAddress(candidate, version)}/{mask}", vrf=vrf_id)
            out.append(_available(columns, _gap_label(gap_end - candidate + 1), url))
        out.append(row)
        candidate = max(candidate, end + 1)
    if candidate <= int(last) and total <= TAB_ROWS:
        url = _add_url(IPAddress, actor, address=f"{netaddr.IPAddress(candidate, version)}/{mask}", vrf=vrf_id)
        out.append(_available(columns, _gap_label(int(last) - candidate + 1), url))
    return columns, out, total


def prefix_addresses(request, spec: ObjectSpec, actor, prefix: Prefix) -> tuple[str, dict]:
    first, last = prefix.usable_bounds
    ranges = prefix.child_ranges().filter(mark_populated=True)
    columns, rows, total = _address_rows(
        request, actor, prefix.child_ips(), ranges, first, last, prefix.prefix.prefixlen, prefix.vrf_id
    )
    list_url = object_url(registry.get(IPAddress), "list", parent=str(prefix.prefix), vrf_id=prefix.vrf_id or "null")
    free = next(iter(prefix.first_free(1)), None)
    add = _add_url(IPAddress, actor, address=f"{free}/{prefix.prefix.prefixlen}" if free else None, vrf=prefix.vrf_id)
    return "addressing/_space.html", _context(IPAddress, columns, rows, total, list_url, add, "IP addresses")


def range_addresses(request, spec: ObjectSpec, actor, ip_range: IPRange) -> tuple[str, dict]:
    columns, rows, total = _address_rows(
        request,
        actor,
        ip_range.child_ips(),
        IPRange.objects.none(),
        ip_range.first_ip,
        ip_range.last_ip,
        ip_range.start_address.prefixlen,
        ip_range.vrf_id,
    )
    list_url = object_url(registry.get(IPAddress), "list", parent=str(ip_range.start_address.cidr))
    return "addressing/_space.html", _context(IPAddress, columns, rows, total, list_url, None, "IP addresses")


def prefix_ranges(request, spec: ObjectSpec, actor, prefix: Prefix) -> tuple[str, dict]:
    links = Links(request)
    visible = prefix.child_ranges().restrict(actor, "view")
    columns, rows = _table(IPRange, actor, visible, links)
    list_url = object_url(registry.get(IPRange), "list", parent=str(prefix.prefix), vrf_id=prefix.vrf_id or "null")
    return "addressing/_space.html", _context(
        IPRange, columns, [row for _obj, row in rows], visible.count(), list_url, _add_url(IPRange, actor), "IP ranges"
    )


# -- VLAN IDs of a group ----------------------------------------------------------------------------------


def group_vlans(request, spec: ObjectSpec, actor, group: VLANGroup) -> tuple[str, dict]:
    links = Links(request)
    visible = VLAN.objects.restrict(actor, "view").filter(group=group).order_by("vid", "pk")
    columns, rows = _table(VLAN, actor, visible, links)
    total = visible.count()
    taken = sorted(set(VLAN.objects.filter(group=group).values_list("vid", flat=True)))
    placed: list[tuple[tuple, Row]] = [((obj.vid, 1), row) for obj, row in rows]
    for lower, upper in sorted(map(inclusive, group.ranges)):
        vid = lower
        for used in [*(t for t in taken if lower <= t <= upper), upper + 1]:
            if used > vid:
                count = used - vid
                label = "1 VLAN available" if count == 1 else f"{count} VLANs available"
                url = _add_url(VLAN, actor, group=group.pk, vid=vid)
                placed.append(((vid, 0), _available(columns, label, url)))
            vid = used + 1
    placed.sort(key=lambda item: item[0])
    list_url = object_url(registry.get(VLAN), "list", group_id=group.pk)
    first_free = next(iter(group.free_vids(set(taken))), None)
    add = _add_url(VLAN, actor, group=group.pk, vid=first_free)
    return "addressing/_space.html", _context(
        VLAN, columns, [row for _key, row in placed], total, list_url, add, "VLANs"
    )


# -- an address's assignment ---------------------------------------------------------------------------


def _assignment(request, spec, actor, address) -> dict:
    """The interface the address is on and what that belongs to (a device), linked, and whether it is that
    device's primary or out-of-band address (NetBox's IP address page)."""

    def linked(obj):
        target = registry.find(type(obj))
        return {"url": object_url(target, "detail", obj.pk) if target is not None else None, "name": str(obj)}

    target = address.assigned_object
    if target is None:
        return {"assigned": None}
    parent = getattr(target, "parent_object", None)
    family = address.family
    roles = [
        label
        for attribute, label in ((f"primary_ip{family}_id", "Primary IP"), ("oob_ip_id", "Out-of-band IP"))
        if parent is not None and getattr(parent, attribute, None) == address.pk
    ]
    return {
        "assigned": linked(target),
        "kind": capfirst(target._meta.verbose_name),
        "parent": linked(parent) if parent is not None else None,
        "parent_kind": capfirst(parent._meta.verbose_name) if parent is not None else "",
        "roles": roles,
    }


ASSIGNMENT = Panel("addressing/_assignment.html", context=_assignment, column="right")


# -- utilization panels -----------------------------------------------------------------------------------


def _utilization_panel(measure: Callable[..., float]) -> Panel:
    def context(request, spec, actor, instance) -> dict:
        value = round(measure(instance), 1)
        return {"utilization": value, "level": "danger" if value >= 90 else "warning" if value >= 70 else "success"}

    return Panel("addressing/_utilization.html", context=context, column="right")


PREFIX_UTILIZATION = _utilization_panel(Prefix.utilization)
AGGREGATE_UTILIZATION = _utilization_panel(Aggregate.utilization)
RANGE_UTILIZATION = _utilization_panel(IPRange.utilization)


def _count(queryset_of: Callable) -> Callable:
    return lambda actor, spec, instance: queryset_of(instance).restrict(actor, "view").count()


PREFIX_TABS = (
    Tab("prefixes", "Child Prefixes", prefix_child_prefixes, badge=_count(lambda prefix: prefix.child_prefixes())),
    Tab("ip-ranges", "Child Ranges", prefix_ranges, badge=_count(lambda prefix: prefix.child_ranges())),
    Tab("ip-addresses", "IP Addresses", prefix_addresses, badge=_count(lambda prefix: prefix.child_ips())),
)
AGGREGATE_TABS = (
    Tab(
        "prefixes",
        "Prefixes",
        aggregate_prefixes,
        badge=_count(lambda aggregate: Prefix.objects.filter(prefix__net_contained_or_equal=str(aggregate.prefix))),
    ),
)
RANGE_TABS = (
    Tab("ip-addresses", "IP Addresses", range_addresses, badge=_count(lambda ip_range: ip_range.child_ips())),
)
VLAN_GROUP_TABS = (Tab("vlans", "VLANs", group_vlans, badge=_count(lambda group: VLAN.objects.filter(group=group))),)
