"""Single sign-on per organization (public schema).

An organization's identity provider is one allauth `SocialApp` (allauth speaks OpenID Connect
and SAML; nothing here does) plus an `SSOConfiguration` saying which organization it belongs
to, the role people get when they first arrive through it, and whether members must use it.

- Apps are told apart by `provider_id` (`org-<slug>` for OIDC, `org-<slug>-saml` for SAML), which
  is also what allauth stores as `SocialAccount.provider`: the same subject at two
  organizations' identity providers is two different accounts.
- When an organization points its SSO at another identity provider (another issuer or client,
  another SAML entity id, or the other protocol) or disables it, the accounts linked through the
  old one are unlinked: the new provider's subjects must not inherit the old provider's users.
- Email domains count only once the organization has proved it owns them with a DNS record
  (`tenants.sso.domains`): only verified domains find an organization by address (`sso_find`),
  make an asserted address count as verified, and match existing accounts.
- An SSO login never signs in to an existing account that is not already a member of the
  organization: the identity provider of an organization someone made a minute ago must not get
  accounts of people who never joined it. A member's account is matched by its verified address
  only within the organization's verified domains (`sso_existing_user`); anyone else links the
  identity from their account after entering their password (allauth's connect flow, members
  only), or joins by invitation. New accounts are made only for addresses in the organization's
  verified domains (an account made for anyone else's address would be the provider's to sign in
  to, waiting for the address's owner to confirm it); signing in through an organization's
  provider makes only such a new account a member, of that organization and no other, with its
  default role (`sso_login_complete`).
- With `require_sso`, members other than owners cannot log in with a password
  (`password_login_refused`), and their sessions reach the organization only after signing in
  through its identity provider (`sso_session_required`); owners keep the password as a way back
  in. API tokens are not affected.

Every change of the configuration writes an audit event in its transaction; secrets never
appear in events. The OIDC client secret is kept encrypted in `SSOConfiguration.client_secret`
(tenants.secrets), never in allauth's `SocialApp.secret`: `sso_app` hands allauth an app carrying
the decrypted secret, in memory, when a login needs it.
"""

import contextlib
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from tenants import authcache
from tenants.audit import audit_record
from tenants.billing import member_add_check
from tenants.context import public_context
from tenants.members import is_manager
from tenants.models import (
    AuditAction,
    Membership,
    MembershipRole,
    Organization,
    SSOConfiguration,
    SSOEmailDomain,
    SSOProtocol,
)
from tenants.outbound import host_check
from tenants.secrets import Secret

OIDC_PROVIDER = "openid_connect"
SAML_PROVIDER = "saml"
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")
MAX_EMAIL_DOMAINS = 20
SAML_ATTRIBUTE_MAPPING = {
    "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
    "email": [
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "email",
        "mail",
    ],
    "first_name": ["urn:oid:2.5.4.42", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "givenName"],
    "last_name": ["urn:oid:2.5.4.4", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "sn"],
}
NOT_MANAGER = "Only admins and owners configure single sign-on."
# Organizations (ids) the session has signed in to through their identity provider.
SSO_SESSION_KEY = "wirebook_sso_organizations"


@dataclass(frozen=True)
class OIDCSettings:
    issuer: str
    client_id: str
    client_secret: str | None = None  # None keeps the stored secret


@dataclass(frozen=True)
class SAMLSettings:
    metadata_xml: str | None = None  # None keeps the stored identity provider


def oidc_provider_id(organization: Organization) -> str:
    return f"org-{organization.slug}"


def saml_provider_id(organization: Organization) -> str:
    return f"org-{organization.slug}-saml"


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def email_domains_normalize(values: list[str]) -> list[str]:
    """Lower-case domains without a leading `@`, duplicates dropped, order kept."""
    domains: list[str] = []
    errors = []
    for value in values:
        domain = value.strip().lower().lstrip("@").rstrip(".")
        if not domain:
            continue
        with contextlib.suppress(UnicodeError):
            domain = domain.encode("idna").decode("ascii")
        if not DOMAIN_RE.match(domain):
            errors.append(f"'{value.strip()}' is not an email domain such as example.com.")
        elif domain not in domains:
            domains.append(domain)
    if len(domains) > MAX_EMAIL_DOMAINS:
        errors.append(f"At most {MAX_EMAIL_DOMAINS} email domains.")
    if errors:
        raise ValidationError({"email_domains": errors})
    return domains


