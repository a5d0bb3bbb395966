"""IP networks and addresses as PostgreSQL stores them (`inet`), as netaddr objects in Python.

`IPNetworkField` holds a prefix (network and mask: an aggregate's, a prefix's), `IPAddressField` an
address with its mask (an IP address's, an IP range's ends). Both are PostgreSQL `inet` columns, so
containment (`<<`, `<<=`, `>>`, `>>=`), `family()`, `masklen()` and `host()` run in the database
and GiST indexes (`inet_ops`) serve them; in Python both are `netaddr.IPNetwork`.

Lookups (`prefix__net_contained="10.0.0.0/8"`):
  net_contained (<<), net_contained_or_equal (<<=), net_contains (>>), net_contains_or_equals (>>=)
  family (4 or 6), mask_length, host (the address without its mask, as an inet: what IP lists
  are ordered and ranged by).

Migrations name Django's own `GenericIPAddressField` (an `inet` column too): they never import
our code. The field kinds below tell the REST, GraphQL, form and import layers about both.
"""

import socket
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import netaddr
from django import forms
from django.contrib.postgres.fields import ArrayField, IntegerRangeField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.postgresql.psycopg_any import NumericRange
from django.db.models import F, Func, IntegerField, Lookup, Transform
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from core.fields import TEXT, FieldKind, register_field_kind


def parse_network(value: Any) -> netaddr.IPNetwork | None:
    """An address or network as netaddr reads it ("10.0.0.1", "10.0.0.0/24", "2001:db8::/64"); None if it is none."""
    if isinstance(value, netaddr.IPNetwork):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return netaddr.IPNetwork(value.strip())
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return None


def network_from_db(value: str) -> netaddr.IPNetwork:
    """PostgreSQL's text of an `inet` or `cidr` ("10.0.0.1/24", "10.0.0.1" for a /32, "2001:db8::/64"). An IPv4
    value, always canonical here, is read without netaddr's string parser: half the time, ~10 us of each row
    of a 1,000-address page."""
    if ":" in value:
        return netaddr.IPNetwork(value)
    host, _slash, length = value.partition("/")
    return netaddr.IPNetwork((int.from_bytes(socket.inet_aton(host), "big"), int(length) if length else 32), 4)


def prefix_validator(prefix: netaddr.IPNetwork) -> None:
    if prefix.ip != prefix.cidr.ip:
        raise ValidationError(
            _("{prefix} is not a valid prefix. Did you mean {suggested}?").format(prefix=prefix, suggested=prefix.cidr)
        )


class _NetworkFieldBase(models.Field):
    # NetBox's wording of a value that is no address or prefix.
    invalid_message = _("Invalid IP address format: {value}")

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.GenericIPAddressField", args, kwargs

    def db_type(self, connection):
        return "inet"

    def get_internal_type(self):
        # Text lookups (`__icontains`, `__istartswith`) compare the column's text ("10.0.0.0/24").
        return "CharField"

    def from_db_value(self, value, expression, connection):
        return None if value is None else network_from_db(value)

    def to_python(self, value):
        if value is None or value == "" or isinstance(value, netaddr.IPNetwork):
            return value or None
        parsed = parse_network(value) if isinstance(value, str) else None
        if parsed is None:
            raise ValidationError(self.invalid_message.format(value=value), code="invalid")
        return parsed

    def get_prep_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, list | tuple):
            return [self.get_prep_value(item) for item in value]
        return str(self.to_python(value))

    def value_from_object(self, obj):
        # As text: what change-log snapshots, form initials and change detection hold.
        value = super().value_from_object(obj)
        return None if value is None else str(value)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else value


class IPNetworkField(_NetworkFieldBase):
    """A network: its address has no host bits (10.0.0.0/24, not 10.0.0.1/24)."""

    description = _("IPv4 or IPv6 network")
    invalid_message = _("Invalid IP prefix format: {value}")
    default_validators = [prefix_validator]


class IPAddressField(_NetworkFieldBase):
    """An address with the mask of its network (10.0.0.1/24)."""

    description = _("IPv4 or IPv6 address (with mask)")


class _Operator(Lookup):
    operator = ""

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} {self.operator} {rhs}::inet", (*lhs_params, *rhs_params)


class NetContained(_Operator):
    lookup_name = "net_contained"
    operator = "<<"


class NetContainedOrEqual(_Operator):
    lookup_name = "net_contained_or_equal"
    operator = "<<="


class NetContains(_Operator):
    lookup_name = "net_contains"
    operator = ">>"


class NetContainsOrEquals(_Operator):
    lookup_name = "net_contains_or_equals"
    operator = ">>="


class Family(Transform):
    lookup_name = "family"
    function = "FAMILY"
    output_field = IntegerField()


class MaskLength(Transform):
    lookup_name = "mask_length"
    function = "MASKLEN"
    output_field = IntegerField()


class Host(Transform):
    """The address without its mask, as an inet (a /32 or /128): what addresses are ordered by."""

    lookup_name = "host"
    template = "(HOST(%(expressions)s))::inet"

    @property
    def output_field(self):
        return IPAddressField()


