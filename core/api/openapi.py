"""The OpenAPI 3 document of the REST API, derived from the registry like the endpoints.

Operation ids and component names follow NetBox's drf-spectacular document
(`dcim_sites_list`, `dcim_sites_create`, `Site`, `BriefSite`, `WritableSiteRequest`,
`PaginatedSiteList`…) so clients generated from NetBox's schema find the same names.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from core.api.endpoints import API_VERSION
from core.customfields import supports_custom_fields
from core.fields import has_tags, kind_of, typed_renderer
from core.filters import filters_for
from core.registry import ObjectSpec, Route, registry
from core.representation import field_names, shown_names
from core.writes import writable_fields

COMMON_LIST_PARAMETERS = [
    ("limit", "integer", "Number of results to return per page (at most 1000; 0 means 1000)."),
    ("offset", "integer", "The initial index from which to return the results."),
    ("start", "integer", "Cursor paging: return objects with an id at least this (not with offset)."),
    ("brief", "boolean", "Return the brief representation."),
    ("fields", "string", "Comma-separated fields to return."),
    ("omit", "string", "Comma-separated fields to leave out."),
    ("ordering", "string", "Comma-separated fields to order by; prefix with - for descending."),
    ("q", "string", "Free-text search."),
]


def component(spec: ObjectSpec) -> str:
    return spec.model.__name__  # the model's object_name


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _read_field(spec: ObjectSpec, name: str, written: set[str]) -> dict:
    if name in ("id",):
        return {"type": "integer", "readOnly": True}
    if name in ("url", "display_url"):
        return {"type": "string", "format": "uri", "readOnly": True}
    if name == "display":
        return {"type": "string", "readOnly": True}
    if name in ("_depth", *spec.api.counts, *spec.api.zero_counts):
        return {"type": "integer", "readOnly": True}
    if name == "tags":
        return {"type": "array", "items": _ref("NestedTag")}
    if name == "custom_fields":
        return {"type": "object", "additionalProperties": {}}
    if name in spec.api.renderers:
        schema = typed_renderer(spec, name).type.openapi()
        if name not in written:
            schema["readOnly"] = True
        return schema
    field = spec.model._meta.get_field(name)
    kind = kind_of(field)
    if kind.schema is None:
        raise ImproperlyConfigured(f"{spec.model._meta.label}.{name} ({kind.name}) needs a registration renderer")
    schema = kind.schema(field)
    if name in ("created", "last_updated"):
        schema["readOnly"] = True
    return schema


def _write_field(field: models.Field) -> dict:
    kind = kind_of(field)
    schema = kind.write_schema or kind.schema
    if schema is None:
        raise ImproperlyConfigured(f"{field} ({kind.name}) is written, but its kind has no OpenAPI schema")
    return schema(field)


def _object_schemas(spec: ObjectSpec) -> dict[str, dict]:
    name = component(spec)
    written = (
        set()
        if spec.access.read_only
        else {f.name for f in writable_fields(spec)} | set(spec.api.write_aliases) | set(spec.api.write_extras)
    )
    full = {name: _read_field(spec, name, written) for name in field_names(spec)}
    # What a brief list shows: the nested form and the counts brief lists add (not required: nesting omits them).
    brief = {name: _read_field(spec, name, written) for name in shown_names(spec, brief=True, listed=True)}
    schemas = {
        name: {"type": "object", "properties": full, "required": [n for n in ("id", "url", "display") if n in full]},
        f"Brief{name}": {"type": "object", "properties": brief},
        f"Paginated{name}List": {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer", "nullable": True},
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "results": {"type": "array", "items": _ref(name)},
            },
        },
    }
    if not spec.access.read_only:
        fields = writable_fields(spec)
        # Written under NetBox's name where the model field is named otherwise (`user` for `user_id`).
        aliases = {field: alias for alias, field in spec.api.write_aliases.items()}
        properties = {aliases.get(field.name, field.name): _write_field(field) for field in fields}
        for extra_name, extra in spec.api.write_extras.items():
            properties[extra_name] = {**extra.type.openapi(), "writeOnly": True} | (
                {"description": extra.description} if extra.description else {}
            )
        if has_tags(spec.model):
            properties["tags"] = {"type": "array", "items": {"oneOf": [{"type": "integer"}, {"type": "object"}]}}
        if supports_custom_fields(spec.model):
            properties["custom_fields"] = {"type": "object", "additionalProperties": {}}
        required = [
            aliases.get(f.name, f.name)
            for f in fields
            if not f.blank and not f.null and not f.has_default() and not f.many_to_many
        ]
        schemas[f"Writable{name}Request"] = {"type": "object", "properties": properties, "required": required}
        schemas[f"PatchedWritable{name}Request"] = {"type": "object", "properties": properties}
    return schemas


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


# What every operation may answer besides success, in NetBox's shapes: `{"detail": ...}` (403,
# 404, 405 and the refusals no field causes) or the field errors of a bad request (400).
ERROR_RESPONSES = {
    "400": {"description": "Invalid input: the errors by field", "content": _json(_ref("FieldErrors"))},
    "403": {"description": "Not authenticated, or not permitted", "content": _json(_ref("Detail"))},
    "404": {"description": "No such object (or not visible to the caller)", "content": _json(_ref("Detail"))},
}
ERROR_SCHEMAS: dict[str, dict] = {
    "Detail": {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}},
    # `{"field": ["message"]}`, or a bulk request's `{"detail": ..., "errors": [{"index": ..., "errors": ...}]}`
    "FieldErrors": {"type": "object", "additionalProperties": True},
}


def _operation(
    operation_id: str, tag: str, *, parameters=(), body=None, form=None, response=None, status="200"
) -> dict:
    operation: dict = {
        "operationId": operation_id,
        "tags": [tag],
        "parameters": list(parameters),
        "security": [{"tokenAuth": []}, {"cookieAuth": []}],
        "responses": {status: {"description": ""} | ({"content": _json(response)} if response else {})}
        | ERROR_RESPONSES,
    }
    if body is not None:
        operation["requestBody"] = {"content": _json(body), "required": True}
        if form is not None:  # also sent as a multipart/form-data upload (one object)
            operation["requestBody"]["content"]["multipart/form-data"] = {"schema": form}
    return operation


def _uploads(spec: ObjectSpec) -> bool:
    """Whether the model's writes carry a file (an image attachment's `image`), sent as multipart/form-data."""
    return any(extra.type.schema.get("format") == "binary" for extra in spec.api.write_extras.values())


def _filter_parameters(spec: ObjectSpec) -> list[dict]:
    parameters = [
        {"name": name, "in": "query", "required": False, "description": description, "schema": {"type": kind}}
        for name, kind, description in COMMON_LIST_PARAMETERS
    ]
    for name in sorted(filters_for(spec.model)):
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": {"type": "array", "items": {"type": "string"}},
                "explode": True,
                "style": "form",
            }
        )
    return parameters


def _paths(spec: ObjectSpec) -> dict[str, dict]:
    name, tag = component(spec), spec.api_app
    base = f"{spec.api_app}_{spec.api_name}"
    id_parameter = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    list_path: dict = {
        "get": _operation(
            f"{base}_list", tag, parameters=_filter_parameters(spec), response=_ref(f"Paginated{name}List")
        )
    }
    detail_path: dict = {"get": _operation(f"{base}_retrieve", tag, parameters=[id_parameter], response=_ref(name))}
    if not spec.access.read_only:
        writable, patched = _ref(f"Writable{name}Request"), _ref(f"PatchedWritable{name}Request")
        uploads = _uploads(spec)
        many = {"type": "array", "items": writable}
        id_list = {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}}}}
        list_path |= {
            # A list creates in bulk and answers with a list (an empty one for `[]`).
            "post": _operation(
                f"{base}_create",
                tag,
                body={"oneOf": [writable, many]},
                form=writable if uploads else None,
                response={"oneOf": [_ref(name), {"type": "array", "items": _ref(name)}]},
                status="201",
            ),
            "put": _operation(
                f"{base}_bulk_update", tag, body=id_list, response={"type": "array", "items": _ref(name)}
            ),
            "patch": _operation(
                f"{base}_bulk_partial_update", tag, body=id_list, response={"type": "array", "items": _ref(name)}
            ),
            "delete": _operation(f"{base}_bulk_destroy", tag, body=id_list, status="204"),
        }
        if spec.api.list_methods is not None:
            list_path = {method: op for method, op in list_path.items() if method.upper() in spec.api.list_methods}
        detail_path |= {
            "put": _operation(
                f"{base}_update",
                tag,
                parameters=[id_parameter],
                body=writable,
                form=writable if uploads else None,
                response=_ref(name),
            ),
            "patch": _operation(
                f"{base}_partial_update",
                tag,
                parameters=[id_parameter],
                body=patched,
                form=patched if uploads else None,
                response=_ref(name),
            ),
            "delete": _operation(f"{base}_destroy", tag, parameters=[id_parameter], status="204"),
        }
    prefix = f"/api/{spec.api_app}/{spec.api_path}/"
    paths = {prefix: list_path, prefix + "{id}/": detail_path}
    for extra in spec.api.routes:
        key = prefix + ("{id}/" if extra.detail else "") + (f"{extra.name}/" if extra.name else "")
        paths[key] = paths.get(key, {}) | _route_path(spec, extra, id_parameter)
    return paths


def _paginated(items: dict) -> dict:
    """A NetBox page (`count`, `next`, `previous`, `results`) of `items`."""
    return {
        "type": "object",
        "required": ["count", "results"],
        "properties": {
            "count": {"type": "integer"},
            "next": {"type": "string", "format": "uri", "nullable": True},
            "previous": {"type": "string", "format": "uri", "nullable": True},
            "results": {"type": "array", "items": items},
        },
    }


# The operation-id suffix of an extra route by method, as NetBox's document names them.
ROUTE_VERBS = {"GET": "retrieve", "POST": "create", "PUT": "update", "PATCH": "partial_update", "DELETE": "destroy"}


def _route_path(spec: ObjectSpec, extra: Route, id_parameter: dict) -> dict:
    base = "_".join(part for part in (spec.api_app, spec.api_name, extra.name.replace("-", "_")) if part)
    parameters = [id_parameter] if extra.detail else []
    response = extra.response
    if extra.paginated:
        parameters += [
            {"name": name, "in": "query", "required": False, "description": description, "schema": {"type": kind}}
            for name, kind, description in COMMON_LIST_PARAMETERS
            if name in ("limit", "offset", "q") and not any(own["name"] == name for own in extra.parameters)
        ]
        response = _paginated(extra.response)
    parameters += [dict(parameter, **{"in": "query"}) for parameter in extra.parameters]
    path = {}
    for method in extra.methods:
        verb = extra.verbs.get(method) or ("list" if method == "GET" and not extra.detail else ROUTE_VERBS[method])
        operation = _operation(
            f"{base}_{verb}",
            spec.api_app,
            parameters=parameters,
            body=extra.request if method in ("POST", "PUT", "PATCH") else None,
            response=extra.responses.get(method, response),
            status="201" if method == "POST" else "200",
        )
        if extra.summary:
            operation["description"] = extra.summary
        path[method.lower()] = operation
    return path


def _fixed_paths() -> dict[str, dict]:
    """The paths that are not a registered model's: status, schema, the caller, object types,
    members, tokens and NetBox's user groups and plugins (none in Wirebook)."""
    id_parameter = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    page = [
        {"name": name, "in": "query", "required": False, "description": description, "schema": {"type": kind}}
        for name, kind, description in COMMON_LIST_PARAMETERS
        if name in ("limit", "offset")
    ]
    anything = {"type": "object", "additionalProperties": True}

    def read(operation_id: str, tag: str, response: dict, *, detail: bool = False, listed: bool = False) -> dict:
        parameters = [id_parameter] if detail else page if listed else []
        return {"get": _operation(operation_id, tag, parameters=parameters, response=response)}

    return {
        "/api/status/": read("status_retrieve", "status", anything),
        "/api/schema/": read("schema_retrieve", "schema", anything),
        "/api/authentication-check/": read("authentication_check_retrieve", "authentication-check", anything),
        "/api/plugins/installed-plugins/": read(
            "plugins_installed_plugins_retrieve", "plugins", {"type": "array", "items": anything}
        ),
        "/api/core/object-types/": read("core_object_types_list", "core", _paginated(anything), listed=True),
        "/api/core/object-types/{id}/": read("core_object_types_retrieve", "core", anything, detail=True),
        "/api/users/config/": read("users_config_retrieve", "users", anything),
        "/api/users/groups/": read("users_groups_list", "users", _paginated(anything), listed=True),
        "/api/users/groups/{id}/": read("users_groups_retrieve", "users", anything, detail=True),
        "/api/users/users/": read("users_users_list", "users", _paginated(anything), listed=True),
        "/api/users/users/{id}/": read("users_users_retrieve", "users", anything, detail=True),
        "/api/users/tokens/": read("users_tokens_list", "users", _paginated(anything), listed=True)
        | {"post": _operation("users_tokens_create", "users", body=anything, response=anything, status="201")},
        "/api/users/tokens/{id}/": read("users_tokens_retrieve", "users", anything, detail=True)
        | {"delete": _operation("users_tokens_destroy", "users", parameters=[id_parameter], status="204")},
    }


