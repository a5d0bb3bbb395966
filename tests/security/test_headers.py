"""Security headers: the Content-Security-Policy of pages and APIs (saas_platform.security), and
with DEBUG off https only -- the redirect, HSTS, secure cookies -- checked by Django's own
`check --deploy` in a production-like environment."""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
STRICT_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in filter(None, (part.strip() for part in policy.split(";"))):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def production_environment(**overrides: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DEBUG", "SECRET_KEY"))}
    environment.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        WIREBOOK_ENCRYPTION_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS=".wirebook.example.com,wirebook.example.com",
        WIREBOOK_BASE_DOMAIN="wirebook.example.com",
        DJANGO_SETTINGS_MODULE="saas_platform.settings",
    )
    environment.update(overrides)
    return environment


def run(args: list[str], **overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=production_environment(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_settings(**overrides: str) -> dict:
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_REDIRECT_EXEMPT",
        "SECURE_REFERRER_POLICY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "X_FRAME_OPTIONS",
    ]
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}))"
    )
    result = run(["-c", script], **overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Content-Security-Policy --------------------------------------------------------------


def test_pages_get_the_strict_policy(org_a):
    for response in (Client().get("/login/"), org_a.client().get("/o/org-a/dcim/sites/")):
        assert response.status_code == 200
        assert directives(response["Content-Security-Policy"]) == STRICT_DIRECTIVES


def test_api_responses_may_load_nothing_and_be_framed_by_no_one(org_a):
    for response in (
        Client().get("/healthz"),
        Client().get("/api/platform/me/"),
        org_a.client().get("/o/org-a/api/dcim/sites/"),
        org_a.client().get("/o/org-a/api/status/"),
    ):
        assert response["Content-Type"].startswith("application/json")
        assert directives(response["Content-Security-Policy"]) == {
            "default-src": ["'none'"],
            "frame-ancestors": ["'none'"],
        }


def test_every_response_refuses_framing_and_sniffing(org_a):
    for response in (Client().get("/login/"), org_a.client().get("/o/org-a/api/dcim/sites/")):
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


@override_settings(SSO_ALLOW_INSECURE_HTTP=False)
def test_the_sso_login_form_may_lead_to_any_https_identity_provider(db):
    # Its answer is a redirect to the organization's identity provider: browsers check it against form-action.
    page = Client().get("/login/sso/")

    policy = directives(page["Content-Security-Policy"])
    assert policy["form-action"] == ["'self'", "https:"]
    assert policy["script-src"] == ["'self'"]


@override_settings(SSO_ALLOW_INSECURE_HTTP=True)
def test_the_sso_login_form_may_lead_to_http_providers_where_they_are_allowed(db):
    page = Client().post("/login/sso/", {"organization": "no-such-organization"})

    assert page.status_code == 400
    assert directives(page["Content-Security-Policy"])["form-action"] == ["'self'", "https:", "http:"]


@override_settings(SSO_ALLOW_INSECURE_HTTP=False)
@pytest.mark.parametrize("path", ["/accounts/oidc/org-a/login/", "/accounts/saml/org-a/login/"])
def test_allauths_provider_login_pages_may_lead_to_identity_providers(db, path):
    page = Client(raise_request_exception=False).get(path)

    assert page.resolver_match is not None and page.resolver_match.url_name in {"openid_connect_login", "saml_login"}
    assert directives(page["Content-Security-Policy"])["form-action"] == ["'self'", "https:"]


def test_the_billing_page_forms_may_lead_to_stripe_only(org_a):
    page = org_a.client().get("/o/org-a/settings/billing/")

    assert page.status_code == 200
    assert directives(page["Content-Security-Policy"])["form-action"] == [
        "'self'",
        "https://checkout.stripe.com",
        "https://billing.stripe.com",
    ]


def test_other_pages_forms_stay_on_wirebook(org_a):
    for path in ("/o/org-a/settings/", "/o/org-a/settings/sso/", "/o/org-a/settings/members/"):
        assert directives(org_a.client().get(path)["Content-Security-Policy"])["form-action"] == ["'self'"]


# --- https when DEBUG is off --------------------------------------------------------------


def test_deploy_check_is_clean_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_warns_when_the_https_redirect_is_turned_off():
    # Behind a proxy that redirects by itself the operator may turn it off; the check still says so.
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], SECURE_SSL_REDIRECT="false")

    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_production_defaults():
    values = production_settings()

    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_REDIRECT_EXEMPT": ["^healthz$"],
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "X_FRAME_OPTIONS": "DENY",
    }


def test_proxy_header_hsts_and_redirect_are_configurable():
    values = production_settings(
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Scheme: https",
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_PRELOAD="true",
        SECURE_SSL_REDIRECT="false",
    )

    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_SCHEME", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_SSL_REDIRECT"] is False
    assert production_settings(SECURE_PROXY_SSL="false")["SECURE_PROXY_SSL_HEADER"] is None


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto", "SECURE_PROXY_SSL_HEADER must look like"),
        ("SECURE_REFERRER_POLICY", "no-referrer", "would make CSRF refuse forms"),
        ("SECURE_HSTS_SECONDS", "a year", "SECURE_HSTS_SECONDS must be an integer"),
    ],
)
def test_bad_security_settings_stop_start_up(variable, value, message):
    result = run(["-c", "import django; django.setup()"], **{variable: value})

    assert result.returncode != 0
    assert message in result.stderr


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_http_is_redirected_to_https_except_the_health_check(db):
    client = Client()

    plain = client.get("/login/?next=/o/org-a/")
    probe = client.get("/healthz")
    proxied = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")

    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/login/?next=/o/org-a/"
    assert probe.status_code == 200  # load balancers probe over http
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in probe
