"""The Content-Security-Policy of every response (django-csp, policy in settings.CONTENT_SECURITY_POLICY).

HTML pages get the strict policy of the settings: scripts, styles, fonts and images only from
Wirebook's own origin, no inline script or style, no plugins, no framing, forms only to
Wirebook. Any other response (the REST, GraphQL and platform APIs' JSON, plain-text refusals,
file downloads) gets `default-src 'none'; frame-ancestors 'none'`: opened in a browser it may
load nothing and be framed by no one.

The one relaxation is `form-action` on the pages whose form Wirebook answers with a redirect to
another site, which browsers check against that directive too: the single sign-on login pages
(ours and allauth's per provider) lead to an identity provider that only the typed organization
or address reveals, so any https site; the billing page leads to Stripe's hosted pages. They are
named here by URL name, in one table, and nowhere else.

Another is `font-src data:` on GraphiQL's page (`/graphql/` in a browser): its vendored stylesheet
embeds its fonts as data: URLs. A font cannot run code; the page's scripts stay as strict.

The last is `img-src` of the map tiles' host where the deployment draws maps (`WIREBOOK_MAP_TILES_URL`):
an object's map loads its tiles from there. Images only: scripts and requests stay Wirebook's own.
"""

from csp.constants import NONE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from saas_platform.maptiles import map_tile_source

NON_HTML_POLICY = {"default-src": [NONE], "frame-ancestors": [NONE]}
# Where Stripe's Checkout and billing portal live (frontend.settings.billing redirects there).
STRIPE_ORIGINS = ("https://checkout.stripe.com", "https://billing.stripe.com")
# Pages (URL names) whose form leads to an identity provider: /login/sso/ and allauth's login
# confirmation page of an organization's OpenID Connect or SAML provider.
IDENTITY_PROVIDER_PAGES = frozenset({"sso_login", "openid_connect_login", "saml_login"})
STRIPE_PAGES = frozenset({"billing"})
# Pages whose stylesheets embed their fonts (frontend/static/frontend/vendor/graphiql/graphiql.min.css).
DATA_FONT_PAGES = frozenset({"graphql"})


def _is_html(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().lower() == "text/html"


def identity_provider_sources() -> tuple[str, ...]:
    """Where single sign-on may send a browser: any organization's identity provider, so any
    https site (and http ones where `SSO_ALLOW_INSECURE_HTTP` allows them)."""
    return ("https:", "http:") if settings.SSO_ALLOW_INSECURE_HTTP else ("https:",)


def _url_name(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.url_name if match is not None else None


def form_targets(request: HttpRequest) -> tuple[str, ...]:
    """Other sites the forms of this request's page may lead to (besides Wirebook itself)."""
    url_name = _url_name(request)
    if url_name in IDENTITY_PROVIDER_PAGES:
        return identity_provider_sources()
    if url_name in STRIPE_PAGES:
        return STRIPE_ORIGINS
    return ()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        if not _is_html(response):
            return PolicyParts(config=NON_HTML_POLICY)
        update = dict(parts.update or {})
        targets = form_targets(request)
        if targets:
            update["form-action"] = [*update.get("form-action", []), *targets]
        if _url_name(request) in DATA_FONT_PAGES:
            update["font-src"] = [*update.get("font-src", []), "data:"]
        if (tiles := map_tile_source(settings.WIREBOOK_MAP_TILES_URL)) is not None:
            update["img-src"] = [*update.get("img-src", []), tiles]
        if update:
            parts.update = update
        return parts
