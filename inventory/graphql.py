"""Inventory's GraphQL fields the derived types lack: NetBox's `contacts` on objects that take contacts."""

from core.graphql.types import Relation
from core.registry import GraphQL, registry
from inventory.models import ContactAssignment
from inventory.models.contacts import CONTACT_OBJECT_TYPES


def _contacts(types, name: str):
    """The object's contact assignments (a generic relation, so not derived), restricted, filterable
    and paginated like any reverse list."""
    relation = Relation("reverse", "contacts", ContactAssignment, partition="object_id")
    return types.reverse_list(name, relation), relation


# For the models of apps registered after inventory (circuits, VPN), given by their own graphql modules.
CONTACTS_GRAPHQL = GraphQL(fields={"contacts": _contacts})

for spec in list(registry):
    if spec.label in CONTACT_OBJECT_TYPES:
        registry.extend(spec.model, graphql=CONTACTS_GRAPHQL)
