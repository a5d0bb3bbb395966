"""Inventory's GraphQL fields the derived types lack: NetBox's `contacts` on objects that take contacts, and a
site's `asns`."""

from core.graphql.types import Relation
from core.registry import GraphQL, registry
from inventory.models import ContactAssignment, Site
from inventory.models.contacts import CONTACT_OBJECT_TYPES


def _contacts(types, name: str):
    """The object's contact assignments (a generic relation, so not derived), restricted, filterable
    and paginated like any reverse list."""
    relation = Relation("reverse", "contacts", ContactAssignment, partition="object_id")
    return types.reverse_list(name, relation), relation


def _asns(types, name: str):
    """A site's ASNs: the other side of IPAM's ASN.sites (inventory does not import IPAM), so not derived."""
    return types.many_list(name, Site.asns.rel.related_model)


# For the models of apps registered after inventory (circuits, VPN), given by their own graphql modules.
CONTACTS_GRAPHQL = GraphQL(fields={"contacts": _contacts})
SITE_GRAPHQL = GraphQL(fields={**CONTACTS_GRAPHQL.fields, "asns": _asns})

for spec in list(registry):
    if spec.label in CONTACT_OBJECT_TYPES:
        registry.extend(spec.model, graphql=SITE_GRAPHQL if spec.model is Site else CONTACTS_GRAPHQL)
