"""Fuzzing every operation of our OpenAPI document: no server errors, responses as documented (issue #9, item 5).

schemathesis generates requests for each operation of `docs/openapi.json` (valid ones and, for
query parameters and bodies, values of the wrong shape) and sends them over real HTTP to a live
server (tests/live_server.py) with a token of one organization. Every answer must be below 500
and, where the document describes its status, match the documented schema. Another
organization is checked after every operation: nothing of it may change.

Bounded to stay quick on one core: a few examples per operation, derandomized (the same
requests every run), explicit examples and generation only (no shrinking of failures). Most
operations are the registry's generated CRUD of one model, the same framework code over a
different serializer and filter set: they get fewer examples (`examples_for`) than the
hand-written operations and the models of `FULLY_FUZZED`, which get `EXAMPLES_PER_OPERATION`.
"""

from pathlib import Path

import pytest
import schemathesis
from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from core.models import ObjectChange
from core.registry import registry
from tenants.context import tenant_context
from tenants.models import Membership, Token
from tenants.tokens import token_create
from tests.conftest import Committed
from tests.live_server import attach_server_log, live_server

# 418 s in a full run with 10 examples for every operation; alone, on a loaded machine, it went from
# 984 s to 385-632 s with the examples below.
pytestmark = pytest.mark.slow_file(230)

ROOT = Path(__file__).resolve().parents[2]
SLUG, OTHER_SLUG = "fuzz", "fuzz-other"
EXAMPLES_PER_OPERATION = 10
# A generated model endpoint's own operations (list with filters, create, read, update, delete of one
# object) and its bulk operations (update or delete a list of objects, each through the serializer
# its single-object operation already exercises).
EXAMPLES_PER_MODEL_OPERATION = 5
EXAMPLES_PER_BULK_OPERATION = 3
# Models whose every operation, bulk ones included, gets EXAMPLES_PER_OPERATION: one or two rich
# ones per app (nested relations, choices, custom fields, generic relations, cables).
FULLY_FUZZED = {
    "circuits/circuits",
    "dcim/cables",
    "dcim/devices",
    "dcim/interfaces",
    "extras/custom-fields",
    "ipam/ip-addresses",
    "ipam/prefixes",
    "tenancy/contacts",
    "virtualization/virtual-machines",
    "vpn/tunnels",
    "wireless/wireless-lans",
}

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 9,
        # The document's own examples and generated cases (valid and not); not the coverage phase,
        # which sends every boundary case of every parameter (tens of thousands of requests).
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
    }
)
schema = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.json", config=CONFIG)


@pytest.fixture(scope="module")
def fuzz_server(django_db_setup, tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("fuzz")) as server:
        yield server


@pytest.fixture(scope="module")
def fuzz_organizations(django_db_setup, django_db_blocker):
    """`fuzz` (fuzzed) and `fuzz-other` (must stay as it is), committed for the module."""
    with django_db_blocker.unblock():
        made = Committed()
        try:
            owner = made.user(f"{SLUG}-owner@example.com")
            yield made.organization(SLUG, owner=owner), made.organization(OTHER_SLUG), owner
        finally:
            made.cleanup()


def fingerprint(organization) -> dict:
    """What an organization holds: row counts of every registered model and the change log, its
    tokens and members, and the newest change (an update changes no count)."""
    specs = list(registry)
    quote = connection.ops.quote_name
    counts_sql = ", ".join(f"(SELECT count(*) FROM {quote(spec.model._meta.db_table)})" for spec in specs)
    with tenant_context(organization), connection.cursor() as cursor:  # one statement: run twice per operation
        cursor.execute(f"SELECT {counts_sql}")  # table names from the registry, quoted
        counts = dict(zip((spec.label for spec in specs), cursor.fetchone(), strict=True))
        last = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    counts["tokens"] = Token.objects.filter(organization=organization).count()
    counts["members"] = Membership.objects.filter(organization=organization).count()
    counts["last change"] = last
    counts["models"] = len(apps.get_models())
    return counts


@pytest.fixture
def fuzz_target(fuzz_server, fuzz_organizations, django_db_blocker, request):
    organization, other, owner = fuzz_organizations
    with django_db_blocker.unblock():
        # A fresh token each operation: fuzzing DELETE on the API may not lock the next one out.
        _, token = token_create(organization=organization, user=owner, description="fuzz")
        untouched = fingerprint(other)
    attach_server_log(request, fuzz_server)
    yield fuzz_server.organization_url(SLUG), {"Authorization": f"Bearer {token}"}
    with django_db_blocker.unblock():
        assert fingerprint(other) == untouched, "the fuzzed organization's token changed another organization"


# One test per operation, named by it (`[GET /api/dcim/sites/]`): schemathesis' own parametrize
# gives every operation the same node id, which pytest-xdist then reports as one test.
OPERATIONS = {operation.label: operation for operation in (result.ok() for result in schema.get_all_operations())}


MODEL_PATHS = {f"/api/{spec.api_app}/{spec.api_path}/": f"{spec.api_app}/{spec.api_path}" for spec in registry}


def examples_for(label: str) -> int:
    """How many examples an operation (`GET /api/dcim/sites/{id}/`) gets; see the module's docstring."""
    method, path = label.split(" ", 1)
    bulk = path in MODEL_PATHS and method in ("PUT", "PATCH", "DELETE")
    model = MODEL_PATHS.get(path.removesuffix("{id}/"))
    if model is None or model in FULLY_FUZZED:
        return EXAMPLES_PER_OPERATION
    return EXAMPLES_PER_BULK_OPERATION if bulk else EXAMPLES_PER_MODEL_OPERATION


def cases(operation):
    """Valid requests and requests with values of the wrong shape."""
    return st.one_of(*(operation.as_strategy(mode) for mode in GenerationMode))


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_operation_answers_a_server_error_or_off_its_schema(label, fuzz_target):
    base_url, headers = fuzz_target

    @given(case=cases(OPERATIONS[label]))
    @settings(
        max_examples=examples_for(label),
        phases=[Phase.explicit, Phase.generate],
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def answers_within_its_schema(case):
        case.call_and_validate(
            base_url=base_url, headers=headers, checks=[not_a_server_error, response_schema_conformance], timeout=30
        )

    answers_within_its_schema()


def test_every_operation_is_fuzzed():
    assert len(OPERATIONS) == len(list(schema.get_all_operations())) > 100


def test_the_fully_fuzzed_models_and_the_hand_written_operations_get_every_example():
    assert set(MODEL_PATHS.values()) >= FULLY_FUZZED
    assert examples_for("PATCH /api/dcim/devices/") == examples_for("GET /api/ipam/prefixes/{id}/") == 10
    assert examples_for("POST /api/ipam/prefixes/{id}/available-ips/") == examples_for("GET /api/status/") == 10
    assert examples_for("GET /api/dcim/sites/") == examples_for("PUT /api/dcim/sites/{id}/") == 5
    assert examples_for("DELETE /api/dcim/sites/") == 3
