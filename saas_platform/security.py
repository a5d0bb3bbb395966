"""The Content-Security-Policy of every response (django-csp, policy in settings.CONTENT_SECURITY_POLICY).

HTML pages get the strict policy of the settings: scripts, styles, fonts and images only from
Wirebook's own origin, no inline script or style, no plugins, no framing, forms only to
Wirebook. Any other response (the REST, GraphQL and platform APIs' JSON, plain-text refusals,
file downloads) gets `default-src 'none'; frame-ancestors 'none'`: opened in a browser it may
load nothing and be framed by no one.

The one relaxation is `form-action` on pages whose form is answered with a redirect to another
site, which browsers check against that directive too: single sign-on (to the organization's
identity provider, any host) and billing (to Stripe's hosted pages); see `allow_form_targets`.
"""

from csp.constants import NONE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

NON_HTML_POLICY = {"default-src": [NONE], "frame-ancestors": [NONE]}
# Where Stripe's Checkout and billing portal live (saas_platform.billing.views redirects there).
STRIPE_ORIGINS = ("https://checkout.stripe.com", "https://billing.stripe.com")


def _is_html(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().lower() == "text/html"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and not _is_html(response):
            return PolicyParts(config=NON_HTML_POLICY)
        return parts


def allow_form_targets(response: HttpResponseBase, *sources: str) -> HttpResponseBase:
    """Let the forms of this page lead to `sources` as well as to Wirebook (CSP `form-action`).
    For pages whose form Wirebook answers with a redirect to another site: browsers refuse that
    redirect unless the page's policy allows its target."""
    update = dict(getattr(response, "_csp_update", None) or {})
    update["form-action"] = [*update.get("form-action", []), *sources]
    response._csp_update = update  # type: ignore[attr-defined]  # django-csp's per-response update
    return response


def identity_provider_sources() -> tuple[str, ...]:
    """Where single sign-on may send a browser: any organization's identity provider, so any
    https site (and http ones where `SSO_ALLOW_INSECURE_HTTP` allows them)."""
    return ("https:", "http:") if settings.SSO_ALLOW_INSECURE_HTTP else ("https:",)
