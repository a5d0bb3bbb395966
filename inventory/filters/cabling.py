"""NetBox's cable filters on what cables end on: by the device, site, rack or location of their ends
(`device_id=`, `device=<name>`, `site_id=`, `site=<slug>`, `rack_id=`, `rack=<name>`, `location_id=`,
`location=<name>`), by the objects of one kind they end on (`interface_id=`, `powerfeed_id=`…), and by
either end (`termination_a_type=dcim.interface&termination_a_id=12`).

Where an end stands comes from the endpoint registrations (`Cabling.places`), so the filters cover every
kind of endpoint, other apps' included, without naming them."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from core.filters import Filter, FilterError
from core.registry import object_type_for, registry
from inventory.cabling import endpoint_specs
from inventory.models import Cable, CableTermination

# A place: how a filter by id and by name reads it ("site" -> site_id=1, site=<slug>).
PLACES = {"device": "name", "site": "slug", "rack": "name", "location": "name"}
# NetBox's `<kind>_id` filters of cables.
KINDS = (
    "consoleport", "consoleserverport", "powerport", "poweroutlet", "interface", "frontport", "rearport", "powerfeed",
    "circuittermination",
)  # fmt: skip


def _ids(label: str, values: list[str]) -> list[int]:
    try:
        return [int(value) for value in values]
    except ValueError:
        raise FilterError({label: [f"“{value}” is not a valid value." for value in values]}) from None


def _ending_on(matching) -> Q:
    """Cables one of whose ends is on an object `matching(spec)` (a Q on the object, or None) selects."""
    ends = Q(pk__in=[])
    for spec in endpoint_specs():
        condition = matching(spec)
        if condition is None:
            continue
        objects = spec.model._base_manager.filter(condition).values("pk")
        ends |= Q(
            terminations__termination_type=ContentType.objects.get_for_model(spec.model),
            terminations__termination_id__in=objects,
        )
    return Q(pk__in=Cable._base_manager.filter(ends).values("pk"))


def _place_filter(place: str, by_id: bool) -> Filter:
    label = f"{place}_id" if by_id else place
    attribute = "pk" if by_id else PLACES[place]

    def apply(queryset, values):
        wanted = _ids(label, values) if by_id else values

        def matching(spec):
            path = dict(spec.cabling.places).get(place)
            return None if path is None else Q(**{f"{path}__{attribute}__in": wanted})

        return queryset.filter(_ending_on(matching))

    return Filter(apply)


def _kind_filter(kind: str) -> Filter:
    label = f"{kind}_id"

    def apply(queryset, values):
        wanted = _ids(label, values)
        return queryset.filter(_ending_on(lambda spec: Q(pk__in=wanted) if spec.cabling.kind == kind else None))

    return Filter(apply)


def _end_filter(end: str, by_id: bool) -> Filter:
    """`termination_a_type=` / `termination_a_id=` (and B's): cables whose A end is on objects of that type
    (or those ids)."""
    label = f"termination_{end.lower()}_{'id' if by_id else 'type'}"

    def apply(queryset, values):
        if by_id:
            rows = CableTermination.objects.filter(cable_end=end, termination_id__in=_ids(label, values))
        else:
            types = [content_type.pk for value in values if (content_type := object_type_for(value)) is not None]
            rows = CableTermination.objects.filter(cable_end=end, termination_type_id__in=types)
        return queryset.filter(pk__in=rows.values("cable_id"))

    return Filter(apply)


registry.extend(
    Cable,
    filters={
        **{place: _place_filter(place, by_id=False) for place in PLACES},
        **{f"{place}_id": _place_filter(place, by_id=True) for place in PLACES},
        **{f"{kind}_id": _kind_filter(kind) for kind in KINDS},
        **{
            f"termination_{end.lower()}_{'id' if by_id else 'type'}": _end_filter(end, by_id)
            for end in ("A", "B")
            for by_id in (False, True)
        },
    },
)
