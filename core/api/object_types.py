"""`/api/core/object-types/`: the object types of the API, read-only, in NetBox's shape.

NetBox lists every model of its own there; Wirebook lists the types it serves (the registry's),
under NetBox's names ("dcim.site", not our app's), so a client that resolves "dcim.site" to an id
(or back) finds the same pairs as `object_types` fields everywhere else.
"""

from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse

from core.api.endpoints import detail, json_response, paginate_items
from core.context import Actor
from core.customfields import supports_custom_fields, supports_journaling
from core.fields import has_tags
from core.models.base import ChangeLoggedModel
from core.registry import ObjectSpec, registry
from tenants.api import api_root
from tenants.requests import OrganizationRequest

# NetBox's verbose names of its apps (`app_name`, and the first half of `display`).
APP_NAMES = {
    "circuits": "Circuits",
    "core": "Core",
    "dcim": "DCIM",
    "extras": "Extras",
    "ipam": "IPAM",
    "tenancy": "Tenancy",
    "users": "Users",
    "virtualization": "Virtualization",
    "vpn": "VPN",
    "wireless": "Wireless",
}
FILTERS = ("id", "app_label", "model", "public")


def _features(spec: ObjectSpec) -> list[str]:
    model = spec.model
    features = {
        "change_logging": issubclass(model, ChangeLoggedModel),
        "custom_fields": supports_custom_fields(model),
        "journaling": supports_journaling(model),
        "tags": has_tags(model),
    }
    return sorted(name for name, present in features.items() if present)


def _types() -> list[tuple[ContentType, ObjectSpec]]:
    specs = list(registry)
    by_model = ContentType.objects.get_for_models(*(spec.model for spec in specs))
    return sorted(((by_model[spec.model], spec) for spec in specs), key=lambda pair: pair[0].pk)


def _represent(request: OrganizationRequest, content_type: ContentType, spec: ObjectSpec) -> dict:
    root = api_root(request)
    app_label, _, model = spec.type_label.partition(".")
    app_name = APP_NAMES.get(app_label, app_label.title())
    verbose = str(spec.model._meta.verbose_name)
    return {
        "id": content_type.pk,
        "url": f"{root}core/object-types/{content_type.pk}/",
        "display": f"{app_name} > {verbose[:1].upper()}{verbose[1:]}",
        "app_label": app_label,
        "app_name": app_name,
        "model": model,
        "model_name": verbose,
        "model_name_plural": str(spec.model._meta.verbose_name_plural),
        "is_plugin_model": False,
        "rest_api_endpoint": f"/api/{spec.api_app}/{spec.api_path}/",
        "description": "",
        "features": _features(spec),
        "public": True,
    }


def _matches(content_type: ContentType, spec: ObjectSpec, params) -> bool:
    app_label, _, model = spec.type_label.partition(".")
    values = {"id": str(content_type.pk), "app_label": app_label, "model": model, "public": "true"}
    for name in FILTERS:
        wanted = [value for value in params.getlist(name) if value != ""]
        if wanted and values[name] not in {value.lower() for value in wanted}:
            return False
    return True


def object_type_list(request: OrganizationRequest, actor: Actor) -> HttpResponse:
    rows = [
        _represent(request, content_type, spec)
        for content_type, spec in _types()
        if _matches(content_type, spec, request.GET)
    ]
    return json_response(paginate_items(request, rows))


def object_type_detail(request: OrganizationRequest, actor: Actor, pk: int) -> HttpResponse:
    for content_type, spec in _types():
        if content_type.pk == pk:
            return json_response(_represent(request, content_type, spec))
    raise detail(404, "No ObjectType matches the given query.")
