"""IPAM's writes: what creating, changing and deleting prefixes, ranges and addresses does beyond their
fields, for a whole batch at once (core.services; every writer reaches these through core.usecases).

- Every write of a VRF's prefixes, and every allocation of them, holds the VRF's prefix lock
  (`space_lock`: a PostgreSQL advisory lock keyed by the organization and the VRF), so the checks and
  the hierarchy below always see the writes before them; addresses and ranges have the VRF's address
  lock. Organizations never wait on each other; VRFs of one organization neither.
- Uniqueness (`enforce_unique` of the VRF; in the global table, the organization's `enforce_global_unique`:
  NetBox's ENFORCE_GLOBAL_UNIQUE), overlapping ranges and overlapping aggregates are checked after the batch is
  written, in one statement over the written rows, so items of one batch are checked against each other.
- A prefix's `_depth` (the prefixes containing it) and `_children` (the prefixes it contains) are
  recomputed by one UPDATE over the rows around the written ones, never row by row.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import netaddr
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext as _

from addressing.choices import NONUNIQUE_ROLES, ServiceProtocol
from addressing.models import VRF, Aggregate, IPAddress, IPRange, Prefix
from addressing.models.services import legacy_protocol_ports, port_mappings_clean
from core.registry import registry
from core.services import ObjectWrite, WritesInvalid, objects_create, objects_delete, objects_update
from tenants.context import current_organization
from tenants.locks import advisory_xact_lock

PREFIXES = "prefixes"
ADDRESSES = "addresses"


def space_lock(kind: str, vrf_ids: Iterable[int | None]) -> None:
    """Hold the lock on the `kind` ("prefixes" or "addresses") of each VRF (None: the global table) until
    the transaction ends, always in the same order."""
    for vrf_id in sorted(set(vrf_ids), key=lambda pk: -1 if pk is None else pk):
        advisory_xact_lock(f"addressing:{kind}:{'global' if vrf_id is None else vrf_id}")


def _vrf_id(value: Any) -> int | None:
    if isinstance(value, models.Model):
        return value.pk
    return value


def _written_vrfs(writes: Sequence[ObjectWrite]) -> set[int | None]:
    """The VRFs the objects are in, before and after the write."""
    vrfs: set[int | None] = set()
    for write in writes:
        if write.instance is not None and not write.instance._state.adding:
            vrfs.add(getattr(write.instance, "vrf_id", None))
        vrfs.add(_vrf_id(write.data["vrf"]) if "vrf" in write.data else getattr(write.instance, "vrf_id", None))
    return vrfs


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _global_unique() -> bool:
    """Whether the organization's global table (no VRF) is unique: its setting, on the organization the request
    or task already holds (no query); the deployment's default outside one."""
    organization = current_organization()
    if organization is None:
        return settings.WIREBOOK_ENFORCE_GLOBAL_UNIQUE
    return organization.enforce_global_unique


def _table_name(vrf: VRF | None) -> str:
    return _("VRF {vrf}").format(vrf=vrf) if vrf is not None else _("global table")


def _refuse(objects: Sequence[models.Model], faults: dict[int, tuple[str, str]]) -> None:
    """WritesInvalid naming each written object at fault (by id): {id: (field, message)}."""
    if not faults:
        return
    errors = {}
    for position, obj in enumerate(objects):
        if obj.pk in faults:
            field, message = faults[obj.pk]
            errors[position] = ValidationError({field: [message]} if field else message)
    raise WritesInvalid(errors)


Write = Callable[[Sequence[ObjectWrite]], list[models.Model]]


def _checked(
    name: str,
    write: Write,
    lock: Callable[[Sequence[ObjectWrite]], None],
    check: Callable[[Sequence[models.Model]], dict[int, tuple[str, str]]],
) -> Write:
    """A service writing the batch with `write` (a generic service) under `lock`, then refusing it if `check`
    finds written objects at fault (they stay unwritten: the transaction rolls back)."""

    def service(writes: Sequence[ObjectWrite]) -> list[models.Model]:
        lock(writes)
        objects = write(writes)
        _refuse(objects, check(objects))
        return objects

    service.__name__ = service.__qualname__ = name
    return service


