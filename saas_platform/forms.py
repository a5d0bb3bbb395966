from django import forms
from django.core.exceptions import ValidationError

from tenants.services import organization_slug_validate


class ServiceForm(forms.Form):
    """A form whose fields carry Bootstrap's classes and which shows a service's ValidationError."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a ValidationError of a tenants service on the matching fields (others on the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class OrganizationCreateForm(ServiceForm):
    name = forms.CharField(label="Name", max_length=100)
    slug = forms.CharField(
        label="Slug",
        max_length=50,
        help_text="Lowercase letters, digits and hyphens; your organization's address: /o/<slug>/.",
    )

    def clean_slug(self) -> str:
        try:
            return organization_slug_validate(self.cleaned_data["slug"])
        except ValidationError as error:
            raise ValidationError(error.message_dict.get("slug", error.messages)) from None
