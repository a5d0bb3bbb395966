"""Custom fields: per-organization definitions of extra data on objects (NetBox's extras.CustomField).

Values live in each object's `custom_field_data` (JSONB) and are checked against these
definitions on every write (`core.customfields.custom_fields_clean`); a change of a definition
rewrites them (`core.customfield_values`).
"""

import re
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.jsonschema import schema_check
from core.models.base import ChangeLoggedModel, OwnerMixin
from core.patterns import PatternError, compile_user_pattern


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONGTEXT = "longtext", _("Text (long)")
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal")
    BOOLEAN = "boolean", _("Boolean (true/false)")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date & time")
    URL = "url", _("URL")
    JSON = "json", _("JSON")
    SELECT = "select", _("Selection")
    MULTISELECT = "multiselect", _("Multiple selection")
    OBJECT = "object", _("Object")
    MULTIOBJECT = "multiobject", _("Multiple objects")


class CustomFieldFilterLogic(models.TextChoices):
    DISABLED = "disabled", _("Disabled")
    LOOSE = "loose", _("Loose")
    EXACT = "exact", _("Exact")


class CustomFieldUIVisible(models.TextChoices):
    ALWAYS = "always", _("Always")
    IF_SET = "if-set", _("If set")
    HIDDEN = "hidden", _("Hidden")


