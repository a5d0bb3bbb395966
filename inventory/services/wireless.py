"""Writes of wireless links: a link is recorded on both of its interfaces (`Interface.wireless_link`), as
NetBox's WirelessLink.save does; an interface a changed link no longer joins, and both interfaces of a deleted
link, are released. Each interface so changed has its own change-log entry, as in NetBox. A link is a hop of
its interfaces' paths (inventory.cabling): the paths of every interface a write touches are traced again in
the same transaction (a deleted link's are dropped)."""

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from core.services import ObjectWrite, instances_of, objects_changing, objects_create, objects_delete, objects_update
from inventory.models import Interface, WirelessLink
from inventory.services.cables import paths_retrace


def _record(links: Sequence[WirelessLink]) -> None:
    """Each link on its two interfaces; an interface left on one of these links that it no longer joins is
    released. The paths of all of them are traced again."""
    joined = {pk: link for link in links for pk in (link.interface_a_id, link.interface_b_id)}
    with objects_changing(Interface, Q(pk__in=joined) | Q(wireless_link__in=links)) as interfaces:
        for interface in interfaces:
            interface.wireless_link = joined.get(interface.pk)
    _retrace(interface.pk for interface in interfaces)


def _retrace(interface_ids) -> None:
    type_id = ContentType.objects.get_for_model(Interface).pk
    paths_retrace([(type_id, pk) for pk in interface_ids])


def wireless_links_create(writes: Sequence[ObjectWrite]) -> list[WirelessLink]:
    with transaction.atomic():
        links = instances_of(WirelessLink, objects_create(writes))
        _record(links)
    return links


def wireless_links_update(writes: Sequence[ObjectWrite]) -> list[WirelessLink]:
    with transaction.atomic():
        links = instances_of(WirelessLink, objects_update(writes))
        _record(links)
    return links


def wireless_links_delete(instances: Sequence[WirelessLink], *, message: str = "") -> None:
    with transaction.atomic():
        with objects_changing(Interface, Q(wireless_link__in=instances)) as interfaces:
            for interface in interfaces:
                interface.wireless_link = None
        objects_delete(instances, message=message)
        _retrace(interface.pk for interface in interfaces)
