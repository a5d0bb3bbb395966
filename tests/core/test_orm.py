"""core.orm: a column's cheap identity is the one Django derives (equality and hashing of expressions rely on it)."""

from django.db.models.expressions import Col, Expression

from inventory.models import Device


def columns() -> list[Col]:
    name, site = Device._meta.get_field("name"), Device._meta.get_field("site")
    return [
        Col("inventory_device", name),
        Col("inventory_device", name, name),
        Col("T3", name),
        Col("inventory_device", site),
        Col(None, name),
        Col("inventory_device", name, output_field=site),
    ]


def test_a_columns_identity_is_djangos():
    # given Django's own identity, computed through inspect
    expected = [Expression.identity.func(column) for column in columns()]  # type: ignore[attr-defined]

    # when the installed identity is read
    installed = [column.identity for column in columns()]

    # then they are the same, and tell different columns apart
    assert installed == expected
    assert len(set(installed)) == len(installed)
    assert Col("T3", Device._meta.get_field("name")) == columns()[2]
    assert type(Col.__dict__["identity"]) is property, "core.orm.install() ran"