# -- aggregates ------------------------------------------------------------------------------------


def _overlapping_aggregates(objects: Sequence[models.Model]) -> dict[int, tuple[str, str]]:
    """Written aggregates that overlap another (aggregates are the roots of IP space: they never overlap)."""
    table = _table(Aggregate)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT ON (a.id) a.id, a.prefix, o.prefix, o.prefix >>= a.prefix
            FROM {table} a JOIN {table} o ON o.prefix && a.prefix AND o.id <> a.id
            WHERE a.id = ANY(%s)
            ORDER BY a.id, o.prefix >>= a.prefix DESC, o.id
            """,  # noqa: S608 (table names, not input)
            [[obj.pk for obj in objects]],
        )
        rows = cursor.fetchall()
    faults = {}
    for pk, prefix, other, covered in rows:
        if covered:
            message = _(
                "Aggregates cannot overlap. {prefix} is already covered by an existing aggregate ({aggregate})."
            )
        else:
            message = _("Prefixes cannot overlap aggregates. {prefix} covers an existing aggregate ({aggregate}).")
        faults[pk] = ("prefix", message.format(prefix=prefix, aggregate=other))
    return faults


def _aggregates_lock(writes: Sequence[ObjectWrite]) -> None:
    advisory_xact_lock("addressing:aggregates")


aggregates_create = _checked("aggregates_create", objects_create, _aggregates_lock, _overlapping_aggregates)
aggregates_update = _checked("aggregates_update", objects_update, _aggregates_lock, _overlapping_aggregates)


# -- prefixes --------------------------------------------------------------------------------------


def _duplicate_prefixes(objects: Sequence[models.Model]) -> dict[int, tuple[str, str]]:
    """Written prefixes another prefix of their VRF repeats, where the VRF (or the global table) is unique."""
    prefix, vrf = _table(Prefix), _table(VRF)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT ON (p.id) p.id, d.prefix, p.vrf_id
            FROM {prefix} p
            JOIN {prefix} d ON d.prefix = p.prefix AND d.vrf_id IS NOT DISTINCT FROM p.vrf_id AND d.id <> p.id
            LEFT JOIN {vrf} v ON v.id = p.vrf_id
            WHERE p.id = ANY(%s) AND (CASE WHEN p.vrf_id IS NULL THEN %s ELSE v.enforce_unique END)
            ORDER BY p.id, d.id
            """,  # noqa: S608 (table names, not input)
            [[obj.pk for obj in objects], _global_unique()],
        )
        rows = cursor.fetchall()
    vrfs = VRF.objects.in_bulk({vrf_id for _pk, _prefix, vrf_id in rows if vrf_id is not None})
    return {
        pk: (
            "prefix",
            _("Duplicate prefix found in {table}: {prefix}").format(table=_table_name(vrfs.get(vrf_id)), prefix=value),
        )
        for pk, value, vrf_id in rows
    }


