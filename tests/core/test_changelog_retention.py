import datetime

from django.utils import timezone

from core.models import ObjectChange
from core.tasks import changelog_prune, changelog_prune_all
from inventory.models import Region
from tenants.context import current_organization, tenant_context


def _aged_changes(organization, ages_in_days):
    from core.context import SYSTEM, acting_as
    from core.services import object_create

    with tenant_context(organization), acting_as(SYSTEM):
        for number, age in enumerate(ages_in_days):
            object_create(model=Region, data={"name": f"R{number}", "slug": f"r{number}"})
            change = ObjectChange.objects.latest("id")
            ObjectChange.objects.filter(pk=change.pk).update(time=timezone.now() - datetime.timedelta(days=age))


def test_prune_keeps_the_organizations_retention_window(org_a, org_b):
    org_a.organization.changelog_retention = 30
    org_a.organization.save(update_fields=["changelog_retention"])
    _aged_changes(org_a.organization, [1, 29, 31, 400])
    _aged_changes(org_b.organization, [400])

    with tenant_context(org_a.organization):
        deleted = changelog_prune.apply().get()
        remaining = sorted(ObjectChange.objects.values_list("object_repr", flat=True))

    assert deleted == 2
    assert remaining == ["R0", "R1"]
    with tenant_context(org_b.organization):
        assert ObjectChange.objects.count() == 1  # another organization's log is its own


def test_zero_retention_keeps_everything(org_a):
    org_a.organization.changelog_retention = 0
    org_a.organization.save(update_fields=["changelog_retention"])
    _aged_changes(org_a.organization, [4000])

    with tenant_context(org_a.organization):
        assert changelog_prune.apply().get() == 0
        assert ObjectChange.objects.count() == 1


def test_the_fan_out_queues_one_task_per_organization(org_a, org_b, monkeypatch):
    seen = []
    monkeypatch.setattr(changelog_prune, "delay", lambda: seen.append(current_organization()))

    queued = changelog_prune_all.apply().get()

    assert queued >= 2
    assert {org_a.organization, org_b.organization} <= set(seen)
