"""GraphQL fields the derived types lack: NetBox's `contacts` on tunnel groups, tunnels and L2VPNs."""

from core.registry import registry
from inventory.graphql import CONTACTS_GRAPHQL
from inventory.models.contacts import contact_models

for model in contact_models("addressing"):
    registry.extend(model, graphql=CONTACTS_GRAPHQL)
