"""Automation's registrations: the custom field's write services, which rewrite stored values inline
or as a job (automation.customfields)."""

from automation.customfields import custom_fields_create, custom_fields_delete, custom_fields_update
from core.models import CustomField
from core.registry import registry
from core.services import Services

registry.extend(
    CustomField,
    services=Services(create=custom_fields_create, update=custom_fields_update, delete=custom_fields_delete),
)
