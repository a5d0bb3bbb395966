"""Rules for the templates: what frontend/base.html shows on every page, a page extending it must
not show again (flash messages, the billing banner), or it appears twice."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "frontend" / "templates"
BASE = TEMPLATES / "frontend" / "base.html"
EXTENDS_BASE = re.compile(r"""{%\s*extends\s+["']frontend/base\.html["']\s*%}""")
INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")
SHOWN_BY_BASE = {
    "flash messages": re.compile(r"{%[^%]*\bmessages\b[^%]*%}"),
    "the billing banner": re.compile(r"_billing_banner\.html"),
}


def source_with_includes(template: Path, seen: frozenset[Path] = frozenset()) -> str:
    """The template's source followed by the sources of the templates it includes, recursively."""
    source = template.read_text()
    parts = [source]
    for name in INCLUDE.findall(source):
        included = TEMPLATES / name
        if included.exists() and included not in seen:
            parts.append(source_with_includes(included, seen | {template}))
    return "\n".join(parts)


def templates_extending_base() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*.html") if EXTENDS_BASE.search(path.read_text()))


def test_base_shows_the_messages_and_the_billing_banner():
    base = BASE.read_text()
    assert all(pattern.search(base) for pattern in SHOWN_BY_BASE.values())
    assert len(templates_extending_base()) > 10


@pytest.mark.parametrize("template", templates_extending_base(), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_pages_extending_base_do_not_show_again_what_it_shows(template):
    source = source_with_includes(template)
    shown_again = [what for what, pattern in SHOWN_BY_BASE.items() if pattern.search(source)]
    assert shown_again == [], f"{template.name} shows {shown_again} again: frontend/base.html shows them"
