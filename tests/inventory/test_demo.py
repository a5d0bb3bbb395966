import io

from allauth.account.models import EmailAddress
from django.core.management import call_command

from inventory.models import Site
from tenants.context import tenant_context
from tenants.models import Membership, Organization


def test_demo_is_idempotent_and_loads_a_sample_network(committed, monkeypatch):
    monkeypatch.setenv("WIREBOOK_DEMO_PASSWORD", "demo-password-123")
    first, second = io.StringIO(), io.StringIO()
    try:
        call_command("demo", stdout=first)
        call_command("demo", stdout=second)

        organization = Organization.objects.get(slug="demo")
        assert Membership.objects.get(organization=organization).user.check_password("demo-password-123")
        assert "sample network loaded" in first.getvalue()
        owner = Membership.objects.get(organization=organization).user
        assert EmailAddress.objects.get(user=owner).verified  # the printed login works at once
        assert "sample network loaded" not in second.getvalue()
        with tenant_context(organization):
            assert sorted(Site.objects.values_list("slug", flat=True)) == ["ams1", "ams2", "fra1"]
            assert Site.objects.get(slug="ams1").region.parent.slug == "europe"
    finally:
        committed.track(Organization.objects.get(slug="demo"))
        committed.users.append(Membership.objects.get(organization__slug="demo").user)
