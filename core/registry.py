"""The registry: declare a model once; REST, GraphQL, filters, search, UI and change logging derive from it.

A registration is split by layer, each layer in its own module (or package) of the app (`api`,
`filters`, `ui`, `graphql`), each a typed group of options:

    # inventory/api/sites.py -- the model's identity and its NetBox REST representation
    registry.register(Site, api=Api("dcim/sites", brief_fields=NAMED_BRIEF), search=Search(fields=("name", "slug")))
    # inventory/filters/contacts.py
    registry.extend(Site, filters={"contact": ...})
    # inventory/ui/organization.py
    registry.extend(Site, ui=Ui(menu=Menu("Organization", "Sites")))

The app's `ready()` imports its layer modules, `api` first (see `register_layers`).
"""

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from tenants.context import current_organization
from tenants.plugins import enabled_plugins, installed_plugins

if TYPE_CHECKING:
    from core.services import Services

# NetBox's navigation menus, in its order; a registration's `Ui.menu` names one and a heading in it.
MENUS = (
    "Organization", "Racks", "Devices", "Connections", "Wireless", "IPAM", "VPN", "Virtualization", "Circuits",
    "Power", "Provisioning", "Customization", "Operations", "Admin",
)  # fmt: skip


@dataclass(frozen=True)
class Route:
    """An extra REST operation on a model's list (`/api/<app>/<path>/<name>/`) or on one object
    (`/api/<app>/<path>/<id>/<name>/`), e.g. NetBox's `/prefixes/{id}/available-ips/`.

    A detail route named "" is another method on the object's own path (NetBox's POST
    `/api/extras/scripts/{id}/`, which runs the script).

    `handler(request, actor, obj)` (detail) or `handler(request, actor)` (list) returns the JSON
    body (or an HttpResponse); it runs inside the API's error handling, as the caller. Before it
    runs the caller must hold `action` on the model, and on a detail route `obj` is looked up
    among the objects that action allows (so a 404 for anything else). `response` is the OpenAPI
    schema of the answer; `request` the schema of a write's body (None: no body)."""

    name: str
    handler: Callable[..., Any]
    detail: bool = True
    methods: tuple[str, ...] = ("GET",)
    action: str = "view"
    summary: str = ""
    response: dict = field(default_factory=lambda: {"type": "object"})
    request: dict | None = None
    paginated: bool = False
    # Per method where they differ from the above: the answer's schema ({"POST": {...}}) and the verb
    # ending NetBox's operation id ({"GET": "list"}: `ipam_prefixes_available_ips_list`).
    responses: dict[str, dict] = field(default_factory=dict)
    verbs: dict[str, str] = field(default_factory=dict)
    # The route's own query parameters, as OpenAPI parameter objects (NetBox's `face`, `render`...).
    parameters: tuple[dict, ...] = ()
    # The route runs in a transaction of its own instead of the request's (a named route only): the object's
    # lookup and the handler in it, then, when the handler answered `AfterCommit`, its answer made once that
    # transaction committed -- a write holding a lock (an allocation) holds it for the write alone, not while
    # its answer is serialized.
    own_transaction: bool = False


@dataclass(frozen=True)
class AfterCommit:
    """What a handler of a route with `own_transaction` may return: `answer()` gives the JSON body once the
    route's transaction committed (the objects it renders are those written, as they were written)."""

    answer: Callable[[], Any]


