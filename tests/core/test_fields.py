"""The table of field kinds (core/fields.py): one kind per field class, refined by the field."""

import dataclasses
import datetime
import decimal
import uuid

import graphene
import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models

from core import fields
from core.fields import (
    BIG_INTEGER,
    CUSTOM_FIELDS,
    SLUG,
    TEXT,
    FieldKind,
    Rendered,
    ValueType,
    field_kind,
    import_bool,
    kind_of,
    list_of,
    nullable,
    register_field_kind,
    split_array,
    typed_renderer,
)
from core.filters import _field_filters
from core.graphql.types import graphql_type
from core.models import CustomField, CustomFieldChoiceSet, ObjectChange, ObjectPermission
from core.registry import registry
from core.representation import _renderer
from inventory.models import Contact, ContactAssignment, Region, Site


def model_field(model, name):
    return model._meta.get_field(name)


def test_a_field_class_takes_the_kind_of_its_nearest_registered_class():
    class Hostname(models.CharField):
        pass

    assert field_kind(models.SlugField()) is SLUG
    assert field_kind(models.PositiveBigIntegerField()) is BIG_INTEGER
    assert field_kind(models.BigAutoField(primary_key=True)) is BIG_INTEGER
    assert field_kind(Hostname(max_length=10)) is TEXT
    assert kind_of(models.PositiveSmallIntegerField()).graphql == "Int"


@pytest.mark.parametrize(
    ("model", "name", "kind"),
    [
        (Site, "region", "tree_node"),  # filtered with the regions below
        (Region, "parent", "foreign_key"),  # a tree's own parent: the node itself
        (Contact, "groups", "tree_nodes"),
        (ContactAssignment, "object_type", "object_type"),
        (CustomField, "object_types", "object_types"),
        (ContactAssignment, "assigned_object", "generic_object"),
        (Site, "tagged_items", "generic_relation"),
        (Site, "custom_field_data", "custom_fields"),
        (Site, "status", "choice"),
        (ObjectPermission, "actions", "array"),
        (ObjectChange, "prechange_data", "json"),
    ],
)
def test_kinds_are_refined_by_the_field(model, name, kind):
    assert kind_of(model_field(model, name)).name == kind


def test_a_choice_keeps_its_class_kinds_value_type():
    status = kind_of(model_field(Site, "status"))

    assert status.graphql == "String" and status.blank_value == ""
    assert status.lookups == status.graphql_filter == status.options_type == "choice"
    assert status.schema(model_field(Site, "status"))["properties"]["value"]["enum"][0] == "planned"
    assert status.write_schema(model_field(Site, "status"))["type"] == "string"


def test_arrays_follow_their_items():
    actions = kind_of(model_field(ObjectPermission, "actions"))
    user_ids = kind_of(model_field(ObjectPermission, "user_ids"))
    pairs = kind_of(model_field(CustomFieldChoiceSet, "extra_choices"))

    assert (actions.graphql, actions.lookups, actions.parse) == ("[String!]", "array", str)
    assert (user_ids.graphql, user_ids.parse("7")) == ("[BigInt!]", 7)
    assert (pairs.graphql, pairs.lookups) == ("[[String!]!]", None)  # pairs are not matched item by item
    assert split_array(model_field(ObjectPermission, "user_ids"), "3, 4,x") == [3, 4, "x"]
    assert split_array(model_field(CustomFieldChoiceSet, "extra_choices"), "a:A, b") == [["a", "A"], ["b", "b"]]
    with pytest.raises(ValidationError, match="Expected a list of items"):
        actions.from_json(model_field(ObjectPermission, "actions"), "view")


def test_json_writes_and_imports_convert_by_kind():
    latitude = model_field(Site, "latitude")
    name = model_field(Site, "name")

    assert kind_of(latitude).from_json(latitude, 4.895168) == decimal.Decimal("4.895168")
    with pytest.raises(ValidationError, match="Not a valid value"):
        kind_of(name).from_json(name, {"x": 1})
    parameters = model_field(ObjectChange, "prechange_data")
    assert kind_of(parameters).from_json(parameters, {"x": [1]}) == {"x": [1]}
    assert kind_of(parameters).import_value(parameters, '{"x": 1}') == {"x": 1}
    assert [import_bool(value) for value in ("Yes", "off", "", "maybe")] == [True, False, None, "maybe"]


