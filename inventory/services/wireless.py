"""Writes of wireless links: a link is recorded on both of its interfaces (`Interface.wireless_link`), as
NetBox's WirelessLink.save does; an interface a changed link no longer joins is released. Deleting a link
releases its interfaces through the column's ON DELETE SET NULL."""

from collections.abc import Sequence

from core.services import ObjectWrite, instances_of, objects_create, objects_update
from inventory.models import Interface, WirelessLink


def _record(links: Sequence[WirelessLink]) -> None:
    for link in links:
        Interface._base_manager.filter(pk__in=(link.interface_a_id, link.interface_b_id)).update(wireless_link=link)


def wireless_links_create(writes: Sequence[ObjectWrite]) -> list[WirelessLink]:
    links = instances_of(WirelessLink, objects_create(writes))
    _record(links)
    return links


def wireless_links_update(writes: Sequence[ObjectWrite]) -> list[WirelessLink]:
    links = instances_of(WirelessLink, objects_update(writes))
    joined = {pk for link in links for pk in (link.interface_a_id, link.interface_b_id)}
    Interface._base_manager.filter(wireless_link__in=links).exclude(pk__in=joined).update(wireless_link=None)
    _record(links)
    return links