# Ansible's nb_inventory reads the filters of these two lists from the document under the path its
# `api_endpoint` URL has (NetBox under a BASE_PATH lists every path with it), while pynetbox's strict
# filters look paths up relative to the API root: under `/o/<slug>/` both forms are listed for these.
PATHS_READ_UNDER_BASE_PATH = ("/api/dcim/devices/", "/api/virtualization/virtual-machines/")


def with_base_path_aliases(document: dict, base_path: str) -> dict:
    """The document with the lists of `PATHS_READ_UNDER_BASE_PATH` also under `base_path` (when there is
    one): their GET alone, which is what is read there, under an operation id of its own."""
    if base_path:
        paths = document["paths"]
        for path in PATHS_READ_UNDER_BASE_PATH:
            if path in paths:
                operation = paths[path]["get"]
                paths[base_path + path] = {
                    "get": {**operation, "operationId": f"{operation['operationId']}_under_organization_path"}
                }
    return document


def openapi_document(server_url: str, organization=None) -> dict:
    """The document of Wirebook's own models and of the plugins `organization` enabled (None: none)."""
    specs = sorted(registry.for_organization(organization), key=lambda s: (s.api_app, s.api_path))
    schemas: dict[str, dict] = {
        "NestedTag": {
            "type": "object",
            "properties": {
                name: {"type": "string"} for name in ("url", "display_url", "display", "name", "slug", "color")
            }
            | {"id": {"type": "integer"}},
        }
    }
    schemas.update(ERROR_SCHEMAS)
    paths: dict[str, dict] = _fixed_paths()
    for spec in specs:
        schemas.update(_object_schemas(spec))
        paths.update(_paths(spec))
    paths = dict(sorted(paths.items()))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Wirebook REST API",
            "version": API_VERSION,
            "description": "NetBox-compatible REST API of one Wirebook organization.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "tokenAuth": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Bearer nbt_<key>.<secret>` (v2) or `Token <40 hex>` (v1).",
                },
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
            },
        },
    }
