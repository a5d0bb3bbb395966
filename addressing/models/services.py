"""Application services (a port on some protocols, on a device, virtual machine or FHRP group) and the
templates they are made from. NetBox 4.7's `port_mappings`: "tcp/80", "udp/53"…"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from addressing.choices import ServiceProtocol
from addressing.models.ip import IPAddress
from addressing.querysets import LinkedManager
from core.models import PrimaryModel

PORT_MIN = 1
PORT_MAX = 65535


def port_mappings_clean(mappings) -> list[str]:
    """Each "protocol/port" well-formed, known and in range, none twice; in canonical form ("tcp/80")."""
    protocols = set(ServiceProtocol.values)
    seen: set[str] = set()
    canonical = []
    for mapping in mappings or []:
        protocol, _slash, port = str(mapping).strip().partition("/")
        if not port:
            raise ValidationError(
                _("Invalid port mapping '{mapping}'. Expected format protocol/port (e.g. tcp/80).").format(
                    mapping=mapping
                )
            )
        if protocol.lower() not in protocols:
            raise ValidationError(_("Invalid protocol: {protocol}").format(protocol=protocol))
        try:
            number = int(port)
        except ValueError:
            raise ValidationError(_("Invalid port number: {port}").format(port=port)) from None
        if not PORT_MIN <= number <= PORT_MAX:
            raise ValidationError(
                _("Port {port} is not within the permitted range ({min}-{max}).").format(
                    port=number, min=PORT_MIN, max=PORT_MAX
                )
            )
        value = f"{protocol.lower()}/{number}"
        if value in seen:
            raise ValidationError(_("Duplicate port mapping: {mapping}").format(mapping=mapping))
        seen.add(value)
        canonical.append(value)
    return canonical


def legacy_protocol_ports(mappings) -> tuple[str | None, list[int] | None]:
    """NetBox's older single-protocol `protocol` and `ports`: null for a service on several protocols."""
    protocols = {mapping.partition("/")[0] for mapping in mappings}
    if not mappings:
        return None, []
    if len(protocols) > 1:
        return None, None
    return protocols.pop(), sorted(int(mapping.partition("/")[2]) for mapping in mappings)


class ServiceBase(models.Model):
    port_mappings = ArrayField(
        models.CharField(max_length=63),
        verbose_name=_("port mappings"),
        help_text=_("Protocol/port pairs, e.g. tcp/80"),
        blank=True,
        default=list,
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        try:
            self.port_mappings = port_mappings_clean(self.port_mappings)
        except ValidationError as error:
            raise ValidationError({"port_mappings": error.messages}) from None
        if not self.port_mappings:
            raise ValidationError({"port_mappings": _("At least one port mapping is required.")})

    @property
    def protocol(self) -> str | None:
        return legacy_protocol_ports(self.port_mappings)[0]

    @property
    def ports(self) -> list[int] | None:
        return legacy_protocol_ports(self.port_mappings)[1]


class ServiceTemplate(ServiceBase, PrimaryModel):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("application service template")
        verbose_name_plural = _("application service templates")

    def __str__(self):
        return self.name


class Service(ServiceBase, PrimaryModel):
    parent_object_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("parent object type")
    )
    parent_object_id = models.PositiveBigIntegerField(_("parent object ID"))
    parent = GenericForeignKey("parent_object_type", "parent_object_id")
    name = models.CharField(_("name"), max_length=100)
    ipaddresses = models.ManyToManyField(
        IPAddress,
        related_name="services",
        blank=True,
        verbose_name=_("IP addresses"),
        help_text=_("The specific IP addresses (if any) to which this application service is bound"),
    )

    objects = LinkedManager(linked=("parent",))  # type: ignore[misc]  # django-stubs: the base's manager

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("application service")
        verbose_name_plural = _("application services")
        indexes = [models.Index(fields=["parent_object_type", "parent_object_id"], name="addressing_service_parent")]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.parent_object_type_id is not None and self.parent_object_id is not None and self.parent is None:
            raise ValidationError(
                {"parent_object_id": _("Related object not found using the provided numeric ID: {id}").format(
                    id=self.parent_object_id
                )}
            )  # fmt: skip
