"""Every page at phone width (390 x 844), in one browser against the one live server: each registered
model's list, object page (and its tabs, its pages of its own), edit and add forms, with one object of
each model made from the generic API cases' data (tests/*/test_api_cases.py), and the organization's
and the account's other pages, and the API pages their scripts draw (Swagger UI, GraphiQL). None may
scroll sideways, and no element may stick out of the window unless a container that scrolls sideways
holds it (a wide table in `.table-responsive`) or one hiding its overflow cuts it off before the window's
edge (CodeMirror's input textareas). Every failure is collected (its URL and the element's selector, a
screenshot of the page) and asserted at the end."""

import re
from contextlib import contextmanager
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet, UniqueConstraint
from django.test import Client
from playwright.sync_api import Page

from automation.models import Job
from core.registry import ObjectSpec, registry
from inventory.models import Interface
from tenants.context import tenant_context
from tenants.models import Organization
from tenants.services import organization_create
from tests.api_cases import APICase, call, resolve
from tests.ui_cases import api_cases

pytestmark = pytest.mark.slow_file(240)  # measured 250 s with the machine at load 10 (two cores)

PHONE = {"width": 390, "height": 844}

# What sticks out of the window (run in the page): the outermost elements whose right edge, as far as the user
# sees it, passes it. An element is drawn only inside the ancestors that clip it: those whose overflow is not
# visible, along its chain of containing blocks (an absolutely positioned element escapes the clipping of
# ancestors inside its positioned one; a fixed one, all but a transformed one's). One that scrolls sideways
# (overflow-x auto or scroll) holds it: it is not counted; one that hides its overflow (hidden or clip) cuts it
# at its padding box's right edge, and only what is left of it counts (CodeMirror's 1000 px input textarea in
# a 3 px wrapper is not seen; the wrapper, were it past the window, would be).
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const reported = new Set();
  const containsFixed = (style) =>
    style.transform !== "none" || style.perspective !== "none" || style.filter !== "none" ||
    /paint|layout|strict|content/.test(style.contain);
  // The right edge of what the user sees of the element: its own, cut by the ancestors that clip it;
  // null when one of them scrolls sideways and so holds it.
  const visibleRight = (element, box) => {
    let right = box.right;
    let position = getComputedStyle(element).position;
    for (let up = element.parentElement; up && up !== document.documentElement; up = up.parentElement) {
      const style = getComputedStyle(up);
      const containing = position === "fixed" ? containsFixed(style)
        : position === "absolute" ? style.position !== "static" || containsFixed(style) : true;
      if (!containing) continue;
      if (position === "fixed" || position === "absolute") position = style.position;
      if (up === document.body) continue;
      const overflow = style.overflowX;
      if (overflow === "auto" || overflow === "scroll") return null;
      if (overflow === "hidden" || overflow === "clip") {
        right = Math.min(right, up.getBoundingClientRect().left + up.clientLeft + up.clientWidth);
      }
    }
    return right;
  };
  const name = (element) => {
    const parts = [];
    for (let at = element; at && at !== document.body && parts.length < 4; at = at.parentElement) {
      let part = at.tagName.toLowerCase();
      if (at.id) { parts.unshift(part + "#" + at.id); break; }
      const classes = [...at.classList].slice(0, 3);
      if (classes.length) part += "." + classes.join(".");
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  for (const element of document.body.querySelectorAll("*")) {
    if (reported.has(element.parentElement)) { reported.add(element); continue; }
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
    if (getComputedStyle(element).visibility === "hidden") continue;
    const right = visibleRight(element, box);
    if (right === null || right <= width + 1 || right <= box.left) continue;
    reported.add(element);
    found.push(`${name(element)} (${Math.round(box.width)} px wide, right edge at ${Math.round(right)})`);
  }
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > window.innerWidth + 1) found.unshift(`the page scrolls sideways (${scrollWidth} px wide)`);
  return found;
}"""


def _unique_sets(model: type[Model]) -> list[tuple[str, ...]]:
    """The model's unique fields and sets of fields, conditional ones too (a region's name among the roots)."""
    sets = [(field.name,) for field in model._meta.concrete_fields if field.unique and not field.primary_key]
    sets += [tuple(names) for names in model._meta.unique_together]
    sets += [tuple(c.fields) for c in model._meta.constraints if isinstance(c, UniqueConstraint) and c.fields]
    return sets


@contextmanager
def _rows_shared():
    """While the cases' related rows are made: a row another case made already (the site "AMS1", the
    manufacturer "Cisco"...) is that one, found by the values of one of its unique fields, not a collision."""
    create = QuerySet.create

    def create_or_find(queryset: QuerySet, **values: Any) -> Any:
        try:
            with transaction.atomic():
                return create(queryset, **values)
        except IntegrityError:
            model = queryset.model
            for names in _unique_sets(model):
                fields = [model._meta.get_field(name) for name in names]
                if not any(field.name in values or field.attname in values for field in fields):
                    continue
                wanted = {
                    field.attname if field.attname in values else field.name: values.get(
                        field.attname, values.get(field.name, field.get_default())
                    )
                    for field in fields
                }
                found = model._base_manager.filter(**wanted).first()
                if found is not None:
                    return found
            named = {key: values[key] for key in ("name", "slug") if key in values}  # a unique expression's
            found = model._base_manager.filter(**named).first() if named else None
            if found is not None:
                return found
            raise

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QuerySet, "create", create_or_find)
        yield


def _make_one(case: type[APICase], organization: Organization, client: Client) -> int:
    """One object of the case's model in `organization` (its first payload, or its first read-only object),
    made as the API cases make theirs; its primary key. Raises when the organization cannot take it."""
    spec = case.spec()
    with transaction.atomic():
        if spec.access.read_only:
            assert case.make_object is not None
            with tenant_context(organization), _rows_shared():
                case.make_object(0)
                newest = spec.model._base_manager.order_by("-pk").values_list("pk", flat=True).first()
            assert newest is not None, spec.label
            return newest
        with tenant_context(organization), _rows_shared():
            named = case.setup_objects() if case.setup_objects is not None else {}
        payload = resolve(case.create_data[0], named)
        response = call(client, "post", f"/o/{organization.slug}/api/{spec.api_app}/{spec.api_path}/", payload)
        assert response.status_code == 201, f"{spec.label}: {response.content[:500]!r}"
        return response.json()["id"]


def _made_in(case: type[APICase], organization: Organization, client: Client) -> int | None:
    try:
        return _make_one(case, organization, client)
    except (AssertionError, IntegrityError, ValidationError):
        return None  # a collision with another case's objects


def _one_of_each(accounts, owner) -> dict[str, tuple[ObjectSpec, Organization, int]]:
    """One object of every registered model. The cases' objects collide now and then (the site case's site is
    the one another case made for its rack): a model the first organization cannot take goes to the next that
    can, a new one when none can."""
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    organizations: list[Organization] = []
    made: dict[str, tuple[ObjectSpec, Organization, int]] = {}
    for model, case in api_cases().items():
        spec = registry.get(model)
        for organization in organizations:
            pk = _made_in(case, organization, client)
            if pk is not None:
                made[spec.label] = (spec, organization, pk)
                break
        else:
            slug = accounts.slug("narrow")
            organizations.append(organization_create(name=slug, slug=slug, owner=owner, enforce_quota=False))
            made[spec.label] = (spec, organizations[-1], _make_one(case, organizations[-1], client))
    return made


def _model_pages(spec: ObjectSpec, slug: str, pk: int, seen: set) -> list[str]:
    """The model's list, object page, add form and pages of its own, and the tabs whose kind no other model
    showed yet (every model's Contacts tab is the same; a trace is drawn for a cabled interface instead)."""
    base = f"/o/{slug}/{spec.api_app}/{spec.api_path}/"
    tabs = [tab for tab in spec.ui.tabs if tab.view not in seen and tab.name != "trace"]
    seen.update(tab.view for tab in tabs)
    pages = [base, f"{base}{pk}/", *(f"{base}{pk}/{tab.name}/" for tab in tabs)]
    pages += [f"/o/{slug}/{spec.app_prefix}/{extra.name}/" for extra in spec.ui.pages]
    if not spec.access.read_only:
        pages.append(f"{base}add/")
    return pages


def _other_pages(slug: str) -> list[str]:
    settings = f"/o/{slug}/settings/"
    pages = [
        f"/o/{slug}/",
        f"/o/{slug}/?customize=1",
        f"/o/{slug}/search/?q=a",
        *(f"{settings}{tab}" for tab in ("", "tokens/", "members/", "audit/", "plugins/", "billing/", "sso/")),
        f"{settings}danger/",
        f"/o/{slug}/api/",
        f"/o/{slug}/api/dcim/sites/",
        "/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/3rdparty/",
        "/organizations/new/",
    ]
    return pages


def _drawn_pages(slug: str, organization: Organization) -> list[str]:
    """A job's page, and a cabled interface's trace (drawn), where the organization has them."""
    with tenant_context(organization):
        pages = [f"/o/{slug}/jobs/{pk}/" for pk in Job.objects.values_list("pk", flat=True)[:1]]
        cabled = Interface.objects.filter(cable__isnull=False).values_list("pk", flat=True)[:1]
        return pages + [f"/o/{slug}/dcim/interfaces/{pk}/trace/" for pk in cabled]


def _check(page: Page, url: str, shot, failures: list[str]) -> None:
    response = page.goto(url, wait_until="domcontentloaded")
    status = response.status if response is not None else 0
    if status != 200:
        failures.append(f"{url}: answered {status}")
        return
    found: list[Any] = page.evaluate(STICKING_OUT)
    if found:
        failures += [f"{url}: {what}" for what in found]
        shot(page, re.sub(r"^/o/[^/]+/", "", url) or "root")


# Pages their script draws after loading: checked once it has (Swagger UI's operations; GraphiQL's three
# editors, the query's, the variables' and the result's, stacked at this width).
DRAWN_BY_SCRIPT = {
    "api/schema/swagger-ui/": ".swagger-ui .opblock-tag",
    "graphql/": ".graphiql-container:has(.graphiql-query-editor .CodeMirror):has(.graphiql-editor-tool .CodeMirror)"
    ":has(.result-window .CodeMirror)",
}


def _check_drawn_by_script(page: Page, slug: str, shot, failures: list[str]) -> None:
    for path, drawn in DRAWN_BY_SCRIPT.items():
        url = f"/o/{slug}/{path}"
        page.goto(url, wait_until="domcontentloaded")
        page.locator(drawn).first.wait_for(timeout=30_000)
        found: list[Any] = page.evaluate(STICKING_OUT)
        if found:
            failures += [f"{url}: {what}" for what in found]
            shot(page, path.strip("/").replace("/", "-"))


# A box holding another, added to the page (their styles set through the CSSOM, which the Content-Security-Policy
# allows), then removed: [the outer box's style, the inner one's].
PROBE = """([outer, inner]) => {
  const box = document.createElement("div");
  box.id = "wb-probe";
  box.style.cssText = outer;
  box.append(Object.assign(document.createElement("div"), {textContent: "x"}));
  box.firstChild.style.cssText = inner;
  document.body.append(box);
}"""
# Boxes the check must report (True) and must not: (outer style, inner style, reported).
PROBES = [
    ("", "width: 1000px", True),
    ("overflow: hidden; width: 100px", "width: 1000px", False),  # cut by its container
    ("position: relative; overflow: hidden; width: 3px", "position: absolute; width: 1000px", False),  # CodeMirror's
    ("overflow: hidden; width: 100px", "position: absolute; left: 0; width: 1000px", True),  # escapes the cut
    ("position: fixed; overflow: hidden; width: 100px", "position: fixed; width: 1000px", True),  # escapes it too
    ("overflow: clip; width: 1000px", "width: 2000px", True),  # the container cutting it is too wide itself
    ("overflow-x: auto", "width: 1000px", False),  # scrolls sideways in its container
]


def _check_the_check(page: Page) -> None:
    """STICKING_OUT reports a box sticking out, even out of a container hiding its overflow, and no box a
    container cuts off or scrolls; a word of 200 letters makes the page scroll sideways."""
    for outer, inner, reported in PROBES:
        page.evaluate(PROBE, [outer, inner])
        found: list[str] = page.evaluate(STICKING_OUT)
        page.evaluate("document.getElementById('wb-probe').remove()")
        assert any("#wb-probe" in what for what in found) == reported, f"{outer!r} around {inner!r}: {found}"
    page.evaluate("document.body.append(Object.assign(document.createElement('div'), {textContent: 'x'.repeat(200)}))")
    assert page.evaluate(STICKING_OUT), "a word of 200 letters fits a phone?"


def _log_in(page: Page, user, base_url: str) -> None:
    """The browser takes the session of a client logged in as `user` (organization A's owner, whom the API
    cases name, has no verified email address to log in with through the form)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])


@pytest.fixture
def owner_a(tenants, django_db_blocker):
    """Organization A's owner, who outlives the test: the sweep's commits must not change them. allauth's
    email page records a user's address on a visit (unverified), and a later test could not log them in."""
    owner = tenants["a"].owner
    with django_db_blocker.unblock():
        addresses = set(EmailAddress.objects.filter(user=owner).values_list("pk", flat=True))
    yield owner
    with django_db_blocker.unblock():
        EmailAddress.objects.filter(user=owner).exclude(pk__in=addresses).delete()


def test_no_page_is_wider_than_a_phone(page, wirebook, accounts, owner_a, shot):
    owner = owner_a
    made = _one_of_each(accounts, owner)
    failures: list[str] = []
    page.set_viewport_size(PHONE)
    for url in ("/login/", "/accounts/signup/", "/accounts/password/reset/", "/login/sso/"):
        _check(page, url, shot, failures)
    _check_the_check(page)
    _log_in(page, owner, wirebook.base_url)

    urls: list[str] = []
    seen: set = set()
    for spec, organization, pk in made.values():
        urls += _model_pages(spec, organization.slug, pk, seen)
    organizations = list(dict.fromkeys(organization for _, organization, _ in made.values()))
    urls += _other_pages(organizations[0].slug)
    for organization in organizations:
        urls += _drawn_pages(organization.slug, organization)
    for url in dict.fromkeys(urls):
        _check(page, url, shot, failures)
    _check_drawn_by_script(page, organizations[0].slug, shot, failures)
    assert not failures, f"{len(failures)} things wider than a phone:\n" + "\n".join(failures)
