"""Reads with domain meaning over IP space: which hosts are taken, which spans are free, which ranges
hold an address. Addresses are compared by host (`host(address)::inet`, the mask left out), the
expression the IP address index is built on."""

from collections.abc import Iterable, Iterator
from typing import Any

import netaddr
from django.db import models
from django.db.models import Q

from core.querysets import RestrictedQuerySet
from core.representation import generic_prefetch, related_count

# Hosts read per query while walking a span for free addresses.
HOST_BATCH = 5000

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


def free_spans(taken: Iterable[Span], first: int, last: int) -> Iterator[Span]:
    """The spans of [first, last] that no span of `taken` (sorted by start) covers, in order."""
    candidate = first
    for start, end in taken:
        if end < candidate:
            continue
        if start > last:
            break
        if start > candidate:
            yield candidate, start - 1
        candidate = max(candidate, end + 1)
        if candidate > last:
            return
    if candidate <= last:
        yield candidate, last


def _merge_sorted(hosts: Iterator[int], spans: list[Span]) -> Iterator[Span]:
    """Single hosts (ascending) and spans (sorted), as one sequence of spans sorted by start."""
    pending = iter(spans)
    span = next(pending, None)
    for value in hosts:
        while span is not None and span[0] <= value:
            yield span
            span = next(pending, None)
        yield value, value
    while span is not None:
        yield span
        span = next(pending, None)


class IPAddressQuerySet(RestrictedQuerySet):
    def host_between(self, first: netaddr.IPAddress, last: netaddr.IPAddress) -> "IPAddressQuerySet":
        return self.filter(address__host__gte=str(first), address__host__lte=str(last))

    def hosts(self, first: netaddr.IPAddress, last: netaddr.IPAddress, *, batch: int = HOST_BATCH) -> Iterator[int]:
        """The distinct hosts taken in [first, last], ascending, read `batch` at a time (stopping early
        reads no further)."""
        version = first.version
        resume = int(first)
        end = int(last)
        while resume <= end:
            rows = list(
                self.host_between(netaddr.IPAddress(resume, version), last)
                .order_by()
                .values_list("address__host", flat=True)
                .distinct()
                .order_by("address__host")[:batch]
            )
            for row in rows:
                yield int(row.ip)
            if len(rows) < batch:
                return
            resume = int(rows[-1].ip) + 1

    def free(
        self, first: netaddr.IPAddress, last: netaddr.IPAddress, *, excluded: Iterable[Span] = ()
    ) -> Iterator[Span]:
        """The free spans of [first, last]: taken by no address here nor by an `excluded` span."""
        taken = _merge_sorted(self.hosts(first, last), merge_spans(excluded))
        return free_spans(taken, int(first), int(last))

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
