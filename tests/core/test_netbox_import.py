"""`manage.py import_netbox` (core.netbox_import) against a NetBox on 127.0.0.1 serving the data set recorded
from NetBox 4.7 (tests/compat/netbox_import/); against a live NetBox too when NETBOX_URL and NETBOX_TOKEN are set."""

import io
import os

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client

import automation.netbox_import as automation_netbox_import
from addressing.models import (
    VLAN,
    VRF,
    IPAddress,
    IPSecProfile,
    L2VPNTermination,
    Prefix,
    Tunnel,
    TunnelTermination,
    VLANGroup,
)
from automation.models import Job
from automation.netbox_import import JOB_NAME, netbox_import_job
from automation.services import JobEnded, job_function_path, job_progress
from circuits.models import Circuit, CircuitGroupAssignment, ProviderNetwork
from core.models import CustomField, JournalEntry, NetBoxImportRecord, Tag
from core.netbox_import import ImportFailed, netbox_import
from core.netbox_import import client as netbox_client
from inventory.models import (
    Cable,
    CablePath,
    Cluster,
    ContactAssignment,
    Device,
    Interface,
    Rack,
    Site,
    VirtualMachine,
    VMInterface,
)
from tenants.context import tenant_context
from tenants.models import AuditAction, AuditEvent, Membership, MembershipRole
from tests.compat.netbox_import.server import RecordedNetBox, recorded_objects

RECORDED = recorded_objects()
TOTAL = sum(len(objects) for objects in RECORDED.values())


@pytest.fixture(autouse=True)
def loopback(settings, monkeypatch):
    """The recorded NetBox listens on 127.0.0.1; a server error is not retried (no waiting)."""
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    monkeypatch.setattr(netbox_client, "RETRIES", 0)


@pytest.fixture(scope="class")
def imported(tenants, django_db_blocker):
    """The data set imported once into organization A, in a transaction around the class's tests."""
    from django.conf import settings

    allowed = settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    with RecordedNetBox() as netbox, django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # as Django's test atomics: a durable block inside stays allowed
        atomic.__enter__()
        try:
            with tenant_context(tenants["a"].organization):
                report = run(netbox)
            yield netbox, report
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = allowed


def run(netbox: RecordedNetBox, **options):
    options = {"url": netbox.url, "token": netbox.token, "rate": 1000.0, **options}
    return netbox_import(**options)


def by_name(objects: list[dict], name: str) -> dict:
    return next(obj for obj in objects if obj.get("name") == name)


