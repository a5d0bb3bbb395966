"""The registry's layers: a model is declared once (its `api`), each layer module adds its group once."""

import pytest

from core.models import Tag
from core.registry import Access, Api, Menu, Registry, Search, Ui, registry
from core.services import Services, objects_create
from inventory.models import Region, Site


def a_registry() -> Registry:
    fresh = Registry()
    fresh.register(Site, api=Api("dcim/sites", brief_fields=("id",)))
    return fresh


def test_layers_add_their_group_to_the_declared_model():
    fresh = a_registry()

    fresh.extend(Site, ui=Ui(menu=Menu("Organization", "Sites")), search=Search(fields=("name",)))
    fresh.extend(Site, filters={"a": object()})
    fresh.extend(Site, filters={"b": object()})

    spec = fresh.get(Site)
    assert spec.menu == Menu("Organization", "Sites")
    assert spec.search.fields == ("name",)
    assert sorted(spec.filters) == ["a", "b"]
    assert (spec.api_app, spec.api_path, spec.type_label, spec.url_name) == ("dcim", "sites", "dcim.site", "dcim-sites")


def test_a_group_is_declared_once_and_a_filter_once():
    fresh = a_registry()
    fresh.extend(Site, ui=Ui(), access=Access(read_only=True), filters={"a": object()})
    fresh.extend(Site, ui=Ui(table_columns=("name",)))  # the default Ui() left the group open

    with pytest.raises(ValueError, match="ui options are already declared"):
        fresh.extend(Site, ui=Ui(menu=Menu("DCIM", "Sites")))
    with pytest.raises(ValueError, match="access options are already declared"):
        fresh.extend(Site, access=Access(admin_only=True))
    with pytest.raises(ValueError, match="declared twice"):
        fresh.extend(Site, filters={"a": object()})
    with pytest.raises(TypeError, match="unexpected group 'api'"):
        fresh.extend(Site, api=Api("dcim/other", brief_fields=()))


def test_a_model_is_declared_once_with_a_netbox_path():
    fresh = a_registry()
    with pytest.raises(ValueError, match="already registered"):
        fresh.register(Site, api=Api("dcim/sites", brief_fields=()))
    with pytest.raises(ValueError, match="<app>/<plural>"):
        fresh.register(Region, api=Api("regions", brief_fields=()))
    with pytest.raises(KeyError):
        fresh.extend(Region, ui=Ui())


def test_a_model_without_tags_or_custom_fields_does_not_show_them():
    fresh = Registry()
    with pytest.raises(ValueError, match="take no custom_fields or tags"):
        fresh.register(
            Region,
            api=Api("dcim/regions", brief_fields=(), fields=("id", "tags", "custom_fields")),
            tags=False,
            custom_fields=False,
        )
    spec = fresh.register(Region, api=Api("dcim/regions", brief_fields=(), fields=("id", "name")), tags=False)
    assert (spec.tags, spec.custom_fields) == (False, True)


def test_images_are_offered_only_by_models_with_the_image_attachments_mixin():
    fresh = Registry()
    with pytest.raises(ValueError, match=r"images=True needs core\.models\.ImageAttachmentsMixin"):
        fresh.register(Region, api=Api("dcim/regions", brief_fields=()), images=True)
    fresh.register(Region, api=Api("dcim/regions", brief_fields=()))
    with pytest.raises(ValueError, match="images=True needs"):
        fresh.extend(Region, images=True)
    fresh.register(Site, api=Api("dcim/sites", brief_fields=()))
    assert fresh.extend(Site, images=True).images
    # and every model with the mixin offers images
    assert [spec.model for spec in registry if spec.images] == [
        spec.model for spec in registry if any(field.name == "images" for field in spec.model._meta.private_fields)
    ]


def test_models_without_a_menu_sit_under_their_api_apps_menu():
    fresh = Registry()
    fresh.register(Tag, api=Api("extras/tags", brief_fields=("id",)))
    assert fresh.get(Tag).menu == Menu("Customization", "Core")


def test_the_menu_order_follows_netbox_menus_then_headings_then_the_ui_module():
    ordered = [(spec.menu.group, spec.menu.heading, spec.model) for spec in registry.in_menu_order()]
    menus = [group for group, _, _ in ordered]
    netbox_order = [
        "Organization", "Racks", "Devices", "Connections", "Wireless", "IPAM", "VPN", "Virtualization", "Circuits",
        "Power", "Provisioning", "Customization", "Operations", "Admin",
    ]  # fmt: skip
    assert menus == sorted(menus, key=netbox_order.index)
    assert [model for group, heading, model in ordered if heading == "Sites"][:2] == [Site, Region]


def test_a_models_own_services_are_given_once():
    fresh = a_registry()

    def sites_create(writes):
        return objects_create(writes)

    own = Services(create=sites_create)

    assert fresh.get(Site).services == Services()  # the generic ones
    fresh.extend(Site, services=own)
    assert fresh.get(Site).services is own
    with pytest.raises(ValueError, match="services options are already declared"):
        fresh.extend(Site, services=Services(update=objects_create))
