"""NetBox's allocation routes: `/prefixes/{id}/available-prefixes/`, `/prefixes/{id}/available-ips/`,
`/ip-ranges/{id}/available-ips/`, `/vlan-groups/{id}/available-vlans/` and
`/asn-ranges/{id}/available-asns/`. GET lists the free space (NetBox's shapes: `{family, prefix, vrf}`,
`{family, address, vrf}`, `{vid, group}`, `{rir, asn}`); POST takes one object or a list and creates the
next free ones, each with the other values the caller gave it (a description, a status, tags...).

A POST holds the VRF's lock (addressing.services.space_lock: PostgreSQL advisory locks keyed by the
organization and the VRF) from reading the free space until its transaction commits, and every
write of prefixes or addresses in that VRF takes the same lock: two requests never hand out the same
address or prefix, nested parents (a range in a prefix, a prefix in a prefix) included, while other
VRFs and other organizations go on in parallel. The objects are written through the one permitted
write (core.usecases), as the caller: their validation, permissions and change log are the API's.

An address allocation holds its lock for as short as it can, since allocations from one space take turns
on it: the request is read, checked and validated before the lock is taken (addressing.services
`ip_addresses_create`), and the route runs in a transaction of its own (core.registry.Route.own_transaction),
committed before the addresses written are rendered.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import netaddr
from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse

from addressing.models import ASN, VLAN, VRF, ASNRange, IPAddress, IPRange, Prefix, VLANGroup
from addressing.querysets import in_vrf
from addressing.services import ALLOCATE, PREFIXES, SpaceExhausted, space_lock
from core.context import Actor
from core.permissions import require
from core.registry import AfterCommit, registry
from core.representation import Links, optimize, render, render_many
from core.usecases import Deserializer, Item, WriteRefused, write_objects
from core.writes import WriteData, deserialize
from tenants.locks import advisory_xact_lock

EXHAUSTED = "Insufficient resources are available to satisfy the request"
# As the REST lists: 50 by default, `limit=0` for as many as allowed, never more than 1,000.
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000


def _limit(request: HttpRequest) -> int:
    try:
        limit = int(request.GET.get("limit", DEFAULT_LIMIT))
    except ValueError:
        limit = DEFAULT_LIMIT
    return MAX_LIMIT if limit <= 0 else min(limit, MAX_LIMIT)


def _vrf(vrf: VRF | None, links: Links) -> dict | None:
    return None if vrf is None else render(vrf, links, brief=True)


def _answer(body: Any, status: int) -> HttpResponse:
    return JsonResponse(body, status=status, safe=False)


def _requested(
    request: HttpRequest, actor: Actor, model: type[models.Model], check: Callable[[dict], dict | None] | None = None
) -> tuple[list[dict], bool] | HttpResponse:
    """A POST's requests once the caller may add `model` and each passes `check` (its errors, or None): the
    requests and whether they came as a list; or the answer refusing them (NetBox's errors by position)."""
    require(actor, model, "add")
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        return _answer({"detail": f"JSON parse error - {error}"}, 400)
    many = isinstance(body, list)
    items = body if many else [body]
    if len(items) > settings.WIREBOOK_MAX_BULK_OBJECTS:
        limit = settings.WIREBOOK_MAX_BULK_OBJECTS
        return _answer(
            {"detail": f"Bulk operations are limited to {limit} objects per request ({len(items)} given)."}, 400
        )
    if not all(isinstance(item, dict) for item in items):
        return _answer({"__all__": ["Invalid data. Expected a dictionary."]}, 400)
    errors = {index: found for index, item in enumerate(items) if check is not None and (found := check(item))}
    if errors:
        return _answer(_positional(errors, len(items)), 400)
    return items, many


def _positional(errors: dict[int, dict], count: int) -> list[dict]:
    """NetBox's errors of a list of requests: one entry per request, {} for those that were fine."""
    return [errors.get(index, {}) for index in range(count)]


def _refused(refused: WriteRefused, count: int, many: bool) -> HttpResponse:
    by_index = {error["index"]: error["errors"] for error in refused.errors}
    return _answer(_positional(by_index, count) if many else by_index.get(0, {}), 400)


def _write(
    request: HttpRequest,
    actor: Actor,
    model: type[models.Model],
    payloads: list[dict],
    many: bool,
    deserialize: Deserializer = deserialize,
):
    """Create the objects through the permitted write; their representation, or the answer refusing them."""
    spec = registry.get(model)
    try:
        written = write_objects(spec, actor, [Item(payload=payload) for payload in payloads], deserialize=deserialize)
    except WriteRefused as refused:
        return _refused(refused, len(payloads), many)
    written_pks = [obj.pk for obj in written]
    fresh = optimize(spec.model._default_manager.filter(pk__in=written_pks), spec, brief=False, tags=False)
    by_pk = {obj.pk: obj for obj in fresh}
    rendered = render_many([by_pk[obj.pk] for obj in written], Links(request))
    return rendered if many else rendered[0]


# -- addresses -------------------------------------------------------------------------------------


@dataclass
class AddressSpace:
    """Where addresses are handed out from: a prefix (its usable addresses, less populated ranges) or a range."""

    source: Prefix | IPRange
    vrf: VRF | None
    version: int
    mask_length: int
    # The tags read from each request's payload (by the payload's id), to render what was written without
    # reading it again.
    tags: dict[int, list] = field(default_factory=dict)

    @classmethod
    def of_prefix(cls, prefix: Prefix) -> "AddressSpace":
        return cls(prefix, prefix.vrf, prefix.prefix.version, prefix.prefix.prefixlen)

    @classmethod
    def of_range(cls, ip_range: IPRange) -> "AddressSpace":
        start = ip_range.start_address
        return cls(ip_range, ip_range.vrf, start.version, start.prefixlen)

    def first_free(self, count: int) -> list[netaddr.IPAddress]:
        return self.source.first_free(count)

    def allocating(self) -> Callable[..., WriteData]:
        """The reader of an allocation's payloads: each in this space's VRF, taking its first free address when
        written (the payload's `address` is a placeholder giving the mask: addressing.services.ALLOCATE)."""

        def read(spec, payload, *, actor, partial) -> WriteData:
            values = deserialize(spec, payload, actor=actor, partial=partial)
            values.data["vrf"] = self.vrf
            values.extra[ALLOCATE] = self.source
            self.tags[id(payload)] = list(values.tags or ())
            return values

        return read


def _check_length(item: dict, space: AddressSpace) -> dict | None:
    """The errors of a request's `prefix_length` (the mask the address takes; the parent's by default)."""
    length = item.get("prefix_length")
    if length is None:
        return None
    if not isinstance(length, int) or isinstance(length, bool):
        return {"prefix_length": ["A valid integer is required."]}
    if length < space.mask_length:
        return {
            "prefix_length": [
                f"Prefix length must be greater than or equal to the parent mask length ({space.mask_length})"
            ]
        }
    maximum = 32 if space.version == 4 else 128
    if length > maximum:
        return {"prefix_length": [f"Invalid prefix length ({length}) for IPv{space.version}"]}
    return None


def available_ips(request: HttpRequest, actor: Actor, space: AddressSpace):
    links = Links(request)
    if request.method == "GET":
        vrf = _vrf(space.vrf, links)
        return [
            {"family": space.version, "address": f"{address}/{space.mask_length}", "vrf": vrf}
            for address in space.first_free(_limit(request))
        ]
    requested = _requested(request, actor, IPAddress, lambda item: _check_length(item, space))
    if isinstance(requested, HttpResponse):
        return requested
    items, many = requested
    placeholder = netaddr.IPAddress(0, space.version)
    payloads = []
    for item in items:
        payload = {key: value for key, value in item.items() if key not in ("prefix_length", "vrf")}
        payload["address"] = f"{placeholder}/{item.get('prefix_length') or space.mask_length}"
        payloads.append(payload)
    try:
        written = write_objects(
            registry.get(IPAddress),
            actor,
            [Item(payload=payload) for payload in payloads],
            deserialize=space.allocating(),
        )
    except WriteRefused as refused:
        return _refused(refused, len(payloads), many)
    except SpaceExhausted:
        return _answer({"detail": EXHAUSTED}, 409)
    tags = [space.tags[id(payload)] for payload in payloads]
    return AfterCommit(lambda: _written_addresses(written, tags, links, many))


def _written_addresses(written: list, tags: list[list], links: Links, many: bool):
    """The addresses an allocation wrote, as a read of them renders them, from the objects written (they hold what
    was stored: their related objects as read for the write, no NAT partner yet) -- read from the database, they
    would be rendered while the lock is held."""
    for address, own in zip(written, tags, strict=True):
        address.__dict__["_wb_nat_outside"] = []  # a new address: none points at it yet
        address.__dict__["_wb_tag_ids"] = [tag.pk for tag in own]
    rendered = render_many(written, links)
    return rendered if many else rendered[0]


def prefix_available_ips(request: HttpRequest, actor: Actor, prefix: Prefix):
    return available_ips(request, actor, AddressSpace.of_prefix(prefix))


def range_available_ips(request: HttpRequest, actor: Actor, ip_range: IPRange):
    return available_ips(request, actor, AddressSpace.of_range(ip_range))


# -- prefixes --------------------------------------------------------------------------------------


def free_prefixes(prefix: Prefix) -> netaddr.IPSet:
    """The space of `prefix` no prefix of its VRF below it takes."""
    below = Prefix.objects.filter(in_vrf(prefix.vrf_id), prefix__net_contained=str(prefix.prefix))
    return netaddr.IPSet([prefix.prefix]) - netaddr.IPSet(below.order_by().values_list("prefix", flat=True))


def _take(free: netaddr.IPSet, length: int) -> str | None:
    """The first free block of `length` bits (from the first free span large enough), removed from `free`."""
    for block in free.iter_cidrs():
        if length >= block.prefixlen:
            allocated = netaddr.IPNetwork(f"{block.network}/{length}")
            free.remove(allocated)
            return str(allocated)
    return None


def _check_prefix_length(item: dict, prefix: Prefix) -> dict | None:
    length = item.get("prefix_length")
    if length is None:
        return {"prefix_length": ["this field can not be missing"]}
    if not isinstance(length, int) or isinstance(length, bool):
        return {"prefix_length": ["this field must be int type"]}
    maximum = 32 if prefix.family == 4 else 128
    if length > maximum or length < 0:
        return {"prefix_length": [f"Invalid prefix length ({length}) for IPv{prefix.family}"]}
    return None


def prefix_available_prefixes(request: HttpRequest, actor: Actor, prefix: Prefix):
    links = Links(request)
    if request.method == "GET":
        vrf = _vrf(prefix.vrf, links)
        return [
            {"family": block.version, "prefix": str(block), "vrf": vrf} for block in free_prefixes(prefix).iter_cidrs()
        ]
    requested = _requested(request, actor, Prefix, lambda item: _check_prefix_length(item, prefix))
    if isinstance(requested, HttpResponse):
        return requested
    items, many = requested
    space_lock(PREFIXES, [prefix.vrf_id])
    free = free_prefixes(prefix)
    payloads = []
    for item in items:
        allocated = _take(free, item["prefix_length"])
        if allocated is None:
            return _answer({"detail": EXHAUSTED}, 409)
        payload = {key: value for key, value in item.items() if key != "prefix_length"}
        payloads.append({**payload, "prefix": allocated, "vrf": prefix.vrf_id})
    return _write(request, actor, Prefix, payloads, many)


# -- VLAN IDs and AS numbers -----------------------------------------------------------------------


def _numbered(
    request: HttpRequest,
    actor: Actor,
    model: type[models.Model],
    lock: str,
    free: Callable[[int], list[int]],
    payload: Callable[[dict, int], dict],
):
    """POST of `available-vlans` / `available-asns`: under `lock`, the next free numbers, one per request."""
    requested = _requested(request, actor, model)
    if isinstance(requested, HttpResponse):
        return requested
    items, many = requested
    advisory_xact_lock(lock)
    numbers = free(len(items))
    if len(numbers) < len(items):
        return _answer({"detail": EXHAUSTED}, 409)
    return _write(
        request, actor, model, [payload(item, number) for item, number in zip(items, numbers, strict=False)], many
    )


def _free_vids(group: VLANGroup, count: int) -> list[int]:
    taken = set(VLAN.objects.filter(group=group).values_list("vid", flat=True))
    return group.free_vids(taken)[:count]


def group_available_vlans(request: HttpRequest, actor: Actor, group: VLANGroup):
    if request.method == "GET":
        brief = render(group, Links(request), brief=True)
        return [{"vid": vid, "group": brief} for vid in _free_vids(group, _limit(request))]
    return _numbered(
        request,
        actor,
        VLAN,
        f"addressing:vlans:{group.pk}",
        lambda count: _free_vids(group, count),
        lambda item, vid: {**item, "vid": vid, "group": group.pk},
    )


def _free_asns(asn_range: ASNRange, count: int) -> list[int]:
    taken = set(asn_range.child_asns().values_list("asn", flat=True))
    free = []
    for number in range(asn_range.start, asn_range.end + 1):
        if number not in taken:
            free.append(number)
            if len(free) == count:
                break
    return free


def range_available_asns(request: HttpRequest, actor: Actor, asn_range: ASNRange):
    if request.method == "GET":
        rir = render(asn_range.rir, Links(request), brief=True)
        return [{"rir": rir, "asn": number} for number in _free_asns(asn_range, _limit(request))]
    # AS numbers are unique in the organization, whichever range they come from.
    return _numbered(
        request,
        actor,
        ASN,
        "addressing:asns",
        lambda count: _free_asns(asn_range, count),
        lambda item, number: {**item, "asn": number, "rir": asn_range.rir_id},
    )
