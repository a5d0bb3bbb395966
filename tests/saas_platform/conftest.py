"""Fixtures of the platform tests: the identity providers the SSO tests sign in with
(tests/identity_providers.py) and the fake Stripe the billing tests pay with
(tests/saas_platform/fake_stripe.py), one of each per test module, reset for each test."""

import shutil

import pytest

from tests.dns_server import dns  # noqa: F401 -- the loopback DNS server fixture
from tests.identity_providers import OIDCProvider, SAMLIdP
from tests.saas_platform.fake_stripe import PLANS, SECRET_KEY, WEBHOOK_SECRET, FakeStripe
from tests.saas_platform.sso_flows import ALICE


@pytest.fixture(scope="module")
def oidc_idp():
    provider = OIDCProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc(oidc_idp, settings, dns):  # noqa: F811
    """The module's OIDC provider, reset to behave (it speaks plain http on loopback); email domains
    are verified on the loopback DNS server."""
    settings.SSO_ALLOW_INSECURE_HTTP = True
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    oidc_idp.signing_key = oidc_idp.published_key
    oidc_idp.audience = None
    oidc_idp.login_as(ALICE)
    oidc_idp.errors.clear()
    yield oidc_idp
    assert not oidc_idp.errors, oidc_idp.errors


@pytest.fixture(scope="module")
def saml_idp(tmp_path_factory):
    if shutil.which("xmlsec1") is None:
        pytest.fail(
            "the SAML IdP (pysaml2) signs with the xmlsec1 program: run `make install` (Debian package xmlsec1)"
        )
    idp = SAMLIdP(tmp_path_factory.mktemp("saml-idp")).start()
    yield idp
    idp.stop()


@pytest.fixture
def saml(saml_idp, dns):  # noqa: F811
    saml_idp.signing = saml_idp.published
    saml_idp.audience = None
    saml_idp.login_as(ALICE)
    saml_idp.errors.clear()
    yield saml_idp
    assert not saml_idp.errors, saml_idp.errors


@pytest.fixture(scope="module")
def fake_stripe():
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_on(settings, fake_stripe):
    """Billing on, talking to the module's fake Stripe."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake_stripe.url
    settings.BILLING_GRACE_DAYS = 7
    settings.WIREBOOK_PLANS = PLANS
    return fake_stripe
