"""Template filters of the web UI: `{% load wirebook %}`."""

from django import template

from frontend.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Markdown as sanitized HTML (frontend.markdown)."""
    return render_markdown(text)


@register.filter
def bootstrap(field):
    """A bound field's widget with Bootstrap's classes (and `is-invalid` when it has errors)."""
    if field.widget_type == "checkbox":
        css = "form-check-input"
    elif field.widget_type in ("select", "selectmultiple", "nullbooleanselect"):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})
