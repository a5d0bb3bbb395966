from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedQuerySet

color_validator = RegexValidator(r"^[0-9a-f]{6}\Z", _("Enter a 6-digit lowercase hexadecimal color, e.g. 9e9e9e."))


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    color = models.CharField(_("color"), max_length=6, default="9e9e9e", validators=[color_validator])
    description = models.CharField(_("description"), max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1000)
    object_types = models.ManyToManyField(
        ContentType, blank=True, related_name="+", help_text=_("The object type(s) to which this tag can be applied.")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True, null=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True, null=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["weight", "name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class TaggedItem(models.Model):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_items")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "tag"], name="core_taggeditem_unique_content_type_object_id_tag"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_taggeditem_object")]

    def __str__(self):
        return f"{self.tag} on {self.content_type_id}:{self.object_id}"
