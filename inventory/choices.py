from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    STAGING = "staging", _("Staging")
    ACTIVE = "active", _("Active")
    DECOMMISSIONING = "decommissioning", _("Decommissioning")
    RETIRED = "retired", _("Retired")


class LocationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    STAGING = "staging", _("Staging")
    ACTIVE = "active", _("Active")
    DECOMMISSIONING = "decommissioning", _("Decommissioning")
    RETIRED = "retired", _("Retired")


class ContactPriority(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    TERTIARY = "tertiary", _("Tertiary")
    INACTIVE = "inactive", _("Inactive")


# -- racks ---------------------------------------------------------------------------------------------------------


class RackFormFactor(models.TextChoices):
    TYPE_2POST = "2-post-frame", _("2-post frame")
    TYPE_4POST = "4-post-frame", _("4-post frame")
    TYPE_CABINET = "4-post-cabinet", _("4-post cabinet")
    TYPE_WALLFRAME = "wall-frame", _("Wall-mounted frame")
    TYPE_WALLFRAME_VERTICAL = "wall-frame-vertical", _("Wall-mounted frame (vertical)")
    TYPE_WALLCABINET = "wall-cabinet", _("Wall-mounted cabinet")
    TYPE_WALLCABINET_VERTICAL = "wall-cabinet-vertical", _("Wall-mounted cabinet (vertical)")


class RackWidth(models.IntegerChoices):
    WIDTH_10IN = 10, _("10 inches")
    WIDTH_19IN = 19, _("19 inches")
    WIDTH_21IN = 21, _("21 inches")
    WIDTH_23IN = 23, _("23 inches")


class RackStatus(models.TextChoices):
    RESERVED = "reserved", _("Reserved")
    AVAILABLE = "available", _("Available")
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    DEPRECATED = "deprecated", _("Deprecated")


class RackDimensionUnit(models.TextChoices):
    UNIT_MILLIMETER = "mm", _("Millimeters")
    UNIT_INCH = "in", _("Inches")


class RackAirflow(models.TextChoices):
    FRONT_TO_REAR = "front-to-rear", _("Front to rear")
    REAR_TO_FRONT = "rear-to-front", _("Rear to front")


class RackReservationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    STALE = "stale", _("Stale")


class RackCoolingCapability(models.TextChoices):
    CAPABILITY_AIR_ONLY = "air-only", _("Air only")
    CAPABILITY_HYBRID = "hybrid", _("Hybrid")
    CAPABILITY_LIQUID_ONLY = "liquid-only", _("Liquid only")


class WeightUnit(models.TextChoices):
    UNIT_KILOGRAM = "kg", _("Kilograms")
    UNIT_GRAM = "g", _("Grams")
    UNIT_POUND = "lb", _("Pounds")
    UNIT_OUNCE = "oz", _("Ounces")


# -- devices and modules ------------------------------------------------------------------------------------------


class SubdeviceRole(models.TextChoices):
    ROLE_PARENT = "parent", _("Parent")
    ROLE_CHILD = "child", _("Child")


class DeviceAirflow(models.TextChoices):
    AIRFLOW_FRONT_TO_REAR = "front-to-rear", _("Front to rear")
    AIRFLOW_REAR_TO_FRONT = "rear-to-front", _("Rear to front")
    AIRFLOW_LEFT_TO_RIGHT = "left-to-right", _("Left to right")
    AIRFLOW_RIGHT_TO_LEFT = "right-to-left", _("Right to left")
    AIRFLOW_SIDE_TO_REAR = "side-to-rear", _("Side to rear")
    AIRFLOW_REAR_TO_SIDE = "rear-to-side", _("Rear to side")
    AIRFLOW_BOTTOM_TO_TOP = "bottom-to-top", _("Bottom to top")
    AIRFLOW_TOP_TO_BOTTOM = "top-to-bottom", _("Top to bottom")
    AIRFLOW_PASSIVE = "passive", _("Passive")
    AIRFLOW_MIXED = "mixed", _("Mixed")


class ModuleAirflow(models.TextChoices):
    FRONT_TO_REAR = "front-to-rear", _("Front to rear")
    REAR_TO_FRONT = "rear-to-front", _("Rear to front")
    LEFT_TO_RIGHT = "left-to-right", _("Left to right")
    RIGHT_TO_LEFT = "right-to-left", _("Right to left")
    SIDE_TO_REAR = "side-to-rear", _("Side to rear")
    PASSIVE = "passive", _("Passive")


class CoolingMethod(models.TextChoices):
    METHOD_AIR = "air", _("Air")
    METHOD_LIQUID = "liquid", _("Liquid")
    METHOD_HYBRID = "hybrid", _("Hybrid")
    METHOD_IMMERSION = "immersion", _("Immersion")


# -- component templates (the long connector catalogues are in inventory.component_types) -------------------------


class PowerOutletFeedLeg(models.TextChoices):
    FEED_LEG_A = "A", "A"
    FEED_LEG_B = "B", "B"
    FEED_LEG_C = "C", "C"


class InterfacePoEMode(models.TextChoices):
    MODE_PD = "pd", "PD"
    MODE_PSE = "pse", "PSE"


class WirelessRole(models.TextChoices):
    ROLE_AP = "ap", _("Access point")
    ROLE_STATION = "station", _("Station")


# -- devices, modules and their components -------------------------------------------------------------------------


class DeviceFace(models.TextChoices):
    FRONT = "front", _("Front")
    REAR = "rear", _("Rear")


class DeviceStatus(models.TextChoices):
    OFFLINE = "offline", _("Offline")
    ACTIVE = "active", _("Active")
    PLANNED = "planned", _("Planned")
    STAGED = "staged", _("Staged")
    FAILED = "failed", _("Failed")
    INVENTORY = "inventory", _("Inventory")
    DECOMMISSIONING = "decommissioning", _("Decommissioning")


class ModuleStatus(models.TextChoices):
    OFFLINE = "offline", _("Offline")
    ACTIVE = "active", _("Active")
    PLANNED = "planned", _("Planned")
    STAGED = "staged", _("Staged")
    FAILED = "failed", _("Failed")
    DECOMMISSIONING = "decommissioning", _("Decommissioning")


class InventoryItemStatus(models.TextChoices):
    OFFLINE = "offline", _("Offline")
    ACTIVE = "active", _("Active")
    PLANNED = "planned", _("Planned")
    STAGED = "staged", _("Staged")
    FAILED = "failed", _("Failed")
    DECOMMISSIONING = "decommissioning", _("Decommissioning")


class VirtualDeviceContextStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PLANNED = "planned", _("Planned")
    OFFLINE = "offline", _("Offline")


class ConsolePortSpeed(models.IntegerChoices):
    SPEED_1200 = 1200, "1200 bps"
    SPEED_2400 = 2400, "2400 bps"
    SPEED_4800 = 4800, "4800 bps"
    SPEED_9600 = 9600, "9600 bps"
    SPEED_19200 = 19200, "19.2 kbps"
    SPEED_38400 = 38400, "38.4 kbps"
    SPEED_57600 = 57600, "57.6 kbps"
    SPEED_115200 = 115200, "115.2 kbps"


class PowerOutletStatus(models.TextChoices):
    ENABLED = "enabled", _("Enabled")
    DISABLED = "disabled", _("Disabled")
    FAULTY = "faulty", _("Faulty")


class InterfaceDuplex(models.TextChoices):
    HALF = "half", _("Half")
    FULL = "full", _("Full")
    AUTO = "auto", _("Auto")


class InterfaceMode(models.TextChoices):
    ACCESS = "access", _("Access")
    TAGGED = "tagged", _("Tagged")
    TAGGED_ALL = "tagged-all", _("Tagged (All)")
    Q_IN_Q = "q-in-q", _("Q-in-Q (802.1ad)")