class TestImport:
    @pytest.fixture
    def org(self, imported, org_a):
        with tenant_context(org_a.organization):
            yield imported

    def test_every_object_is_imported_and_counted(self, org):
        netbox, report = org

        assert report.failures == []
        assert report.netbox_version == "4.7.3"
        assert report.totals() == {"created": TOTAL, "updated": 0, "unchanged": 0, "failed": 0}
        assert report.counts["dcim.device"].created == 2
        assert report.counts["dcim.interface"].created == 2
        assert NetBoxImportRecord.objects.filter(source=netbox.url).count() == TOTAL
        assert NetBoxImportRecord.objects.filter(complete=False).count() == 0

    def test_netbox_is_only_read(self, org):
        netbox, report = org

        assert {method for method, _path in netbox.requests} == {"GET"}
        assert all("limit=1000" in path for _method, path in netbox.requests if "/status/" not in path)
        assert report.requests == len(netbox.requests)

    def test_order_customization_first_then_dependencies_then_generic_references(self, org):
        _netbox, report = org
        order = list(report.counts)

        customization = ["extras.customfieldchoiceset", "extras.customfield", "extras.tag"]
        assert max(map(order.index, customization)) < order.index("dcim.region")
        for before, after in [
            ("dcim.region", "dcim.site"),
            ("dcim.site", "dcim.rack"),
            ("dcim.devicetype", "dcim.device"),
            ("dcim.device", "dcim.interface"),
            ("dcim.interface", "ipam.ipaddress"),
            ("ipam.vrf", "ipam.prefix"),
            ("dcim.interface", "dcim.cable"),
            ("dcim.site", "tenancy.contactassignment"),
            ("dcim.device", "extras.journalentry"),
        ]:
            assert order.index(before) < order.index(after), (before, after)

    def test_objects_equal_the_source(self, org):
        # given what NetBox sent
        site = RECORDED["dcim/sites"][0]
        # then
        imported = Site.objects.get(slug=site["slug"])
        assert imported.name == site["name"]
        assert imported.region.slug == site["region"]["slug"]
        assert imported.group.slug == site["group"]["slug"]
        assert imported.tenant.slug == site["tenant"]["slug"]
        assert imported.facility == site["facility"]
        assert float(imported.latitude) == site["latitude"]
        assert [tag.slug for tag in imported.tags] == [tag["slug"] for tag in site["tags"]]
        device = Device.objects.get(name="D")
        assert device.site == imported
        assert device.rack.name == RECORDED["dcim/racks"][0]["name"]
        assert device.device_type.slug == RECORDED["dcim/device-types"][0]["slug"]
        assert device.role.slug == RECORDED["dcim/device-roles"][0]["slug"]
        assert sorted(Interface.objects.values_list("device__name", "name")) == [("D", "eth0"), ("D2", "eth0")]
        prefix = Prefix.objects.get()
        assert str(prefix.prefix) == RECORDED["ipam/prefixes"][0]["prefix"]
        assert prefix.vrf == VRF.objects.get(name=RECORDED["ipam/vrfs"][0]["name"])
        assert prefix.scope == imported, (prefix.scope_type, prefix.scope_id)

    def test_custom_fields_and_their_values(self, org):
        field = RECORDED["extras/custom-fields"][0]

        custom_field = CustomField.objects.get(name=field["name"])
        assert custom_field.choice_set.name == field["choice_set"]["name"]
        assert [ct.model for ct in custom_field.object_types.all()] == ["rack"]
        assert Rack.objects.get().custom_field_data == {field["name"]: "red"}
        assert Tag.objects.get().slug == RECORDED["extras/tags"][0]["slug"]

    def test_ip_address_assigned_and_primary(self, org):
        address = IPAddress.objects.get(address=RECORDED["ipam/ip-addresses"][0]["address"])
        interface = Interface.objects.get(device__name="D")

        assert str(address.address) == RECORDED["ipam/ip-addresses"][0]["address"]
        assert address.assigned_object == interface
        assert Device.objects.get(name="D").primary_ip4 == address

    def test_cable_connects_the_interfaces_and_its_paths_are_traced(self, org):
        cable = Cable.objects.get()
        near, far = Interface.objects.get(device__name="D"), Interface.objects.get(device__name="D2")

        assert near.cable == cable and far.cable == cable
        interface_type = ContentType.objects.get_for_model(Interface)
        path = CablePath.objects.get(origin_type=interface_type, origin_id=near.pk)
        assert path.destination_ids == [far.pk]
        assert path.is_complete

    def test_journal_entries_and_contact_assignments(self, org):
        site = Site.objects.get()

        entry = JournalEntry.objects.get()
        assert entry.assigned == site
        assert entry.comments == RECORDED["extras/journal-entries"][0]["comments"]
        assignment = ContactAssignment.objects.get()
        assert assignment.assigned_object == site
        assert assignment.contact.name == RECORDED["tenancy/contacts"][0]["name"]

    def test_circuits_and_their_terminations(self, org):
        circuit = Circuit.objects.get(cid="CID1")
        recorded = RECORDED["circuits/circuits"][0]

        assert circuit.provider.slug == recorded["provider"]["slug"]
        assert circuit.provider_account.account == recorded["provider_account"]["account"]
        assert circuit.type.slug == recorded["type"]["slug"] and circuit.commit_rate == 1000
        assert [asn.asn for asn in circuit.provider.asns.all()] == [64512]
        a_side, z_side = circuit.terminations.order_by("term_side")
        assert (a_side.term_side, a_side.termination, a_side.port_speed) == ("A", Site.objects.get(), 1000)
        assert (z_side.term_side, z_side.termination) == ("Z", ProviderNetwork.objects.get(name="PN"))
        assert z_side.xconnect_id == "XC-42"
        assert CircuitGroupAssignment.objects.get().member == circuit

    def test_vlans_and_their_groups(self, org):
        vlan = VLAN.objects.get(vid=100)

        assert vlan.group == VLANGroup.objects.get(slug="vg") and vlan.group.scope == Site.objects.get()
        assert vlan.tenant.slug == "t"
        assert Prefix.objects.get().vlan == vlan

    def test_virtual_machines_with_their_cluster_interfaces_and_ips(self, org):
        vm = VirtualMachine.objects.get(name="VM")
        interface = VMInterface.objects.get(virtual_machine=vm)

        assert vm.cluster == Cluster.objects.get(name="Cl")
        assert (vm.cluster.type.slug, vm.cluster.group.slug, vm.cluster.scope_object) == (
            "ct",
            "cgr",
            Site.objects.get(),
        )
        assert (vm.vcpus, vm.memory, vm.disk, vm.tenant.slug) == (2, 1024, 1, "t")
        assert [disk.name for disk in vm.virtualdisks.all()] == ["sd"]
        address = IPAddress.objects.get(address="10.1.0.2/24")
        assert address.assigned_object == interface and address.dns_name == "vm.example.com"
        assert vm.primary_ip4 == address

    def test_vpn_tunnels_and_l2vpns(self, org):
        tunnel = Tunnel.objects.get(name="Tun")

        assert tunnel.group.slug == "tug"
        profile = IPSecProfile.objects.get(name="Prof")
        assert tunnel.ipsec_profile == profile
        assert (profile.ike_policy.name, profile.ipsec_policy.name) == ("IKEPol", "IPSPol")
        assert [p.name for p in profile.ike_policy.proposals.all()] == ["IKEP"]
        assert [p.name for p in profile.ipsec_policy.proposals.all()] == ["IPSP"]
        termination = TunnelTermination.objects.get(tunnel=tunnel)
        assert termination.termination == Interface.objects.get(device__name="D")
        assert termination.outside_ip == IPAddress.objects.get(address="10.1.0.1/24")
        l2vpn_termination = L2VPNTermination.objects.get()
        assert (l2vpn_termination.l2vpn.slug, l2vpn_termination.l2vpn.identifier) == ("l2", 5000)
        assert l2vpn_termination.assigned_object == VLAN.objects.get(vid=100)

    def test_the_report_names_the_fields_not_carried_over(self, org):
        _netbox, report = org

        assert report.dropped == EXPECTED_DROPPED
        assert report.as_dict()["dropped"] == EXPECTED_DROPPED

    def test_the_import_is_in_the_organizations_audit_log_only(self, org, org_a, org_b):
        netbox, report = org

        # the class's import (a later test's re-run adds its own)
        event = AuditEvent.objects.filter(action=AuditAction.ORGANIZATION_NETBOX_IMPORTED).order_by("id").first()
        assert event is not None and event.organization.slug == "org-a"
        assert event.actor is None and event.actor_email == ""  # the command: the operator
        assert event.target == netbox.url
        assert event.data == {"netbox_version": "4.7.3", **report.totals()}
        assert netbox.token not in str(event.data) + event.target
        assert not AuditEvent.objects.filter(organization=org_b.organization, action=event.action).exists()
        own = org_a.client().get("/o/org-a/settings/audit/").content.decode()
        assert "Imported from NetBox" in own and netbox.url in own
        page = org_b.client().get("/o/org-b/settings/audit/")
        assert page.status_code == 200 and netbox.url not in page.content.decode()
        assert "Imported from NetBox" not in page.content.decode()
        assert org_b.client().get("/o/org-a/settings/audit/").status_code == 404

    def test_a_rerun_changes_nothing(self, org, monkeypatch):
        netbox, _report = org
        monkeypatch.setattr(netbox_client, "PAGE_SIZE", 1)  # every object a page of its own, read in parallel

        report = run(netbox)

        assert report.failures == []
        assert report.totals() == {"created": 0, "updated": 0, "unchanged": TOTAL, "failed": 0}
        assert Device.objects.count() == 2 and Cable.objects.count() == 1

    def test_a_rerun_updates_what_changed(self, org):
        netbox, _report = org
        by_name(netbox.objects["dcim/devices"], "D2")["description"] = "moved"
        try:
            report = run(netbox)
        finally:
            by_name(netbox.objects["dcim/devices"], "D2")["description"] = ""

        assert report.counts["dcim.device"].updated == 1
        assert report.totals()["unchanged"] == TOTAL - 1
        assert Device.objects.get(name="D2").description == "moved"

    def test_an_object_deleted_here_is_imported_again(self, org):
        netbox, _report = org
        JournalEntry.objects.all().delete()

        report = run(netbox)

        assert report.counts["extras.journalentry"].created == 1
        assert JournalEntry.objects.count() == 1

    def test_only_the_named_organization_gets_the_objects(self, org, org_b):
        with tenant_context(org_b.organization):
            assert Site.objects.count() == 0
            assert NetBoxImportRecord.objects.count() == 0


