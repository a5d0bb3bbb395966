"""core.models.base.BaseModel.from_db: a row read from the database is the instance Django's own loading builds
(its columns, its state, a tree node's remembered position), only built faster; deferred columns and listened-to
init signals go Django's way."""

from django.db.models import Model, signals

from core.models.base import BaseModel
from inventory.models import Region, Site
from tenants.context import tenant_context


def _djangos(instance: Model) -> Model:
    """`instance` loaded again the way Django loads a row."""
    model = type(instance)
    values = [getattr(instance, field.attname) for field in model._meta.concrete_fields]
    names = [field.attname for field in model._meta.concrete_fields]
    return Model.from_db.__func__(model, "default", names, values)  # type: ignore[attr-defined]


def _state(instance: Model) -> dict:
    return {key: value for key, value in instance.__dict__.items() if key != "_state"}


def test_a_loaded_row_is_the_instance_djangos_loading_builds(org_a):
    with tenant_context(org_a.organization):
        # given a site in a region (a tree node), with custom field data
        parent = Region.objects.create(name="Europe", slug="europe")
        region = Region.objects.create(name="Austria", slug="austria", parent=parent)
        Site.objects.create(name="Vienna", slug="vienna", region=region, custom_field_data={"cf": 1})

        # when it is read with its region
        site = Site.objects.select_related("region").get(slug="vienna")

        # then both instances hold what Django's loading gives them, and know they were read
        for loaded in (site, site.region):
            expected = _djangos(loaded)
            assert _state(loaded) == _state(expected)
            assert (loaded._state.adding, loaded._state.db) == (False, "default")
        assert site.region._mptt_cached_fields["parent"] == parent.pk  # compared above too: in the instance's dict
        assert site.custom_field_data == {"cf": 1}
        # and they save as Django's do (an update, the tree untouched)
        site.region.name = "Österreich"
        site.region.save()
        assert Region.objects.get(pk=region.pk).parent_id == parent.pk


def test_deferred_columns_and_init_signals_go_djangos_way(org_a):
    with tenant_context(org_a.organization):
        Site.objects.create(name="Graz", slug="graz", description="south")

        # a deferred column is read when asked for
        site = Site.objects.defer("description").get(slug="graz")
        assert "description" not in site.__dict__
        assert site.description == "south"

        # an init signal listener sees every instance
        seen: list = []

        def listener(sender, instance, **kwargs):
            seen.append(instance)

        signals.post_init.connect(listener, sender=Site)
        try:
            loaded = Site.objects.get(slug="graz")
        finally:
            signals.post_init.disconnect(listener, sender=Site)
        assert seen == [loaded]
        assert BaseModel.from_db.__func__ is not Model.from_db.__func__  # type: ignore[attr-defined]


def test_custom_field_data_reads_as_pythons_json_reads_it(org_a):
    stored = {
        "text": "Landstraße \u2603",
        "numbers": [0, -1, 1.5, -0.0, 2**63 - 1, 123456789012345678901234567890],
        "nested": {"flag": True, "none": None, "date": "2015-03-04"},
    }
    with tenant_context(org_a.organization):
        # given custom field data with text, floats, a long integer and nesting
        Site.objects.create(name="Linz", slug="linz", custom_field_data=stored)

        # when it is read back
        read = Site.objects.get(slug="linz").custom_field_data

    # then it is what was stored, the long integer exact
    assert read == stored
    assert read["numbers"][-1] == 123456789012345678901234567890
    assert isinstance(read["numbers"][-1], int)
    assert Site._meta.get_field("custom_field_data").deconstruct()[1] == "django.db.models.JSONField"