def issuer_validate(issuer: str) -> str:
    issuer = issuer.strip().rstrip("/")
    # Plain http only while developing: discovery, keys and tokens would travel unprotected.
    schemes = ["https", "http"] if settings.SSO_ALLOW_INSECURE_HTTP else ["https"]
    try:
        URLValidator(schemes=schemes)(issuer)
    except ValidationError:
        raise ValidationError({"issuer": ["Enter the issuer's https:// URL."]}) from None
    if "?" in issuer or "#" in issuer:
        raise ValidationError({"issuer": ["The issuer URL has no query or fragment."]})
    refusal = host_check(urlsplit(issuer).hostname or "")
    if refusal is not None:  # connections check again: this tells the admin now rather than at login
        raise ValidationError({"issuer": [f"The identity provider must be reachable on the internet. {refusal}"]})
    return issuer


def saml_metadata_parse(metadata_xml: str) -> dict[str, str]:
    """The entity id, HTTP-Redirect SSO URL and signing certificate of the one IdP described by
    `metadata_xml` (python3-saml's parser, which refuses DTDs and entities)."""
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(metadata_xml.strip().encode())
    except Exception:
        raise ValidationError({"metadata_xml": ["This is not SAML metadata XML."]}) from None
    idp = parsed.get("idp") or {}
    entity_id = idp.get("entityId") or ""
    sso_url = (idp.get("singleSignOnService") or {}).get("url") or ""
    certificate = idp.get("x509cert") or ""
    if not certificate:
        certificates = (idp.get("x509certMulti") or {}).get("signing") or []
        certificate = certificates[0] if certificates else ""
    missing = [
        name
        for name, value in (
            ("an entity id", entity_id),
            ("an SSO URL (HTTP-Redirect)", sso_url),
            ("a signing certificate", certificate),
        )
        if not value
    ]
    if missing:
        raise ValidationError({"metadata_xml": [f"The metadata has no IdP with {', '.join(missing)}."]})
    try:
        URLValidator(schemes=["https", "http"])(sso_url)
    except ValidationError:
        raise ValidationError({"metadata_xml": ["The IdP's SSO URL is not an http(s) URL."]}) from None
    return {"entity_id": entity_id, "sso_url": sso_url, "x509cert": certificate}


def _saml_app_settings(idp: dict[str, str]) -> dict:
    return {
        "idp": idp,
        "attribute_mapping": SAML_ATTRIBUTE_MAPPING,
        "advanced": {
            "strict": True,
            "want_assertion_signed": True,
            "reject_idp_initiated_sso": True,
            "reject_deprecated_algorithm": True,
            # Only loosens python3-saml's check of our own ACS/SLS URLs (e.g. http://intranet/).
            "allow_single_label_domains": True,
        },
    }


def require_manager(organization: Organization, by) -> None:
    membership = None
    if by is not None and getattr(by, "pk", None):
        membership = Membership.objects.filter(organization=organization, user=by).first()
    if not is_manager(membership):
        raise PermissionDenied(NOT_MANAGER)


def _unlink_accounts(provider_id: str) -> int:
    deleted, _ = SocialAccount.objects.filter(provider=provider_id).delete()
    return deleted


def _fresh_app(provider: str, provider_id: str) -> SocialApp:
    """A new app for `provider_id`. Anything left under that id (an organization of the same slug
    that was deleted) is dropped first: its identities must not carry over."""
    _unlink_accounts(provider_id)
    SocialApp.objects.filter(provider_id=provider_id).delete()
    return SocialApp(provider=provider, provider_id=provider_id)


def _identity(app: SocialApp | None) -> tuple:
    """What identifies the identity provider behind `app`: subjects are only meaningful under it."""
    if app is None:
        return ()
    if app.provider == SAML_PROVIDER:
        return (app.provider, (app.settings.get("idp") or {}).get("entity_id"))
    return (app.provider, app.settings.get("server_url"), app.client_id)


