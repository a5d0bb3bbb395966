"""Config contexts merged by NetBox's rules, config templates rendered per device (render-config, golden
files), export templates on REST lists; each organization's alone."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from automation.configcontexts import deep_merge
from automation.models import ConfigContext, ConfigTemplate, ExportTemplate
from core.models import Tag, TaggedItem
from inventory.models import Device, DeviceRole, DeviceType, Manufacturer, Platform, Region, Site, Tenant, TenantGroup
from tenants.context import tenant_context

GOLDEN = Path(__file__).parent / "golden"


def _golden(name: str) -> str:
    """A golden file's text; Jinja2 (as in NetBox) drops the template's final newline, the file keeps one."""
    return (GOLDEN / name).read_text().removesuffix("\n")


API = "/o/org-a/api"


@pytest.mark.parametrize(
    ("base", "update", "merged"),
    [
        ({}, {"a": 1}, {"a": 1}),
        ({"a": 1}, {"a": 2}, {"a": 2}),
        ({"a": {"x": 1, "y": 1}}, {"a": {"y": 2, "z": 3}}, {"a": {"x": 1, "y": 2, "z": 3}}),
        ({"a": [1, 2]}, {"a": [3]}, {"a": [3]}),  # lists are replaced, not appended (NetBox)
        ({"a": {"x": 1}}, {"a": 5}, {"a": 5}),
        ({"a": 5}, {"a": {"x": 1}}, {"a": {"x": 1}}),
        ({"a": {"b": {"c": 1}}}, {"a": {"b": {"d": 2}}}, {"a": {"b": {"c": 1, "d": 2}}}),
        ({"a": 1}, {"a": None}, {"a": None}),
    ],
)
def test_deep_merge(base, update, merged):
    assert deep_merge(base, update) == merged


def _tag(obj, tag):
    from django.contrib.contenttypes.models import ContentType

    TaggedItem.objects.create(tag=tag, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


@pytest.fixture
def world(org_a):
    """Europe > Netherlands > AMS1; FRA1 in no region; role Switch > Access; a tenant in group Customers;
    devices sw1 (AMS1, Access, tagged gold, with local data) and fw1 (FRA1, Firewall)."""
    with tenant_context(org_a.organization):
        europe = Region.objects.create(name="Europe", slug="europe")
        netherlands = Region.objects.create(name="Netherlands", slug="nl", parent=europe)
        ams1 = Site.objects.create(name="AMS1", slug="ams1", region=netherlands)
        fra1 = Site.objects.create(name="FRA1", slug="fra1")
        switch = DeviceRole.objects.create(name="Switch", slug="switch")
        access = DeviceRole.objects.create(name="Access", slug="access", parent=switch)
        firewall = DeviceRole.objects.create(name="Firewall", slug="firewall")
        juniper = Manufacturer.objects.create(name="Juniper", slug="juniper")
        junos = Platform.objects.create(name="Junos", slug="junos", manufacturer=juniper)
        ex = DeviceType.objects.create(manufacturer=juniper, model="EX4300", slug="ex4300")
        customers = TenantGroup.objects.create(name="Customers", slug="customers")
        acme = Tenant.objects.create(name="Acme", slug="acme", group=customers)
        gold = Tag.objects.create(name="gold", slug="gold")
        sw1 = Device.objects.create(
            name="sw1", device_type=ex, role=access, site=ams1, platform=junos, tenant=acme,
            local_context_data={"snmp": {"community": "secret"}},
        )  # fmt: skip
        _tag(sw1, gold)
        fw1 = Device.objects.create(name="fw1", device_type=ex, role=firewall, site=fra1)
        contexts = {
            "base": _context("Base", 100, {"ntp": ["10.0.0.1"], "snmp": {"community": "public", "location": "x"}}),
            "europe": _context("Europe", 200, {"ntp": ["10.1.0.1"], "snmp": {"location": "EU"}}, regions=[europe]),
            "switches": _context("AMS switches", 300, {"vlan": 10}, sites=[ams1], roles=[switch]),
            "fra": _context("FRA", 300, {"fra": True}, sites=[fra1]),
            "customers": _context("Customers", 300, {"customer": True}, tenant_groups=[customers]),
            "platform": _context("Junos", 300, {"junos": True}, platforms=[junos], device_types=[ex]),
            "off": _context("Off", 900, {"off": True}, is_active=False),
            # the same weight: by name, "B" after "A"
            "a": _context("A", 500, {"order": "A"}, tenants=[acme]),
            "b": _context("B", 500, {"order": "B"}, tenants=[acme]),
        }
        tagged = _context("Gold", 400, {"gold": True})
        _tag(tagged, gold)
        ConfigContext.objects.create(name="Silver", weight=400, data={"silver": True})  # untagged: all
        silver_only = _context("Silver only", 400, {"silver_only": True})
        _tag(silver_only, Tag.objects.create(name="silver", slug="silver"))
    return {"sw1": sw1, "fw1": fw1, "contexts": contexts, "junos": junos, "access": access, "switch": switch}


def _context(name, weight, data, *, is_active=True, **assigned):
    context = ConfigContext.objects.create(name=name, weight=weight, data=data, is_active=is_active)
    for relation, objects in assigned.items():
        getattr(context, relation).set(objects)
    return context


SW1 = {
    "ntp": ["10.1.0.1"],
    "snmp": {"community": "secret", "location": "EU"},
    "vlan": 10,
    "customer": True,
    "junos": True,
    "gold": True,
    "silver": True,
    "order": "B",
}
FW1 = {"ntp": ["10.0.0.1"], "snmp": {"community": "public", "location": "x"}, "fra": True, "silver": True}


def test_config_context_is_merged_by_netbox_rules(org_a, world):
    client = org_a.client()

    body = client.get(f"{API}/dcim/devices/{world['sw1'].pk}/").json()

    assert body["config_context"] == SW1
    assert body["local_context_data"] == {"snmp": {"community": "secret"}}
    assert client.get(f"{API}/dcim/devices/{world['fw1'].pk}/").json()["config_context"] == FW1


def test_config_context_in_lists_costs_the_same_for_more_devices(org_a, world):
    client = org_a.client()
    path = f"{API}/dcim/devices/?limit=1000"

    def run():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200
        return len(captured), {row["name"]: row["config_context"] for row in response.json()["results"]}

    run()
    few, contexts = run()
    assert contexts == {"sw1": SW1, "fw1": FW1}
    with tenant_context(org_a.organization):
        for number in range(20):
            Device.objects.create(
                name=f"extra{number}", device_type=world["sw1"].device_type, role=world["access"],
                site=world["sw1"].site,
            )  # fmt: skip
    many, contexts = run()
    assert many == few
    assert contexts["extra3"]["vlan"] == 10 and "gold" not in contexts["extra3"]


def test_exclude_config_context(org_a, world):
    body = org_a.client().get(f"{API}/dcim/devices/?exclude=config_context").json()
    assert body["count"] == 2
    assert all("config_context" not in row and "local_context_data" in row for row in body["results"])


def test_config_context_in_graphql(org_a, world):
    query = '{ device_list(filters: {name: {exact: "sw1"}}) { name config_context } }'
    response = org_a.client().post("/o/org-a/graphql/", {"query": query}, content_type="application/json")
    assert response.status_code == 200 and "errors" not in response.json(), response.content
    rows = response.json()["data"]["device_list"]
    value = rows[0]["config_context"] if rows else None
    assert (json.loads(value) if isinstance(value, str) else value) == SW1


# -- render-config -----------------------------------------------------------------------------------

JUNOS = """system {
    host-name {{ device.name }};
    location "{{ snmp.location }}";
{%- for server in ntp %}
    ntp server {{ server }};
{%- endfor %}
}
interfaces { vlan {{ vlan }}; mtu {{ mtu | default(1500) }}; }
"""


def _render_config(client, device, payload=None, query=""):
    return client.post(
        f"{API}/dcim/devices/{device.pk}/render-config/{query}",
        json.dumps(payload or {}),
        content_type="application/json",
    )


@pytest.fixture
def templates(org_a, world):
    with tenant_context(org_a.organization):
        junos = ConfigTemplate.objects.create(name="Junos", template_code=JUNOS, environment_params={})
        role = ConfigTemplate.objects.create(name="Role", template_code="role {{ device.name }}")
        other = ConfigTemplate.objects.create(name="Other", template_code="other")
        Platform.objects.filter(pk=world["junos"].pk).update(config_template=junos)
    return {"junos": junos, "role": role, "other": other}


def test_render_config_matches_the_golden_file(org_a, world, templates):
    response = _render_config(org_a.client(), world["sw1"], {"mtu": 9000})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["configtemplate"]["name"] == "Junos"
    assert set(body["configtemplate"]) == {"id", "url", "display", "name", "description"}
    assert body["content"] == _golden("render_config_junos.txt")


def test_render_config_as_text(org_a, world, templates):
    response = _render_config(org_a.client(), world["sw1"], query="?format=txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == _golden("render_config_junos.txt").replace("9000", "1500")


def test_render_config_prefers_the_device_then_its_role_then_its_platform(org_a, world, templates):
    client = org_a.client()
    sw1 = world["sw1"]
    assert _render_config(client, sw1).json()["configtemplate"]["name"] == "Junos"  # the platform's
    with tenant_context(org_a.organization):
        DeviceRole.objects.filter(pk=world["access"].pk).update(config_template=templates["role"])
    assert _render_config(client, sw1).json()["content"] == "role sw1"  # the role's over the platform's
    with tenant_context(org_a.organization):
        Device.objects.filter(pk=sw1.pk).update(config_template=templates["other"])
    assert _render_config(client, sw1).json()["content"] == "other"  # the device's own first
    chosen = _render_config(client, sw1, {"config_template_id": templates["role"].pk})
    assert chosen.json()["content"] == "role sw1"


def test_render_config_errors_are_clear(org_a, world, templates):
    client = org_a.client()

    missing = _render_config(client, world["fw1"])
    assert missing.status_code == 400
    assert missing.json() == {"detail": "No config template found for fw1."}

    with tenant_context(org_a.organization):
        ConfigTemplate.objects.filter(pk=templates["junos"].pk).update(template_code="{{ device.__class__ }}{{ 1/0 }}")
    failed = _render_config(client, world["sw1"])
    assert failed.status_code == 400
    assert "An error occurred while rendering the template" in failed.json()["detail"]

    bad = _render_config(client, world["sw1"], {"config_template_id": 999999})
    assert bad.status_code == 400


def test_render_config_of_another_organization_is_not_found(org_a, org_b, world, templates):
    path = f"{API}/dcim/devices/{world['sw1'].pk}/render-config/"

    assert org_b.client().post(path, "{}", content_type="application/json").status_code == 404
    assert Client().post(path, "{}", content_type="application/json").status_code in (401, 403, 404)
    template = f"{API}/extras/config-templates/{templates['junos'].pk}/render/"
    assert org_b.client().post(template, "{}", content_type="application/json").status_code == 404


def test_config_contexts_of_another_organization_do_not_apply(org_a, org_b, world):
    with tenant_context(org_b.organization):
        site = Site.objects.create(name="B1", slug="b1")
        manufacturer = Manufacturer.objects.create(name="M", slug="m")
        kind = DeviceType.objects.create(manufacturer=manufacturer, model="T", slug="t")
        role = DeviceRole.objects.create(name="R", slug="r")
        device = Device.objects.create(name="b-dev", device_type=kind, role=role, site=site)
    body = org_b.client().get(f"/o/org-b/api/dcim/devices/{device.pk}/").json()
    assert body["config_context"] == {}
    assert org_b.client().get("/o/org-b/api/extras/config-contexts/").json()["count"] == 0


def test_config_template_render_route(org_a, templates):
    response = org_a.client().post(
        f"{API}/extras/config-templates/{templates['role'].pk}/render/",
        json.dumps({"device": {"name": "given"}}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["content"] == "role given"


# -- export templates ------------------------------------------------------------------------------


@pytest.fixture
def hosts(org_a):
    from django.contrib.contenttypes.models import ContentType

    with tenant_context(org_a.organization):
        template = ExportTemplate.objects.create(
            name="Hosts",
            template_code="{% for device in queryset %}{{ device.name }} {{ device.site.name }}\n{% endfor %}",
            mime_type="text/csv",
            file_name="hosts",
            file_extension="txt",
        )
        template.object_types.set([ContentType.objects.get_for_model(Device)])
    return template


def test_export_template_on_a_rest_list(org_a, world, hosts):
    response = org_a.client().get(f"{API}/dcim/devices/?export=Hosts&site=ams1")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="hosts.txt"'
    assert response.content.decode() == "sw1 AMS1\n"


def test_export_template_errors(org_a, org_b, world, hosts):
    client = org_a.client()
    assert client.get(f"{API}/dcim/devices/?export=Nope").status_code == 404
    assert client.get(f"{API}/dcim/sites/?export=Hosts").status_code == 404  # not a template of sites
    with tenant_context(org_a.organization):
        ExportTemplate.objects.filter(pk=hosts.pk).update(template_code="{{ queryset.delete() }}")
    refused = client.get(f"{API}/dcim/devices/?export=Hosts")
    assert refused.status_code in (200, 400)
    with tenant_context(org_a.organization):
        assert Device.objects.count() == 2  # the sandbox offers no writes
    assert org_b.client().get("/o/org-b/api/dcim/devices/?export=Hosts").status_code == 404


# -- UI ---------------------------------------------------------------------------------------------


def test_render_config_tab_shows_the_context_and_the_rendered_config(org_a, org_b, world, templates):
    path = f"/o/org-a/dcim/devices/{world['sw1'].pk}/render-config/"

    page = org_a.client().get(path)

    assert page.status_code == 200
    text = page.content.decode()
    assert "host-name sw1;" in text and "Render Config" in text
    assert "&quot;vlan&quot;: 10" in text or '"vlan": 10' in text
    assert org_b.client().get(path).status_code == 404


def test_list_page_offers_and_renders_export_templates(org_a, world, hosts):
    client = org_a.client()

    listing = client.get("/o/org-a/dcim/devices/").content.decode()
    exported = client.get("/o/org-a/dcim/devices/?export=Hosts")

    assert "export=Hosts" in listing
    assert exported.status_code == 200 and exported.content.decode() == "fw1 FRA1\nsw1 AMS1\n"
    assert "export=Hosts" not in client.get("/o/org-a/dcim/sites/").content.decode()
    assert client.get("/o/org-a/dcim/devices/?export=Nope").status_code == 404


def test_a_virtual_machine_gets_config_contexts_and_renders_its_config(org_a, org_b, world, templates):
    """As a device, less what a VM lacks: a context assigned by device type does not apply to it."""
    from inventory.models import VirtualMachine

    with tenant_context(org_a.organization):
        vm = VirtualMachine.objects.create(
            name="vm1", site=world["sw1"].site, role=world["access"], platform=world["junos"],
            tenant=world["sw1"].tenant, local_context_data={"snmp": {"community": "vm"}},
        )  # fmt: skip
        by_role = ConfigTemplate.objects.create(name="VM", template_code="vm {{ virtualmachine.name }} {{ vlan }}")
        DeviceRole.objects.filter(pk=world["access"].pk).update(config_template=by_role)
    client = org_a.client()
    path = f"{API}/virtualization/virtual-machines/{vm.pk}/"

    body = client.get(path).json()
    rendered = client.post(f"{path}render-config/?format=txt", "{}", content_type="application/json")
    outsider = org_b.client().post(f"{path}render-config/", "{}", content_type="application/json")

    expected = {key: value for key, value in SW1.items() if key not in ("junos", "gold")}  # by device type; untagged
    expected["snmp"] = {"community": "vm", "location": "EU"}
    assert body["config_context"] == expected
    assert rendered.status_code == 200, rendered.content
    assert rendered.content.decode() == "vm vm1 10"  # the role's template before the platform's
    assert outsider.status_code in (403, 404)


def test_a_virtual_machine_renders_its_own_config_template_first(org_a, org_b, world, templates):
    from inventory.models import VirtualMachine

    with tenant_context(org_a.organization):
        vm = VirtualMachine.objects.create(name="vm1", site=world["sw1"].site)
        own = ConfigTemplate.objects.create(name="Own", template_code="own {{ virtualmachine.name }}")
    client = org_a.client()
    path = f"{API}/virtualization/virtual-machines/{vm.pk}/"

    none_yet = client.post(f"{path}render-config/", "{}", content_type="application/json")
    chosen = client.patch(path, json.dumps({"config_template": own.pk}), content_type="application/json")
    by_its_own = client.post(f"{path}render-config/?format=txt", "{}", content_type="application/json")
    filtered = client.get(f"{API}/virtualization/virtual-machines/?config_template_id={own.pk}").json()
    theirs = org_b.client().patch(
        f"/o/org-b/api/virtualization/virtual-machines/{vm.pk}/",
        json.dumps({"config_template": own.pk}),
        content_type="application/json",
    )
    in_use = client.delete(f"{API}/extras/config-templates/{own.pk}/")

    assert none_yet.status_code == 400 and none_yet.json() == {"detail": "No config template found for vm1."}
    assert chosen.status_code == 200, chosen.content
    assert chosen.json()["config_template"] == {
        "id": own.pk,
        "url": f"http://testserver{API}/extras/config-templates/{own.pk}/",
        "display": "Own",
        "name": "Own",
        "description": "",
    }
    assert by_its_own.content.decode() == "own vm1"
    assert [row["name"] for row in filtered["results"]] == ["vm1"]
    assert theirs.status_code == 404
    assert in_use.status_code == 409


def test_contexts_assigned_to_clusters_apply_to_their_machines_and_hosts(org_a, org_b, world):
    """A context assigned to cluster types, groups or clusters applies to the VMs and host devices of the
    clusters named (and only while they are in one), as in NetBox."""
    from inventory.models import Cluster, ClusterGroup, ClusterType, VirtualMachine

    with tenant_context(org_a.organization):
        vmware = ClusterType.objects.create(name="VMware", slug="vmware")
        kvm = ClusterType.objects.create(name="KVM", slug="kvm")
        production = ClusterGroup.objects.create(name="Production", slug="production")
        c1 = Cluster.objects.create(name="c1", type=vmware, group=production)
        c2 = Cluster.objects.create(name="c2", type=kvm)
        vm1 = VirtualMachine.objects.create(name="vm1", cluster=c1)
        vm2 = VirtualMachine.objects.create(name="vm2", cluster=c2)
        Device.objects.filter(pk=world["sw1"].pk).update(cluster=c1)
    client = org_a.client()
    contexts = f"{API}/extras/config-contexts/"
    by_type = client.post(
        contexts,
        json.dumps({"name": "VMware", "weight": 600, "data": {"hypervisor": "esx"}, "cluster_types": [vmware.pk]}),
        content_type="application/json",
    )
    by_group_and_cluster = client.post(
        contexts,
        json.dumps(
            {"name": "Prod c1", "weight": 600, "data": {"prod": True}, "cluster_groups": [production.pk],
             "clusters": [c1.pk]}
        ),
        content_type="application/json",
    )  # fmt: skip
    by_kvm = client.post(
        contexts,
        json.dumps({"name": "KVM", "weight": 600, "data": {"hypervisor": "kvm"}, "cluster_types": [kvm.pk]}),
        content_type="application/json",
    )

    def context_of(path: str) -> dict:
        return client.get(f"{API}/{path}/").json()["config_context"]

    vm1_context = context_of(f"virtualization/virtual-machines/{vm1.pk}")
    vm2_context = context_of(f"virtualization/virtual-machines/{vm2.pk}")
    host_context = context_of(f"dcim/devices/{world['sw1'].pk}")
    standalone = context_of(f"dcim/devices/{world['fw1'].pk}")
    found = {
        query: sorted(row["name"] for row in client.get(f"{contexts}?{query}").json()["results"])
        for query in ("cluster_type=vmware", f"cluster_type_id={kvm.pk}", "cluster_group=production",
                      f"cluster_id={c1.pk}", f"cluster_id__n={c1.pk}&name=KVM")
    }  # fmt: skip
    theirs = org_b.client().get("/o/org-b/api/extras/config-contexts/?cluster_type=vmware")
    crossing = org_b.client().get(f"{contexts}?cluster_type=vmware")

    assert by_type.status_code == 201, by_type.content
    assert by_type.json()["cluster_types"] == [
        {
            "id": vmware.pk,
            "url": f"http://testserver{API}/virtualization/cluster-types/{vmware.pk}/",
            "display": "VMware",
            "name": "VMware",
            "slug": "vmware",
            "description": "",
        }
    ]
    assert [c["name"] for c in by_group_and_cluster.json()["clusters"]] == ["c1"]
    assert by_kvm.status_code == 201
    assert (vm1_context["hypervisor"], vm1_context["prod"]) == ("esx", True)
    assert vm2_context["hypervisor"] == "kvm" and "prod" not in vm2_context
    assert (host_context["hypervisor"], host_context["prod"]) == ("esx", True)
    assert "hypervisor" not in standalone and "prod" not in standalone
    assert found == {
        "cluster_type=vmware": ["VMware"],
        f"cluster_type_id={kvm.pk}": ["KVM"],
        "cluster_group=production": ["Prod c1"],
        f"cluster_id={c1.pk}": ["Prod c1"],
        f"cluster_id__n={c1.pk}&name=KVM": ["KVM"],
    }
    assert theirs.status_code == 400  # org B has no such cluster type
    assert crossing.status_code in (403, 404)


def test_contexts_filter_by_netbox_assignment_names(org_a, world):
    client = org_a.client()
    switch, junos = world["switch"], world["junos"]

    def found(query: str) -> list[str]:
        response = client.get(f"{API}/extras/config-contexts/?{query}")
        assert response.status_code == 200, response.content
        return sorted(row["name"] for row in response.json()["results"])

    assert found("region=europe") == ["Europe"]  # exact: not the contexts of the regions below
    assert found("region=nl") == []
    assert found(f"device_role_id={switch.pk}") == found("device_role=switch") == ["AMS switches"]
    assert found(f"platform_id={junos.pk}") == found("platform=junos") == ["Junos"]
    assert found("tenant_group=customers") == ["Customers"]
    assert found("site=fra1") == ["FRA"]
    assert "Junos" not in found(f"platform_id__n={junos.pk}")
    assert client.get(f"{API}/extras/config-contexts/?platform=nope").status_code == 400