@dataclass(frozen=True)
class Api:
    """The NetBox REST representation and writes; `path` ("dcim/sites") is the model's identity."""

    path: str
    brief_fields: tuple[str, ...]
    # Fields the representation carries, in order; None: derived from the model.
    fields: tuple[str, ...] | None = None
    # Fields written through the API (besides custom_fields/tags); None: every editable field.
    write_fields: tuple[str, ...] | None = None
    # Representations of fields that differ from the derived ones, with the type of what they return:
    # name -> core.fields.Rendered((obj, links) -> value, ValueType).
    renderers: dict[str, Callable] = field(default_factory=dict)
    # Counts NetBox shows on this object (e.g. {"site_count": "sites"}), annotated on lists: by a reverse
    # relation's name, or a function of the outer reference's prefix giving the count's expression
    # (objects reaching the row otherwise, e.g. through a generic scope).
    counts: dict[str, Any] = field(default_factory=dict)
    # Counts (of `counts`) NetBox's brief lists (`?brief=1`) show after the brief fields, annotated there only:
    # where the object is nested in another one (a circuit's provider) NetBox leaves them out.
    brief_counts: tuple[str, ...] = ()
    # NetBox's counts of objects Wirebook does not have yet (a device type's `device_count` before devices
    # exist): always 0, so clients that require the field find it. One moves to `counts` when its model arrives.
    zero_counts: tuple[str, ...] = ()
    # Writes of fields whose JSON form the generic layer cannot convert (e.g. "dcim.site" for a content
    # type): name -> (value, actor) -> Python value; raise ValidationError for a bad value.
    write_converters: dict[str, Callable] = field(default_factory=dict)
    # NetBox's name for a field whose model field is named otherwise: {"users": "user_ids"}.
    write_aliases: dict[str, str] = field(default_factory=dict)
    # Extra operations beside list and detail (see `Route`).
    routes: tuple[Route, ...] = ()
    # Relations the `display` string reads (a device without a name shows its type's manufacturer and
    # model): joined wherever the object is shown, nested in another one included.
    display_uses: tuple[str, ...] = ()
    # NetBox's write-only fields that are not model fields (a module's `replicate_components`, a front
    # port's `rear_ports`): name -> core.writes.WriteExtra. Read into ObjectWrite.extra, for the
    # model's services.
    write_extras: dict[str, Any] = field(default_factory=dict)
    # The methods the list answers when it serves fewer than a writable list's (None: every one its access
    # allows); the others are NetBox's 405. A script module's list takes no bulk update: JSON carries no file.
    list_methods: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Access:
    """Who may do what, beyond roles and object permissions (see core.querysets)."""

    # Written by nobody through the API or UI (e.g. the change log, written by the services).
    read_only: bool = False
    # The organization's settings: written by admins and owners only.
    admin_only: bool = False
    # The rows a member may see at all, whatever the action, role or object permissions grant:
    # actor -> Q, or None for every row (e.g. saved filters: others' private ones are hidden).
    visible_to: Callable[[Any], Q | None] | None = None
    # Rows that belong to one member (bookmarks, subscriptions, notifications): the field holding their
    # user id. Each member sees and writes only their own rows, whatever their role grants (a viewer
    # bookmarks too), and nobody else's; object permissions do not apply.
    personal: str | None = None


@dataclass(frozen=True)
class Counted:
    """A count that no reverse relation keeps (Api.counts): `expression(outer)` is the subquery counting,
    for the row (OuterRef(f"{outer}__pk"), or "pk" without `outer`), the `model` objects reaching it
    otherwise (a site's prefixes, through their scope); `model` labels the column."""

    model: type[models.Model]
    expression: Callable[[str], Any]

    def __call__(self, outer: str) -> Any:
        return self.expression(outer)


@dataclass(frozen=True)
class Search:
    """The global search index: the fields whose text is indexed, the first ones weighing most."""

    fields: tuple[str, ...] = ("name", "description")


@dataclass(frozen=True)
class Menu:
    """Where the model's list sits in the navigation: NetBox's menu and the heading within it."""

    group: str
    heading: str


@dataclass(frozen=True)
class Tab:
    """An extra tab on the object's page, at `/<app>/<path>/<id>/<name>/`.

    `view(request, spec, actor, instance)` returns (template, context) for the tab's body, the
    object page's header and tabs around it; `visible(instance)` hides the tab where it does not
    apply; `badge(actor, spec, instance)` a count shown beside the label (None: no badge), given the
    object as the page loads it (with the counts its representation annotates); `hide_if_empty`
    leaves the tab out of the row while its badge is 0 (NetBox's `hide_if_empty`: a device type's
    Interfaces tab), its page still there."""

    name: str
    label: str
    view: Callable[..., tuple[str, dict]]
    visible: Callable[[Any], bool] = lambda instance: True
    badge: Callable[..., int | None] | None = None
    hide_if_empty: bool = False


