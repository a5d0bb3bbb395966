"""The organization's overview: the member's dashboard (frontend.dashboard), arranged and saved per member."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from frontend import dashboard, getting_started
from frontend.base_views import ui_view


def _overview(customize: bool = False, widget_id: str = "") -> str:
    url = reverse("organization-home")
    if not customize:
        return url
    return f"{url}?customize=1#widget-{widget_id}" if widget_id else f"{url}?customize=1#dashboard"


@ui_view
def organization_home(request, *, actor):
    """The member's dashboard: their own layout, or the default one (object counts per menu, recent
    changes, bookmarks and jobs). `?customize=1` shows the controls to arrange it. While the member
    sees no object yet, the getting-started checklist instead (`?dashboard=1` shows the dashboard)."""
    counted = dashboard.visible_counts(actor)
    customize = request.GET.get("customize") == "1"
    if not customize and request.GET.get("dashboard") != "1" and getting_started.is_new(counted):
        return render(request, "frontend/getting_started.html", getting_started.checklist(request))
    widgets, customized = dashboard.load_layout(actor)
    context = {
        "widgets": dashboard.render_widgets(actor, widgets, counted),
        "customized": customized,
        "customize": customize,
        "widget_types": list(dashboard.WIDGET_TYPES.values()),
    }
    return render(request, "frontend/organization_home.html", context)


@require_POST
@ui_view
def dashboard_change(request, *, actor):
    """The dashboard's buttons: add a widget, move one up or down, remove one, reset to the default."""
    action = request.POST.get("action", "")
    try:
        added = dashboard.layout_change(
            actor=actor,
            action=action,
            widget_id=request.POST.get("widget", ""),
            widget_type=request.POST.get("type", ""),
        )
    except dashboard.LayoutError as error:
        messages.error(request, str(error))
        return redirect(_overview(customize=True))
    if added is not None:
        return redirect("dashboard-widget", widget_id=added)
    if action == "reset":
        messages.success(request, "Your dashboard is back to the default.")
        return redirect(_overview())
    moved = request.POST.get("widget", "") if action in ("up", "down") else ""
    return redirect(_overview(customize=True, widget_id=moved))


@ui_view
def dashboard_widget(request, widget_id: str, *, actor):
    """Configure one widget of the member's dashboard (its title, types counted, rows, text)."""
    widget = dashboard.find_widget(actor, widget_id)
    if widget is None:
        raise Http404
    widget_type = dashboard.WIDGET_TYPES[widget["type"]]
    if request.method == "POST":
        form = widget_type.form(data=request.POST)
        if form.is_valid():
            try:
                dashboard.widget_configure(actor=actor, widget_id=widget_id, config=form.cleaned_data)
            except dashboard.LayoutError as error:
                messages.error(request, str(error))
            return redirect(_overview(customize=True, widget_id=widget_id))
    else:
        form = widget_type.form(initial=widget["config"])
    context = {"form": form, "widget": widget, "widget_type": widget_type, "title": dashboard.widget_title(widget)}
    return render(request, "frontend/dashboard/configure.html", context)
