"""Mounts the REST API (`/api/…` inside an organization) from the registry."""

from django.db import transaction
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, get_script_prefix
from ninja import NinjaAPI, Router

from core.api import endpoints, object_types, users
from core.api.openapi import openapi_document, with_base_path_aliases
from core.api.search import search_view
from core.plugins import gated, not_found
from core.registry import PLUGINS_APP, ObjectSpec, Route, registry
from tenants import authcache
from tenants.plugins import enabled_plugins, installed_plugins, plugin_summary
from tenants.requests import OrganizationRequest
from tenants.tokens import TokenAuthenticationFailed, TokenForAnotherOrganization, TokenNotProvided, authenticate_token

# What a writable model's list answers (Api.list_methods may narrow it).
LIST_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _routes(spec: ObjectSpec) -> Router:
    router = Router(tags=[f"{spec.api_app}"])
    base = f"/{spec.api_path}/"
    item = f"/{spec.api_path}/{{int:id}}/"
    name = spec.model._meta.model_name

    def list_view(request: OrganizationRequest):
        handlers = {
            "GET": endpoints.list_objects,
            "HEAD": endpoints.list_objects,
            "POST": endpoints.create_objects,
            "PUT": endpoints.update_many,
            "PATCH": endpoints.update_many,
            "DELETE": endpoints.delete_many,
            "OPTIONS": endpoints.options,
        }
        return endpoints.run(request, handlers[request.method], spec)

    def detail_view(request: OrganizationRequest, id: int):
        handlers = {
            "GET": endpoints.get_one,
            "HEAD": endpoints.get_one,
            "PUT": endpoints.update_one,
            "PATCH": endpoints.update_one,
            "DELETE": endpoints.delete_one,
        }
        return endpoints.run(request, lambda r, a: handlers[r.method](spec, r, a, id))

    list_view.__name__ = f"{spec.api_app}_{name}_list"
    detail_view.__name__ = f"{spec.api_app}_{name}_detail"
    read_only = ["GET"]
    router.add_api_operation(
        base,
        read_only if spec.access.read_only else list(spec.api.list_methods or LIST_METHODS),
        gated(spec, list_view),
        url_name=f"{spec.url_name}-list",
        operation_id=f"{spec.api_app}_{spec.api_name}_list",
    )
    router.add_api_operation(
        item,
        read_only if spec.access.read_only else ["GET", "PUT", "PATCH", "DELETE"],
        gated(spec, detail_view),
        url_name=f"{spec.url_name}-detail",
        operation_id=f"{spec.api_app}_{spec.api_name}_retrieve",
    )
    for extra in spec.api.routes:
        _add_route(router, spec, extra)
    return router


def _route_url_name(spec: ObjectSpec, extra: Route) -> str:
    return f"{spec.url_name}-{extra.name or 'detail'}"


def _add_route(router: Router, spec: ObjectSpec, extra: Route) -> None:
    assert extra.name or not extra.own_transaction, "a route with its own transaction has a path of its own"
    name = spec.model._meta.model_name
    suffix = extra.name.replace("-", "_") or "_".join(extra.methods).lower()
    if extra.detail:

        def view(request: OrganizationRequest, id: int):
            return endpoints.run(request, lambda r, a: endpoints.route(spec, extra, r, a, id))

        # A route without a name is another method on the object itself (NetBox's POST that runs a script).
        path, kind = f"/{spec.api_path}/{{int:id}}/" + (f"{extra.name}/" if extra.name else ""), "detail"
    else:

        def view(request: OrganizationRequest):  # type: ignore[misc]
            return endpoints.run(request, lambda r, a: endpoints.route(spec, extra, r, a))

        path, kind = f"/{spec.api_path}/{extra.name}/", "list"
    view.__name__ = f"{spec.api_app}_{name}_{suffix}"
    router.add_api_operation(
        path,
        list(extra.methods),
        gated(spec, view),
        url_name=_route_url_name(spec, extra),
        operation_id=f"{spec.api_app}_{spec.api_name}_{suffix}_{kind}",
    )


# The routes of an app that are not the registry's (mounted by _users_routes, _core_routes).
OWN_ROUTES = {"users": ("config", "groups", "tokens", "users"), "core": ("object-types",)}