def prefix_hierarchy_update(changed: Iterable[tuple[int | None, Any]]) -> None:
    """Recompute `_depth` and `_children` of every prefix that contains, equals or lies within one of the
    `changed` (VRF id, prefix) pairs -- written, moved or deleted prefixes -- in one statement.

    `_depth`: how many distinct prefixes of its VRF contain it; `_children`: how many prefixes of its VRF
    it contains (NetBox's counts)."""
    pairs = sorted({(vrf_id, str(network)) for vrf_id, network in changed if network is not None}, key=str)
    if not pairs:
        return
    prefix = _table(Prefix)
    values = ", ".join(["(%s::bigint, %s::inet)"] * len(pairs))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH changed(vrf_id, prefix) AS (VALUES {values}),
            around AS (
                SELECT DISTINCT p.id, p.vrf_id, p.prefix
                FROM {prefix} p JOIN changed c
                ON p.vrf_id IS NOT DISTINCT FROM c.vrf_id AND (p.prefix >>= c.prefix OR p.prefix << c.prefix)
            ),
            counted AS (
                SELECT a.id,
                    (SELECT COUNT(DISTINCT u.prefix) FROM {prefix} u
                     WHERE u.prefix >> a.prefix AND u.vrf_id IS NOT DISTINCT FROM a.vrf_id) AS depth,
                    (SELECT COUNT(*) FROM {prefix} d
                     WHERE d.prefix << a.prefix AND d.vrf_id IS NOT DISTINCT FROM a.vrf_id) AS children
                FROM around a
            )
            UPDATE {prefix} p SET _depth = c.depth, _children = c.children
            FROM counted c
            WHERE p.id = c.id AND (p._depth <> c.depth OR p._children <> c.children)
            """,  # noqa: S608 (table names and placeholders, not input)
            [value for pair in pairs for value in pair],
        )


def _places(prefixes: Iterable[Any]) -> list[tuple[int | None, Any]]:
    """Where prefixes are: (VRF id, prefix)."""
    return [(prefix.vrf_id, prefix.prefix) for prefix in prefixes]


def _prefix_places(writes: Sequence[ObjectWrite]) -> list[tuple[int | None, Any]]:
    """Where the changed prefixes were before the write."""
    return _places(
        write.instance for write in writes if write.instance is not None and not write.instance._state.adding
    )


def prefixes_create(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    space_lock(PREFIXES, _written_vrfs(writes))
    objects = objects_create(writes)
    _refuse(objects, _duplicate_prefixes(objects))
    prefix_hierarchy_update(_places(objects))
    return objects


def prefixes_update(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    space_lock(PREFIXES, _written_vrfs(writes))
    before = _prefix_places(writes)
    objects = objects_update(writes)
    _refuse(objects, _duplicate_prefixes(objects))
    prefix_hierarchy_update([*before, *_places(objects)])
    return objects


def prefixes_delete(instances: Sequence[models.Model], *, message: str = "") -> None:
    places = _places(instances)
    space_lock(PREFIXES, {vrf_id for vrf_id, _prefix in places})
    objects_delete(instances, message=message)
    prefix_hierarchy_update(places)


# -- IP ranges -------------------------------------------------------------------------------------


def _overlapping_ranges(objects: Sequence[models.Model]) -> dict[int, tuple[str, str]]:
    """Written ranges that share an address with another range of their VRF."""
    table = _table(IPRange)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT ON (r.id) r.id, o.id
            FROM {table} r JOIN {table} o
            ON o.vrf_id IS NOT DISTINCT FROM r.vrf_id AND o.id <> r.id
               AND family(o.start_address) = family(r.start_address)
               AND host(o.start_address)::inet <= host(r.end_address)::inet
               AND host(r.start_address)::inet <= host(o.end_address)::inet
            WHERE r.id = ANY(%s)
            ORDER BY r.id, o.id
            """,  # noqa: S608 (table names, not input)
            [[obj.pk for obj in objects]],
        )
        rows = cursor.fetchall()
    others = IPRange.objects.select_related("vrf").in_bulk({other for _pk, other in rows})
    return {
        pk: (
            "",
            _("Defined addresses overlap with range {overlapping_range} in VRF {vrf}").format(
                overlapping_range=others[other], vrf=others[other].vrf
            ),
        )
        for pk, other in rows
    }


def _addresses_lock(writes: Sequence[ObjectWrite]) -> None:
    space_lock(ADDRESSES, _written_vrfs(writes))


ip_ranges_create = _checked("ip_ranges_create", objects_create, _addresses_lock, _overlapping_ranges)
ip_ranges_update = _checked("ip_ranges_update", objects_update, _addresses_lock, _overlapping_ranges)


# -- IP addresses ----------------------------------------------------------------------------------