class CustomFieldUIEditable(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    HIDDEN = "hidden", _("Hidden")


class CustomFieldStatus(models.TextChoices):
    """A field's lifecycle (NetBox's): only an active field is live (shown, written, validated). A field
    created while its default is filled into many objects in the background is provisioning until that
    job ends; Wirebook deletes a definition at once, so no field is ever seen deleting."""

    ACTIVE = "active", _("Active")
    PROVISIONING = "provisioning", _("Provisioning")
    DELETING = "deleting", _("Deleting")


class CustomFieldChoiceColor(models.TextChoices):
    BLUE = "blue", _("Blue")
    INDIGO = "indigo", _("Indigo")
    PURPLE = "purple", _("Purple")
    PINK = "pink", _("Pink")
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")
    TEAL = "teal", _("Teal")
    CYAN = "cyan", _("Cyan")
    GRAY = "gray", _("Gray")
    BLACK = "black", _("Black")
    WHITE = "white", _("White")


NUMERIC_TYPES = (CustomFieldType.INTEGER, CustomFieldType.DECIMAL)
REGEX_TYPES = (CustomFieldType.TEXT, CustomFieldType.LONGTEXT, CustomFieldType.URL)
SELECTION_TYPES = (CustomFieldType.SELECT, CustomFieldType.MULTISELECT)
OBJECT_TYPES = (CustomFieldType.OBJECT, CustomFieldType.MULTIOBJECT)


class CustomFieldChoiceSet(OwnerMixin, ChangeLoggedModel):
    """Choices for selection fields: `extra_choices` is a list of [value, label] pairs.

    NetBox's predefined `base_choices` (IATA, ISO 3166, UN/LOCODE) are not offered.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    extra_choices = ArrayField(
        ArrayField(models.CharField(max_length=100), size=2), blank=True, null=True, verbose_name=_("extra choices")
    )
    order_alphabetically = models.BooleanField(
        _("order alphabetically"), default=False, help_text=_("Choices are automatically ordered alphabetically")
    )
    choice_colors = models.JSONField(
        _("choice colors"),
        default=dict,
        blank=True,
        help_text=_("The color of each choice, by its value (blue, indigo, purple, pink, red, ...)"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("custom field choice set")
        verbose_name_plural = _("custom field choice sets")

    def __str__(self):
        return self.name

    @property
    def choices(self) -> list[tuple[str, str]]:
        pairs = [(value, label) for value, label in self.extra_choices or []]
        return sorted(pairs, key=lambda pair: pair[1].lower()) if self.order_alphabetically else pairs

    @property
    def values(self) -> list[str]:
        return [value for value, _label in self.choices]

    # The choice values as read from the database: clean() refuses to remove one in use.
    _stored_values: set[str]

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_values = {value for value, _label in instance.__dict__.get("extra_choices") or []}
        return instance

    def clean(self):
        super().clean()
        if not self.extra_choices:
            raise ValidationError({"extra_choices": _("Must define base or extra choices.")})
        values = [value for value, _label in self.extra_choices]
        duplicates = sorted({value for value in values if values.count(value) > 1})
        if duplicates:
            raise ValidationError(
                {"extra_choices": _("Duplicate choice values: {values}").format(values=", ".join(duplicates))}
            )
        self._clean_colors(values)
        removed: set[str] = getattr(self, "_stored_values", set[str]()) - set(values)
        for value in sorted(removed):
            if self._choice_in_use(value):
                raise ValidationError(
                    {
                        "extra_choices": _(
                            "Cannot remove choice {choice} as there are objects which reference it."
                        ).format(choice=value)
                    }
                )

    def _clean_colors(self, values: list[str]) -> None:
        colors = self.choice_colors
        if colors is None:
            self.choice_colors = {}
            return
        if not isinstance(colors, dict):
            raise ValidationError({"choice_colors": _("Must be a dictionary mapping choice values to colors.")})
        for value, color in colors.items():
            if value not in values:
                raise ValidationError(
                    {"choice_colors": _("{value} is not a value of the set's choices.").format(value=value)}
                )
            if color not in CustomFieldChoiceColor.values:
                raise ValidationError({"choice_colors": _('"{color}" is not a valid choice.').format(color=color)})

    def _choice_in_use(self, value: str) -> bool:
        for field in self.choices_for.prefetch_related("object_types"):
            lookup: dict[str, Any] = (
                {f"custom_field_data__{field.name}__contains": [value]}
                if field.type == CustomFieldType.MULTISELECT
                else {f"custom_field_data__{field.name}": value}
            )
            for content_type in field.object_types.all():
                model = content_type.model_class()
                if model is not None and model._base_manager.filter(**lookup).exists():
                    return True
        return False


class CustomField(OwnerMixin, ChangeLoggedModel):
    object_types = models.ManyToManyField(
        ContentType, related_name="+", help_text=_("The object(s) to which this field applies.")
    )
    type = models.CharField(_("type"), max_length=50, choices=CustomFieldType.choices, default=CustomFieldType.TEXT)
    related_object_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        blank=True,
        null=True,
        help_text=_("The type of object this field maps to (for object fields)"),
    )
    name = models.CharField(
        _("name"),
        max_length=50,
        unique=True,
        help_text=_("Internal field name"),
        validators=(
            RegexValidator(
                r"^[a-z0-9_]+\Z", _("Only alphanumeric characters and underscores are allowed."), flags=re.I
            ),
            RegexValidator(r"__", _("Double underscores are not permitted in custom field names."), inverse_match=True),
            RegexValidator(
                r"^_|_\Z", _("Custom field names may not begin or end with an underscore."), inverse_match=True
            ),
        ),
    )
    label = models.CharField(_("label"), max_length=50, blank=True)
    group_name = models.CharField(_("group name"), max_length=50, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    required = models.BooleanField(_("required"), default=False)
    unique = models.BooleanField(_("must be unique"), default=False)
    search_weight = models.PositiveSmallIntegerField(_("search weight"), default=1000)
    filter_logic = models.CharField(
        _("filter logic"),
        max_length=50,
        choices=CustomFieldFilterLogic.choices,
        default=CustomFieldFilterLogic.LOOSE,
        help_text=_("Loose matches any instance of a given string; exact matches the entire field."),
    )
    default = models.JSONField(_("default"), blank=True, null=True)
    related_object_filter = models.JSONField(_("related object filter"), blank=True, null=True)
    weight = models.PositiveSmallIntegerField(_("display weight"), default=100)
    validation_minimum = models.BigIntegerField(_("minimum value"), blank=True, null=True)
    validation_maximum = models.BigIntegerField(_("maximum value"), blank=True, null=True)
    validation_regex = models.CharField(_("validation regex"), max_length=500, blank=True)
    validation_schema = models.JSONField(
        _("validation schema"),
        blank=True,
        null=True,
        help_text=_("A JSON schema definition for validating the custom field value"),
    )
    choice_set = models.ForeignKey(
        CustomFieldChoiceSet,
        on_delete=models.PROTECT,
        related_name="choices_for",
        verbose_name=_("choice set"),
        blank=True,
        null=True,
    )
    ui_visible = models.CharField(
        _("UI visible"), max_length=50, choices=CustomFieldUIVisible.choices, default=CustomFieldUIVisible.ALWAYS
    )
    ui_editable = models.CharField(
        _("UI editable"), max_length=50, choices=CustomFieldUIEditable.choices, default=CustomFieldUIEditable.YES
    )
    is_cloneable = models.BooleanField(_("is cloneable"), default=False)
    nulls_first = models.BooleanField(
        _("nulls first"),
        default=True,
        help_text=_("Sort null values before non-null values when ordering by this field"),
    )
    status = models.CharField(
        _("status"),
        max_length=50,
        choices=CustomFieldStatus.choices,
        default=CustomFieldStatus.ACTIVE,
        editable=False,
    )
    comments = models.TextField(_("comments"), blank=True)

    class Meta:
        ordering = ["group_name", "weight", "name"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self):
        return self.label or self.name.replace("_", " ").capitalize()

    # Its name and type as read from the database: clean() refuses renames and type changes.
    _stored: dict[str, Any]

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored = {"type": instance.__dict__.get("type")}
        return instance

    def clean(self):
        super().clean()
        from core.customfields import validate_value

        stored = getattr(self, "_stored", None)
        if stored and stored["type"] is not None and stored["type"] != self.type:
            raise ValidationError({"type": _("Changing the type of custom fields is not supported.")})
        if self.type not in NUMERIC_TYPES:
            if self.validation_minimum is not None:
                raise ValidationError({"validation_minimum": _("A minimum value may be set only for numeric fields")})
            if self.validation_maximum is not None:
                raise ValidationError({"validation_maximum": _("A maximum value may be set only for numeric fields")})
        if (
            self.validation_minimum is not None
            and self.validation_maximum is not None
            and self.validation_minimum > self.validation_maximum
        ):
            raise ValidationError({"validation_maximum": _("The maximum must not be less than the minimum.")})
        if self.validation_regex:
            try:
                compile_user_pattern(self.validation_regex)
            except PatternError as error:
                raise ValidationError(
                    {
                        "validation_regex": _(
                            "{value} is not a valid regular expression: {reason} (RE2 syntax: no backreferences "
                            "or lookarounds)."
                        ).format(value=self.validation_regex, reason=error)
                    }
                ) from None
        if self.validation_regex and self.type not in REGEX_TYPES:
            raise ValidationError(
                {"validation_regex": _("Regular expression validation is supported only for text and URL fields")}
            )
        if self.validation_schema is not None:
            if self.type != CustomFieldType.JSON:
                raise ValidationError({"validation_schema": _("A validation schema may be set only for JSON fields")})
            try:
                schema_check(self.validation_schema)
            except ValidationError as error:
                raise ValidationError({"validation_schema": error.messages}) from None
        if self.unique and self.type == CustomFieldType.BOOLEAN:
            raise ValidationError({"unique": _("Uniqueness cannot be enforced for boolean fields")})
        if self.type in SELECTION_TYPES:
            if self.choice_set_id is None:
                raise ValidationError({"choice_set": _("Selection fields must specify a set of choices.")})
        elif self.choice_set_id is not None:
            raise ValidationError({"choice_set": _("Choices may be set only on selection fields.")})
        if self.type in OBJECT_TYPES:
            if self.related_object_type_id is None:
                raise ValidationError({"related_object_type": _("Object fields must define an object type.")})
        elif self.related_object_type_id is not None:
            raise ValidationError(
                {"type": _("{type} fields may not define an object type.").format(type=self.get_type_display())}
            )
        if self.related_object_filter is not None:
            if self.type not in OBJECT_TYPES:
                raise ValidationError(
                    {"related_object_filter": _("A related object filter can be defined only for object fields.")}
                )
            if not isinstance(self.related_object_filter, dict):
                raise ValidationError(
                    {"related_object_filter": _("Filter must be defined as a dictionary mapping attributes to values.")}
                )
        if self.default is not None:
            try:
                self.default = validate_value(self, self.default, check_objects=True)
            except ValidationError as error:
                raise ValidationError(
                    {
                        "default": _('Invalid default value "{value}": {error}').format(
                            value=self.default, error=error.messages[0]
                        )
                    }
                ) from None