@dataclass(frozen=True)
class Panel:
    """An extra panel on the object's detail tab: `template` rendered with the page's context plus
    what `context(request, spec, actor, instance)` returns."""

    template: str
    context: Callable[..., dict] = lambda request, spec, actor, instance: {}
    # "left" under the attributes, "right" beside them, "full" across the page below both.
    column: str = "full"


@dataclass(frozen=True)
class Page:
    """A page of the model's own beside its list, at `/<app>/<name>/` (NetBox's rack elevations at
        `/dcim/rack-elevations/`): `view(request, spec, actor)` returns (template, context) -- or an HttpResponse,
    a form's POST answered with a redirect --, rendered with the
        list page's context (the model's names, its list URL, what the member may do). Listed in the
        navigation under the model's own entry."""

    name: str
    label: str
    view: Callable[..., tuple[str, dict]]


@dataclass(frozen=True)
class Export:
    """An export format of a model's own, offered on its list beside CSV, JSON and YAML (NetBox's
    device-type library YAML): `?export=<name>` answers `render(spec, queryset)` as a file."""

    name: str
    label: str
    render: Callable[..., str]
    content_type: str = "application/yaml"
    extension: str = "yaml"


@dataclass(frozen=True)
class Importer:
    """A model's own import, for records that carry more than the model's columns (a device type's
    component templates): `write(spec, actor, records, *, progress)` writes the parsed records, all or
    none, and returns frontend.transfer's ImportResult. `keys` are what a record may carry besides the
    columns, listed on the import page. `export(objects)`, when given, writes those keys for the exported
    objects (one {key: value} per object, in order, reading what it needs for all of them at once), so
    that the CSV, JSON and YAML exports import again; `prefetch` is what it reads from each object."""

    write: Callable[..., Any]
    keys: tuple[str, ...] = ()
    export: Callable[..., list[dict[str, Any]]] | None = None
    prefetch: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Ui:
    # None: the model is listed under a heading named after its app, in the menu of its API app.
    menu: Menu | None = None
    # The list page's default columns; None: derived from the representation's fields.
    table_columns: tuple[str, ...] | None = None
    # Form fields the UI cannot derive (e.g. members, who live outside the organization's schema):
    # model field name -> (bulk: bool) -> django.forms.Field. A name of `Api.write_extras` adds that
    # write-only field to the create and edit forms (its cleaned value is written as the API takes it).
    form_fields: dict[str, Callable] = field(default_factory=dict)
    # Tabs after the detail tab (before the journal and changelog), and panels on the detail tab.
    tabs: tuple[Tab, ...] = ()
    panels: tuple[Panel, ...] = ()
    # Whether the object page has a changelog tab (the change log's own entries have none).
    changelog: bool = True
    # The import page's writer when records carry more than the columns (None: the generic import),
    # and export formats of the model's own.
    importer: Importer | None = None
    exports: tuple[Export, ...] = ()
    # Fields whose value in the create form may be a pattern making several objects (NetBox's components:
    # `Gi1/0/[1-48]`), and whether the list offers to rename the selected objects (find and replace).
    name_patterns: tuple[str, ...] = ()
    bulk_rename: bool = False
    # Pages of the model's own beside its list (NetBox's rack elevations).
    pages: tuple[Page, ...] = ()
    # How the list's rows and the detail page's attributes show the objects where they show the representation
    # otherwise (the change log's type by its name, its changed object linked): `present(objects, rows, links,
    # actor)` changes the rows (representations, one per object) in place, reading what it needs for all of
    # them at once. The API and exports keep the representation.
    present: Callable[..., None] | None = None
    # Where an object sits, for its pages' breadcrumbs: the fields pointing at its parent, most specific
    # first (a device: rack, location, site); the first one set is its parent, whose own place comes before
    # it (a rack's location, that location's site, the site's region). A tree's ancestors (Region, Location)
    # come between the object and the place of its root.
    breadcrumbs: tuple[str, ...] = ()
    # The create and edit forms' sections (NetBox's fieldsets): (heading, field names) in order; fields
    # named in no section go in the first, then custom fields and tags in sections of their own. None
    # declared: one section named after the model.
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Cabling:
    """The model is a cable endpoint (NetBox's cabled objects): cables end on its objects and paths are
    traced through them. Given with `registry.extend(model, cabling=Cabling(...))` by the app that owns
    the model (circuits registers its terminations without inventory importing it).

    `kind` is NetBox's name for the model ("interface", "frontport", "circuittermination"); two kinds may
    be cabled together when either lists the other in `compatible`. `parent` is the relation to what the
    object belongs to ("device", "power_panel", "circuit"), loaded with it wherever it is shown.
    `refuse(obj)` returns NetBox's message when this object may not take a cable (a virtual interface).
    `through(objects, positions, loader)` continues a trace: given the objects a cable arrived at, the
    position stack and the trace's loader (inventory.cabling.Loader: rows read once per change), it
    returns the branches leaving on the other side as [(objects, positions)] (front and rear ports; a
    circuit's far termination); None: a path ends here (NetBox's path endpoints). It is first called once
    with every object a hop of the traces being made reached (positions empty), and should read what all of
    them need at once into `loader.memo`, so the calls per path that follow read nothing. The model has
    inventory.models.components.Cabled's fields (`cable`, `cable_end`, `mark_connected`).
    `places` says where an object stands, for the cable list's filters: {"device": "device",
    "site": "device__site", "rack": "device__rack", "location": "device__location"} (the relations from
    the model; a place the model does not have is left out)."""

    kind: str
    parent: str
    compatible: tuple[str, ...] = ()
    refuse: Callable[[Any], str | None] | None = None
    through: Callable[..., list] | None = None
    places: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class GraphQL:
    """Hand-written GraphQL fields that replace derived ones (or add fields): name -> a
    `graphene.Field` (with its resolver), or `make(types, name)` called while the types are derived
    (`types` is core.graphql.types.ObjectTypes, for fields that refer to other types) returning the
    field, or (field, Relation) for a relation the optimizer should load for many rows at once."""

    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConfigContexts:
    """The model's objects get config contexts (NetBox's devices and virtual machines): `keys(obj)` says
    what an object is matched by, one entry per assignment of a config context ("regions", "sites",
    "device_types", "roles", "platforms", "tenants", ...): an id, a tree node as `(tree_id, lft)`
    (matched by the assigned node or any above it), or None; its tags are matched without being declared.
    `select` and `prefetch` are what `keys` reads beyond the row, loaded once for a list; `local` the
    field of the object's own context data, merged last. The app owning config contexts (automation)
    derives the `config_context` field, the config template resolution and the render-config route
    from this declaration; `config_template(obj)` returns the object's preferred config template."""

    keys: Callable[[Any], dict[str, Any]]
    select: tuple[str, ...] = ()
    prefetch: tuple[Any, ...] = ()
    local: str = "local_context_data"
    config_template: Callable[[Any], Any] | None = None


