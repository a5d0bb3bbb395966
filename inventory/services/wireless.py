"""Writes of wireless links: a link is recorded on both of its interfaces (`Interface.wireless_link`), as
NetBox's WirelessLink.save does; an interface a changed link no longer joins, and both interfaces of a deleted
link, are released. Each interface so changed has its own change-log entry, as in NetBox."""

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q

from core.services import ObjectWrite, instances_of, objects_changing, objects_create, objects_delete, objects_update
from inventory.models import Interface, WirelessLink


def _record(links: Sequence[WirelessLink]) -> None:
    """Each link on its two interfaces; an interface left on one of these links that it no longer joins is released."""
    joined = {pk: link for link in links for pk in (link.interface_a_id, link.interface_b_id)}
    with objects_changing(Interface, Q(pk__in=joined) | Q(wireless_link__in=links)) as interfaces:
        for interface in interfaces:
            interface.wireless_link = joined.get(interface.pk)


def wireless_links_create(writes: Sequence[ObjectWrite]) -> list[WirelessLink]:
    links = instances_of(WirelessLink, objects_create(writes))
    _record(links)
    return links


def wireless_links_update(writes: Sequence[ObjectWrite]) -> list[WirelessLink]:
    links = instances_of(WirelessLink, objects_update(writes))
    _record(links)
    return links


def wireless_links_delete(instances: Sequence[WirelessLink], *, message: str = "") -> None:
    with transaction.atomic():
        with objects_changing(Interface, Q(wireless_link__in=instances)) as interfaces:
            for interface in interfaces:
                interface.wireless_link = None
        objects_delete(instances, message=message)
