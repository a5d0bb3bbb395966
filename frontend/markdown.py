"""Markdown as NetBox renders it (journal entries, comments, long-text custom fields), made safe.

Python-Markdown turns the text into HTML (tables, fenced code, ~~strikethrough~~ as NetBox has),
then nh3 keeps only the formatting: no scripts, styles, event handlers or `javascript:` links can
come through, whatever the text holds (raw HTML in Markdown included). Images are left out: the
Content-Security-Policy loads nothing from elsewhere, so they would only be broken pictures.
"""

import re

import markdown as markdown_lib  # type: ignore[import-untyped]
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.inlinepatterns import SimpleTagInlineProcessor  # type: ignore[import-untyped]

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


class _Strikethrough(markdown_lib.Extension):
    """`~~text~~` as <del>, like NetBox's."""

    def extendMarkdown(self, md):  # (Python-Markdown names it)
        md.inlinePatterns.register(SimpleTagInlineProcessor(r"()~~(.+?)~~", "del"), "strikethrough", 175)


_BLANK = re.compile(r"^\s*$")


def render_markdown(text: str | None) -> SafeString:
    """The text's Markdown as sanitized HTML, in a `wb-markdown` block ('' for no text)."""
    if text is None or _BLANK.match(text):
        return mark_safe("")
    html = markdown_lib.markdown(text, extensions=["tables", "fenced_code", "sane_lists", _Strikethrough()])
    clean = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer")
    return mark_safe(f'<div class="wb-markdown">{clean}</div>')  # noqa: S308 (sanitized by nh3 just above)