# What the recorded NetBox sent that Wirebook keeps nowhere: a journal entry's author is one of NetBox's users.
EXPECTED_DROPPED = {"extras.journalentry": {"created_by": 1}}


class TestProblems:
    @pytest.fixture
    def netbox(self):
        with RecordedNetBox() as running:
            yield running

    def test_a_bad_object_is_reported_and_the_rest_imported(self, netbox, org_b):
        # given a site NetBox holds that Wirebook refuses (its slug is taken) and a location in it
        site = dict(RECORDED["dcim/sites"][0], id=3, name="Other")
        netbox.objects["dcim/sites"].append(site)
        location = dict(
            RECORDED["dcim/locations"][0], id=2, name="L2", slug="l2", site={**site, "url": "/api/dcim/sites/3/"}
        )
        netbox.objects["dcim/locations"].append(location)
        # when
        with tenant_context(org_b.organization):
            report = run(netbox)
            # then
            failures = {(f["object_type"], f["id"]): f["errors"] for f in report.failures}
            assert set(failures) == {("dcim.site", 3), ("dcim.location", 2)}
            assert "slug" in failures["dcim.site", 3]
            assert failures["dcim.location", 2] == {"site": ["Refers to NetBox's dcim.site 3, which was not imported."]}
            assert report.totals() == {"created": TOTAL, "updated": 0, "unchanged": 0, "failed": 2}
            assert Site.objects.count() == 1 and Device.objects.count() == 2

    def test_a_reference_to_what_is_not_imported_leaves_the_objects_other_references(self, netbox, org_b):
        # given device D's out-of-band address is a kind of object Wirebook does not import, beside its primary IP
        device = next(d for d in netbox.objects["dcim/devices"] if d["name"] == "D")
        assert device["primary_ip4"] is not None
        device["oob_ip"] = {"id": 99, "url": f"{netbox.url}/api/plugins/things/99/", "display": "elsewhere"}
        # when
        with tenant_context(org_b.organization):
            report = run(netbox)
            # then the primary address is still written, the other reference is reported as not carried over
            assert report.failures == []
            assert report.dropped["dcim.device"] == {"oob_ip": 1}
            imported = Device.objects.get(name="D")
            assert imported.primary_ip4 is not None and imported.oob_ip is None

    def test_an_interrupted_import_resumes(self, netbox, org_b):
        netbox.failing = {"dcim/interfaces"}
        with tenant_context(org_b.organization):
            with pytest.raises(ImportFailed, match="HTTP 500"):
                run(netbox)
            assert Device.objects.count() == 2 and Interface.objects.count() == 0

            netbox.failing = set()
            report = run(netbox)

            assert report.failures == []
            assert report.counts["dcim.device"].unchanged == 2
            assert report.counts["dcim.interface"].created == 2
            assert report.counts["dcim.cable"].created == 1
            assert Device.objects.count() == 2 and Interface.objects.count() == 2
            assert Device.objects.get(name="D").primary_ip4 is not None

    def test_a_wrong_token_is_a_clear_error(self, netbox, org_b):
        with (
            tenant_context(org_b.organization),
            pytest.raises(ImportFailed, match=r"refused the API token.*Invalid v2"),
        ):
            run(netbox, token="nbt_wrong.secret")

    def test_a_v1_token_is_sent_as_netbox_wants_it(self, org_b):
        with RecordedNetBox(token="0123456789abcdef0123456789abcdef01234567") as netbox:
            client = netbox_client.NetBoxClient(url=f"{netbox.url}/api/", token=netbox.token)
            assert client.status()["netbox-version"] == "4.7.3"

    def test_an_unsupported_version_is_refused(self, netbox, org_b):
        netbox.status["netbox-version"] = "3.7.8"
        with tenant_context(org_b.organization), pytest.raises(ImportFailed, match=r"3\.7\.8 is not supported"):
            run(netbox)
        # the attempt is audited, with why it stopped
        (event,) = AuditEvent.objects.filter(action=AuditAction.ORGANIZATION_NETBOX_IMPORTED)
        assert (event.organization, event.target) == (org_b.organization, netbox.url)
        assert event.data["error"].startswith("NetBox 3.7.8 is not supported")
        assert event.data["created"] == 0

    def test_unreachable(self, org_b):
        with RecordedNetBox() as netbox:
            url = netbox.url
        with tenant_context(org_b.organization), pytest.raises(ImportFailed, match="could not be reached"):
            netbox_import(url=url, token="nbt_x.y", rate=1000.0)

    def test_private_addresses_are_refused_unless_allowed(self, netbox, org_b, settings):
        settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
        with tenant_context(org_b.organization), pytest.raises(ImportFailed, match="not a public address"):
            run(netbox)

    def test_the_command(self, netbox, org_b):
        # given a choice set built on one of NetBox's base choice sets (Wirebook has none)
        netbox.objects["extras/custom-field-choice-sets"][0]["base_choices"] = {"value": "IATA", "label": "IATA"}
        out = io.StringIO()
        call_command(
            "import_netbox", "org-b", url=netbox.url, token=netbox.token, rate=1000.0, stdout=out, stderr=io.StringIO()
        )

        assert f"NetBox 4.7.3 at {netbox.url} -> org-b" in out.getvalue()
        assert f"{TOTAL} objects imported, 0 problems." in out.getvalue()
        assert "not carried over: extras.customfieldchoiceset: base_choices (1)" in out.getvalue()
        assert "not carried over: extras.journalentry: created_by (1)" in out.getvalue()
        with tenant_context(org_b.organization):
            assert Device.objects.count() == 2
        with pytest.raises(CommandError, match="No organization"):
            call_command("import_netbox", "no-such-org", url=netbox.url, token=netbox.token)
        with pytest.raises(CommandError, match="refused the API token"):
            call_command("import_netbox", "org-b", url=netbox.url, token="nbt_bad.x", stderr=io.StringIO())