def _domains_set(configuration: SSOConfiguration, domains: list[str]) -> None:
    """Claim `domains` (new ones unverified) and drop the others. A domain another organization
    has verified is refused, without saying which organization."""
    taken = sorted(
        SSOEmailDomain.objects.filter(domain__in=domains, verified_at__isnull=False)
        .exclude(configuration__organization_id=configuration.organization_id)
        .values_list("domain", flat=True)
    )
    if taken:
        raise ValidationError(
            {"email_domains": [f"{domain} is already verified by another organization." for domain in taken]}
        )
    configuration.email_domains.exclude(domain__in=domains).delete()
    existing = set(configuration.email_domains.values_list("domain", flat=True))
    SSOEmailDomain.objects.bulk_create(
        [SSOEmailDomain(configuration=configuration, domain=domain) for domain in domains if domain not in existing]
    )


@transaction.atomic
def sso_configure(
    *,
    organization: Organization,
    by,
    protocol: str,
    email_domains: list[str],
    default_role: str,
    require_sso: bool,
    oidc: OIDCSettings | None = None,
    saml: SAMLSettings | None = None,
) -> SSOConfiguration:
    """Create or change `organization`'s single sign-on. Raises PermissionDenied unless `by`
    is an admin or owner, ValidationError for bad input; writes nothing then."""
    with public_context():
        require_manager(organization, by)
        errors: dict[str, list[str]] = {}
        if protocol not in SSOProtocol.values:
            errors["protocol"] = ["Choose OpenID Connect or SAML."]
        if default_role not in MembershipRole.values or default_role == MembershipRole.OWNER:
            errors["default_role"] = ["Choose admin, editor or viewer."]
        try:
            domains = email_domains_normalize(email_domains)
        except ValidationError as error:
            errors.update(error.message_dict)
        configuration = (
            SSOConfiguration.objects.select_for_update().select_related("app").filter(organization=organization).first()
        )
        old_app = configuration.app if configuration is not None else None
        old_identity = _identity(old_app)
        same_protocol = configuration is not None and configuration.protocol == protocol
        app = old_app if same_protocol else None
        audit: dict = {"protocol": protocol}
        secret = ""
        if protocol == SSOProtocol.OIDC:
            if oidc is None:
                raise ValidationError({"issuer": ["Give the issuer, client id and client secret."]})
            try:
                issuer = issuer_validate(oidc.issuer)
            except ValidationError as error:
                errors.update(error.message_dict)
                issuer = oidc.issuer
            client_id = oidc.client_id.strip()
            if not client_id or len(client_id) > SocialApp._meta.get_field("client_id").max_length:
                errors["client_id"] = ["Enter the client id the identity provider gave you (at most 191 characters)."]
            secret = oidc.client_secret.strip() if oidc.client_secret else ""
            if not secret and app is None:
                errors["client_secret"] = ["Enter the client secret."]
            elif len(secret) > SocialApp._meta.get_field("secret").max_length:
                errors["client_secret"] = ["The client secret is longer than 191 characters."]
            if errors:
                raise ValidationError(errors)
            new_app = app or _fresh_app(OIDC_PROVIDER, oidc_provider_id(organization))
            new_app.client_id = client_id
            new_app.settings = {**(new_app.settings or {}), "server_url": issuer}
            audit.update(issuer=issuer, client_id=client_id, client_secret="changed" if secret else "unchanged")
        else:
            idp = None
            if saml is not None and saml.metadata_xml and saml.metadata_xml.strip():
                try:
                    idp = saml_metadata_parse(saml.metadata_xml)
                except ValidationError as error:
                    errors.update(error.message_dict)
            elif app is None:
                errors["metadata_xml"] = ["Paste the identity provider's SAML metadata XML."]
            if errors:
                raise ValidationError(errors)
            new_app = app or _fresh_app(SAML_PROVIDER, saml_provider_id(organization))
            new_app.client_id = organization.slug
            if idp is not None:
                new_app.settings = _saml_app_settings(idp)
            stored = new_app.settings.get("idp") or {}
            audit.update(idp_entity_id=stored.get("entity_id"), idp_sso_url=stored.get("sso_url"))
        new_app.name = organization.name[: SocialApp._meta.get_field("name").max_length]
        identity_changed = old_identity != _identity(new_app)
        new_app.full_clean()
        new_app.save()
        if configuration is None:
            configuration = SSOConfiguration(organization=organization, verification_secret=secrets.token_hex(32))
        configuration.protocol = protocol
        configuration.app = new_app
        if protocol != SSOProtocol.OIDC:
            configuration.client_secret = ""
        elif secret:
            configuration.client_secret = secret  # encrypted on save (tenants.secrets)
        configuration.default_role = default_role
        configuration.require_sso = require_sso
        configuration.full_clean(validate_unique=False)
        configuration.save()
        if old_app is not None and old_app.pk != new_app.pk:
            _unlink_accounts(old_app.provider_id)
            old_app.delete()
        elif old_app is not None and identity_changed:
            _unlink_accounts(old_app.provider_id)
        _domains_set(configuration, domains)
        audit.update(email_domains=domains, default_role=default_role, require_sso=require_sso)
        if old_app is not None and identity_changed:
            audit["identity_provider_changed"] = True
        audit_record(
            organization=organization,
            action=AuditAction.SSO_CONFIGURED,
            actor=by,
            target=str(SSOProtocol(protocol).label),
            data=audit,
        )
        return configuration


