"""Reads with domain meaning over IP space: which hosts are taken, which spans are free, which ranges
hold an address. Addresses are compared by host (`host(address)::inet`, the mask left out), the
expression the IP address index is built on."""

from collections.abc import Iterable
from typing import Any

import netaddr
from django.db import connection, models
from django.db.models import Q

from core.querysets import RestrictedQuerySet
from core.representation import generic_prefetch, related_count

Span = tuple[int, int]  # first and last address, inclusive, as integers


def in_vrf(vrf_id: int | None) -> Q:
    """In the VRF, or (None) in the global table."""
    return Q(vrf_id=vrf_id)


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sorted, with overlapping and adjacent spans joined."""
    merged: list[Span] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


# The first free spans of [first, last] in one statement: the taken hosts and the taken ranges (clipped), ordered
# by start; a span is free between the furthest end reached before a taken span and that span's start, and after
# the furthest end of all. inet arithmetic (`+ 1`, `- 1`) is guarded at both ends of the address space.
_FREE_SPANS = """
WITH bounds(f, l) AS (SELECT %s::inet, %s::inet),
taken(s, e) AS (
    SELECT h, h FROM ({hosts}) AS hosts(h)
    UNION ALL
    SELECT GREATEST(rs, f), LEAST(re, l) FROM ({ranges}) AS ranges(rs, re), bounds
),
ordered AS (
    SELECT s, MAX(e) OVER (ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach FROM taken
),
gaps(gs, ge) AS (
    SELECT CASE WHEN reach IS NULL THEN f WHEN reach < l THEN reach + 1 END, CASE WHEN s > f THEN s - 1 END
    FROM ordered, bounds
    UNION ALL
    SELECT CASE WHEN m IS NULL THEN f WHEN m < l THEN m + 1 END, l
    FROM (SELECT MAX(e) AS m FROM taken) AS furthest, bounds
)
SELECT host(gs), host(ge) FROM gaps WHERE gs <= ge ORDER BY gs LIMIT %s
"""


def first_free(
    taken: "IPAddressQuerySet",
    excluded: "IPRangeQuerySet | None",
    first: netaddr.IPAddress,
    last: netaddr.IPAddress,
    count: int,
) -> list[netaddr.IPAddress]:
    """The first `count` addresses of [first, last], ascending, that no address of `taken` holds (by host) and no
    range of `excluded` covers: one statement, however large the span (an IPv6 /64) and however full."""
    if count <= 0 or first > last:
        return []
    hosts_sql, hosts_params = (
        taken.host_between(first, last).order_by().values_list("address__host").query.sql_with_params()
    )
    if excluded is None:
        ranges_sql, ranges_params = "SELECT NULL::inet, NULL::inet WHERE false", ()
    else:
        spans = excluded.order_by().values_list("start_address__host", "end_address__host")
        ranges_sql, ranges_params = spans.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            _FREE_SPANS.format(hosts=hosts_sql, ranges=ranges_sql),
            [str(first), str(last), *hosts_params, *ranges_params, count],
        )
        rows = cursor.fetchall()
    free: list[netaddr.IPAddress] = []
    for start, end in rows:
        value, stop = int(netaddr.IPAddress(start)), int(netaddr.IPAddress(end))
        while value <= stop and len(free) < count:
            free.append(netaddr.IPAddress(value, first.version))
            value += 1
    return free


class IPAddressQuerySet(RestrictedQuerySet):
    def host_between(self, first: netaddr.IPAddress, last: netaddr.IPAddress) -> "IPAddressQuerySet":
        return self.filter(address__host__gte=str(first), address__host__lte=str(last))

    def host_count(self) -> int:
        """How many distinct hosts (an address in two masks counts once)."""
        return self.order_by().values("address__host").distinct().count()


class IPRangeQuerySet(RestrictedQuerySet):
    def within(self, network: netaddr.IPNetwork) -> "IPRangeQuerySet":
        first, last = (
            netaddr.IPAddress(network.first, network.version),
            netaddr.IPAddress(network.last, network.version),
        )
        return self.filter(start_address__host__gte=str(first), end_address__host__lte=str(last)).filter(
            start_address__family=network.version
        )

    def overlapping(self, first: netaddr.IPAddress, last: netaddr.IPAddress) -> "IPRangeQuerySet":
        """Ranges sharing an address with [first, last]."""
        return self.filter(
            start_address__family=first.version, start_address__host__lte=str(last), end_address__host__gte=str(first)
        )

    def spans(self) -> list[Span]:
        """The ranges' addresses as merged spans."""
        return merge_spans(
            (int(start.ip), int(end.ip)) for start, end in self.order_by().values_list("start_address", "end_address")
        )


class PrefixQuerySet(RestrictedQuerySet):
    pass


# The models' default managers, with their querysets' methods (`IPAddress.objects.host_between(...)`). The
# objects a generic link points at (a prefix's scope, an address's assigned object) are loaded with every list,
# once per type: REST, the UI and GraphQL show them without a query per row.
class PrefixManager(models.Manager.from_queryset(PrefixQuerySet)):  # type: ignore[misc]  # a dynamic base
    def get_queryset(self):
        return super().get_queryset().prefetch_related(generic_prefetch("scope"))


class IPRangeManager(models.Manager.from_queryset(IPRangeQuerySet)):  # type: ignore[misc]  # a dynamic base
    pass


class IPAddressManager(models.Manager.from_queryset(IPAddressQuerySet)):  # type: ignore[misc]  # a dynamic base
    def get_queryset(self):
        return super().get_queryset().prefetch_related(generic_prefetch("assigned_object"))


class LinkedManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]  # a dynamic base
    """A manager loading, with every list, what the model's generic links point at, or other relations its
    representation renders itself (`prefetch`)."""

    def __init__(self, *prefetch: Any, linked: tuple[str, ...] = ()):
        super().__init__()
        self.prefetch, self.linked = prefetch, linked

    def get_queryset(self):
        lookups = [item() if callable(item) else item for item in self.prefetch]
        lookups += [generic_prefetch(name) for name in self.linked]
        return super().get_queryset().prefetch_related(*lookups)


class VLANGroupManager(LinkedManager):
    def get_queryset(self):
        """Groups with their scope, and how many VLANs each holds (`vlans_held`: its utilization's)."""
        return super().get_queryset().annotate(vlans_held=related_count(self.model, "vlans"))