# NetBox's menus by API app, for registrations that name no menu.
_MENU_BY_APP = {
    "tenancy": "Organization",
    "dcim": "Devices",
    "ipam": "IPAM",
    "circuits": "Circuits",
    "virtualization": "Virtualization",
    "vpn": "VPN",
    "wireless": "Wireless",
    "extras": "Customization",
    "core": "Operations",
    "users": "Admin",
}


def _generic_services() -> "Services":
    from core.services import Services  # core.services builds on the registry

    return Services()


@dataclass(frozen=True)
class ObjectSpec:
    model: type[models.Model]
    api: Api
    access: Access = Access()
    search: Search = Search()
    ui: Ui = Ui()
    graphql: GraphQL = GraphQL()
    # The model as a cable endpoint (None: cables do not end on it).
    cabling: Cabling | None = None
    # The model's objects get config contexts (None: they do not).
    config_contexts: ConfigContexts | None = None
    # Images may be attached to the model's objects (NetBox's image attachments: core.images).
    images: bool = False
    # The model's objects take tags and custom fields, as NetBox's do (False: NetBox's have none, e.g. its
    # component templates): the representation, filters, GraphQL, forms, imports, writes and the change
    # log's snapshot leave them out (core.fields.has_tags, core.customfields.supports_custom_fields).
    tags: bool = True
    custom_fields: bool = True
    # Other models' many-to-many fields that NetBox has on this one, by their names here (a site's `asns`,
    # IPAM's ASN.sites, since inventory does not import IPAM): the change log's snapshot shows them as its own.
    logged_relations: tuple[str, ...] = ()
    # Extra filter definitions or overrides, by filter name (see core.filters).
    filters: dict = field(default_factory=dict)
    display: Callable[[models.Model], str] = str
    # How objects are created, changed and deleted (core.services.Services): the generic services,
    # or the model's own around them. Every writer reaches them through core.usecases.
    services: "Services" = field(default_factory=_generic_services)
    # The plugin that registered the model (tenants.plugins), set by the registry while it loads the
    # plugin's registrations; None for Wirebook's own. Hidden where the organization has not enabled it.
    plugin: str | None = None

    @property
    def api_app(self) -> str:
        """NetBox's app segment: "dcim", "tenancy", "extras", ..."""
        return self.api.path.partition("/")[0]

    @property
    def api_path(self) -> str:
        """Plural kebab-case: "regions", "contact-groups" (rarely under another's: "scripts/upload")."""
        return self.api.path.partition("/")[2]

    @property
    def app_prefix(self) -> str:
        """Where the model's own pages sit beside its list: its app ("dcim"), or a plugin's
        "plugins/<base_url>"."""
        if self.plugin is not None:
            return self.api.path.rsplit("/", 1)[0]
        return self.api_app

    @property
    def api_name(self) -> str:
        """The path as operation ids and file names spell it: "contact_groups", "scripts_upload" (a path
        under another model's, as NetBox's `/api/extras/scripts/upload/`)."""
        return self.api_path.replace("-", "_").replace("/", "_")

    @property
    def type_label(self) -> str:
        """The type as NetBox names it: "dcim.site" for inventory.Site; a plugin's model by its app label
        ("maintenance.maintenancewindow"), as NetBox names plugins' models."""
        if self.plugin is not None:
            return self.model._meta.label_lower
        return f"{self.api_app}.{self.model._meta.model_name}"

    @property
    def menu(self) -> Menu:
        if self.ui.menu is not None:
            return self.ui.menu
        group = _MENU_BY_APP.get(self.api_app, self.api_app.title())
        return Menu(group, str(self.model._meta.app_config.verbose_name))

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def url_name(self) -> str:
        return f"{self.api_app}-{self.api_path.replace('/', '-')}"