def host(name: str) -> Cast:
    """`Host` in Django's own terms, for indexes and orderings that migrations record (they name no code of
    ours): the same SQL, so PostgreSQL matches one with the other."""
    return Cast(Func(F(name), function="HOST"), output_field=models.GenericIPAddressField())


for _field_class in (IPNetworkField, IPAddressField):
    for _lookup in (NetContained, NetContainedOrEqual, NetContains, NetContainsOrEquals, Family, MaskLength, Host):
        _field_class.register_lookup(_lookup)


def _network_from_json(model_field, value):
    parsed = parse_network(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValidationError(model_field.invalid_message.format(value=value))
    return parsed


def _text_renderer(model_field) -> Callable[[Any, Any], str | None]:
    attname = model_field.attname

    def render(obj, links) -> str | None:
        value = getattr(obj, attname)
        return None if value is None else str(value)

    return render


def _text_export(model_field, obj) -> str | None:
    value = getattr(obj, model_field.attname)
    return None if value is None else str(value)


NETWORK = replace(
    TEXT,
    name="ip_network",
    schema=lambda model_field: {"type": "string", **({"nullable": True} if model_field.null else {})},
    graphql_filter=None,
    lookups=None,  # NetBox's own filters (addressing.filters): prefix=, within=, parent=, address=...
    parse=None,
    options_type="string",
    render=_text_renderer,
    export=_text_export,
    from_json=_network_from_json,
    blank_value=None,
)
register_field_kind(IPNetworkField, NETWORK)
register_field_kind(IPAddressField, replace(NETWORK, name="ip_address"))


# -- VLAN ID ranges --------------------------------------------------------------------------------


def _inclusive(vid_range) -> list[int]:
    lower = vid_range.lower if vid_range.lower_inc else vid_range.lower + 1
    upper = vid_range.upper if vid_range.upper_inc else vid_range.upper - 1
    return [lower, upper]


def _vid_pairs(value) -> list[list[int]]:
    """NetBox's written forms of VLAN ID ranges -- [[1, 100], [200, 299]] or "1-100,200-299" -- as
    inclusive pairs; ValidationError for anything else."""
    if isinstance(value, str):
        pairs = []
        for part in (item.strip() for item in value.split(",")):
            if not part:
                continue
            lower, _dash, upper = part.partition("-")
            try:
                pairs.append([int(lower), int(upper or lower)])
            except ValueError:
                raise ValidationError(_("Enter ranges of VLAN IDs, e.g. 1-100,200-299.")) from None
        return pairs
    if not isinstance(value, list):
        raise ValidationError(f'Expected a list of items but got type "{type(value).__name__}".')
    pairs = []
    for item in value:
        if (
            not isinstance(item, list | tuple)
            or len(item) != 2
            or not all(isinstance(bound, int) and not isinstance(bound, bool) for bound in item)
        ):
            raise ValidationError(_("Ranges must be given as [lower, upper] pairs of VLAN IDs."))
        pairs.append([item[0], item[1]])
    return pairs


class VIDRangesField(ArrayField):
    """VLAN ID ranges (PostgreSQL int4range[]), written and shown as NetBox does: inclusive
    [lower, upper] pairs."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("base_field", IntegerRangeField())
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.contrib.postgres.fields.ArrayField", args, kwargs

    def to_python(self, value):
        if isinstance(value, list) and all(isinstance(item, list | tuple) for item in value):
            return [NumericRange(lower, upper + 1) for lower, upper in value]
        return super().to_python(value)

    def value_from_object(self, obj):
        return [_inclusive(vid_range) for vid_range in super().value_from_object(obj) or []]


def _vid_ranges_text(ranges) -> str:
    """ "1-100,200": ranges as inclusive pairs or as stored (NumericRange)."""
    pairs = [item if isinstance(item, list | tuple) else _inclusive(item) for item in ranges]
    return ",".join(str(lower) if lower == upper else f"{lower}-{upper}" for lower, upper in pairs)


class VIDRangesFormField(forms.CharField):
    def prepare_value(self, value):
        return _vid_ranges_text(value) if isinstance(value, list) else value

    def to_python(self, value):
        value = super().to_python(value)
        return _vid_pairs(value) if value else []


def _vid_ranges_form_field(model_field, *, bulk: bool, required: bool, label, help_text):
    return VIDRangesFormField(
        required=required,
        label=label,
        help_text=help_text or _("Comma-separated ranges of VLAN IDs, e.g. 1-100,200-299"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


VID_RANGES = FieldKind(
    name="vid_ranges",
    schema=lambda model_field: {
        "type": "array",
        "items": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
    },
    graphql="[[Int!]!]",
    form_field=_vid_ranges_form_field,
    options_type="list",
    render=lambda model_field: lambda obj, links: model_field.value_from_object(obj),
    export=lambda model_field, obj: _vid_ranges_text(model_field.value_from_object(obj)),
    import_value=lambda model_field, value: _vid_pairs(value) if isinstance(value, str) else value,
    from_json=lambda model_field, value: [NumericRange(lower, upper + 1) for lower, upper in _vid_pairs(value)],
)
register_field_kind(VIDRangesField, VID_RANGES)
