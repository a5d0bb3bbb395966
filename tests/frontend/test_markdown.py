"""Markdown made safe (frontend.markdown): formatting comes through, nothing that runs, loads or
restyles does, whatever the text holds."""

import pytest

from frontend.markdown import render_markdown


def test_markdown_formats_like_netbox():
    html = render_markdown("**bold** _it_ ~~gone~~ `code`\n\n- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |")

    for tag in (
        "<strong>bold</strong>",
        "<em>it</em>",
        "<del>gone</del>",
        "<code>code</code>",
        "<li>a</li>",
        "<td>1</td>",
    ):
        assert tag in html, html
    assert html.startswith('<div class="wb-markdown">')


def test_links_keep_safe_schemes_only_and_never_pass_the_opener():
    html = render_markdown("[ok](https://example.com/x) [mail](mailto:a@example.com) [site](/o/x/dcim/sites/1/)")

    assert 'href="https://example.com/x"' in html and 'href="mailto:a@example.com"' in html
    assert 'href="/o/x/dcim/sites/1/"' in html
    assert html.count('rel="noopener noreferrer"') == 3


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="javascript:alert(1)">x</a>',
        '<p style="position:fixed;inset:0">cover</p>',
        '<iframe src="https://example.com"></iframe>',
        "<svg onload=alert(1)>",
        '<div onclick="alert(1)">x</div>',
        "![pic](https://tracker.example.com/p.gif)",
        "<style>body{display:none}</style>",
        '<form action="https://example.com"><button>go</button></form>',
    ],
)
def test_nothing_that_runs_loads_or_restyles_comes_through(text):
    html = render_markdown(text).lower()

    for forbidden in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "data:",
        "style",
        "<iframe",
        "<img",
        "<svg",
        "<form",
        "<button",
    ):
        assert forbidden not in html, (text, html)


def test_no_text_is_no_block():
    assert render_markdown("") == "" and render_markdown(None) == "" and render_markdown("  \n") == ""