# The groups `Registry.extend` may add after `register`, and their defaults.
_LAYERS = {
    f.name: f.default
    for f in fields(ObjectSpec)
    if f.name in ("access", "search", "ui", "graphql", "cabling", "config_contexts", "images")
}


def _check_images(spec: ObjectSpec) -> None:
    """`images=True` needs the model's ImageAttachmentsMixin (core.models.images): the registration offers
    images, the mixin's generic relation deletes, previews and loads them (the converse, a mixin whose
    registration never says `images=True`, is tests/core/test_registry.py's to catch)."""
    if not spec.images:
        return
    relation = next((f for f in spec.model._meta.private_fields if f.name == "images"), None)
    related = getattr(relation, "related_model", None)
    if related is None or isinstance(related, str) or related._meta.label != "core.ImageAttachment":
        raise ValueError(f"{spec.model._meta.label}: images=True needs core.models.ImageAttachmentsMixin on the model")


# The REST app segment of plugins' models: `/api/plugins/<base_url>/<plural>/`, as NetBox's.
PLUGINS_APP = "plugins"


class Registry:
    """Every registered model. Iterating it (and `in_menu_order`, `find_path`, `find_label`, `visible`)
    answers only what the selected organization sees: a plugin's models are left out where the
    organization has not enabled the plugin (with no organization selected -- at startup, in the public
    schema -- every model). `installed()` answers all of them, for what is built once for every
    organization (URL patterns, the GraphQL schema)."""

    def __init__(self):
        self._by_model: dict[type[models.Model], ObjectSpec] = {}
        # Models in the order their `ui=` was given: their order under a menu heading.
        self._menu_order: list[type[models.Model]] = []
        # While a plugin's registrations load (`plugin_registrations`): its name and URL segment.
        self._loading: tuple[str, str] | None = None

    @contextmanager
    def plugin_registrations(self, name: str, base_url: str) -> Iterator[None]:
        """Mark what is registered in the block as plugin `name`'s; it may only register models under
        `plugins/<base_url>/` and extend its own."""
        self._loading = (name, base_url)
        try:
            yield
        finally:
            self._loading = None

    def _check_owner(self, spec: ObjectSpec) -> None:
        if self._loading is not None and spec.plugin != self._loading[0]:
            raise ValueError(f"plugin {self._loading[0]!r} may not change {spec.model._meta.label}, not its own model")

    def register(self, model: type[models.Model], *, api: Api, **groups) -> ObjectSpec:
        """Declare a model: its identity and REST representation (`api`) and any other group."""
        if model in self._by_model:
            raise ValueError(f"{model._meta.label} is already registered")
        if api.path.count("/") not in (1, 2):
            raise ValueError(f'{model._meta.label}: the API path is "<app>/<plural>", not {api.path!r}')
        if self._loading is not None:
            name, base_url = self._loading
            if not api.path.startswith(f"{PLUGINS_APP}/{base_url}/") or api.path.count("/") != 2:
                raise ValueError(
                    f'plugin {name!r}: the API path of {model._meta.label} is "plugins/{base_url}/<plural>"'
                )
            groups["plugin"] = name
        elif api.path.startswith(f"{PLUGINS_APP}/"):
            raise ValueError(f"{model._meta.label}: API paths under plugins/ are for plugins")
        if not set(api.brief_counts) <= set(api.counts):
            raise ValueError(f"{model._meta.label}: brief_counts {api.brief_counts} are not all among its counts")
        spec = ObjectSpec(model=model, api=api, **groups)
        featureless = [name for name in ("tags", "custom_fields") if not getattr(spec, name)]
        shown = sorted(set(featureless) & set(api.fields or ()))
        if shown:
            raise ValueError(f"{model._meta.label}: its objects take no {' or '.join(shown)}, its fields show them")
        _check_images(spec)
        self._by_model[model] = spec
        return spec

    def extend(self, model: type[models.Model], **groups) -> ObjectSpec:
        """Add a layer's group (`ui=`, `search=`, `graphql=`, `access=`, `cabling=`, `config_contexts=`,
        `images=`, `services=`) or filters to a registered model. A group is given once; filters add to those already
        declared."""
        spec = self.get(model)
        self._check_owner(spec)
        changes: dict[str, Any] = {}
        for name, value in groups.items():
            if name == "filters":
                overlap = set(spec.filters) & set(value)
                if overlap:
                    raise ValueError(f"{model._meta.label}: filters {sorted(overlap)} are declared twice")
                changes["filters"] = {**spec.filters, **value}
            elif name in _LAYERS or name == "services":
                if getattr(spec, name) != (_LAYERS[name] if name in _LAYERS else _generic_services()):
                    raise ValueError(f"{model._meta.label}: its {name} options are already declared")
                changes[name] = value
                if name == "ui":
                    self._menu_order.append(model)
            else:
                raise TypeError(f"registry.extend() got an unexpected group {name!r}")
        spec = replace(spec, **changes)
        _check_images(spec)
        self._by_model[model] = spec
        return spec

    def augment(
        self,
        model: type[models.Model],
        *,
        renderers: dict[str, Callable] | None = None,
        routes: tuple[Route, ...] = (),
        tabs: tuple[Tab, ...] = (),
        counts: dict[str, Any] | None = None,
        panels: tuple[Panel, ...] = (),
    ) -> ObjectSpec:
        """Another app's additions to a registered model, for fields and doors that app owns (automation's
        config context and render-config on devices, declared by DCIM without importing automation):
        `renderers` replace the registration's placeholders of fields already in its representation,
        `routes`, `tabs` and `panels` (IPAM's table of a site's VLANs) come after its own, `counts` (as
        Api.counts: IPAM's prefixes and VLANs of a site) after the registration's. Before any request (from
        the app's `ready()`)."""
        spec = self.get(model)
        self._check_owner(spec)
        names = set(spec.api.fields) if spec.api.fields is not None else None
        unknown = sorted(set(renderers or ()) - names) if names is not None else []
        if unknown:
            raise ValueError(f"{model._meta.label}: {unknown} are not fields of its representation")
        api = replace(
            spec.api,
            renderers={**spec.api.renderers, **(renderers or {})},
            routes=spec.api.routes + routes,
            counts={**spec.api.counts, **(counts or {})},
        )
        spec = replace(spec, api=api, ui=replace(spec.ui, tabs=spec.ui.tabs + tabs, panels=spec.ui.panels + panels))
        self._by_model[model] = spec
        return spec

    def hidden_plugins(self) -> frozenset[str]:
        """The installed plugins the selected organization has not enabled (none without one)."""
        installed = installed_plugins()
        if not installed:
            return frozenset()
        organization = current_organization()
        if organization is None:
            return frozenset()
        return frozenset(installed) - enabled_plugins(organization)

    def hidden(self, spec: ObjectSpec) -> bool:
        """Whether `spec` is a plugin's model the selected organization has not enabled."""
        return spec.plugin is not None and spec.plugin in self.hidden_plugins()

    def __iter__(self) -> Iterator[ObjectSpec]:
        hidden = self.hidden_plugins()
        if not hidden:
            return iter(self._by_model.values())
        return iter([spec for spec in self._by_model.values() if spec.plugin not in hidden])

    def installed(self) -> list[ObjectSpec]:
        """Every registration, plugins' included whatever the selected organization enabled."""
        return list(self._by_model.values())

    def for_organization(self, organization) -> list[ObjectSpec]:
        """The registrations `organization` sees: Wirebook's own and its enabled plugins' (None: Wirebook's)."""
        enabled = enabled_plugins(organization)
        return [spec for spec in self._by_model.values() if spec.plugin is None or spec.plugin in enabled]

    def in_menu_order(self) -> list[ObjectSpec]:
        """Every registration, by NetBox's menus, then by heading (in the order headings first
        appear), then in the order the app's `ui` module gave them."""
        shown = {spec.model: spec for spec in self}
        ordered = [shown[model] for model in self._menu_order if model in shown]
        ordered += [spec for spec in shown.values() if spec.model not in self._menu_order]
        headings: dict[tuple[str, str], int] = {}
        for spec in ordered:
            headings.setdefault((spec.menu.group, spec.menu.heading), len(headings))

        def position(spec: ObjectSpec) -> tuple[int, int]:
            group = MENUS.index(spec.menu.group) if spec.menu.group in MENUS else len(MENUS)
            return group, headings[(spec.menu.group, spec.menu.heading)]

        return sorted(ordered, key=position)

    def __contains__(self, model) -> bool:
        return self.visible(model) is not None

    def get(self, model: type[models.Model]) -> ObjectSpec:
        return self._by_model[model]

    def find(self, model: type[models.Model]) -> ObjectSpec | None:
        return self._by_model.get(model)

    def visible(self, model: type[models.Model] | None) -> ObjectSpec | None:
        """The registration of `model` if the selected organization sees it (see the class)."""
        spec = self._by_model.get(model) if model is not None else None
        return None if spec is None or self.hidden(spec) else spec

    def find_path(self, path: str | None) -> ObjectSpec | None:
        """The registration served at the REST path "<app>/<plural>" ("dcim/sites"), as a script's
        ObjectVar names its model."""
        return next((spec for spec in self if spec.api.path == path), None)

    def find_label(self, label: str) -> ObjectSpec | None:
        """The registration NetBox calls "<api app>.<model>" ("dcim.site" is our inventory.Site)."""
        return next((spec for spec in self if spec.type_label == label), None)