def _users_routes(api: NinjaAPI) -> None:
    """Members and tokens: public-schema objects, so not derived from the registry."""
    router = Router(tags=["users"])

    @router.api_operation(["GET", "POST"], "/tokens/", url_name="users-tokens-list", operation_id="users_tokens_list")
    def tokens(request: OrganizationRequest):
        return endpoints.run(request, users.token_list)

    @router.api_operation(
        ["GET", "DELETE"], "/tokens/{int:id}/", url_name="users-tokens-detail", operation_id="users_tokens_retrieve"
    )
    def token(request: OrganizationRequest, id: int):
        return endpoints.run(request, lambda r, a: users.token_detail(r, a, id))

    @router.get("/users/", url_name="users-users-list", operation_id="users_users_list")
    def members(request: OrganizationRequest):
        return endpoints.run(request, users.user_list)

    @router.get("/users/{int:id}/", url_name="users-users-detail", operation_id="users_users_retrieve")
    def member(request: OrganizationRequest, id: int):
        return endpoints.run(request, lambda r, a: users.user_detail(r, a, id))

    @router.get("/groups/", url_name="users-groups-list", operation_id="users_groups_list")
    def groups(request: OrganizationRequest):
        return endpoints.run(request, users.group_list)

    @router.get("/groups/{int:id}/", url_name="users-groups-detail", operation_id="users_groups_retrieve")
    def group(request: OrganizationRequest, id: int):
        return endpoints.run(
            request, lambda r, a: endpoints.json_response({"detail": "No Group matches the given query."}, 404)
        )

    @router.get("/config/", url_name="users-config", operation_id="users_config_retrieve")
    def config(request: OrganizationRequest):
        return endpoints.run(request, users.user_config)

    api.add_router("/users/", router)


def _core_routes(api: NinjaAPI) -> None:
    """Object types: the registry's models under NetBox's names, so not derived from the registry."""
    router = Router(tags=["core"])

    @router.get("/object-types/", url_name="core-objecttype-list", operation_id="core_object_types_list")
    def object_type_list(request: OrganizationRequest):
        return endpoints.run(request, object_types.object_type_list)

    @router.get("/object-types/{int:id}/", url_name="core-objecttype-detail", operation_id="core_object_types_retrieve")
    def object_type(request: OrganizationRequest, id: int):
        return endpoints.run(request, lambda r, a: object_types.object_type_detail(r, a, id))

    api.add_router("/core/", router)


def _enabled_plugins(request: OrganizationRequest) -> list[dict]:
    """NetBox's shape: `name` is the plugin's verbose name, `package` its Python package."""
    enabled = enabled_plugins(request.organization)
    return [
        {
            **{key: summary[key] for key in ("package", "author", "author_email", "description", "version")},
            "name": summary["verbose_name"],
        }
        for summary in (plugin_summary(config) for name, config in installed_plugins().items() if name in enabled)
    ]


def _plugins_root(request: OrganizationRequest) -> dict:
    """NetBox's `/api/plugins/`: `installed-plugins`, then the API root of each plugin with REST routes, by
    its base URL; here only the plugins the organization enabled."""
    root = request.build_absolute_uri(request.path)
    enabled = enabled_plugins(request.organization)
    with_routes = {spec.plugin for spec in registry.installed() if spec.plugin in enabled}
    return {"installed-plugins": f"{root}installed-plugins/"} | {
        config.plugin_base_url(): f"{root}{config.plugin_base_url()}/"
        for name, config in installed_plugins().items()
        if name in with_routes
    }


def _plugin_root_links(request: OrganizationRequest, name: str) -> dict:
    root = request.build_absolute_uri(request.path)
    # A plugin's model at `plugins/<base_url>/<plural>`: its list endpoints, as an app root lists them.
    plurals = {spec.api_path.partition("/")[2] for spec in registry.installed() if spec.plugin == name}
    return {plural: f"{root}{plural}/" for plural in sorted(plurals) if "/" not in plural}


def _add_plugin_root(router: Router, name: str, base_url: str) -> None:
    """A plugin's API root (`/api/plugins/<base_url>/`): its list endpoints; a 404 where it is not enabled."""

    def plugin_root(request: OrganizationRequest):
        if name not in enabled_plugins(getattr(request, "organization", None)):
            return not_found(request)
        return endpoints.run(request, lambda r, a: endpoints.json_response(_plugin_root_links(r, name)))

    plugin_root.__name__ = f"plugins_{name}_root"
    router.add_api_operation(
        f"/{base_url}/", ["GET"], plugin_root, url_name=f"plugins-{base_url}-api-root", include_in_schema=False
    )


