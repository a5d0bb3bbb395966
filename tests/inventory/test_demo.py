import io

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command

from inventory.models import DeviceType, Rack, Site
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
            assert sorted(Rack.objects.values_list("name", flat=True)) == ["R101", "R102", "R201"]
            assert Rack.objects.get(name="R101").u_height == 42  # from its rack type
            assert DeviceType.objects.filter(manufacturer__slug="juniper").count() == 1
    finally:
        committed.track(Organization.objects.get(slug="demo"))
        committed.users.append(Membership.objects.get(organization__slug="demo").user)


def test_demo_keeps_its_generated_password_and_the_demo_session(committed, monkeypatch, tmp_path):
    # given: no password in the environment, a file to keep it in
    monkeypatch.delenv("WIREBOOK_DEMO_PASSWORD", raising=False)
    kept = tmp_path / "run" / "demo-password"
    first = io.StringIO()
    try:
        call_command("demo", "--password-file", str(kept), stdout=first)
        password = kept.read_text().strip()
        owner = get_user_model().objects.get(email="demo@example.com")
        session_hash = owner.get_session_auth_hash()

        # when: make run starts again
        second = io.StringIO()
        call_command("demo", "--password-file", str(kept), stdout=second)

        # then: the same password is printed and still works, and earlier sessions stay logged in
        owner.refresh_from_db()
        assert f"password   {password}" in first.getvalue()
        assert f"password   {password}" in second.getvalue()
        assert owner.check_password(password)
        assert owner.get_session_auth_hash() == session_hash
        assert kept.stat().st_mode & 0o077 == 0  # readable by its owner only

        # and the environment still overrides the kept password
        monkeypatch.setenv("WIREBOOK_DEMO_PASSWORD", "override-password-1")
        call_command("demo", "--password-file", str(kept), stdout=io.StringIO())
        owner.refresh_from_db()
        assert owner.check_password("override-password-1")
    finally:
        committed.track(Organization.objects.get(slug="demo"))
        committed.users.append(get_user_model().objects.get(email="demo@example.com"))
