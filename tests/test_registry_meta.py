"""Meta-tests that keep the registry honest (STYLE: "Meta-tests keep us honest").

Every registered model has its data-only API case (tests/api_cases.py), every field of a
registered model can be filtered by, and every field of its REST representation is in GraphQL.
"""

from collections import Counter

import pytest
from django.db import models
from mptt.models import MPTTModel

from core.fields import Rendered, kind_of
from core.filters import filters_for
from core.graphql.schema import build_schema
from core.graphql.types import type_name
from core.registry import registry
from core.representation import field_names
from tests.api_cases import all_api_cases

# Fields that are not filters by nature: the tree's bookkeeping and the custom field values
# (filtered as `cf_<name>`).
INTERNAL_FIELDS = {"custom_field_data", "lft", "rght", "tree_id", "level"}
# Fields that deliberately have no filter of their own name, with the reason.
NOT_FILTERED = {
    # [value, label] pairs; NetBox filters choice sets by `choice=<value>` instead, not by this field.
    ("core.customfieldchoiceset", "extra_choices"),
    # Ranges of VLAN IDs; NetBox filters VLAN groups by `contains_vid=<vid>` instead.
    ("addressing.vlangroup", "vid_ranges"),
}


def test_every_registered_model_has_exactly_one_api_case():
    cases = Counter(case.model for case in all_api_cases())
    registered = {spec.model for spec in registry}

    missing = sorted(model._meta.label for model in registered - set(cases))
    twice = sorted(model._meta.label for model, count in cases.items() if count > 1)
    unregistered = sorted(model._meta.label for model in set(cases) - registered)

    assert missing == [], "registered models without an APICase subclass under tests/"
    assert twice == [], "registered models with more than one APICase subclass"
    assert unregistered == []


def _filtered_fields(model: type[models.Model]):
    for field in model._meta.get_fields():
        if not field.concrete or field.name in INTERNAL_FIELDS:
            continue  # reverse and generic relations, the tree's bookkeeping
        if kind_of(field).name == "json":
            continue  # free-form JSON has no filter, as in NetBox
        yield field


def _filter_names(field) -> set[str]:
    if not field.is_relation:
        return {field.name}
    names = {field.name, f"{field.name}_id"}
    if field.many_to_many:
        # NetBox names filters on many-to-many fields in the singular (`object_type` for `object_types`).
        singular = field.name.removesuffix("s")
        names |= {singular, f"{singular}_id"}
    return names


@pytest.mark.parametrize("spec", list(registry), ids=lambda spec: spec.label)
def test_every_model_field_has_a_filter(spec):
    available = filters_for(spec.model)

    unfiltered = [
        field.name
        for field in _filtered_fields(spec.model)
        if (spec.label, field.name) not in NOT_FILTERED and not _filter_names(field) & set(available)
    ]

    assert unfiltered == [], f"fields of {spec.label} without a filter (core.filters.filters_for)"


def test_the_exceptions_are_still_fields():
    """An allow-list entry for a field that is gone (or filtered after all) is dropped, not kept."""
    for label, name in NOT_FILTERED:
        model = next(spec.model for spec in registry if spec.label == label)
        field = model._meta.get_field(name)  # raises if the field is gone
        assert not _filter_names(field) & set(filters_for(model)), f"{label}.{name} has a filter now"


# Representation fields GraphQL deliberately names otherwise or leaves out, as NetBox's GraphQL does.
GRAPHQL_NAMES = {"_depth": "level"}  # a tree node's depth (a prefix's `_depth` is a field of its own)
REST_ONLY = {
    "url": "REST addresses; GraphQL objects are found by `id`",
    "display_url": "the UI's address; GraphQL objects are found by `id`",
}


def _rest_only(spec, name: str) -> bool:
    # Counts (a region's site_count) are annotations of REST lists; in GraphQL, as in NetBox's, the
    # objects themselves are selected (`sites { id }`).
    return name in REST_ONLY or name in spec.api.counts or name in spec.api.zero_counts


@pytest.mark.parametrize("spec", list(registry), ids=lambda spec: spec.label)
def test_every_representation_field_is_in_graphql(spec):
    """What REST shows, GraphQL shows: a field a registration renders itself too (its renderer
    says the type), e.g. a contact assignment's `object`."""
    graphql_fields = build_schema().graphql_schema.get_type(type_name(spec.model)).fields

    tree = issubclass(spec.model, MPTTModel)
    missing = [
        name
        for name in field_names(spec)
        if not _rest_only(spec, name) and (GRAPHQL_NAMES.get(name, name) if tree else name) not in graphql_fields
    ]

    assert missing == [], f"representation fields of {spec.label} missing from {type_name(spec.model)}"


def test_rest_only_fields_are_still_representation_fields():
    """An exception for a name no registered model shows any more is dropped, not kept."""
    shown = {name for spec in registry for name in field_names(spec)}

    assert set(REST_ONLY) | set(GRAPHQL_NAMES) <= shown


@pytest.mark.parametrize("spec", [spec for spec in registry if spec.api.renderers], ids=lambda spec: spec.label)
def test_every_renderer_says_what_it_returns(spec):
    """Renderers are Rendered(function, ValueType), so OpenAPI and GraphQL can describe the field."""
    untyped = [name for name, renderer in spec.api.renderers.items() if not isinstance(renderer, Rendered)]

    assert untyped == [], f"renderers of {spec.label} without a type (core.fields.Rendered)"
