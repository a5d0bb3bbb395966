"""People in the session organizations, for the settings pages' tests."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from tenants.models import AuditAction, AuditEvent, Membership
from tests.conftest import PASSWORD

IP = "198.51.100.9"


def member(org, role, email=None) -> Membership:
    """A new user with a verified address who is a `role` of `org` (an OrgUser)."""
    email = email or f"{role}-{org.organization.slug}@example.com"
    user = get_user_model().objects.create_user(email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return Membership.objects.create(user=user, organization=org.organization, role=role)


def client_of(user) -> Client:
    client = Client(raise_request_exception=False, REMOTE_ADDR=IP)
    client.force_login(user)
    return client


def events(organization, action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(organization=organization, action=action))
