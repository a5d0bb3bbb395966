"""Template filters of the web UI: `{% load wirebook %}`."""

from django import template

from frontend.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Markdown as sanitized HTML (frontend.markdown)."""
    return render_markdown(text)
