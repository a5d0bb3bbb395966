"""Fixtures of the security tests: the identity providers and the loopback DNS server of the
platform tests."""

from tests.dns_server import dns  # noqa: F401
from tests.saas_platform.conftest import oidc, oidc_idp, saml, saml_idp  # noqa: F401
