"""The UI's URLs, derived from the registry: NetBox's paths (`/dcim/sites/`, `/dcim/sites/7/edit/`)."""

from django.core.exceptions import ImproperlyConfigured
from django.urls import path

from core.plugins import gated
from core.registry import registry
from frontend import bulk_views, list_views, object_views, search_views
from frontend.base_views import page_url_name, url_name

# The pages only writable registrations have: no tab may take their names.
WRITE_ACTIONS = ("add", "edit", "delete", "import", "bulk_edit", "bulk_delete", "rename", "bulk_rename")


def _patterns_for(spec):
    base = f"{spec.api_app}/{spec.api_path}/"
    kwargs = {"spec": spec}
    patterns = [
        path(base, list_views.object_list, kwargs, name=url_name(spec, "list")),
        path(f"{base}<int:pk>/", object_views.object_detail, kwargs, name=url_name(spec, "detail")),
        path(f"{base}<int:pk>/changelog/", object_views.object_changelog, kwargs, name=url_name(spec, "changelog")),
        path(f"{base}<int:pk>/journal/", object_views.object_journal, kwargs, name=url_name(spec, "journal")),
        path(f"{base}table/", list_views.table_configure, kwargs, name=url_name(spec, "table")),
    ]
    if spec.images:
        images = path(f"{base}<int:pk>/images/", object_views.object_images, kwargs, name=url_name(spec, "images"))
        patterns.append(images)
    taken = {pattern.name.rsplit("-", 1)[-1] for pattern in patterns} | set(WRITE_ACTIONS) | {"images"}
    for tab in spec.ui.tabs:
        if tab.name in taken or not tab.name.replace("-", "").isalnum():
            raise ImproperlyConfigured(f"{spec.label}: a tab cannot be named {tab.name!r}")
        patterns.append(
            path(
                f"{base}<int:pk>/{tab.name}/",
                object_views.object_tab,
                {**kwargs, "tab": tab},
                name=url_name(spec, tab.name),
            )
        )
    for extra in spec.ui.pages:
        patterns.append(
            path(
                f"{spec.app_prefix}/{extra.name}/",
                object_views.model_page,
                {**kwargs, "extra": extra},
                name=page_url_name(spec, extra),
            )
        )
    if not spec.access.read_only:
        patterns += [
            path(f"{base}add/", object_views.object_edit, kwargs, name=url_name(spec, "add")),
            path(f"{base}<int:pk>/edit/", object_views.object_edit, kwargs, name=url_name(spec, "edit")),
            path(f"{base}<int:pk>/delete/", object_views.object_delete_view, kwargs, name=url_name(spec, "delete")),
            path(f"{base}import/", bulk_views.bulk_import, kwargs, name=url_name(spec, "import")),
            path(f"{base}edit/", bulk_views.bulk_edit, kwargs, name=url_name(spec, "bulk_edit")),
            path(f"{base}delete/", bulk_views.bulk_delete, kwargs, name=url_name(spec, "bulk_delete")),
        ]
        if spec.ui.bulk_rename:
            patterns.append(path(f"{base}rename/", bulk_views.bulk_rename, kwargs, name=url_name(spec, "bulk_rename")))
    for pattern in patterns:
        pattern.callback = gated(spec, pattern.callback)
    return patterns


def ui_patterns():
    patterns = [
        path("search/", search_views.search_page, name="ui-search"),
        path("jobs/<int:pk>/", bulk_views.job_detail, name="ui-job"),
    ]
    for spec in registry.installed():
        patterns += _patterns_for(spec)
    return patterns
