"""GraphQL in NetBox 4.x's dialect, derived from the registry (DESIGN §5).

graphene and graphene-django stay behind this package: the rest of Wirebook imports only
`graphql_view` (mounted at `/graphql/` inside an organization) and `schema_sdl`, never graphene.
"""

from core.graphql.view import graphql_view


def schema_sdl() -> str:
    """The GraphQL schema in SDL, for the committed snapshot (docs/graphql.schema)."""
    from core.graphql.schema import build_schema

    return str(build_schema()).rstrip() + "\n"


__all__ = ["graphql_view", "schema_sdl"]
