"""Custom links (NetBox's extras.CustomLink): buttons on the detail pages of chosen object types whose
text and URL are sandboxed Jinja2 templates rendered with the object (automation.links)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models.base import ChangeLoggedModel, OwnerMixin


class ButtonClass(models.TextChoices):
    DEFAULT = "default", _("Default")
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
    GHOST_DARK = "ghost-dark", _("Link")


class CustomLink(OwnerMixin, ChangeLoggedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    object_types = models.ManyToManyField(ContentType, related_name="+", verbose_name=_("object types"))
    enabled = models.BooleanField(_("enabled"), default=True)
    link_text = models.TextField(_("link text"), help_text=_("Jinja2 template code for link text"))
    link_url = models.TextField(_("link URL"), help_text=_("Jinja2 template code for link URL"))
    weight = models.PositiveSmallIntegerField(_("weight"), default=100)
    group_name = models.CharField(
        _("group"), max_length=50, blank=True, help_text=_("Links with the same group will appear as a dropdown menu")
    )
    button_class = models.CharField(
        _("button class"),
        max_length=30,
        choices=ButtonClass.choices,
        default=ButtonClass.DEFAULT,
        help_text=_("The class of the first link in a group will be used for the dropdown button"),
    )
    new_window = models.BooleanField(_("new window"), default=False, help_text=_("Force link to open in a new window"))

    class Meta:
        ordering = ["group_name", "weight", "name"]
        verbose_name = _("custom link")
        verbose_name_plural = _("custom links")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        from automation.links import template_errors

        errors = {
            name: message for name in ("link_text", "link_url") if (message := template_errors(getattr(self, name)))
        }
        if errors:
            raise ValidationError(errors)