@transaction.atomic
def sso_disable(*, organization: Organization, by) -> None:
    """Remove `organization`'s single sign-on; accounts linked through it are unlinked."""
    with public_context():
        require_manager(organization, by)
        configuration = (
            SSOConfiguration.objects.select_for_update().select_related("app").filter(organization=organization).first()
        )
        if configuration is None:
            return
        app = configuration.app
        configuration.delete()
        _unlink_accounts(app.provider_id)
        app.delete()
        audit_record(
            organization=organization,
            action=AuditAction.SSO_DISABLED,
            actor=by,
            target=str(SSOProtocol(configuration.protocol).label),
            data={"protocol": configuration.protocol},
        )


def sso_forget(organization: Organization) -> None:
    """Delete everything single sign-on keeps for an organization that is being deleted: its
    configuration, its allauth app and the identities linked through it."""
    provider_ids = [oidc_provider_id(organization), saml_provider_id(organization)]
    with public_context():
        SSOConfiguration.objects.filter(organization=organization).delete()
        for provider_id in provider_ids:
            _unlink_accounts(provider_id)
        SocialApp.objects.filter(provider_id__in=provider_ids).delete()


def sso_identities_unlink(*, organization: Organization, user) -> int:
    """Forget the identities `user` linked at the organization's identity providers (their
    membership ended): the provider must not sign them in again by them."""
    with public_context():
        deleted, _ = SocialAccount.objects.filter(
            user=user, provider__in=[oidc_provider_id(organization), saml_provider_id(organization)]
        ).delete()
    return deleted


def sso_find(query: str) -> SSOConfiguration | None:
    """The SSO configuration for an organization slug, an email address or an email domain (only
    a domain the organization has verified)."""
    query = (query or "").strip().lower()
    if not query:
        return None
    with public_context():
        configurations = SSOConfiguration.objects.select_related("organization", "app")
        if "@" in query or "." in query:
            return configurations.filter(
                email_domains__domain=email_domain(query), email_domains__verified_at__isnull=False
            ).first()
        return configurations.filter(organization__slug=query).first()


def sso_app(configuration: SSOConfiguration, app: SocialApp | None = None) -> SocialApp:
    """`configuration`'s allauth app (or `app`, the same row loaded by allauth) carrying the client
    secret, decrypted -- in memory only, never saved. Raises SecretUnreadable when no configured key
    decrypts it."""
    app = app or configuration.app
    secret = configuration.client_secret
    app.secret = secret.reveal() if isinstance(secret, Secret) else ""
    return app


def sso_configurations_for_apps(apps: list[SocialApp]) -> dict[int, SSOConfiguration]:
    """The SSO configurations of `apps`, by app id (one query)."""
    ids = [app.pk for app in apps if app.pk is not None]
    if not ids:
        return {}
    with public_context():
        return {
            configuration.app_id: configuration for configuration in SSOConfiguration.objects.filter(app_id__in=ids)
        }


