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


# -- cables ---------------------------------------------------------------------------------------------------------


class CableStatus(models.TextChoices):
    STATUS_CONNECTED = "connected", _("Connected")
    STATUS_PLANNED = "planned", _("Planned")
    STATUS_DECOMMISSIONING = "decommissioning", _("Decommissioning")


class CableType(models.TextChoices):
    CAT3 = "cat3", _("CAT3")
    CAT5 = "cat5", _("CAT5")
    CAT5E = "cat5e", _("CAT5e")
    CAT6 = "cat6", _("CAT6")
    CAT6A = "cat6a", _("CAT6a")
    CAT7 = "cat7", _("CAT7")
    CAT7A = "cat7a", _("CAT7a")
    CAT8 = "cat8", _("CAT8")
    MRJ21_TRUNK = "mrj21-trunk", _("MRJ21 Trunk")
    DAC_ACTIVE = "dac-active", _("Direct Attach Copper (Active)")
    DAC_PASSIVE = "dac-passive", _("Direct Attach Copper (Passive)")
    COAXIAL = "coaxial", _("Coaxial")
    RG_6 = "rg-6", _("RG-6")
    RG_8 = "rg-8", _("RG-8")
    RG_11 = "rg-11", _("RG-11")
    RG_59 = "rg-59", _("RG-59")
    RG_62 = "rg-62", _("RG-62")
    RG_213 = "rg-213", _("RG-213")
    LMR_100 = "lmr-100", _("LMR-100")
    LMR_200 = "lmr-200", _("LMR-200")
    LMR_400 = "lmr-400", _("LMR-400")
    MMF = "mmf", _("Multimode Fiber")
    MMF_OM1 = "mmf-om1", _("Multimode Fiber (OM1)")
    MMF_OM2 = "mmf-om2", _("Multimode Fiber (OM2)")
    MMF_OM3 = "mmf-om3", _("Multimode Fiber (OM3)")
    MMF_OM4 = "mmf-om4", _("Multimode Fiber (OM4)")
    MMF_OM5 = "mmf-om5", _("Multimode Fiber (OM5)")
    SMF = "smf", _("Single-mode Fiber")
    SMF_OS1 = "smf-os1", _("Single-mode Fiber (OS1)")
    SMF_OS2 = "smf-os2", _("Single-mode Fiber (OS2)")
    AOC = "aoc", _("Active Optical Cabling (AOC)")
    POWER = "power", _("Power")
    USB = "usb", _("USB")


class CableLengthUnit(models.TextChoices):
    UNIT_KILOMETER = "km", _("Kilometers")
    UNIT_METER = "m", _("Meters")
    UNIT_CENTIMETER = "cm", _("Centimeters")
    UNIT_MILE = "mi", _("Miles")
    UNIT_FOOT = "ft", _("Feet")
    UNIT_INCH = "in", _("Inches")


class CableEnd(models.TextChoices):
    SIDE_A = "A", "A"
    SIDE_B = "B", "B"


class PowerFeedStatus(models.TextChoices):
    OFFLINE = "offline", _("Offline")
    ACTIVE = "active", _("Active")
    PLANNED = "planned", _("Planned")
    FAILED = "failed", _("Failed")


class PowerFeedType(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    REDUNDANT = "redundant", _("Redundant")


class PowerFeedSupply(models.TextChoices):
    AC = "ac", _("AC")
    DC = "dc", _("DC")


class PowerFeedPhase(models.TextChoices):
    SINGLE = "single-phase", _("Single phase")
    THREE = "three-phase", _("Three-phase")


# -- virtualization ---------------------------------------------------------------------------------------------------


class ClusterStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    STAGING = "staging", _("Staging")
    ACTIVE = "active", _("Active")
    DECOMMISSIONING = "decommissioning", _("Decommissioning")
    OFFLINE = "offline", _("Offline")


class VirtualMachineStatus(models.TextChoices):
    OFFLINE = "offline", _("Offline")
    ACTIVE = "active", _("Active")
    PLANNED = "planned", _("Planned")
    STAGED = "staged", _("Staged")
    FAILED = "failed", _("Failed")
    DECOMMISSIONING = "decommissioning", _("Decommissioning")
    PAUSED = "paused", _("Paused")


class VirtualMachineStartOnBoot(models.TextChoices):
    ON = "on", _("On")
    OFF = "off", _("Off")
    LAST_STATE = "laststate", _("Last State")


class DistanceUnit(models.TextChoices):
    KILOMETERS = "km", _("Kilometers")
    METERS = "m", _("Meters")
    MILES = "mi", _("Miles")
    FEET = "ft", _("Feet")


# -- wireless ----------------------------------------------------------------------------------------------------


class WirelessLANStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RESERVED = "reserved", _("Reserved")
    DISABLED = "disabled", _("Disabled")
    DEPRECATED = "deprecated", _("Deprecated")


class WirelessAuthType(models.TextChoices):
    OPEN = "open", _("Open")
    WEP = "wep", "WEP"
    WPA_PERSONAL = "wpa-personal", _("WPA Personal (PSK)")
    WPA_ENTERPRISE = "wpa-enterprise", _("WPA Enterprise")


class WirelessAuthCipher(models.TextChoices):
    AUTO = "auto", _("Auto")
    TKIP = "tkip", "TKIP"
    AES = "aes", "AES"
