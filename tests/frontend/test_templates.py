"""Rules for the templates: what frontend/base.html shows on every page, a page extending it must
not show again (flash messages, the billing banner), or it appears twice; and no template or page
holds what the Content-Security-Policy refuses (inline scripts, styles, event handlers)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.test import Client

from automation.export import EXPORT_FUNCTION
from automation.models import Job, JobStatus
from core.models import JournalEntry, Tag
from inventory.models import Site
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole

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


# --- Content-Security-Policy: nothing inline (saas_platform.security) -----------------------
# The policy refuses inline scripts, inline styles and event-handler attributes: a template
# that has one is broken in every browser. <script type="application/json"> blocks are data,
# never run, and allowed; scripts load from static files.
ROOT = TEMPLATES.parents[1]
TEMPLATE_DIRS = [TEMPLATES, *(path for path in ROOT.glob("*/templates") if path != TEMPLATES)]
INLINE_IN_SOURCE = {
    "a <style> element": re.compile(r"<style\b", re.IGNORECASE),
    "a style attribute": re.compile(r"""\sstyle\s*=\s*["'{]""", re.IGNORECASE),
    "an on* event attribute": re.compile(r"""\son[a-z]+\s*=\s*["'{]""", re.IGNORECASE),
    "an hx-on attribute (htmx evaluates it)": re.compile(r"\shx-on", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "an inline <script>": re.compile(
        r"""<script\b(?![^>]*\bsrc\s*=)(?![^>]*\btype\s*=\s*["']application/json["'])[^>]*>""", re.IGNORECASE
    ),
}


def all_templates() -> list[Path]:
    return sorted(path for directory in TEMPLATE_DIRS for path in directory.rglob("*.html"))


def test_every_template_folder_is_scanned():
    assert TEMPLATES in TEMPLATE_DIRS
    assert len(all_templates()) > 40


@pytest.mark.parametrize("template", all_templates(), ids=lambda path: str(path.relative_to(ROOT)))
def test_templates_have_no_inline_script_or_style(template):
    source = template.read_text()
    found = [what for what, pattern in INLINE_IN_SOURCE.items() if pattern.search(source)]
    assert found == [], f"{template.relative_to(ROOT)} has {found}: the Content-Security-Policy refuses them"


class InlineFinder(HTMLParser):
    """What a rendered page holds that the Content-Security-Policy refuses."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self.found.append("<script> without src")
        for name, value in attrs:
            if name == "style" or name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:...>")


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_page_check_finds_what_the_policy_refuses():
    page = (
        '<html><head><style>p{}</style><script>alert(1)</script><script type="application/json">{}</script>'
        '<script src="/static/x.js"></script></head><body><p style="color:red" onclick="x()">'
        '<a href="javascript:x()">x</a><button hx-on:click="x()">b</button></p></body></html>'
    )

    assert inline_code(page) == [
        "<style>",
        "<script> without src",
        "<p style=...>",
        "<p onclick=...>",
        "<a href=javascript:...>",
        "<button hx-on:click=...>",
    ]


@pytest.fixture
def pages_data(org_a):
    """A tagged site with a journal entry, a running job and a viewer of organization A."""
    with tenant_context(org_a.organization):
        tag = Tag.objects.create(name="Core", slug="core", color="ff5722")
        site = Site.objects.create(name="Site One", slug="site-one")
        site.tagged_items.create(tag=tag)
        JournalEntry.objects.create(
            assigned_object_type=ContentType.objects.get_for_model(Site),
            assigned_object_id=site.pk,
            comments="Line one\nLine two",
        )
        job = Job.objects.create(
            name="Import", function=EXPORT_FUNCTION, status=JobStatus.RUNNING, user_id=org_a.owner.pk
        )
    viewer = get_user_model().objects.create_user("csp-viewer@example.com")
    Membership.objects.create(user=viewer, organization=org_a.organization, role=MembershipRole.VIEWER)
    return {"site": site, "job": job, "viewer": viewer}


def _pages(pages_data):
    site, job = pages_data["site"], pages_data["job"]
    sites = "/o/org-a/dcim/sites/"
    return {
        "owner": [
            ("/", 200),
            ("/organizations/new/", 200),
            ("/accounts/password/change/", 200),
            ("/accounts/email/", 200),
            ("/o/org-a/", 200),
            ("/o/org-a/?customize=1", 200),  # the dashboard's controls (frontend/dashboard.py)
            ("/o/org-a/dashboard/widgets/changes/", 200),
            (sites, 200),
            (f"{sites}?q=Site", 200),
            (f"{sites}{site.pk}/", 200),
            (f"{sites}{site.pk}/edit/", 200),
            (f"{sites}add/", 200),
            (f"{sites}import/", 200),
            (f"{sites}{site.pk}/changelog/", 200),
            (f"{sites}{site.pk}/journal/", 200),
            (f"{sites}{site.pk}/delete/", 200),
            ("/o/org-a/extras/tags/", 200),
            ("/o/org-a/search/?q=Site", 200),
            (f"/o/org-a/jobs/{job.pk}/", 200),
            ("/o/org-a/settings/", 200),
            ("/o/org-a/settings/tokens/", 200),
            ("/o/org-a/settings/members/", 200),
            ("/o/org-a/settings/audit/", 200),
            ("/o/org-a/settings/billing/", 200),
            ("/o/org-a/settings/sso/", 200),
            ("/o/org-a/settings/danger/", 200),
            # the APIs in a browser (frontend/api_pages.py)
            ("/o/org-a/api/", 200),
            (f"/o/org-a/api/dcim/sites/{site.pk}/", 200),
            ("/o/org-a/api/schema/swagger-ui/", 200),
            ("/o/org-a/graphql/", 200),
            ("/o/org-a/no-such-page/", 404),
            ("/no-such-page/", 404),
        ],
        "viewer": [("/o/org-a/settings/billing/", 403)],
        "anonymous": [
            ("/login/", 200),
            ("/login/sso/", 200),
            ("/accounts/signup/", 200),
            ("/accounts/password/reset/", 200),
        ],
    }


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_real_pages_have_no_inline_script_or_style_and_send_the_policy(org_a, pages_data):
    clients = {"owner": org_a.client(), "viewer": Client(raise_request_exception=False), "anonymous": Client()}
    clients["viewer"].force_login(pages_data["viewer"])
    checked = 0
    for who, pages in _pages(pages_data).items():
        for path, status in pages:
            response = clients[who].get(path, HTTP_ACCEPT=BROWSER_ACCEPT)
            assert response.status_code == status, (who, path)
            assert response["Content-Type"].startswith("text/html"), (who, path)
            assert inline_code(response.content.decode()) == [], (who, path)
            policy = response["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy, (who, path, policy)
            checked += 1
    assert checked >= 30


def test_tags_and_progress_pass_their_values_as_data(org_a, pages_data):
    owner = org_a.client()

    detail = owner.get(f"/o/org-a/dcim/sites/{pages_data['site'].pk}/").content.decode()
    job_page = owner.get(f"/o/org-a/jobs/{pages_data['job'].pk}/").content.decode()

    assert '<span class="badge wb-tag" data-wb-color="ff5722">Core</span>' in detail
    assert re.search(r'class="progress-bar[^"]*" data-wb-width="\d+"', job_page)


@pytest.mark.parametrize("name", ["403.html", "404.html", "429.html", "500.html"])
def test_error_pages_have_no_inline_script_or_style(name):
    assert inline_code(render_to_string(name)) == []