@pytest.mark.skipif(not (os.environ.get("NETBOX_URL") and os.environ.get("NETBOX_TOKEN")), reason="no live NetBox")
def test_a_live_netbox(org_b):
    with tenant_context(org_b.organization):
        report = netbox_import(url=os.environ["NETBOX_URL"], token=os.environ["NETBOX_TOKEN"])
    assert report.netbox_version.startswith("4.")
    assert report.totals()["created"] + report.totals()["unchanged"] > 0


class TestBackgroundJob:
    PAGE = "/o/org-a/settings/import-netbox/"

    def test_an_owner_starts_the_job_and_it_imports_with_progress(self, org_a, monkeypatch):
        # given the recorded NetBox and the settings page
        with RecordedNetBox() as netbox:
            owner = org_a.client()
            assert owner.get(self.PAGE).status_code == 200
            # when the owner starts the import
            response = owner.post(self.PAGE, {"url": netbox.url, "token": netbox.token})
            assert response.status_code == 302
            with tenant_context(org_a.organization):
                job = Job.objects.get(name=JOB_NAME)
                assert response["Location"].endswith(f"/jobs/{job.pk}/")
                assert job.arguments == {"url": netbox.url}  # the token is not stored with the job
                assert job.user_id == org_a.owner.pk
                # and a worker runs it
                monkeypatch.setattr(automation_netbox_import, "netbox_import", fast_import)
                data = netbox_import_job(job, url=netbox.url)
                # then
                assert data["totals"]["created"] == TOTAL
                assert data["dropped"] == EXPECTED_DROPPED
                (event,) = AuditEvent.objects.filter(action=AuditAction.ORGANIZATION_NETBOX_IMPORTED)
                assert (event.organization, event.actor, event.actor_email) == (
                    org_a.organization, org_a.owner, org_a.owner.email
                )  # fmt: skip
                assert event.target == netbox.url and event.data["created"] == TOTAL
                assert netbox.token not in str(event.data)
                progress = job_progress(job.pk)
                assert progress["done"] == progress["total"] > 100 and progress["unit"] == "object types"
                assert Device.objects.count() == 2
                # a second run of the same job has no token any more
                with pytest.raises(JobEnded, match="no longer available"):
                    netbox_import_job(job, url=netbox.url)
        assert owner.get(f"/o/org-a/jobs/{job.pk}/").status_code == 200

    def test_a_bad_url_is_a_form_error(self, org_a):
        response = org_a.client().post(self.PAGE, {"url": "ftp://x", "token": "t"})

        assert response.status_code == 400
        with tenant_context(org_a.organization):
            assert not Job.objects.filter(name=JOB_NAME).exists()

    def test_others_cannot_start_or_see_it(self, org_a, org_b):
        with tenant_context(org_a.organization):
            job = Job.objects.create(name=JOB_NAME, function=job_function_path(netbox_import_job))
        outsider = org_b.client()

        assert outsider.get(self.PAGE).status_code == 404
        assert outsider.post(self.PAGE, {"url": "https://netbox.example", "token": "t"}).status_code == 404
        assert outsider.get(f"/o/org-a/jobs/{job.pk}/").status_code == 404
        assert Client().get(self.PAGE).status_code == 302
        assert Client().post(self.PAGE, {"url": "https://netbox.example", "token": "t"}).status_code in (302, 403)
        with tenant_context(org_a.organization):
            assert Job.objects.filter(name=JOB_NAME).count() == 1

    def test_viewers_cannot_start_it(self, org_a, django_user_model):
        viewer = django_user_model.objects.create_user("viewer-nb@example.com", password="x")
        Membership.objects.create(user=viewer, organization=org_a.organization, role=MembershipRole.VIEWER)
        client = Client()
        client.force_login(viewer)

        assert client.post(self.PAGE, {"url": "https://netbox.example", "token": "t"}).status_code == 403


def fast_import(**options):
    return netbox_import(**{**options, "rate": 1000.0})


def test_a_url_with_credentials_is_refused_so_that_none_reach_netbox_or_the_audit_log(org_b):
    # requests would send `user:password@` as Basic authentication in place of the token
    with tenant_context(org_b.organization), pytest.raises(ImportFailed, match="without a user name or password"):
        netbox_import(url="https://u:secret@netbox.example:8443/nb", token="nbt_x.y")
    assert not AuditEvent.objects.filter(organization=org_b.organization).filter(target__contains="secret").exists()