registry = Registry()

# An app's registration modules, in the order its `ready()` imports them: `api` declares the model.
LAYER_MODULES = ("api", "filters", "ui", "graphql")


def register_layers(package: str) -> None:
    """Import the registration modules of `package` that exist (`inventory.api`, `inventory.ui`…)."""
    for layer in LAYER_MODULES:
        try:
            importlib.import_module(f"{package}.{layer}")
        except ModuleNotFoundError as error:
            if error.name != f"{package}.{layer}":
                raise


def object_type_label(content_type) -> str:
    """A content type as NetBox names it: "dcim.site" for inventory.Site; "app.model" if unregistered."""
    model = content_type.model_class()
    spec = registry.find(model) if model is not None else None
    if spec is None:
        return f"{content_type.app_label}.{content_type.model}"
    return spec.type_label


def object_type_for(label: str):
    """The ContentType for NetBox's "dcim.site" (or our own "inventory.site"); None if there is none."""
    from django.contrib.contenttypes.models import ContentType

    if not isinstance(label, str) or label.count(".") != 1:
        return None
    spec = registry.find_label(label.lower())
    if spec is not None:
        return ContentType.objects.get_for_model(spec.model)
    app_label, _, name = label.lower().partition(".")
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, name)
    except ContentType.DoesNotExist:
        return None
    model = content_type.model_class()
    if model is None or (registry.find(model) is not None and registry.visible(model) is None):
        return None  # gone, or a plugin's model the organization has not enabled
    return content_type


