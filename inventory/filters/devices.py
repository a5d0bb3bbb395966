"""Device catalogue filters the generic ones cannot derive: platforms a device type may run, module types
by profile name and bay type, bay types by module type, device types by their pictures."""

from django.db.models import Q

from core.filters import Filter, FilterError, flag_filter, path_filters
from core.registry import registry
from inventory.models import DeviceType, ModuleBayType, ModuleType, ModuleTypeProfile, Platform


def _available_for_device_type(queryset, values):
    """NetBox's `available_for_device_type=<id>`: platforms of no manufacturer or of the type's."""
    try:
        device_type = int(values[-1])
    except ValueError:
        raise FilterError({"available_for_device_type": [f"“{values[-1]}” is not a valid value."]}) from None
    if not DeviceType._base_manager.filter(pk=device_type).exists():
        raise FilterError(
            {"available_for_device_type": ["Select a valid choice. That choice is not one of the available choices."]}
        )
    return queryset.filter(Q(manufacturer=None) | Q(manufacturer__device_types=device_type))


registry.extend(Platform, filters={"available_for_device_type": Filter(_available_for_device_type)})
registry.extend(
    DeviceType,
    filters={
        "has_front_image": flag_filter("has_front_image", ~Q(front_image="")),
        "has_rear_image": flag_filter("has_rear_image", ~Q(rear_image="")),
    },
)
registry.extend(
    ModuleType,
    filters={
        # NetBox names a profile by its name (profiles have no slug).
        **path_filters("profile", "profile", ModuleTypeProfile, attribute="name"),
        # A module type in several matching bay types is listed once (the derived plural names would join).
        **path_filters("module_bay_type", "module_bay_types", ModuleBayType, many=True),
        **path_filters("module_bay_types", "module_bay_types", ModuleBayType, many=True),
    },
)
registry.extend(ModuleBayType, filters=path_filters("module_type", "module_types", ModuleType, many=True))
