"""GraphQL fields the derived types lack: NetBox's `contacts` on providers, their accounts and circuits."""

from core.registry import registry
from inventory.graphql import CONTACTS_GRAPHQL
from inventory.models.contacts import contact_models

for model in contact_models("circuits"):
    registry.extend(model, graphql=CONTACTS_GRAPHQL)
