"""GraphQL in NetBox 4.x's dialect, derived from the registry (DESIGN §5).

graphene and graphene-django stay behind this package: the rest of Wirebook imports only
`graphql_view` (mounted at `/graphql/` inside an organization) and never graphene itself.
"""

from core.graphql.view import graphql_view

__all__ = ["graphql_view"]
