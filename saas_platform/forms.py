import re

from django import forms
from django.core.exceptions import ValidationError

from tenants.models import Organization, allowed_ips_normalize
from tenants.services import CHANGELOG_RETENTION_MAX, organization_slug_validate


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


class OrganizationSettingsForm(ServiceForm):
    name = forms.CharField(label="Name", max_length=Organization._meta.get_field("name").max_length)
    changelog_retention = forms.IntegerField(
        label="Change log retention (days)",
        min_value=0,
        max_value=CHANGELOG_RETENTION_MAX,
        help_text="Change log entries older than this are deleted; 0 keeps them forever.",
    )


class TokenCreateForm(ServiceForm):
    user = forms.TypedChoiceField(
        label="For member",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Owners also create tokens for other members; the token acts as that member.",
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
    expires = forms.DateTimeField(
        label="Expires (UTC)",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Empty: never.",
    )
    write_enabled = forms.BooleanField(
        label="Write enabled",
        required=False,
        initial=True,
        help_text="Without it the token may only read (GET, HEAD, OPTIONS).",
    )
    allowed_ips = forms.CharField(
        label="Allowed IPs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "192.0.2.0/24\n2001:db8::/32"}),
        help_text="Networks in CIDR notation the token may be used from, one per line. Empty: any.",
    )

    def __init__(self, *args, members=(), choose_user: bool = False, **kwargs):
        """`members`: the organization's memberships, offered as whom the token acts for when
        `choose_user` (owners); for others the field stays hidden on themselves. Who may create a
        token for whom is `tenants.tokens.token_create_check`'s decision, whatever is posted."""
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.TypedChoiceField)
        user_field.choices = [(m.user_id, m.user.email) for m in members]
        if not choose_user:
            self.fields["user"].widget = forms.HiddenInput()

    def clean_allowed_ips(self) -> list[str]:
        values = [value for value in re.split(r"[\s,]+", self.cleaned_data["allowed_ips"]) if value]
        return allowed_ips_normalize(values)
