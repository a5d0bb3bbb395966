"""NetBox's Connections menu: cables, written with their A and B terminations."""

from django import forms

from core.registry import Importer, Menu, Ui, registry
from inventory.models import Cable, CableTermination
from inventory.ui.cable_import import END_COLUMNS, EXPORT_PREFETCH, export_cable_ends, import_cables
from inventory.ui.connections import CONNECTION_PAGES


def _terminations(label: str):
    """A cable end as the API writes it, in JSON."""
    return lambda bulk: forms.JSONField(
        required=not bulk,
        label=label,
        help_text='JSON, e.g. [{"object_type": "dcim.interface", "object_id": 12}]',
        widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": 3}),
    )


CONNECTIONS = Menu("Connections", "Connections")

registry.extend(
    Cable,
    ui=Ui(
        menu=CONNECTIONS,
        pages=CONNECTION_PAGES,
        table_columns=("label", "type", "status", "tenant", "color", "length", "length_unit", "description"),
        importer=Importer(import_cables, keys=END_COLUMNS, export=export_cable_ends, prefetch=EXPORT_PREFETCH),
        form_fields={
            "a_terminations": _terminations("A terminations"),
            "b_terminations": _terminations("B terminations"),
        },
    ),
)
registry.extend(
    CableTermination,
    ui=Ui(menu=CONNECTIONS, table_columns=("cable", "cable_end", "termination_type", "termination")),
)