def _schema_organization(request: HttpRequest):
    """The organization whose plugins the served document lists: the request's, to its signed-in members
    and its API tokens; None (Wirebook's own models only) to anyone else -- a refused token included,
    which gets the anonymous document rather than a refusal -- so the document reveals nothing."""
    route = getattr(request, "organization_route", None)
    organization = getattr(route, "organization", None)
    if organization is None:
        return None
    try:
        authenticate_token(
            request.META.get("HTTP_AUTHORIZATION"),
            organization=organization,
            client_ip=request.META.get("REMOTE_ADDR", ""),
        )
    except TokenNotProvided:
        pass  # no token: a browser's session may still be a member's
    except (TokenAuthenticationFailed, TokenForAnotherOrganization):
        return None
    else:
        return organization
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return organization if authcache.membership_of(user.pk, organization.pk) is not None else None


class _Api(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        """Ninja's URLs, those of routes with their own transaction (Route.own_transaction) outside the
        request's (ATOMIC_REQUESTS)."""
        urls = super()._get_urls()
        own = {
            _route_url_name(spec, extra)
            for spec in registry.installed()
            for extra in spec.api.routes
            if extra.own_transaction
        }
        for url in urls:
            if isinstance(url, URLPattern) and url.name in own:
                url.callback = transaction.non_atomic_requests(url.callback)
        return urls


def build_api() -> NinjaAPI:
    api = _Api(
        title="Wirebook REST API",
        version=endpoints.API_VERSION,
        urls_namespace="api",
        # The document is derived from the registry (core.api.openapi), not from the handlers'
        # signatures; ninja's interactive docs would load assets from a CDN.
        openapi_url=None,
        docs_url=None,
    )

    @api.get("/schema/", url_name="schema", include_in_schema=False)
    def schema(request: HttpRequest):
        # Served to anyone, for every organization alike (existing or not), as NetBox does; only the organization's
        # signed-in members also find its enabled plugins' paths (_schema_organization).
        # Paths relative to the organization's API root (`servers`), as pynetbox's strict filters look them up.
        prefix = get_script_prefix()  # "/o/<slug>/" inside an organization reached by path, else "/"
        document = openapi_document(request.build_absolute_uri(prefix).rstrip("/"), _schema_organization(request))
        return endpoints.json_response(with_base_path_aliases(document, prefix.rstrip("/")))

    @api.get("/", include_in_schema=False, url_name="root")
    def root(request: OrganizationRequest):
        return endpoints.run(request, lambda r, a: endpoints.json_response(endpoints.api_root_links(r, registry)))

    @api.get("/status/", url_name="status")
    def status(request: OrganizationRequest):
        return endpoints.run(request, lambda r, a: endpoints.json_response(endpoints.status_body(r)))

    @api.get("/authentication-check/", url_name="authentication-check", operation_id="authentication_check")
    def authentication_check(request: OrganizationRequest):
        return endpoints.run(request, users.authentication_check)

    @api.get("/plugins/", url_name="plugins-api-root", include_in_schema=False)
    def plugins_root(request: OrganizationRequest):
        return endpoints.run(request, lambda r, a: endpoints.json_response(_plugins_root(r)))

    @api.get("/plugins/installed-plugins/", url_name="installed-plugins", operation_id="plugins_installed_plugins")
    def plugins_installed(request: OrganizationRequest):
        # NetBox's list of installed plugins (a bare list): here, those the organization enabled.
        return endpoints.run(request, lambda r, a: endpoints.json_response(_enabled_plugins(r)))

    @api.get("/search/", url_name="search", operation_id="search")
    def search(request: OrganizationRequest):
        return endpoints.run(request, search_view)

    _users_routes(api)
    _core_routes(api)
    for app in sorted({spec.api_app for spec in registry.installed()}):
        app_router = Router()
        if app == PLUGINS_APP:
            for name, config in installed_plugins().items():
                _add_plugin_root(app_router, name, config.plugin_base_url())
        else:
            _add_app_root(app_router, app, OWN_ROUTES.get(app, ()))
        for spec in registry.installed():
            if spec.api_app == app:
                app_router.add_router("", _routes(spec))
        api.add_router(f"/{app}/", app_router)
    return api


def _add_app_root(router: Router, app: str, extra: tuple[str, ...]) -> None:
    def app_root(request: OrganizationRequest):
        links = endpoints.app_root_links
        return endpoints.run(request, lambda r, a: endpoints.json_response(links(r, app, registry, extra)))

    app_root.__name__ = f"{app}_root"
    router.add_api_operation("", ["GET"], app_root, url_name=f"{app}-api-root", include_in_schema=False)