def _duplicate_addresses(objects: Sequence[models.Model]) -> dict[int, tuple[str, str]]:
    """Written addresses whose host another address of their VRF has, where the VRF (or the global table) is
    unique -- unless both are of roles that share addresses (anycast, VIP, VRRP…)."""
    address, vrf = _table(IPAddress), _table(VRF)
    shared = sorted(NONUNIQUE_ROLES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT ON (a.id) a.id, d.address, a.vrf_id
            FROM {address} a
            JOIN {address} d
              ON host(d.address)::inet = host(a.address)::inet
             AND d.vrf_id IS NOT DISTINCT FROM a.vrf_id AND d.id <> a.id
            LEFT JOIN {vrf} v ON v.id = a.vrf_id
            WHERE a.id = ANY(%s)
              AND (CASE WHEN a.vrf_id IS NULL THEN %s ELSE v.enforce_unique END)
              AND (a.role IS NULL OR a.role <> ALL(%s) OR d.role IS NULL OR d.role <> ALL(%s))
            ORDER BY a.id, d.id
            """,  # noqa: S608 (table names, not input)
            [[obj.pk for obj in objects], _global_unique(), shared, shared],
        )
        rows = cursor.fetchall()
    vrfs = VRF.objects.in_bulk({vrf_id for _pk, _address, vrf_id in rows if vrf_id is not None})
    return {
        pk: (
            "address",
            _("Duplicate IP address found in {table}: {ipaddress}").format(
                table=_table_name(vrfs.get(vrf_id)), ipaddress=value
            ),
        )
        for pk, value, vrf_id in rows
    }


def _inside_populated_ranges(objects: Sequence[models.Model]) -> dict[int, tuple[str, str]]:
    """New addresses inside a range of their VRF marked populated: its addresses are not recorded one by one."""
    address, ip_range = _table(IPAddress), _table(IPRange)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT ON (a.id) a.id, r.id
            FROM {address} a
            JOIN {ip_range} r
              ON r.mark_populated AND r.vrf_id IS NOT DISTINCT FROM a.vrf_id
             AND family(r.start_address) = family(a.address)
             AND host(a.address)::inet BETWEEN host(r.start_address)::inet AND host(r.end_address)::inet
            WHERE a.id = ANY(%s)
            ORDER BY a.id, r.start_address
            """,  # noqa: S608 (table names, not input)
            [[obj.pk for obj in objects]],
        )
        rows = cursor.fetchall()
    ranges = IPRange.objects.in_bulk({range_id for _pk, range_id in rows})
    addresses = {obj.pk: obj for obj in objects if isinstance(obj, IPAddress)}
    return {
        pk: (
            "address",
            _("Cannot create IP address {ip} inside range {range}.").format(
                ip=addresses[pk].address, range=ranges[range_id]
            ),
        )
        for pk, range_id in rows
    }


# ObjectWrite.extra's key for an address to allocate: the space (a prefix or a range) whose first free address the
# write takes, with the mask length its `address` placeholder has (addressing.allocation).
ALLOCATE = "allocate_from"


class FreeSpace(Protocol):
    @property
    def usable_bounds(self) -> tuple[netaddr.IPAddress, netaddr.IPAddress]: ...

    def first_free(self, count: int) -> list[netaddr.IPAddress]: ...


class SpaceExhausted(Exception):
    """The space has fewer free addresses than the writes allocating from it (nothing was written)."""


def _stand_in(space: FreeSpace, prefixlen: int) -> netaddr.IPNetwork:
    """An address of `space` with the mask the allocated one takes, validated in its place before the lock is
    taken: one of its first addresses an interface may take (neither a network ID nor a broadcast address),
    else its first. The address allocated is checked for that again (`_allocate`)."""
    first, last = space.usable_bounds
    values = range(int(first), min(int(first) + 3, int(last) + 1)) or [int(first)]
    candidates = [netaddr.IPNetwork(f"{netaddr.IPAddress(value, first.version)}/{prefixlen}") for value in values]
    for candidate in candidates:
        try:
            IPAddress.check_assignable(candidate)
        except ValidationError:
            continue
        return candidate
    return candidates[0]


def _allocating(writes: Sequence[ObjectWrite]) -> dict[int, FreeSpace]:
    """The writes allocating from a space, by position, each given a stand-in address to be validated with."""
    spaces = {}
    for position, write in enumerate(writes):
        space = write.extra.get(ALLOCATE)
        if space is not None:
            spaces[position] = space
            write.data["address"] = _stand_in(space, write.data["address"].prefixlen)
    return spaces


