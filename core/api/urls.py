"""Mounts the REST API (`/api/…` inside an organization) from the registry."""

from django.http import HttpRequest
from django.urls import get_script_prefix
from ninja import NinjaAPI, Router

from core.api import endpoints, users
from core.api.openapi import openapi_document
from core.api.search import search_view
from core.registry import ObjectSpec, Route, registry
from tenants.requests import OrganizationRequest


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
        read_only if spec.access.read_only else ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        list_view,
        url_name=f"{spec.url_name}-list",
        operation_id=f"{spec.api_app}_{spec.api_path.replace('-', '_')}_list",
    )
    router.add_api_operation(
        item,
        read_only if spec.access.read_only else ["GET", "PUT", "PATCH", "DELETE"],
        detail_view,
        url_name=f"{spec.url_name}-detail",
        operation_id=f"{spec.api_app}_{spec.api_path.replace('-', '_')}_retrieve",
    )
    for extra in spec.api.routes:
        _add_route(router, spec, extra)
    return router


def _add_route(router: Router, spec: ObjectSpec, extra: Route) -> None:
    name = spec.model._meta.model_name
    suffix = extra.name.replace("-", "_")
    if extra.detail:

        def view(request: OrganizationRequest, id: int):
            return endpoints.run(request, lambda r, a: endpoints.route(spec, extra, r, a, id))

        path, kind = f"/{spec.api_path}/{{int:id}}/{extra.name}/", "detail"
    else:

        def view(request: OrganizationRequest):  # type: ignore[misc]
            return endpoints.run(request, lambda r, a: endpoints.route(spec, extra, r, a))

        path, kind = f"/{spec.api_path}/{extra.name}/", "list"
    view.__name__ = f"{spec.api_app}_{name}_{suffix}"
    router.add_api_operation(
        path,
        list(extra.methods),
        view,
        url_name=f"{spec.url_name}-{extra.name}",
        operation_id=f"{spec.api_app}_{spec.api_path.replace('-', '_')}_{suffix}_{kind}",
    )


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

    api.add_router("/users/", router)


def build_api() -> NinjaAPI:
    api = NinjaAPI(
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
        # Served to anyone, for every organization alike (existing or not), as NetBox does.
        server = request.build_absolute_uri(get_script_prefix()).rstrip("/")
        return endpoints.json_response(openapi_document(server))

    @api.get("/", include_in_schema=False, url_name="root")
    def root(request: OrganizationRequest):
        return endpoints.run(request, lambda r, a: endpoints.json_response(endpoints.api_root_links(r, registry)))

    @api.get("/status/", url_name="status")
    def status(request: OrganizationRequest):
        return endpoints.run(request, lambda r, a: endpoints.json_response(endpoints.status_body(r)))

    @api.get("/search/", url_name="search", operation_id="search")
    def search(request: OrganizationRequest):
        return endpoints.run(request, search_view)

    _users_routes(api)
    for app in sorted({spec.api_app for spec in registry}):
        app_router = Router()
        for spec in registry:
            if spec.api_app == app:
                app_router.add_router("", _routes(spec))
        api.add_router(f"/{app}/", app_router)
    return api