def object_type_renderer(attribute: str, *, null: bool = False):
    """A registration renderer showing a content type field as NetBox's label ("dcim.site");
    `null`: the field may be empty."""
    from core.fields import TEXT_VALUE, Rendered, nullable

    def render(obj, links):
        content_type = getattr(obj, attribute)
        return None if content_type is None else object_type_label(content_type)

    return Rendered(render, nullable(TEXT_VALUE) if null else TEXT_VALUE)


def plain_choice(attribute: str, *, null: bool = False):
    """A registration renderer showing a choice field as its bare value ("POST"), where NetBox's
    serializer does (a webhook's method, a circuit termination's side), not as {value, label};
    `null`: no choice ("") is shown as null."""
    from core.fields import TEXT_VALUE, Rendered, nullable

    if null:
        return Rendered(lambda obj, links: getattr(obj, attribute) or None, nullable(TEXT_VALUE))
    return Rendered(lambda obj, links: getattr(obj, attribute), TEXT_VALUE)


def object_type_labels(attribute: str, *, prefetch: tuple = ()):
    """A registration renderer showing a many-to-many field of content types as NetBox's sorted labels
    (`object_types`: ["dcim.device", "dcim.site"])."""
    from core.fields import TEXT_VALUE, Rendered, list_of

    def render(obj, links):
        return sorted(object_type_label(content_type) for content_type in getattr(obj, attribute).all())

    return Rendered(render, list_of(TEXT_VALUE), prefetch=prefetch)