def _allocate(writes: Sequence[ObjectWrite], spaces: dict[int, FreeSpace]) -> None:
    """Give each write allocating from a space (validated, not yet inserted) the next free address of it, in
    order (one statement per space, under the VRF's lock). Raises SpaceExhausted, or WritesInvalid for an
    address an interface may not take (a network ID in a pool: validated with a stand-in)."""
    by_space: dict[int, tuple[FreeSpace, list[ObjectWrite]]] = {}
    for position, space in spaces.items():
        by_space.setdefault(id(space), (space, []))[1].append(writes[position])
    for space, asking in by_space.values():
        free = space.first_free(len(asking))
        if len(free) < len(asking):
            raise SpaceExhausted
        for write, address in zip(asking, free, strict=False):
            network = netaddr.IPNetwork(f"{address}/{write.data['address'].prefixlen}")
            write.data["address"] = network
            target = write.target
            assert isinstance(target, IPAddress)
            target.address = network
    errors = {}
    for position in spaces:
        address = writes[position].target
        assert isinstance(address, IPAddress)
        if address.assigned_object_id is not None:
            try:
                IPAddress.check_assignable(address.address)
            except ValidationError as error:
                errors[position] = error
    if errors:
        raise WritesInvalid(errors)


def ip_addresses_create(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    """Create the addresses; those allocated from a space take its next free addresses (free by construction:
    the checks of the others do not concern them). Raises SpaceExhausted.

    The VRFs' locks are taken once every address is valid, just before the INSERT (validation needs no lock:
    it reads no other address), so an allocation holds its lock for the statements that must see the writes
    before it and write its own, not for its validation."""
    spaces = _allocating(writes)

    def lock_and_allocate(valid: Sequence[ObjectWrite]) -> None:
        _addresses_lock(valid)
        _allocate(valid, spaces)

    objects = objects_create(writes, before_insert=lock_and_allocate)
    given = [obj for position, obj in enumerate(objects) if position not in spaces]
    if given:
        _refuse(objects, {**_duplicate_addresses(given), **_inside_populated_ranges(given)})
    return objects


_addresses_update = _checked("ip_addresses_update", objects_update, _addresses_lock, _duplicate_addresses)


def ip_addresses_update(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    _refuse_moving_slots(writes)
    return _addresses_update(writes)


def ip_addresses_delete(instances: Sequence[models.Model], *, message: str = "") -> None:
    """NetBox's rule: a deleted address is no longer any object's primary or out-of-band address; the
    objects holding it are changed first (logged), then the addresses deleted."""
    _slots_released(instances)
    objects_delete(instances, message=message)


# -- addresses as the primary or out-of-band address of what they are assigned to ------------------------


SLOTS = {"primary_ip4", "primary_ip6", "oob_ip"}


def _slot_fields() -> dict[type[models.Model], list[str]]:
    """The registered models' slots for an address (a device's primary_ip4, primary_ip6, oob_ip; a VDC's), by
    model: found through the relations pointing here, so no model is named."""
    slots: dict[type[models.Model], list[str]] = {}
    for relation in IPAddress._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        model, field = relation.related_model, relation.remote_field
        if isinstance(model, type) and field is not None and field.name in SLOTS and registry.find(model) is not None:
            slots.setdefault(model, []).append(field.name)
    return slots


def _slots_released(addresses: Sequence[models.Model]) -> None:
    pks = {address.pk for address in addresses}
    for model, fields in _slot_fields().items():
        held = models.Q()
        for name in fields:
            held |= models.Q(**{f"{name}__in": pks})
        holders = model._base_manager.select_for_update(of=("self",)).filter(held).order_by("pk")
        writes = [
            ObjectWrite(
                model=model,
                data={name: None for name in fields if getattr(holder, f"{name}_id") in pks},
                instance=holder,
            )
            for holder in holders
        ]
        objects_update(writes)


def _parent(kind: ContentType | None, pk: int | None) -> models.Model | None:
    """What an assigned object belongs to (an interface's device: its `parent_object`), None if nothing is
    assigned or the object does not exist (its validation says so)."""
    if kind is None or pk is None:
        return None
    model = kind.model_class()
    target = model._base_manager.filter(pk=pk).first() if model is not None else None
    return getattr(target, "parent_object", None)


def _refuse_moving_slots(writes: Sequence[ObjectWrite]) -> None:
    """NetBox's rule: an address that is the primary (of its family) or out-of-band address of a device stays
    assigned to that device (to any of its interfaces)."""
    errors = {}
    for position, write in enumerate(writes):
        address = write.target
        assert isinstance(address, IPAddress)
        if address.assigned_object_id is None or not {"assigned_object_type", "assigned_object_id"} & write.data.keys():
            continue
        kind = write.data.get("assigned_object_type", address.assigned_object_type)
        pk = write.data.get("assigned_object_id", address.assigned_object_id)
        if (getattr(kind, "pk", None), pk) == (address.assigned_object_type_id, address.assigned_object_id):
            continue
        before = _parent(address.assigned_object_type, address.assigned_object_id)
        if before is None:
            continue
        family = getattr(write.data.get("address", address.address), "version", address.family)
        primary = getattr(before, f"primary_ip{family}_id", None) == address.pk
        oob = getattr(before, "oob_ip_id", None) == address.pk
        if (primary or oob) and _parent(kind, pk) != before:
            errors[position] = ValidationError(
                _("Cannot reassign IP address while it is designated as the primary IP for the parent object")
                if primary
                else _("Cannot reassign IP address while it is designated as the OOB IP for the parent object")
            )
    if errors:
        raise WritesInvalid(errors)


# -- application services: NetBox's older single-protocol `protocol` and `ports` -------------------------


def legacy_ports_protocol(value, actor) -> str:
    """The `protocol` of a write in NetBox's older form (core.writes.WriteExtra)."""
    if value not in ServiceProtocol.values:
        raise ValidationError(_("{value} is not a valid choice.").format(value=value))
    return value


def legacy_ports(value, actor) -> list[int]:
    """The `ports` of a write in NetBox's older form (core.writes.WriteExtra)."""
    if not isinstance(value, list) or not all(isinstance(port, int) and not isinstance(port, bool) for port in value):
        raise ValidationError(_("Expected a list of port numbers."))
    return value


def _port_mappings_from_legacy(writes: Sequence[ObjectWrite]) -> None:
    """A write giving `protocol` and `ports` (as NetBox before 4.7, and Ansible, write them) sets the
    port mappings they stand for; given beside `port_mappings`, the two must agree (a client writing
    back what it read sends both)."""
    errors = {}
    for position, write in enumerate(writes):
        if "protocol" not in write.extra and "ports" not in write.extra:
            continue
        mappings_now = getattr(write.instance, "port_mappings", None)  # None: a new service
        current = legacy_protocol_ports(mappings_now) if mappings_now is not None else (None, None)
        protocol = write.extra.pop("protocol", current[0])
        ports = write.extra.pop("ports", current[1])
        if protocol is None or ports is None:
            missing = "protocol" if protocol is None else "ports"
            errors[position] = ValidationError({missing: _("Both protocol and ports are needed to set ports.")})
            continue
        mappings = [f"{protocol}/{port}" for port in ports]
        if "port_mappings" in write.data:
            if sorted(port_mappings_clean(write.data["port_mappings"])) != sorted(port_mappings_clean(mappings)):
                errors[position] = ValidationError(
                    {"port_mappings": _("The protocol and ports given conflict with port_mappings.")}
                )
            continue
        write.data["port_mappings"] = mappings
    if errors:
        raise WritesInvalid(errors)


def service_ports_create(writes: Sequence[ObjectWrite]) -> list:
    _port_mappings_from_legacy(writes)
    return objects_create(writes)


def service_ports_update(writes: Sequence[ObjectWrite]) -> list:
    _port_mappings_from_legacy(writes)
    return objects_update(writes)