def sso_configuration_for_app(app: SocialApp | None) -> SSOConfiguration | None:
    if app is None or app.pk is None:
        return None
    with public_context():
        return SSOConfiguration.objects.select_related("organization").filter(app_id=app.pk).first()


def sso_domain_verified(configuration: SSOConfiguration, email: str) -> bool:
    """Whether `email` is in one of the organization's verified email domains."""
    with public_context():
        return configuration.email_domains.filter(domain=email_domain(email), verified_at__isnull=False).exists()


def sso_is_member(configuration: SSOConfiguration, user) -> bool:
    if user is None or not getattr(user, "pk", None):
        return False
    with public_context():
        return Membership.objects.filter(organization_id=configuration.organization_id, user_id=user.pk).exists()


def sso_existing_account(emails: list[str]):
    """The account, active or not and verified or not, that already has one of `emails`."""
    emails = [email.strip() for email in emails if email and email.strip()]
    if not emails:
        return None
    User = get_user_model()
    with public_context():
        for email in emails:
            address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
            if address is not None:
                return address.user
            user = User.objects.filter(email__iexact=email).first()
            if user is not None:
                return user
    return None


def sso_existing_user(configuration: SSOConfiguration, email: str):
    """The existing account an SSO login asserting `email` signs in as without having been linked:
    only a member of the organization, by a verified address in one of the organization's
    verified domains. Any other account is never handed to this identity provider."""
    if not sso_domain_verified(configuration, email):
        return None
    with public_context():
        address = (
            EmailAddress.objects.filter(email__iexact=email.strip(), verified=True, user__is_active=True)
            .select_related("user")
            .first()
        )
        if address is None or not sso_is_member(configuration, address.user):
            return None
        return address.user


@transaction.atomic
def sso_login_complete(*, configuration: SSOConfiguration, user, new_account: bool) -> Membership:
    """`user` has just signed in through `configuration`'s identity provider. A member stays as
    they are; an account the login has just created becomes a member with the default role. Raises
    PermissionDenied for any other account: SSO never makes an existing account a member."""
    with public_context():
        organization = configuration.organization
        membership = Membership.objects.filter(organization=organization, user=user).first()
        if membership is None:
            if not new_account:
                raise PermissionDenied(existing_account_refusal(organization))
            member_add_check(organization, invitation=False)  # the plan's member limit, a read-only status
            membership = Membership.objects.create(
                organization=organization, user=user, role=configuration.default_role
            )
            audit_record(
                organization=organization,
                action=AuditAction.MEMBERSHIP_JOINED_BY_SSO,
                actor=user,
                target=user.email,
                data={"role": membership.role, "protocol": configuration.protocol},
            )
        return membership


def outside_domains_refusal(organization: Organization) -> str:
    return (
        f"{organization.name}'s identity provider signs in new people only with an email address in one of "
        "the organization's verified email domains. If you have a Wirebook account, log in with your "
        "password: members link their identity from the single sign-on page, others ask the "
        "organization's administrators for an invitation."
    )


def existing_account_refusal(organization: Organization) -> str:
    return (
        f"An account with this email address already exists and is not linked to {organization.name}'s "
        "identity provider. Log in with your password, then accept an invitation to the organization, "
        "or, if you are already a member, link your identity from the single sign-on page."
    )


def password_login_refused(user) -> Organization | None:
    """An organization requiring SSO of which `user` is a member but not an owner, if any."""
    with public_context():
        membership = (
            Membership.objects.filter(user=user, organization__sso__require_sso=True)
            .exclude(role=MembershipRole.OWNER)
            .select_related("organization")
            .order_by("organization__name")
            .first()
        )
    return membership.organization if membership is not None else None


def sso_session_mark(session, organization_id: int) -> None:
    """Remember that this session signed in through the organization's identity provider."""
    session[SSO_SESSION_KEY] = sorted(set(session.get(SSO_SESSION_KEY, [])) | {organization_id})


def sso_session_required(session, membership: Membership) -> bool:
    """Whether `membership`'s organization requires SSO of this session and it has not signed in
    through the organization's identity provider (a password login, or another organization's)."""
    if membership.role == MembershipRole.OWNER or membership.organization_id in session.get(SSO_SESSION_KEY, []):
        return False
    return authcache.organization_requires_sso(membership.organization_id)