@pytest.mark.parametrize("value", [5.6e16, True, 20240101])
def test_dates_and_times_come_as_text_only(value):
    for temporal in (models.DateField(name="d"), models.DateTimeField(name="t"), models.TimeField(name="c")):
        with pytest.raises(ValidationError, match=r"has wrong format\. Use one of these formats instead"):
            kind_of(temporal).from_json(temporal, value)
    date = models.DateField(name="d")
    assert kind_of(date).from_json(date, "2024-01-31").isoformat() == "2024-01-31"
    assert kind_of(date).from_json(date, datetime.date(2024, 1, 31)).isoformat() == "2024-01-31"  # from a form


def test_exports_write_text_for_what_files_cannot_hold():
    request_id = uuid.uuid4()
    change = ObjectChange(request_id=request_id)
    site = Site(latitude=decimal.Decimal("52.370216"))

    assert kind_of(model_field(ObjectChange, "request_id")).export(model_field(ObjectChange, "request_id"), change) == (
        str(request_id)
    )
    assert kind_of(model_field(Site, "latitude")).export(model_field(Site, "latitude"), site) == "52.370216"


def test_custom_field_data_is_a_kind_of_its_own():
    assert kind_of(model_field(Site, "custom_field_data")) is CUSTOM_FIELDS
    assert CUSTOM_FIELDS.form_field is None


class Colour(models.CharField):
    """A field class of the kind DCIM will add: six hex digits."""


@pytest.fixture
def colour_kind(monkeypatch):
    monkeypatch.setattr(fields, "_KINDS", dict(fields._KINDS))
    kind = dataclasses.replace(
        TEXT,
        name="colour",
        schema=lambda field: {"type": "string", "pattern": "^[0-9a-f]{6}$"},
        lookups="exact",
        parse=lambda value: value.lower() if len(value) == 6 else None,
    )
    register_field_kind(Colour, kind)
    yield kind
    fields._kind_of_class.cache_clear()


def test_a_new_field_class_plugs_in_once(colour_kind):
    colour = Colour(max_length=6)
    colour.set_attributes_from_name("colour")

    assert kind_of(colour) is colour_kind
    assert colour_kind.schema(colour) == {"type": "string", "pattern": "^[0-9a-f]{6}$"}
    assert set(_field_filters(Site, colour)) == {"colour", "colour__n"}  # its own lookups, not text's
    assert graphql_type(kind_of(colour).graphql) is graphene.String


def test_every_field_of_every_registered_model_has_a_kind():
    for spec in registry:
        for field in spec.model._meta.get_fields():
            assert isinstance(kind_of(field), FieldKind), f"{spec.label}.{field.name}"


def test_graphql_types_are_read_from_the_schema_language():
    assert graphql_type("Int") is graphene.Int
    nested = graphql_type("[[String!]!]")
    assert isinstance(nested, graphene.List) and isinstance(nested.of_type, graphene.NonNull)
    with pytest.raises(ValueError, match="Unknown GraphQL type"):
        graphql_type("Colour")


def test_value_types_give_openapi_and_graphql():
    labels = list_of(nullable(ValueType({"type": "string"}, "String")))

    assert labels.openapi() == {"type": "array", "items": {"type": "string", "nullable": True}}
    assert labels.graphql == "[String]"


def test_a_renderer_without_a_type_is_refused_where_it_is_derived():
    site = registry.get(Site)
    spec = dataclasses.replace(site, api=dataclasses.replace(site.api, renderers={"name": lambda obj, links: 0}))

    with pytest.raises(ImproperlyConfigured, match="does not say what it returns"):
        typed_renderer(spec, "name")
    with pytest.raises(ImproperlyConfigured, match="does not say what it returns"):
        _renderer(spec, "name")


def test_a_typed_renderer_is_the_representation():
    shout = Rendered(lambda obj, links: obj.name.upper(), ValueType({"type": "string"}, "String"))
    site = registry.get(Site)
    spec = dataclasses.replace(site, api=dataclasses.replace(site.api, renderers={"name": shout}))

    assert _renderer(spec, "name")(Site(name="ams1"), None) == "AMS1"


def test_options_name_drfs_types(org_a):
    post = org_a.client().options("/o/org-a/api/dcim/sites/").json()["actions"]["POST"]

    assert {name: post[name]["type"] for name in ("name", "slug", "status", "region", "latitude")} == {
        "name": "string",
        "slug": "slug",
        "status": "choice",
        "region": "field",
        "latitude": "decimal",
    }


def test_options_list_the_choices_of_a_write_only_field(org_a):
    # A service's `protocol` is no model field (it sets the port mappings); Ansible's netbox_service looks its
    # value up among the endpoint's choices.
    post = org_a.client().options("/o/org-a/api/ipam/services/").json()["actions"]["POST"]

    assert post["protocol"]["type"] == "choice"
    assert {"value": "tcp", "display_name": "TCP"} in post["protocol"]["choices"]
    assert "ports" not in post  # no choices: as before
