"""NetBox's providers, provider accounts and provider networks."""

from addressing.api.common import TRAILER
from circuits.models import Provider, ProviderAccount, ProviderNetwork
from core.fields import INTEGER_VALUE, TEXT_VALUE, Rendered, json_object, list_of
from core.registry import Api, Search, registry
from core.representation import render

# NetBox's NestedProviderAccount: how a provider lists its accounts.
ACCOUNT = json_object(
    {
        "id": INTEGER_VALUE,
        "url": TEXT_VALUE,
        "display_url": TEXT_VALUE,
        "display": TEXT_VALUE,
        "name": TEXT_VALUE,
        "account": TEXT_VALUE,
    }
)
ACCOUNT_FIELDS = {"id", "url", "display_url", "display", "name", "account"}


def _accounts(provider, links) -> list[dict]:
    return [render(account, links, only=ACCOUNT_FIELDS) for account in provider.accounts.all()]


registry.register(
    Provider,
    api=Api(
        "circuits/providers",
        brief_fields=("id", "url", "display", "name", "slug", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "accounts", "description", "owner", "comments",
            "asns", "tags", "custom_fields", "created", "last_updated", "circuit_count",
        ),
        renderers={"accounts": Rendered(_accounts, list_of(ACCOUNT), prefetch=("accounts",))},
        counts={"circuit_count": "circuits"},
        brief_counts=("circuit_count",),
    ),
    search=Search(fields=("name", "slug", "description", "comments")),
)  # fmt: skip
registry.register(
    ProviderAccount,
    api=Api(
        "circuits/provider-accounts",
        brief_fields=("id", "url", "display", "name", "account", "description"),
        fields=("id", "url", "display_url", "display", "provider", "name", "account", "description", *TRAILER),
    ),
    search=Search(fields=("account", "name", "description", "comments")),
)
registry.register(
    ProviderNetwork,
    api=Api(
        "circuits/provider-networks",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=("id", "url", "display_url", "display", "provider", "name", "service_id", "description", *TRAILER),
    ),
    search=Search(fields=("name", "service_id", "description", "comments")),
)
