"""The public schema's organization tables, one module per feature; imported from here
(`from tenants.models import Organization`), which is also where migrations find them."""

from tenants.models.audit import AuditAction, AuditEvent
from tenants.models.billing import BillingAccount, BillingStatus, StripeEvent
from tenants.models.invitations import INVITATION_LIFETIME, Invitation, invitation_default_expires
from tenants.models.members import MANAGER_ROLES, ROLE_RANK, Membership, MembershipRole
from tenants.models.organizations import Domain, Organization, OrganizationStatus
from tenants.models.provisioning import SchemaSnapshot, SpareSchema
from tenants.models.sso import SSOConfiguration, SSOEmailDomain, SSOProtocol
from tenants.models.tokens import Token, TokenVersion, allowed_ips_normalize

__all__ = [
    "INVITATION_LIFETIME",
    "MANAGER_ROLES",
    "ROLE_RANK",
    "AuditAction",
    "AuditEvent",
    "BillingAccount",
    "BillingStatus",
    "Domain",
    "Invitation",
    "Membership",
    "MembershipRole",
    "Organization",
    "OrganizationStatus",
    "SSOConfiguration",
    "SSOEmailDomain",
    "SSOProtocol",
    "SchemaSnapshot",
    "SpareSchema",
    "StripeEvent",
    "Token",
    "TokenVersion",
    "allowed_ips_normalize",
    "invitation_default_expires",
]
